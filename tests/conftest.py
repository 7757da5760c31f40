"""Small sites built in tmp_path: the base fixture, changed through plain dicts where a test needs it."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
import yaml

from casekit import BASE
from offerdb import pipeline
from offerdb.loading import split_front_matter

TODAY = datetime.date(2026, 6, 1)


class SiteDir:
    """A content folder in tmp_path that tests change file by file."""

    def __init__(self, root: Path):
        self.root = root
        self.content = root / "content"
        self.config = root / "site.yaml"

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def read_front(self, rel: str) -> tuple[dict, str]:
        text = (self.root / rel).read_text(encoding="utf-8")
        front, body, _, _ = split_front_matter(text, rel)
        return yaml.safe_load(front), body

    def write_front(self, rel: str, data: dict, body: str = "Beschreibung.\n") -> Path:
        front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        return self.write(rel, f"---\n{front}---\n{body}")

    def offer(self, slug: str = "angebot-a", **changes) -> Path:
        """Write an offer: the base offer with `changes` applied (a value of None removes the field)."""
        data, body = self.read_front("content/offers/angebot-a.md")
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return self.write_front(f"content/offers/{slug}.md", data, body)

    def check(self, today: datetime.date = TODAY) -> pipeline.Checked:
        return pipeline.check(self.content, self.config, today)

    def codes(self, today: datetime.date = TODAY) -> list[str]:
        return [p.code for p in self.check(today).problems]


@pytest.fixture
def site(tmp_path) -> SiteDir:
    root = tmp_path / "site-src"
    shutil.copytree(BASE, root)
    return SiteDir(root)
