"""The build memory (offerdb.memory): reuse lives in one object the caller passes in, never in a module, and
a rebuild with a memory gives exactly the site a cold build with a fresh memory gives, whatever was edited."""

from __future__ import annotations

import datetime
import functools
import importlib
import os
import pkgutil
import re
import shutil
import types
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import offerdb
from casekit import BASE
from offerdb import pipeline
from offerdb.memory import Memory

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 6, 1)

# Pure functions memoised with functools.cache/lru_cache: the same argument gives the same value in every
# build, so what they keep is not state a build could see: the package's own schema files and word lists as
# read, and stems of words.
PURE_MEMOS = {"offerdb.schema.load", "offerdb.schema.registry", "offerdb.search.german.stem",
              "offerdb.search.german.stop_words", "offerdb.search.terms.lexicon", "offerdb.hyphenation.parts",
              "offerdb.hyphenation._known", "offerdb.hyphenation.breaks"}


def modules() -> list[types.ModuleType]:
    names = [info.name for info in pkgutil.walk_packages(offerdb.__path__, "offerdb.")]
    return [importlib.import_module(name) for name in ["offerdb", *names]]


def fingerprint(value: Any, seen: set[int] | None = None) -> Any:
    """What a module-level value holds: containers and objects of the project by content, everything else
    (functions, classes of other packages, compiled patterns) by identity."""
    seen = set() if seen is None else seen
    if isinstance(value, (str, bytes, int, float, bool, type(None), Path, datetime.date)):
        return value
    if id(value) in seen:
        return ("cycle", id(value))
    seen = seen | {id(value)}
    if isinstance(value, dict):
        return ("dict", tuple((repr(k), fingerprint(v, seen)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(fingerprint(v, seen) for v in value))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, tuple(sorted(repr(v) for v in value)))
    if isinstance(value, bytearray):
        return ("bytearray", bytes(value))
    if isinstance(value, (types.FunctionType, types.ModuleType, type, functools._lru_cache_wrapper,
                          re.Pattern)):
        return ("object", id(value))
    if type(value).__module__.startswith("offerdb") and hasattr(value, "__dict__"):
        return (type(value).__qualname__, fingerprint(vars(value), seen))
    return ("object", id(value), type(value).__qualname__)


def module_state() -> dict[str, Any]:
    state = {}
    for module in modules():
        for name, value in vars(module).items():
            if name.startswith("__"):
                continue
            state[f"{module.__name__}.{name}"] = fingerprint(value)
            if isinstance(value, type) and value.__module__ == module.__name__:
                # class attributes too: a class-level list or dict is module state by another name
                state[f"{module.__name__}.{name}.*"] = fingerprint(
                    {k: v for k, v in vars(value).items() if not k.startswith("__")})
    return state


def lru_caches() -> dict[str, int]:
    """Every memoised function of the package by where it is defined, with the number of values it keeps."""
    found = {}
    for module in modules():
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper) and value.__module__.startswith("offerdb"):
                found[f"{value.__module__}.{value.__qualname__}"] = value.cache_info().currsize
    return found


def test_no_module_keeps_state_between_builds(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    config = ROOT / "site.yaml"
    today = datetime.date(2026, 11, 25)  # the sample's seals are valid then
    before, memos_before = module_state(), lru_caches()
    memory = Memory()
    for step in range(2):  # a build and a rebuild after a change
        checked = pipeline.check(tmp_path / "content", config, today, memory)
        assert not checked.fails(strict=False)
        pipeline.build(checked, tmp_path / "site", today, memory)
        offer = tmp_path / "content/offers/zivilcourage-training.md"
        offer.write_text(offer.read_text(encoding="utf-8") + f"\nNeu {step}.\n", encoding="utf-8")
    assert len(memory) > 100  # the reuse went somewhere: into the memory
    after = module_state()
    assert {name for name in before if before[name] != after.get(name)} == set()
    assert set(after) == set(before)
    grown = {name for name, size in lru_caches().items() if size != memos_before.get(name, 0)}
    assert grown <= PURE_MEMOS


def test_the_fingerprint_sees_a_changed_module_level_container(monkeypatch):
    """The test above would notice state: a module-level dict that a build fills changes its fingerprint."""
    from offerdb import rendering

    before = module_state()
    monkeypatch.setattr(rendering, "_KEPT", {}, raising=False)
    rendering._KEPT["x"] = 1  # type: ignore[attr-defined]
    changed = {name for name, value in module_state().items() if before.get(name) != value}
    assert changed == {"offerdb.rendering._KEPT"}


# --- random edits: every rebuild equals a cold build ------------------------------------------------------

def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


def set_line(path: Path, key: str, value: str) -> None:
    """Replace the value of the top-level `key:` line."""
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(rf"(?m)^{key}:.*$", f"{key}: {value}", text, count=1)
    assert n == 1, (path, key)
    path.write_text(new, encoding="utf-8")


WORDS = st.sampled_from(["Klasse", "Mobbing", "Zivilcourage", "Netz", "Projekt", "Eltern", "Theater", "Grenzen"])


class Edits(RuleBasedStateMachine):
    """A content folder edited step by step like an editor would, rebuilt after every step with one memory
    (as the live preview does), and compared with a cold build of the same content with a fresh memory."""

    @initialize()
    def start(self) -> None:
        self.root = Path(self._tmp) / f"run-{id(self)}"
        shutil.copytree(BASE, self.root)
        self.content = self.root / "content"
        partner = self.content / "partners/traeger-a.md"
        shutil.copy(partner, self.content / "partners/traeger-b.md")
        set_line(self.content / "partners/traeger-b.md", "name", "Zweiter Träger e. V.")
        offer = self.content / "offers/angebot-a.md"
        for slug in ("angebot-b", "angebot-c"):
            shutil.copy(offer, self.content / f"offers/{slug}.md")
            set_line(self.content / f"offers/{slug}.md", "title", f"Angebot {slug[-1].upper()} zum Ausprobieren")
        set_line(self.content / "offers/angebot-c.md", "partner", "traeger-b")
        self.memory = Memory()
        self.count = 0

    def offers(self) -> list[Path]:
        return sorted((self.content / "offers").glob("*.md"))

    def partners(self) -> list[Path]:
        return sorted((self.content / "partners").glob("*.md"))

    @rule(i=st.integers(0, 10), word=WORDS)
    def change_offer_title(self, i: int, word: str) -> None:
        offer = self.offers()[i % len(self.offers())]
        set_line(offer, "title", f"{word} gemeinsam erleben {i}")

    @rule(i=st.integers(0, 10), word=WORDS)
    def change_offer_body(self, i: int, word: str) -> None:
        offer = self.offers()[i % len(self.offers())]
        offer.write_text(offer.read_text(encoding="utf-8") + f"\n{word} ist ein neuer Absatz.\n", encoding="utf-8")

    @rule(i=st.integers(0, 10))
    def add_offer(self, i: int) -> None:
        self.count += 1
        source = self.offers()[i % len(self.offers())]
        target = self.content / f"offers/neu-{self.count}.md"
        shutil.copy(source, target)
        set_line(target, "title", f"Neues Angebot Nummer {self.count}")

    @precondition(lambda self: len(self.offers()) > 1)
    @rule(i=st.integers(0, 10))
    def remove_offer(self, i: int) -> None:
        self.offers()[i % len(self.offers())].unlink()

    @rule(i=st.integers(0, 10))
    def rename_offer(self, i: int) -> None:
        self.count += 1
        offer = self.offers()[i % len(self.offers())]
        offer.rename(offer.with_name(f"umbenannt-{self.count}.md"))

    @rule(i=st.integers(0, 10), word=WORDS)
    def change_partner_name(self, i: int, word: str) -> None:
        partner = self.partners()[i % len(self.partners())]
        set_line(partner, "name", f"{word} und Partner e. V.")

    @rule(i=st.integers(0, 10))
    def rename_partner(self, i: int) -> None:
        self.count += 1
        partner = self.partners()[i % len(self.partners())]
        slug = f"traeger-neu-{self.count}"
        partner.rename(partner.with_name(f"{slug}.md"))
        for offer in self.offers():
            if re.search(rf"(?m)^partner: {re.escape(partner.stem)}$", offer.read_text(encoding="utf-8")):
                set_line(offer, "partner", slug)

    @rule(i=st.integers(0, 10))
    def touch_without_change(self, i: int) -> None:
        files = self.offers() + self.partners()
        os.utime(files[i % len(files)], ns=(1_700_000_000_000_000_000 + i, 1_700_000_000_000_000_000 + i))

    @rule(word=WORDS)
    def change_vocabulary_label(self, word: str) -> None:
        vocabularies = self.content / "vocabularies.yaml"
        text = vocabularies.read_text(encoding="utf-8")
        vocabularies.write_text(re.sub(r"(?m)^      label: Mobbing.*$", f"      label: Mobbing und {word}", text),
                                encoding="utf-8")

    @rule(word=WORDS)
    def change_site_title(self, word: str) -> None:
        set_line(self.root / "site.yaml", "title", f"Präventionsangebote {word}")

    @invariant()
    def rebuild_equals_cold_build(self) -> None:
        if not hasattr(self, "memory"):
            return
        warm = self.build(self.memory, self.root / "site")
        cold = self.build(Memory(), self.root / "kalt")
        assert warm == cold

    def build(self, memory: Memory, out: Path) -> dict[str, bytes | None]:
        checked = pipeline.check(self.content, self.root / "site.yaml", TODAY, memory)
        assert not checked.fails(strict=False), [str(p) for p in checked.problems if p.is_error]
        pipeline.build(checked, out, TODAY, memory)
        return snapshot(out)


def test_random_edits_rebuild_byte_identical_to_a_cold_build(tmp_path):
    Edits._tmp = str(tmp_path)  # type: ignore[attr-defined]
    runner = Edits.TestCase
    runner.settings = settings(max_examples=12, stateful_step_count=6, deadline=None, derandomize=True,
                               suppress_health_check=list(HealthCheck))
    runner().runTest()
