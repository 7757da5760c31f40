"""axe-core finds no WCAG 2.1 A/AA violation and breaks none of its best practices (heading-order, landmarks,
region, …) on any page type of the URL map, in real Chromium with JavaScript."""

from __future__ import annotations

import pytest

from conftest import PAGE_TYPES, ROOT, wait_until

AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
# best-practice: rules beyond WCAG that screen reader users notice, such as headings that skip a level.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
               "resultTypes": ["violations"]}


def axe_violations(page) -> list[dict]:
    # The site's CSP forbids inline script, so axe is not added as a <script> element: Playwright's evaluate
    # runs the source through the DevTools protocol, which page CSP does not govern.
    page.evaluate(AXE_SOURCE)
    return page.evaluate("options => axe.run(document, options).then(result => result.violations)", AXE_OPTIONS)


def readable(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} – {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            summary = " · ".join(line.strip() for line in node.get("failureSummary", "").splitlines() if line.strip())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … und {len(violation['nodes']) - 5} weitere Stellen")
    return "\n".join(lines)


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_type_has_no_wcag_violations(browse, site, page, kind):
    browse.visit(page, site.paths[kind], status=404 if kind == "404" else 200)
    if kind == "merkliste":  # the list is built by script from the fragment; check it with its two entries
        wait_until(page, "document.querySelectorAll('#merk-liste > li').length === 2")
    violations = axe_violations(page)
    assert violations == [], f"{site.paths[kind]}:\n{readable(violations)}"


def test_axe_reports_a_violation_readably(browse, site, page):
    """Guards the harness: a page with an unlabelled image must fail with rule id, target and summary."""
    browse.visit(page, "")
    page.evaluate("""() => {
        const icon = document.querySelector("link[rel=icon]").href;  // same origin, so the CSP allows it
        document.querySelector("main").append(Object.assign(new Image(), {src: icon}));
    }""")
    text = readable(axe_violations(page))
    assert text.startswith("image-alt (critical): Images must have alternative text")
    assert "\n    img: Fix any of the following: · Element does not have an alt attribute · " in text, text
