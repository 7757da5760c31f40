"""Hand-made mutants of the browser scripts (templates/assets/*.js), each run against the tests that must catch it.

    .venv/bin/python scripts/js_mutants.py            # every mutant; exit 1 if one survives
    .venv/bin/python scripts/js_mutants.py url-append  # only the named ones
    .venv/bin/python scripts/js_mutants.py --root DIR --with tests/browser/test_list_page.py ...
        # another checkout (e.g. an older one), each mutant against the given tests instead of its own

Each mutant is one plausible slip in one script: the original text (which must occur exactly once, so a mutant
that no longer applies fails loudly instead of passing), its replacement and the tests that must then fail. The
project is copied once to a temporary folder (node_modules linked); for each mutant the script is changed there,
the tests run, and the script restored. Before the mutants, the same tests run once unchanged and must pass, so a
"killed" is never a test that fails anyway. Why not StrykerJS: docs/testing.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSER = "tests/browser/"
MARKS = (BROWSER + "test_merkliste_and_print.py::"
         "test_marks_follow_the_visitor_from_the_list_to_an_offer_and_the_merkliste")


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str  # in templates/assets/
    original: str
    replacement: str
    tests: tuple[str, ...]
    what: str


MUTANTS = [
    # the URL written back after a change
    Mutant("url-append", "list.js", "params.append(param, value);", "params.set(param, value);",
           (BROWSER + "test_list_page.py::test_two_values_of_one_facet_both_stand_in_the_url",),
           "two values of one facet: only the last reaches the URL"),
    Mutant("url-free-value", "list.js", 'params.set("kostenfrei", "1");', 'params.set("kostenfrei", "true");',
           (BROWSER + "test_list_page.py::test_two_values_of_one_facet_both_stand_in_the_url",),
           "the cost filter written back with another value than the page reads"),
    Mutant("url-replace-only", "list.js", 'window.history[push ? "pushState" : "replaceState"](null, "", url);',
           'window.history.replaceState(null, "", url);',
           (BROWSER + "test_list_page.py::test_back_button_steps_back_through_filters",),
           "a filter change replaces the history entry: the back button leaves the page"),
    # the counts of each option
    Mutant("count-own-facet", "list.js", "var base = passing(filters, sets, param);",
           "var base = passing(filters, sets, null);",
           (BROWSER + "test_list_page.py::test_facets_filter_and_counts_follow_the_other_choices",),
           "a facet's counts apply its own choice (alternatives would show 0)"),
    Mutant("count-grade-range", "daten.js", "for (var g = low; g <= high; g++) {",
           "for (var g = low; g < high; g++) {",
           (BROWSER + "test_list_page.py::test_grade_options_count_the_offers_of_each_grade",),
           "an offer's last grade is neither counted nor found"),
    Mutant("count-zero-class", "list.js", 'span.parentNode.classList.toggle("zero", n === 0);',
           'span.parentNode.classList.toggle("zero", n <= 1);',
           (BROWSER + "test_list_page.py::test_grade_options_count_the_offers_of_each_grade",),
           "an option with one offer is dimmed as if it had none"),
    Mutant("filter-grade-edge", "daten.js", "for (var g = low; g <= high; g++) {",
           "for (var g = low + 1; g <= high; g++) {",
           (BROWSER + "test_list_page.py::test_grade_options_count_the_offers_of_each_grade",),
           "an offer that starts at the chosen grade is filtered out"),
    Mutant("facet-alternatives", "list.js", "for (var i = 0; set && i < bits.length; i++) { bits[i] |= set[i]; }",
           "for (var i = 0; set && i < bits.length; i++) { bits[i] &= set[i]; }",
           (BROWSER + "test_list_page.py::test_results_and_counts_agree_with_python",),
           "the values of one facet are not joined: a chosen value finds nothing"),
    Mutant("mask-second-char", "daten.js", "if (bits & 1) { add(sets[facet.values[6 * k + j]], n); }",
           "if (bits & 1) { add(sets[facet.values[j]], n); }",
           (BROWSER + "test_list_page.py::test_results_and_counts_agree_with_python",),
           "a facet's values after the sixth are read as the first six"),
    # the DOM it builds: text, not markup
    Mutant("card-title-markup", "list.js", "      node.textContent = text;", "      node.innerHTML = text;",
           ("tests/test_page_escaping.py::test_no_script_turns_text_into_markup",
            BROWSER + "test_list_page.py::test_cards_show_titles_and_summaries_as_text"),
           "card titles and summaries set as markup"),
    Mutant("card-cost-markup", "list.js", 'cost.textContent = offer.cost || "kostenpflichtig";',
           'cost.innerHTML = offer.cost || "kostenpflichtig";',
           ("tests/test_page_escaping.py::test_no_script_turns_text_into_markup",),
           "the cost note set as markup"),
    Mutant("card-marked-state", "list.js",
           'mark.setAttribute("aria-pressed", marked.indexOf(slug) !== -1 ? "true" : "false")',
           'mark.setAttribute("aria-pressed", marked.indexOf(slug) !== -1 ? "false" : "true")',
           (MARKS,),
           "cards show marked offers as not marked"),
    # the Merkliste: finding an offer's card from its slug, the storage
    Mutant("bucket-hash", "daten.js", "h = Math.imul(h ^ bytes.charCodeAt(i), 0x01000193);",
           "h = Math.imul(h + bytes.charCodeAt(i), 0x01000193);",
           (BROWSER + "test_merkliste_and_print.py::test_the_merkliste_loads_only_the_card_buckets_of_its_offers",),
           "the slug's bucket differs from the build's: marked offers are not found"),
    Mutant("store-key-shared", "merken.js", 'var KEY = "offerdb-merkliste:" + base;', 'var KEY = "offerdb-merkliste";',
           (MARKS,),
           "one list for all sites of a host"),
    Mutant("store-remove-wrong", "merken.js", "slugs.splice(at, 1);", "slugs.splice(at - 1, 1);",
           (BROWSER + "test_merkliste_and_print.py::test_removing_the_last_mark_removes_the_stored_entry",
            BROWSER + "test_merkliste_and_print.py::test_unmarking_removes_that_offer_and_keeps_the_others"),
           "unmarking removes the neighbour"),
    Mutant("store-empty-kept", "merken.js", "} else { store.removeItem(KEY); }", '} else { store.setItem(KEY, ""); }',
           (BROWSER + "test_merkliste_and_print.py::test_removing_the_last_mark_removes_the_stored_entry",),
           "the last unmark leaves an empty entry in storage"),
    Mutant("store-duplicates", "merken.js", "var keep = SLUG.test(slug) && !seen[slug];", "var keep = SLUG.test(slug);",
           (BROWSER + "test_merkliste_and_print.py::test_a_stored_list_is_read_without_repeats_or_foreign_entries",),
           "a slug stored twice is listed twice"),
    # the search query: what becomes a filter, the typo rule, completion
    Mutant("query-grade-kept", "list.js", "if (found.grade) { gradeSelect.value = found.grade; }", "",
           (BROWSER + "test_query_filters.py::test_grade_and_cost_words_become_filters_and_the_rest_is_searched",),
           "'Klasse 7' in the search no longer sets the grade"),
    Mutant("query-free-kept", "list.js", "if (found.free) { freeBox.checked = true; }", "",
           (BROWSER + "test_query_filters.py::test_grade_and_cost_words_become_filters_and_the_rest_is_searched",),
           "'kostenlos' in the search no longer sets the cost filter"),
    Mutant("typo-edge", "search.js", "return word.length >= 5;",
           "return word.length > 5;",
           ("tests/test_search.py::test_the_typo_rule_starts_at_five_letters",),
           "five-letter words get no typo tolerance"),
    Mutant("completion-edge", "search.js", "return variant.typed && variant.form.length >= 3;",
           "return variant.typed && variant.form.length > 3;",
           ("tests/test_search.py::test_completion_starts_at_three_letters",),
           "three typed letters are not completed"),
]


def _copy_project(dest: Path, root: Path = ROOT) -> None:
    top = {".git", ".venv", "node_modules", "mutants", "site", ".pytest_cache", ".hypothesis", ".ruff_cache"}

    def ignore(folder: str, names: list[str]) -> set[str]:
        if Path(folder) == root:
            return {n for n in names if n in top or n.startswith(("site.staging-", "site.previous-"))}
        return {n for n in names if n in ("__pycache__", "artifacts")}

    shutil.copytree(root, dest, ignore=ignore, symlinks=True)
    (dest / "node_modules").symlink_to((root / "node_modules").resolve())


def _pytest(copy: Path, tests: tuple[str, ...]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests], cwd=copy,
                          capture_output=True, text=True, timeout=900)


def main(argv: list[str]) -> int:
    root, override = ROOT, None
    if "--root" in argv:
        at = argv.index("--root")
        root = Path(argv[at + 1]).resolve()
        argv = argv[:at] + argv[at + 2:]
    if "--with" in argv:
        at = argv.index("--with")
        override, argv = tuple(argv[at + 1:]), argv[:at]
    names = argv
    unknown = set(names) - {m.name for m in MUTANTS}
    if unknown:
        print(f"unknown mutants: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    chosen = [m for m in MUTANTS if not names or m.name in names]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="js-mutants-") as tmp:
        copy = Path(tmp) / "project"
        _copy_project(copy, root)
        tests = override or tuple(dict.fromkeys(t for m in chosen for t in m.tests))
        clean = _pytest(copy, tests)
        if clean.returncode != 0:
            print(clean.stdout[-3000:], clean.stderr[-2000:])
            print("The tests fail without any mutant; fix them first.")
            return 1
        survived = []
        for mutant in chosen:
            file = copy / "templates" / "assets" / mutant.file
            original = file.read_text(encoding="utf-8")
            if original.count(mutant.original) != 1:
                print(f"ERROR    {mutant.name}: its text occurs {original.count(mutant.original)} times in "
                      f"{mutant.file}; update the mutant to the script")
                return 1
            file.write_text(original.replace(mutant.original, mutant.replacement), encoding="utf-8")
            try:
                result = _pytest(copy, override or mutant.tests)
            finally:
                file.write_text(original, encoding="utf-8")
            if result.returncode == 1:
                status = "killed"
            elif result.returncode == 0:
                status = "SURVIVED"
                survived.append(mutant.name)
            else:
                print(result.stdout[-3000:], result.stderr[-2000:])
                print(f"ERROR    {mutant.name}: pytest exit code {result.returncode}")
                return 1
            print(f"{status:9}{mutant.name:20}{mutant.file:12}{mutant.what}", flush=True)
    killed = len(chosen) - len(survived)
    print(f"JS mutants: {killed} of {len(chosen)} killed ({100 * killed / len(chosen):.0f} %), "
          f"{time.monotonic() - started:.0f} s")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
