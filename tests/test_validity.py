"""The built pages are valid HTML5, work offline, and have the structure assistive tools need.

Two sites are checked: the example site, and a small one that takes every other branch of the
templates (full venue, note, abstract, relative links, no photo, no email, a custom section).
"""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, build_ok, copy_example, parse_html, tree, vnu_jar, write_files

BRANCHES = {
    "site.yml": """\
        title: Branches
        url: https://example.org/branches/
        owner:
          name: Ada Lovelace
          links:
            - label: Notes
              url: notes/index.html
        sections:
          - heading: Conferences
            types: [conference]
          - heading: Workshops and talks
            types: [workshop, talk]
          - heading: Patents
            types: [patent]
        """,
    "content/index.md": "---\ntitle: About\n---\nI write *notes* on [engines](https://example.org/).\n",
    "content/coauthors.yml": "Charles Babbage: https://example.org/babbage\n",
    "content/publications/full.md": """\
        ---
        title: Sketch of the Analytical Engine
        authors: [Charles Babbage, Ada Lovelace]
        type: conference
        venue: TSM
        venue_full: Taylor's Scientific Memoirs
        date: 1843-09-01
        note: With notes by the translator
        selected: true
        links:
          pdf: https://example.org/sketch.pdf
          slides: slides/sketch.pdf
          doi: 10.1000/182
          arxiv: '2303.18232'
          Mail the author: mailto:someone@example.org
        ---
        The engine *weaves* algebraic patterns.

        - one
        - two
        """,
    "content/publications/bare.yml": "title: A Bare Entry\nauthors: [Ada Lovelace]\ntype: talk\n",
    "content/publications/venue-only.yml": """\
        title: "Venue Without Year, *in vivo*, **Looms** and `code`"
        authors: [Ada Lovelace, Mary Somerville]
        type: workshop
        venue: Workshop on Engines
        """,
    "content/publications/year-only.yml": """\
        title: Year Without Venue
        authors: [Ada Lovelace]
        type: workshop
        year: 1842
        """,
    "content/publications/patent.yml": """\
        title: A Patent
        authors: [Ada Lovelace, Charles Babbage]
        type: patent
        note: GB Patent 1,234
        """,
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """{name: output folder} of both sites, built once for the module."""
    example = copy_example(tmp_path_factory.mktemp("example"))
    branches = tmp_path_factory.mktemp("branches")
    shutil.copytree(REPO / "themes", branches / "themes")
    write_files(branches, BRANCHES)
    for root in (example, branches):
        build_ok(root)
    return {"example": example / "_site", "branches": branches / "_site"}


def pages(sites) -> list[tuple[str, Path]]:
    return [(f"{name}/{path.relative_to(out).as_posix()}", path)
            for name, out in sites.items() for path in sorted(out.rglob("*.html"))]


def test_both_sites_have_every_kind_of_page(sites):
    for out in sites.values():
        names = set(tree(out))
        assert {"index.html", "404.html", "publications.bib"} <= names
        assert any(re.fullmatch(r"publications/[^/]+/index\.html", n) for n in names)


def test_the_branches_site_takes_the_branches(sites):
    page = html.unescape((sites["branches"] / "index.html").read_text(encoding="utf-8"))
    for shown in ("<em>Taylor's Scientific Memoirs (TSM)</em>, 1843", "With notes by the translator",
                  "Workshop on Engines", "GB Patent 1,234", "<em>weaves</em>",
                  'href="slides/sketch.pdf"', 'href="https://doi.org/10.1000/182"',
                  'href="https://arxiv.org/abs/2303.18232"', "Workshops and talks",
                  "“Venue Without Year, <em>in vivo</em>, <strong>Looms</strong> and <code>code</code>”"):
        assert shown in page, shown
    doc = parse_html(page)
    assert doc.find("main").find("img") is None  # no photo
    assert not [e for e in doc.iter() if e.attrs.get("id") == "contact"]  # no email


def test_nu_html_checker_finds_no_errors(sites):
    jar = vnu_jar()
    files = [str(path) for _, path in pages(sites)]
    files += [str(p) for out in sites.values() for p in sorted(out.rglob("*"))
              if p.suffix in (".css", ".svg")]
    result = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "gnu",
         "--also-check-css", "--also-check-svg", *files],
        capture_output=True, text=True, timeout=300)
    assert result.stdout + result.stderr == ""
    assert result.returncode == 0


def test_xml_outputs_are_well_formed(sites):
    xml_files = sorted(sites["branches"].rglob("*.xml"))
    assert {p.name for p in xml_files} >= {"feed.xml", "sitemap.xml"}
    for path in xml_files:
        ET.fromstring(path.read_bytes())


# ---------------------------------------------------------------------------------------------
# Links and assets: nothing loads from elsewhere, no link uses a dangerous scheme.

SAFE_TARGET = re.compile(r"^(https?://|mailto:|#|(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//))")
LOADS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src",
         "video": "src", "embed": "src", "object": "data"}
LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}
EXTERNAL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:|//)")


@pytest.mark.parametrize("kind", ["example", "branches"])
def test_every_link_is_http_mailto_fragment_or_relative(sites, kind):
    for name, path in pages({kind: sites[kind]}):
        for element in parse_html(path.read_text(encoding="utf-8")).iter():
            for attribute in ("href", "src"):
                target = element.attrs.get(attribute)
                if target is not None:
                    assert SAFE_TARGET.match(target), (name, element.tag, target)


@pytest.mark.parametrize("kind", ["example", "branches"])
def test_every_asset_is_local(sites, kind):
    for name, path in pages({kind: sites[kind]}):
        for element in parse_html(path.read_text(encoding="utf-8")).iter():
            target = element.attrs.get(LOADS.get(element.tag, ""))
            if element.tag == "link" and LOADING_RELS & set((element.attrs.get("rel") or "").split()):
                target = element.attrs.get("href")
            assert not (target and EXTERNAL.match(target)), (name, element.tag, target)
    for css in sorted(sites[kind].rglob("*.css")):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//|@import\s+['\"]?(https?:)?//", text), css


# ---------------------------------------------------------------------------------------------
# Structure for assistive tools.


def test_every_page_has_language_headings_alt_texts_and_landmarks(sites):
    for name, path in pages(sites):
        doc = parse_html(path.read_text(encoding="utf-8"))
        assert doc.find("html").attrs.get("lang"), name
        levels = [int(h.tag[1]) for h in doc.iter() if re.fullmatch(r"h[1-6]", h.tag)]
        assert levels[:1] == [1] and levels.count(1) == 1, (name, levels)
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), (name, levels)
        assert all(img.attrs.get("alt") for img in doc.iter("img")), name
        for landmark in ("header", "nav", "main", "footer"):
            assert doc.find(landmark) is not None, (name, landmark)
        assert len(doc.find_all("main")) == 1, name
        ids = [e.attrs["id"] for e in doc.iter() if e.attrs.get("id")]
        assert len(ids) == len(set(ids)), (name, sorted(i for i in ids if ids.count(i) > 1))
