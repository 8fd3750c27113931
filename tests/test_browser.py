"""The live preview in a real headless Chromium: edits on disk reach the open page by themselves.

The test navigates once; every later page load is livereload's doing.
"""
from __future__ import annotations

from conftest import chromium
from test_serve import TIMEOUT, pub, serve, site, write  # noqa: F401 (serve and site are fixtures)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# Runs in every page before its own scripts; livereload's client fires this once it is connected.
FLAG_CONNECTED = ("document.addEventListener('LiveReloadConnect', "
                  "() => { window.liveReloadConnected = true; });")


def test_the_open_page_follows_edits_without_navigating(site, serve):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright  # requirements-dev.txt; CI must have it

    browser_path = chromium()
    server = serve(site)
    wait = TIMEOUT * 1000
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_path), args=ARGS)
        try:
            page = browser.new_page()
            page.add_init_script(FLAG_CONNECTED)
            loads: list[str] = []
            page.on("framenavigated", lambda frame: loads.append(frame.url)
                    if frame == page.main_frame else None)

            def connected() -> None:
                page.wait_for_function("window.liveReloadConnected === true", timeout=wait)

            page.goto(server.url)
            expect(page.locator("body")).to_contain_text("First Paper", timeout=wait)
            connected()

            write(site / "content/publications/first.yml", pub("Retitled Paper"))
            expect(page.locator("body")).to_contain_text("Retitled Paper", timeout=wait)
            assert len(loads) == 2  # ours, then livereload's
            connected()

            write(site / "content/publications/first.yml", 'title: "Unclosed\nauthors: [Ada]\n')
            expect(page).to_have_title("Build failed", timeout=wait)
            expect(page.locator("pre")).to_contain_text("content/publications/first.yml:1:", timeout=wait)
            connected()

            write(site / "content/publications/first.yml", pub("Mended Paper"))
            expect(page.locator("body")).to_contain_text("Mended Paper", timeout=wait)
            expect(page).to_have_title("Test Site", timeout=wait)
            assert loads == [server.url] * len(loads)
        finally:
            browser.close()


# Every attribute Chromium reads in a template's HTML (parsed, never run nor loaded), as
# (element, attribute, value).
READ_ATTRIBUTES = """(texts) => texts.map(text => {
  const template = document.createElement('template');
  template.innerHTML = text;
  return [...template.content.querySelectorAll('*')].flatMap(
    element => [...element.attributes].map(a => [element.localName, a.name, a.value]));
})"""


def test_the_link_scan_finds_every_url_and_id_chromium_reads():
    """markup.links_and_ids, on random HTML made of the pieces that matter, finds all that a
    browser finds (and may find more: a tag the text ends in, one the tree builder drops), but
    an attribute without a value, which holds no URL to check."""
    import random
    from collections import Counter

    from playwright.sync_api import sync_playwright

    from scholarpage import markup
    from test_markup import HTML_PIECES

    generator = random.Random(20240619)
    texts = ["".join(generator.choice(HTML_PIECES) for _ in range(generator.randint(1, 30)))
             for _ in range(3000)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium()), args=ARGS)
        try:
            read = browser.new_page().evaluate(READ_ATTRIBUTES, texts)
        finally:
            browser.close()
    for text, attributes in zip(texts, read):
        links, ids = markup.links_and_ids(text)
        found = Counter(url for _, _, url in links) + Counter(f"#{value}" for _, _, value in ids)
        chromiums = Counter(f"#{value}" if name == "id" else url for element, name, value in attributes
                            for url in ([value] if name == "id" else
                                        markup.attribute_urls(element, name, value)) if url)
        assert chromiums - found == Counter(), text
