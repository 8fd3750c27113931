"""In a real headless Chromium 375 px wide (a phone): nothing makes a page scroll sideways,
whatever the owner wrote: a wide table scrolls in its own box, long words wrap."""
from __future__ import annotations

from conftest import build_ok, chromium
from test_browser import ARGS

LONG = "Supercalifragilisticexpialidocious" * 3
TABLE = "| Model | Params | FLOPs | Top-1 accuracy | Top-5 accuracy |\n|---|---|---|---|---|\n" + \
        "| ResNet-50 (baseline, ImageNet-1k) | 25.6M | 4.1G | 76.1 ± 0.2 | 92.9 ± 0.1 |\n"


def test_no_page_scrolls_sideways_375_px_wide(make_project):
    from playwright.sync_api import sync_playwright  # requirements-dev.txt; CI must have it

    abstract = "".join(f"  {line}\n" if line else "\n" for line in (
        f"Text with {LONG} in it.\n\n{TABLE}\n    code_that_is_far_too_long_for_a_phone = " + "x" * 80).split("\n"))
    root = make_project({
        "site.yml": f"title: Test Site\nowner:\n  name: Ada {LONG}\n  links:\n"
                    f"    - label: {LONG}\n      url: https://example.org/\n",
        "content/index.md": f"I wrote {LONG}.\n",
        "content/publications/wide.yml": f"title: On {LONG}\nauthors: [Ada Lovelace, {LONG}]\n"
                                         f"type: conference\nyear: 2020\nvenue: {LONG}\n"
                                         f"links:\n  {LONG}: https://example.org/\nabstract: |\n{abstract}",
    })
    build_ok(root)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium()), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 375, "height": 800})
            out = root / "_site"
            for path in [out / "index.html", *sorted(out.glob("publications/*/index.html"))]:
                page.goto(path.as_uri())
                page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
                widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
                assert widths[0] == widths[1] == 375, (path, widths)
                table = page.evaluate("(t => [t.scrollWidth, t.clientWidth])(document.querySelector('main table'))")
                assert table[0] > table[1], (path, table)  # the table scrolls, in its own box
        finally:
            browser.close()
