"""Every page of the built sample site is valid HTML by html-validate's recommended rules (.htmlvalidaterc.json)."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

from offerdb import pipeline

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 25)
HTML_VALIDATE = ROOT / "node_modules" / ".bin" / "html-validate"
CONFIG = ROOT / ".htmlvalidaterc.json"


def html_validate(files: list[Path]) -> subprocess.CompletedProcess[str]:
    # html-validate discovers only .htmlvalidate.json by itself, so .htmlvalidaterc.json is always passed.
    return subprocess.run([str(HTML_VALIDATE), "--config", str(CONFIG), "--formatter", "text", *map(str, files)],
                          capture_output=True, text=True, timeout=300, check=False)


def test_every_page_of_the_sample_site_is_valid_html(tmp_path):
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    out = tmp_path / "site"
    pipeline.build(checked, out, TODAY)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 50  # every page type, every offer, partner and theme, the legal pages and 404.html
    result = html_validate(pages)
    assert result.returncode == 0, f"html-validate meldet:\n{result.stdout}{result.stderr}"


def test_the_configuration_catches_invalid_markup(tmp_path):
    """Guards the config: a page with typical template mistakes must fail, so a passing site means something."""
    page = tmp_path / "kaputt.html"
    page.write_text('<!DOCTYPE html><html lang="de"><head><title>Kaputt</title></head><body>'
                    '<div><p>offen</div><img src="a.png"><a href="#">x</a><a href="#">x</a>'
                    '<span id="doppelt"></span><span id="doppelt"></span></body></html>', encoding="utf-8")
    result = html_validate([page])
    assert result.returncode == 1
    for rule in ("no-implicit-close", "wcag/h37", "no-dup-id"):
        assert rule in result.stdout, result.stdout
