"""Long words in Chromium without hyphenation dictionaries (Debian's, as on many school PCs, where `hyphens: auto`
does nothing): at 375 px no word is cut without a hyphen, keys in /redaktion/ stay whole, "e. V." never wraps
inside, and a title copied with its soft hyphens searches like the plain word."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import wait_until

# Every cut inside a word of the page: a cut is fine right after a soft hyphen (Chromium then draws a hyphen), a
# hyphen, a dash or a slash. E-mail and web addresses may break anywhere. Keys in the tables of /redaktion/ must
# not break at all, not even at their hyphens. Each character's line is the top of its last box: a character
# right after a taken soft hyphen also reports a box at the end of the line before.
CUT_WORDS = """() => {
    const wrong = [];
    const line = (node, i) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const boxes = [...range.getClientRects()].filter(box => box.width > 0);
        return boxes.length ? Math.round(boxes[boxes.length - 1].top) : null;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
        const parent = node.parentElement;
        if (!parent || parent.closest(".visually-hidden, .skip-link, script, style, [hidden]")) continue;
        for (const match of node.data.matchAll(/\\S+/g)) {
            const word = match[0];
            if (/@|:\\/\\/|^www\\./.test(word)) continue;
            let before = null;
            for (let i = 0; i < word.length; i++) {
                const top = line(node, match.index + i);
                if (top === null) continue;
                if (before && top > before.top + 2 && !"\\u00ad-\\u2011–/".includes(word[before.i])) {
                    const plain = word.replace(/\\u00ad/g, "");
                    const at = word.slice(0, i).replace(/\\u00ad/g, "").length;
                    const where = " in <" + parent.tagName.toLowerCase() + ">";
                    wrong.push(plain.slice(0, at) + "|" + plain.slice(at) + where);
                }
                before = {top, i};
            }
        }
    }
    for (const key of document.querySelectorAll(".table-scroll code")) {
        if (new Set([...key.getClientRects()].map(box => Math.round(box.top))).size > 1) {
            wrong.push("Schlüssel umbrochen: " + key.textContent);
        }
    }
    return wrong;
}"""


def test_no_word_is_cut_without_a_hyphen_at_375_px(browse, site):
    page = browse.new(viewport={"width": 375, "height": 800})
    wrong = []
    for kind in browse.visit_each(page, wrong):
        wrong += [f"{kind}: {cut}" for cut in page.evaluate(CUT_WORDS)]
    # Every theme and offer page: their titles are the longest words in the largest type.
    for section in ("themen", "angebote"):
        for folder in sorted((site.root / section).iterdir()):
            if (folder / "index.html").is_file() and folder.name != "seite":
                browse.visit(page, f"{section}/{folder.name}/")
                wrong += [f"{section}/{folder.name}/: {cut}" for cut in page.evaluate(CUT_WORDS)]
    assert not wrong, "\n".join(wrong)


# Narrows a block to end just after "e." of its first "e. V.", so a break there would be the only way to fit; then
# tells whether "e." and "V." still share a line.
LEGAL_FORM_TOGETHER = """element => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let node, at = -1;
    while (at === -1 && (node = walker.nextNode())) at = node.data.search(/e\\.[ \\u00a0]V\\./);
    if (at === -1) return "kein „e. V.“ in: " + element.textContent;
    const box = (i, j) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, j);
        const boxes = [...range.getClientRects()].filter(b => b.width > 0);
        return boxes[boxes.length - 1];
    };
    const style = getComputedStyle(element);
    const left = element.getBoundingClientRect().left + parseFloat(style.paddingLeft) +
        parseFloat(style.borderLeftWidth);
    element.style.boxSizing = "content-box";
    element.style.width = (box(at, at + 2).right - left + 1) + "px";
    return box(at, at + 1).top === box(at + 3, at + 4).top;
}"""


@pytest.mark.parametrize("where", ["traeger", "liste", "merkliste"])
def test_legal_form_never_wraps_inside(browse, site, page, where):
    """The partner's name as the server renders it, as list.js renders cards, as merkliste.js lists entries."""
    offer = next(o for o in site.catalog if o["partner"].endswith(" e. V."))
    if where == "traeger":
        card = f"/angebote/{offer['slug']}/"
        partner = next(p.name for p in (site.root / "traeger").iterdir()
                       if p.is_dir() and card in (p / "index.html").read_text(encoding="utf-8"))
        browse.visit(page, f"traeger/{partner}/")
        element = page.locator("main h1")
    elif where == "liste":
        browse.visit(page, "angebote/?q=" + quote(offer["title"]))
        page.wait_for_selector(f"#liste > li[data-slug='{offer['slug']}'] [data-mark]")  # built by list.js
        element = page.locator(f"#liste > li[data-slug='{offer['slug']}'] .card-partner")
    else:
        browse.visit(page, f"merkliste/#{offer['slug']}")
        element = page.locator("#merk-liste > li p").first
    assert element.evaluate(LEGAL_FORM_TOGETHER) is True


def test_a_title_copied_with_soft_hyphens_finds_what_the_plain_title_finds(browse, site, page):
    def found(query: str) -> list[str]:
        browse.visit(page, "angebote/?q=" + quote(query))
        wait_until(page, "document.getElementById('ergebnis').textContent.includes('gefunden')")
        return page.eval_on_selector_all("#liste > li", "items => items.map(item => item.dataset.slug)")

    copied = "Jugend\u00admedien\u00adschutz"  # as Chromium copies the theme's name from a page
    assert found(copied) == found("Jugendmedienschutz") != []
