"""DSGVO and security in the browser: the site requests nothing from any other host, sets no cookie, stores nothing
for a visitor who marked nothing and keeps its Content Security Policy; the guard of every browser test is shown
to catch both kinds of mistakes."""

from __future__ import annotations



def test_no_page_type_requests_another_host_or_sets_a_cookie(browse, site, page):
    recorder = browse.recorder(page)
    wrong = []
    for kind in browse.visit_each(page, wrong):
        if page.evaluate("document.cookie") != "":
            wrong.append(f"{kind}: document.cookie = {page.evaluate('document.cookie')!r}")
        # Only the Merkliste may be stored, and only once the visitor marks an offer (none here, though the
        # Merkliste page opens with a shared link).
        kept = page.evaluate("[Object.keys(localStorage), sessionStorage.length]")
        if kept != [[], 0]:
            wrong.append(f"{kind}: localStorage {kept[0]}, sessionStorage {kept[1]} Einträge")
        if page.evaluate("document.documentElement.lang") != "de":
            wrong.append(f"{kind}: <html lang=\"{page.evaluate('document.documentElement.lang')}\"> statt \"de\"")
    assert recorder.outside == [], "Anfragen an andere Hosts"
    assert page.context.cookies() == []
    assert not wrong, "\n".join(wrong)


def test_the_guard_catches_a_request_to_another_host(browse, site):
    page = browse.new(bypass_csp=True)  # without the CSP, only the guard stands between page and internet
    browse.visit(page, "")
    page.evaluate("""() => new Promise(done => {
        const img = new Image(); img.onerror = done; img.onload = done; img.src = "https://example.com/pixel.png";
    })""")
    recorder = browse.recorder(page)
    assert recorder.outside == ["https://example.com/pixel.png"]
    recorder.outside.clear()  # caught as it should be; the test itself must not fail at teardown


def test_the_guard_catches_a_csp_violation(browse, site, page):
    browse.visit(page, "")
    page.evaluate("""() => new Promise(done => {
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true;";
        document.addEventListener("securitypolicyviolation", () => setTimeout(done, 50), {once: true});
        document.body.append(script);
    })""")
    assert page.evaluate("window.inlineRan") is None  # the CSP blocked the inline script
    recorder = browse.recorder(page)
    assert any(p.startswith("CSP: script-src") for p in recorder.problems), recorder.problems
    recorder.problems.clear()


def test_the_guard_catches_console_errors_script_errors_and_missing_files(browse, site, page):
    browse.visit(page, "")
    page.evaluate("""() => new Promise(done => {
        console.error("kaputt");
        setTimeout(() => { throw new Error("auch kaputt"); });
        fetch("daten/gibt-es-nicht.json").then(() => setTimeout(done, 50));
    })""")
    problems = browse.recorder(page).problems
    assert any(p.startswith("Konsole: kaputt") for p in problems), problems
    assert any(p.startswith("Skriptfehler:") and "auch kaputt" in p for p in problems), problems
    assert any(p.startswith("HTTP 404:") and p.endswith("/daten/gibt-es-nicht.json") for p in problems), problems
    problems.clear()
