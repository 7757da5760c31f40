"""Keyboard, zoom and motion: skip link first and working, a visible focus indicator on every focusable element,
no horizontal scrolling at 320 px (WCAG 1.4.10 Reflow), no motion with prefers-reduced-motion, and screenshots
of the main pages at desktop and phone width for review."""

from __future__ import annotations

import pytest

from conftest import ARTIFACTS, wait_until

# Pages with the most different interactive elements: header, facets, cards with "Merken", the Merkliste.
KEYBOARD_PAGES = ("start", "liste", "angebot", "merkliste", "gebaerdensprache")
MAX_TABS = 400  # more than any page of the sample site has focusable elements; ends the walk if focus is trapped

FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== "none";
    const label = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.getAttribute("href") ? "[href=" + el.getAttribute("href") + "]" : "") +
        " „" + (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40) + "“";
    const box = el.getBoundingClientRect();
    return {label, visible: outline || shadow, body: el === document.body, shown: box.width > 0 && box.height > 0};
}"""


def test_skip_link_is_first_and_moves_focus_to_main(browse, site, page):
    for kind in ("start", "angebot", "liste"):
        browse.visit(page, site.paths[kind])
        page.keyboard.press("Tab")
        first = page.evaluate("""() => ({text: document.activeElement.textContent.trim(),
                                         href: document.activeElement.getAttribute("href")})""")
        assert first == {"text": "Zum Inhalt springen", "href": "#inhalt"}, kind
        box = page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect();"
                            " return [r.top, r.bottom, innerHeight]; })()")
        assert 0 <= box[0] and box[1] <= box[2], f"{kind}: Sprunglink beim Fokus nicht sichtbar ({box})"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.tagName + '#' + document.activeElement.id") == "MAIN#inhalt"
        page.keyboard.press("Tab")  # the next stop is inside main, not back in the header
        assert page.evaluate("!!document.activeElement.closest('main')"), f"{kind}: Tab nach dem Sprung"


@pytest.mark.parametrize("kind", KEYBOARD_PAGES)
def test_every_focusable_element_shows_a_focus_indicator(browse, site, page, kind):
    browse.visit(page, site.paths[kind])
    if kind == "merkliste":
        wait_until(page, "document.querySelectorAll('#merk-liste > li').length === 2")
    seen, invisible = [], []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STYLE)
        if state["body"] or (seen and state["label"] == seen[0]):
            break  # walked off the end of the page or came round again
        seen.append(state["label"])
        if state["shown"] and not state["visible"]:
            invisible.append(state["label"])
    assert len(seen) > 5, seen  # the walk really went through the page
    assert invisible == [], f"ohne sichtbaren Fokus ({kind}): {invisible}"


OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > width + 1 && getComputedStyle(el).position !== "fixed" &&
               !el.closest(".visually-hidden, .skip-link");
    });
    return {scroll: document.documentElement.scrollWidth, width,
            wide: wide.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : "") +
                                        (el.getAttribute("href") ? "[href=" + el.getAttribute("href") + "]" : "") +
                                        " (bis " + Math.round(el.getBoundingClientRect().right) + " px)")};
}"""


def test_no_page_scrolls_horizontally_at_320_px(browse, site):
    page = browse.new(viewport={"width": 320, "height": 640})
    wrong = []
    for kind in browse.visit_each(page, wrong):
        found = page.evaluate(OVERFLOW)
        if found["scroll"] > found["width"]:
            wrong.append(f"{kind}: {found['scroll']} px breit bei {found['width']} px, zu breit: {found['wide']}")
    assert not wrong, "\n".join(wrong)


MOTION = """() => {
    const seconds = value => Math.max(...value.split(",").map(
        v => parseFloat(v) * (v.trim().endsWith("ms") ? 0.001 : 1)));
    const moving = [];
    for (const el of [document.documentElement, ...document.querySelectorAll("body, body *")]) {
        for (const pseudo of [null, "::before", "::after"]) {
            const s = getComputedStyle(el, pseudo);
            const name = el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + (pseudo || "");
            if (s.animationName !== "none" && seconds(s.animationDuration) > 0.01) moving.push(name + " animation");
            if (seconds(s.transitionDuration) > 0.01 && s.transitionProperty !== "none") {
                moving.push(name + " transition");
            }
        }
    }
    for (const a of document.getAnimations()) {
        if (a.playState === "running" && (a.effect.getTiming().duration || 0) > 10) moving.push("läuft: " + a.id);
    }
    if (getComputedStyle(document.documentElement).scrollBehavior === "smooth") moving.push("html scroll-behavior");
    return moving;
}"""


def test_reduced_motion_stops_every_animation_and_transition(browse, site):
    page = browse.new(reduced_motion="reduce")
    wrong = []
    for kind in ("start", "liste", "angebot", "merkliste", "traeger", "thema"):
        browse.visit(page, site.paths[kind])
        page.keyboard.press("Tab")  # focus and hover states may carry transitions too
        page.mouse.move(200, 200)
        wrong += [f"{kind}: {what}" for what in page.evaluate(MOTION)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("width", [1280, 375])
def test_main_pages_fit_the_screen_and_are_saved_as_screenshots(browse, site, width):
    page = browse.new(viewport={"width": width, "height": 900})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for kind in ("start", "liste", "angebot"):
        browse.visit(page, site.paths[kind])
        page.screenshot(path=ARTIFACTS / f"{kind}-{width}.png", full_page=True)  # first, so failures can be seen
        found = page.evaluate(OVERFLOW)
        assert found["scroll"] <= found["width"], f"{kind} bei {width} px: {found}"
        heading = page.locator("main h1").bounding_box()
        assert heading is not None and heading["x"] >= 0 and heading["x"] + heading["width"] <= width, kind
        assert page.locator("header form[role=search] input[name=q]").is_visible(), kind


def test_the_motion_check_sees_a_transition(browse, site):
    """Guards the check above: without the preference, a transition set through the CSSOM is reported."""
    page = browse.new(reduced_motion="no-preference")
    browse.visit(page, "")
    page.evaluate("document.querySelector('main h1').style.transition = 'color 2s'")
    assert any(what.startswith("h1") and what.endswith("transition") for what in page.evaluate(MOTION))
