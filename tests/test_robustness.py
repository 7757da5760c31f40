"""Whatever an editor writes, the checker reports problems and never crashes."""

import pytest
import yaml

from casekit import BASE
from mutations import paths as _paths
from mutations import replace as _replace
from offerdb.loading import parse_yaml

WRONG_VALUES = [None, "", "x", "2026-02-30", "-1", "99999", "true", [], ["x"], [None], [[]], [{}],
                {}, {"from": "x"}, {"a": "b"}, {"from": "9", "to": "2"}]


BASE_OFFER = yaml.safe_load((BASE / "content/offers/angebot-a.md").read_text(encoding="utf-8").split("---\n")[1])
BASE_PARTNER = yaml.safe_load((BASE / "content/partners/traeger-a.md").read_text(encoding="utf-8").split("---\n")[1])


@pytest.mark.parametrize("path", [p for p in _paths(BASE_OFFER) if p], ids=lambda p: ".".join(map(str, p)))
def test_any_wrong_value_in_any_offer_field_is_a_problem_not_a_crash(site, path):
    for wrong in WRONG_VALUES:
        data = _replace(BASE_OFFER, path, wrong)
        site.write_front("content/offers/angebot-a.md", data)
        checked = site.check()  # must not raise
        assert all(p.message and p.file and p.line >= 1 for p in checked.problems)


@pytest.mark.parametrize("path", [p for p in _paths(BASE_PARTNER) if p], ids=lambda p: ".".join(map(str, p)))
def test_any_wrong_value_in_any_partner_field_is_a_problem_not_a_crash(site, path):
    for wrong in WRONG_VALUES:
        site.write_front("content/partners/traeger-a.md", _replace(BASE_PARTNER, path, wrong))
        site.check()


def test_wrong_shapes_of_whole_files_do_not_crash(site):
    for text in ["- a\n- b\n", "just text\n", "{}\n", "[]\n", "a: [1, {b: c}]\n"]:
        site.write("content/vocabularies.yaml", text)
        site.write("site.yaml", text)
        site.write("content/offers/angebot-a.md", f"---\n{text}---\nText\n")
        checked = site.check()
        assert any(p.is_error for p in checked.problems)


def test_random_text_never_crashes_the_yaml_reader():
    from hypothesis import given, settings, strategies as st

    alphabet = st.sampled_from(list("ab:- \n\t'\"#&*!|>[]{},?%@`~\\") + ["\u00e4", "\x07", "---", "<<: "])

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.lists(alphabet, max_size=60).map("".join))
    def run(text):
        value, positions, problems = parse_yaml(text, "x.md")
        assert problems or value is None or isinstance(value, (dict, list, str))

    run()
