"""What a build makes: the page, its order and links, overrides, and how the output is written."""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import build_ok, chromium, eventually, held_back, parse_html, run_cli, tree
from scholarpage.config import BUILT_MARK, BUILT_MARK_TEXT

BIO = "---\ntitle: About\n---\nHello, I study engines.\n"
OWNER_SITE = """\
title: Test Site
owner:
  name: Ada Lovelace
  highlight: [Ada Lovelace, A. Lovelace]
  email: ada@example.org
"""


def pub(title: str, *lines: str, authors: str = "[Ada Lovelace]", type: str = "conference") -> str:
    """The text of a publication file; extra `field: value` lines follow the required ones."""
    return "\n".join([f"title: {title}", f"authors: {authors}", f"type: {type}", *lines]) + "\n"


def project(make_project, files: dict[str, str | bytes]) -> Path:
    return make_project({"content/index.md": BIO, **files})


def index(root: Path):
    return parse_html((root / "_site" / "index.html").read_text(encoding="utf-8"))


def entries(doc) -> list:
    return doc.find_all("li", "publication")


def title_of(li) -> str:
    return li.find(cls="title").text().strip("“”")


def abstract_of(li):
    return next((d for d in li.find_all("details") if d.find("summary").text() == "Abstract"), None)


def user_files(root: Path) -> dict[str, bytes]:
    """The project's files, without the build cache (which only ever saves time)."""
    return {name: data for name, data in tree(root).items() if not name.startswith(".cache/")}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Contents and modification times: a folder left alone keeps both."""
    return {name: (data, (folder / name).stat().st_mtime_ns) for name, data in tree(folder).items()}


# ---------------------------------------------------------------------------------------------
# The page.


def test_a_minimal_site_builds_and_prints_one_summary_line(make_project):
    root = project(make_project, {"content/publications/a.yml": pub("A Paper", "year: 2024")})
    result = build_ok(root)
    assert result.stderr == ""
    output = tree(root / "_site")
    assert output.pop(BUILT_MARK) == BUILT_MARK_TEXT  # the folder's, not the site's
    pages = sum(1 for name in output if name.endswith(".html"))
    assert re.fullmatch(
        rf"built {pages} pages?, 1 publication, {len(output)} files to _site/ in \d+ ms\n",
        result.stdout)
    assert [title_of(li) for li in entries(index(root))] == ["A Paper"]


def test_summary_counts_publications_in_the_plural(make_project):
    files = {f"content/publications/{n}.yml": pub(f"Paper {n}") for n in "ab"}
    result = build_ok(project(make_project, files))
    assert re.match(r"built \d+ pages, 2 publications, \d+ files to _site/ in \d+ ms$", result.stdout)


def test_markdown_publication_body_becomes_the_abstract(make_project):
    text = ("---\ntitle: A Paper\nauthors: [Ada Lovelace]\ntype: conference\nyear: 2024\n---\n"
            "We *study* engines.\n\nSee [the notes](https://example.org/notes).\n")
    root = project(make_project, {"content/publications/a.md": text,
                                  "content/publications/b.yml": pub("No Abstract")})
    build_ok(root)
    with_abstract, without = entries(index(root))
    details = abstract_of(with_abstract)
    assert details.text() == "Abstract We study engines. See the notes."
    assert details.find("em").text() == "study"
    assert details.find("a").attrs["href"] == "https://example.org/notes"
    assert abstract_of(without) is None


def test_a_yml_file_may_hold_a_list_of_entries(make_project):
    text = ("- title: Second\n  authors: [Ada Lovelace]\n  type: conference\n  year: 2023\n"
            "- title: First\n  authors: [Ada Lovelace]\n  type: journal\n  year: 2024\n"
            "- title: Third\n  authors: [Ada Lovelace]\n  type: conference\n  year: 2022\n")
    root = project(make_project, {"content/publications/all.yml": text})
    build_ok(root)
    assert [title_of(li) for li in entries(index(root))] == ["Second", "Third", "First"]


def test_a_field_or_link_left_empty_is_not_given(make_project):
    text = pub("Placeholders", "year:", "venue:", "note:",
               "links:\n  pdf: https://example.org/a.pdf\n  code:\n  demo: ~")
    root = project(make_project, {"content/publications/a.yml": text})
    assert build_ok(root).stderr == ""
    (li,) = entries(index(root))
    assert [(a.text(), a.attrs["href"]) for a in li.find(cls="links").find_all("a")] == [
        ("pdf", "https://example.org/a.pdf")]
    assert li.find(cls="venue") is None and li.find(cls="note") is None


def test_arxiv_and_doi_ids_are_taken_bare_as_cited_or_as_addresses(make_project):
    files = {
        "content/publications/a.yml": pub("Cited", "links:\n  arxiv: arXiv:2101.00001v2\n"
                                          "  doi: doi:10.1000/xyz\n  DOI: 'DOI: 10.1000/abc'"),
        "content/publications/b.yml": pub("Bare", "links:\n  arxiv: '2101.00002'\n"
                                          "  doi: 10.1000/bare"),
        "content/publications/c.yml": pub("Addresses", "links:\n  arxiv: https://arxiv.org/abs/2101.00003\n"
                                          "  doi: https://doi.org/10.1000/full"),
    }
    root = project(make_project, files)
    assert build_ok(root).stderr == ""
    assert {title_of(li): [a.attrs["href"] for a in li.find(cls="links").find_all("a")]
            for li in entries(index(root))} == {
        "Cited": ["https://arxiv.org/abs/2101.00001v2", "https://doi.org/10.1000/xyz",
                  "https://doi.org/10.1000/abc"],
        "Bare": ["https://arxiv.org/abs/2101.00002", "https://doi.org/10.1000/bare"],
        "Addresses": ["https://arxiv.org/abs/2101.00003", "https://doi.org/10.1000/full"]}


def test_the_bio_is_markdown_and_may_hold_html(make_project):
    bio = ("---\ntitle: About\n---\nI build *engines*.\n\n"
           '<p class="aside">Raw <abbr title="HyperText">HTML</abbr> is kept.</p>\n')
    root = make_project({"content/index.md": bio})
    build_ok(root)
    main = index(root).find("main")
    assert main.find("em").text() == "engines"
    assert main.find("p", "aside").find("abbr").attrs["title"] == "HyperText"


def test_publications_are_newest_first_then_by_order_then_by_file(make_project):
    files = {
        "content/publications/old.yml": pub("Old", "year: 2021"),
        "content/publications/y2023.yml": pub("Year only", "year: 2023"),
        "content/publications/may.yml": pub("May", "year: 2023", "month: 5"),
        "content/publications/feb.yml": pub("February", "year: 2023", "month: 2"),
        "content/publications/dated.yml": pub("Dated", "date: 2023-05-10"),
        "content/publications/tie-a.yml": pub("Tie a", "year: 2022"),
        "content/publications/tie-b.yml": pub("Tie b", "year: 2022"),
        "content/publications/tie-c.yml": pub("Tie c", "year: 2022", "order: -1"),
        "content/publications/undated-a.yml": pub("Undated a", "order: 1"),
        "content/publications/undated-b.yml": pub("Undated b"),
        "content/publications/zz-list.yml": "- title: List one\n  authors: [Ada Lovelace]\n"
                                            "  type: conference\n  year: 2020\n"
                                            "- title: List two\n  authors: [Ada Lovelace]\n"
                                            "  type: conference\n  year: 2020\n",
    }
    root = project(make_project, files)
    build_ok(root)
    assert [title_of(li) for li in entries(index(root))] == [
        "Dated", "May", "February", "Year only", "Tie c", "Tie a", "Tie b", "Old",
        "List one", "List two", "Undated b", "Undated a"]


def test_a_byte_order_mark_at_the_start_of_a_file_is_no_part_of_it(make_project):
    """Some editors (Notepad) start UTF-8 files with one: front matter still starts the file."""
    bom = "\ufeff"
    root = make_project({
        "site.yml": bom + OWNER_SITE,
        "content/index.md": bom + BIO,
        "content/coauthors.yml": bom + "Charles Babbage: https://example.org/cb\n",
        "content/publications/a.md": bom + "---\n" + pub("Markdown Paper", "year: 2024")
                                     + "---\nThe abstract.\n",
        "content/publications/b.yml": bom + pub("YAML Paper", "year: 2023",
                                                authors="[Ada Lovelace, Charles Babbage]"),
    })
    build_ok(root)
    page = (root / "_site" / "index.html").read_text(encoding="utf-8")
    assert bom not in page and "title: About" not in page and "Hello, I study engines." in page
    items = entries(index(root))
    assert [title_of(li) for li in items] == ["Markdown Paper", "YAML Paper"]
    assert abstract_of(items[0]).find("p").text() == "The abstract."
    assert '<a href="https://example.org/cb">Charles Babbage</a>' in page


def test_a_tab_inside_a_block_of_text_is_kept(make_project):
    """YAML refuses tabs only where they would indent its structure."""
    text = pub("Tabs", "year: 2024", "abstract: |", "  Code:", "", "  \tx = 1")
    root = project(make_project, {"content/publications/a.yml": text})
    build_ok(root)
    code = abstract_of(entries(index(root))[0]).find("pre").find("code")
    assert code.raw_text() == "x = 1\n"


def test_folders_linked_into_publications_and_static_are_read(make_project, tmp_path):
    """A folder kept elsewhere (another repository) may be linked in, as templates may: its
    files are read through the link in the same order, hidden ones still left out, and a link
    back up is walked once."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "pubs" / "deeper").mkdir(parents=True)
    (elsewhere / "pubs" / "b.yml").write_text(pub("Linked B", "year: 2020"))
    (elsewhere / "pubs" / "deeper" / "c.yml").write_text(pub("Linked C", "year: 2020"))
    (elsewhere / "pubs" / ".draft.yml").write_text(pub("Hidden", "year: 2020"))
    (elsewhere / "pubs" / "up").symlink_to(elsewhere / "pubs")
    (elsewhere / "files" / "talks").mkdir(parents=True)
    (elsewhere / "files" / "talks" / "slides.pdf").write_bytes(b"%PDF slides\n")
    (elsewhere / "files" / ".secret").write_text("not for the site\n")
    root = project(make_project, {"content/publications/a.yml": pub("Own A", "year: 2020"),
                                  "static/cv.pdf": "%PDF cv\n"})
    (root / "content" / "publications" / "linked").symlink_to(elsewhere / "pubs")
    (root / "static" / "files").symlink_to(elsewhere / "files")
    build_ok(root)
    assert [title_of(li) for li in entries(index(root))] == ["Own A", "Linked B", "Linked C"]
    built = tree(root / "_site")
    assert built["files/talks/slides.pdf"] == b"%PDF slides\n" and built["cv.pdf"] == b"%PDF cv\n"
    assert not [name for name in built if "secret" in name]


def test_owner_is_strong_and_coauthors_are_linked_wherever_they_appear(make_project):
    files = {
        "site.yml": OWNER_SITE,
        "content/coauthors.yml": "Charles Babbage: https://example.org/babbage\n",
        "content/publications/a.yml": pub(
            "Engines", "year: 2024",
            authors="[Ada Lovelace, Charles Babbage, Mary Somerville]"),
        "content/publications/b.yml": pub(
            "Notes", "year: 2023", authors="[Charles Babbage, A. Lovelace]"),
    }
    root = project(make_project, files)
    build_ok(root)

    def authors(li):
        span = li.find(cls="authors")
        return [(c.tag, c.text(), c.attrs.get("href")) if not isinstance(c, str) else c.strip(", ")
                for c in span.children if not isinstance(c, str) or c.strip(", ")]

    first, second = entries(index(root))
    assert authors(first) == [("strong", "Ada Lovelace", None),
                              ("a", "Charles Babbage", "https://example.org/babbage"),
                              "Mary Somerville"]
    assert authors(second) == [("a", "Charles Babbage", "https://example.org/babbage"),
                               ("strong", "A. Lovelace", None)]


def test_a_coauthors_homepage_on_the_site_is_linked_from_every_page(make_project):
    files = {
        "site.yml": OWNER_SITE,
        "content/coauthors.yml": "Charles Babbage: people/babbage.html\n",
        "static/people/babbage.html": "<!DOCTYPE html><title>Babbage</title>\n",
        "content/publications/a.yml": pub("Engines", authors="[Ada Lovelace, Charles Babbage]"),
    }
    root = project(make_project, files)
    assert build_ok(root).stderr == ""
    home = index(root).find(cls="authors").find("a").attrs["href"]
    page = parse_html((root / "_site/publications/engines/index.html").read_text(encoding="utf-8"))
    assert (home, page.find(cls="authors").find("a").attrs["href"]) == (
        "people/babbage.html", "../../people/babbage.html")


def test_names_are_compared_whatever_their_spaces_unicode_form_and_apostrophes(make_project):
    import json
    import unicodedata

    site = OWNER_SITE.replace("name: Ada Lovelace", "name: Ximeng Sun").replace(
        "highlight: [Ada Lovelace, A. Lovelace]", "highlight: [X. Sun, José García, Z. O'Brien]")
    written = ["Ximeng  Sun", "Ximeng Sun ", "X.\u00a0 Sun", unicodedata.normalize("NFD", "José García"),
               "Kate  Saenko", "Z. O’Brien", "Seán O'Neil", "Mary  Somerville"]
    files = {
        "site.yml": site,
        "content/coauthors.yml": "Kate Saenko: https://example.org/kate\n"
                                 "Seán O’Neil: https://example.org/sean\n",
        "content/publications/a.yml": pub("Engines", authors=json.dumps(written)),
    }
    root = project(make_project, files)
    build_ok(root)
    (line,) = [line.strip() for line in (root / "_site" / "index.html").read_text(
        encoding="utf-8").splitlines() if 'class="authors"' in line]
    assert line == (
        '<span class="authors"><strong>Ximeng Sun</strong>, <strong>Ximeng Sun</strong>, '
        '<strong>X. Sun</strong>, <strong>José García</strong>, '
        '<a href="https://example.org/kate">Kate Saenko</a>, <strong>Z. O’Brien</strong>, '
        '<a href="https://example.org/sean">Seán O&#39;Neil</a>, Mary Somerville</span>.')


def test_one_author_may_be_written_as_text_and_an_organization_may_hold_and_and_commas(make_project):
    files = {"site.yml": OWNER_SITE,
             "content/publications/a.yml": pub("Solo", "year: 2024", authors="Ada Lovelace"),
             "content/publications/b.yml": pub(
                 "Team", "year: 2023", authors="['{Barnes and Noble, Inc.}', Sandy Anderson]")}
    root = project(make_project, files)
    assert build_ok(root).stderr == ""
    solo, team = entries(index(root))
    assert solo.find(cls="authors").find("strong").text() == "Ada Lovelace"
    assert team.find(cls="authors").text() == "Barnes and Noble, Inc., Sandy Anderson"
    bib = (root / "_site" / "publications.bib").read_text(encoding="utf-8")
    assert "author = {Lovelace, Ada}" in bib
    assert "author = {{Barnes and Noble, Inc.} and Anderson, Sandy}" in bib


def test_the_owners_name_is_strong_even_when_highlight_lists_only_other_spellings(make_project):
    site = OWNER_SITE.replace("highlight: [Ada Lovelace, A. Lovelace]", "highlight: [A. Lovelace]")
    files = {"site.yml": site, "content/publications/a.yml": pub(
        "Engines", authors="[Ada Lovelace, A. Lovelace, Charles Babbage]")}
    root = project(make_project, files)
    build_ok(root)
    (li,) = entries(index(root))
    assert [strong.text() for strong in li.find_all("strong")] == ["Ada Lovelace", "A. Lovelace"]


def test_an_initial_is_the_same_with_or_without_its_period(make_project):
    """Google Scholar writes `A Lovelace` for the `A. Lovelace` highlight lists, and for the
    `C. Babbage` coauthors.yml names: both are still found. Only a lone letter's period goes."""
    site = OWNER_SITE.replace("highlight: [Ada Lovelace, A. Lovelace]", "highlight: [A. Lovelace]")
    files = {"site.yml": site,
             "content/coauthors.yml": "C. Babbage: https://babbage.example/\n",
             "content/publications/a.yml": pub(
                 "Engines", authors="[A Lovelace, A. Lovelace, C Babbage, AB Lovelace, Al. Lovelace]")}
    root = project(make_project, files)
    build_ok(root)
    (li,) = entries(index(root))
    assert [strong.text() for strong in li.find_all("strong")] == ["A Lovelace", "A. Lovelace"]
    assert [(a.text(), a.attrs["href"]) for a in li.find(cls="authors").find_all("a")] == [
        ("C Babbage", "https://babbage.example/")]


def test_a_new_section_type_needs_only_site_yml(make_project):
    site = OWNER_SITE + (
        "sections:\n"
        "  - heading: Workshops\n    types: [workshop]\n"
        "  - heading: Tutorials and talks\n    types: [tutorial, talk]\n"
        "  - heading: Conferences\n    types: [conference]\n")
    files = {
        "site.yml": site,
        "content/publications/a.yml": pub("At a conference", "year: 2024"),
        "content/publications/b.yml": pub("At a workshop", "year: 2024", type="workshop"),
        "content/publications/c.yml": pub("A tutorial", "year: 2023", type="tutorial"),
        "content/publications/d.yml": pub("A talk", "year: 2024", type="talk"),
    }
    root = project(make_project, files)
    assert build_ok(root).stderr == ""
    listed = {section.find("h3").text(): [title_of(li) for li in entries(section)]
              for section in index(root).find_all("section") if section.find("h3")}
    assert listed == {"Workshops": ["At a workshop"],
                      "Tutorials and talks": ["A talk", "A tutorial"],
                      "Conferences": ["At a conference"]}
    assert [h.text() for h in index(root).find_all("h3")] == list(listed)


# ---------------------------------------------------------------------------------------------
# Safety of what is shown.


def test_text_is_escaped_in_html_and_xml(make_project):
    title = '<script>alert("x")</script> & Co'
    site = "title: Test Site\nurl: https://example.org/\nowner:\n  name: Ada Lovelace\n"
    files = {
        "site.yml": site,
        "content/publications/a.yml": pub(f"'{title}'", "year: 2024", "venue: <b>V</b>",
                                          authors="['Eve <img src=x onerror=alert(1)>']"),
    }
    root = project(make_project, files)
    build_ok(root)
    output = tree(root / "_site")
    for name, data in output.items():
        if not name.endswith((".html", ".xml")):
            continue
        text = data.decode("utf-8", "replace")
        assert "<script>alert" not in text and "<img src=x" not in text and "<b>V" not in text, name
    (li,) = entries(index(root))
    assert title_of(li) == title
    assert li.find(cls="authors").text() == "Eve <img src=x onerror=alert(1)>"
    feed = ET.fromstring(output["feed.xml"])
    assert title in [element.text for element in feed.iter() if element.tag.endswith("title")]


def test_the_email_never_appears_as_plain_text(make_project):
    root = project(make_project, {"site.yml": OWNER_SITE,
                                  "content/publications/a.yml": pub("Engines", "year: 2024")})
    build_ok(root)
    for name, data in tree(root / "_site").items():
        text = data.decode("utf-8", "replace")
        for shown in (text, html.unescape(text), unquote(html.unescape(text))):
            assert "ada@example.org" not in shown.lower(), name
    (contact,) = [e for e in index(root).iter() if e.attrs.get("id") == "contact"]
    assert contact.text().startswith("Contact Ada Lovelace")


@pytest.mark.parametrize("address", ["ada@example.org", "jürgen@universität.de", "用户@例子.中国",
                                     "ada😀@example.org"])
def test_the_email_link_works_in_a_browser(make_project, address):
    root = project(make_project, {"site.yml": OWNER_SITE.replace("ada@example.org", address)})
    build_ok(root)
    from playwright.sync_api import sync_playwright  # requirements-dev.txt; CI must have it

    browser_path = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(browser_path),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            page.goto((root / "_site" / "index.html").as_uri())
            link = page.locator("#contact a[href^='mailto:']")
            assert link.get_attribute("href") == f"mailto:{address}"
            assert link.inner_text() == address
        finally:
            browser.close()


# ---------------------------------------------------------------------------------------------
# BibTeX.


def test_publications_bib_holds_every_entry(example_project):
    import bibtexparser

    build_ok(example_project)
    library = bibtexparser.parse_string(
        (example_project / "_site" / "publications.bib").read_text(encoding="utf-8"))
    assert library.failed_blocks == []
    page_entries = entries(index(example_project))
    assert len(library.entries) == len(page_entries) == 17
    assert {e.key: e["title"].replace("{", "").replace("}", "") for e in library.entries} == \
        {li.attrs["id"]: title_of(li) for li in page_entries}


def test_a_made_key_spells_letters_as_the_page_name_does(make_project):
    root = project(make_project, {"content/publications/acids.yml": pub(
        "Brønsted Acids in Łódź", "year: 1923", authors="[Johannes Brønsted, Ada Lovelace]")})
    build_ok(root)
    assert [li.attrs["id"] for li in entries(index(root))] == ["bronsted1923bronsted"]
    assert "@inproceedings{bronsted1923bronsted," in \
        (root / "_site" / "publications.bib").read_text(encoding="utf-8")
    assert [p.name for p in (root / "_site" / "publications").iterdir()] == [
        "1923-bronsted-acids-in-lodz"]


# ---------------------------------------------------------------------------------------------
# Overrides.


def test_a_template_override_takes_effect(make_project):
    files = {"content/publications/a.yml": pub("Engines", "year: 2024"),
             "templates/partials/publication.html": '<li class="publication mine">{{ pub.title }}</li>\n'}
    root = project(make_project, files)
    build_ok(root)
    (li,) = entries(index(root))
    assert li.classes == ["publication", "mine"] and li.text() == "Engines"
    assert index(root).find("nav") is not None  # the rest of the theme is still used


def test_a_page_template_override_takes_effect(make_project):
    files = {"templates/index.html":
             '{% extends "base.html" %}\n{% block main %}<h1>My own page</h1>{% endblock %}\n'}
    root = project(make_project, files)
    build_ok(root)
    doc = index(root)
    assert [h.text() for h in doc.find_all("h1")] == ["My own page"]
    assert doc.find("nav") is not None


def test_a_theme_may_place_publication_lists_anywhere(make_project):
    index_html = ('{% extends "base.html" %}\n{% block main %}\n'
                  '<ul class="newest">{{ publication_entries(publications[:1]) }}</ul>\n'
                  '{% set rest %}\n  {{ publication_entries(publications[1:]) }}\n{% endset %}\n'
                  '<p>Earlier:</p><ul class="earlier">{{ rest|trim }}</ul>\n{% endblock %}\n')
    files = {"templates/index.html": index_html,
             **{f"content/publications/{year}.yml": pub(f"Paper {year}", f"year: {year}")
                for year in (2021, 2022, 2023)}}
    root = project(make_project, files)
    build_ok(root)
    doc = index(root)
    assert [title_of(li) for li in entries(doc.find("ul", "newest"))] == ["Paper 2023"]
    assert [title_of(li) for li in entries(doc.find("ul", "earlier"))] == ["Paper 2022", "Paper 2021"]
    page = (root / "_site" / "index.html").read_text(encoding="utf-8")
    assert '<ul class="earlier"><li' in page  # trimmed up to the list, which is placed whole
    assert "\0" not in page


def test_a_publication_list_is_written_out_where_nothing_is_escaped(make_project):
    index_html = ('{% extends "base.html" %}\n{% block main %}\n{% autoescape false %}'
                  '<ul class="all">{{ publication_entries(publications) }}</ul>'
                  '{% endautoescape %}\n{% endblock %}\n')
    files = {"templates/index.html": index_html,
             **{f"content/publications/{year}.yml": pub(f"Paper {year}", f"year: {year}")
                for year in (2022, 2023)}}
    root = project(make_project, files)
    build_ok(root)
    assert [title_of(li) for li in entries(index(root).find("ul", "all"))] == ["Paper 2023", "Paper 2022"]


def test_a_static_override_takes_effect(make_project):
    root = project(make_project, {"static/css/style.css": "body { color: teal; }\n"})
    build_ok(root)
    output = tree(root / "_site")
    assert output["css/style.css"] == b"body { color: teal; }\n"
    theme_static = root / "themes" / "frontpage" / "static"
    assert output["js/site.js"] == (theme_static / "js" / "site.js").read_bytes()
    assert (theme_static / "css" / "style.css").read_bytes() != b"body { color: teal; }\n"


# ---------------------------------------------------------------------------------------------
# Deterministic and atomic output.


def test_two_builds_are_byte_identical(example_project, tmp_path):
    build_ok(example_project)
    first = tree(example_project / "_site")
    build_ok(example_project)
    assert tree(example_project / "_site") == first
    elsewhere = tmp_path / "somewhere" / "else"
    shutil.copytree(example_project, elsewhere, ignore=shutil.ignore_patterns("_site"))
    build_ok(elsewhere)
    assert tree(elsewhere / "_site") == first


def test_a_failed_build_leaves_the_previous_site_exactly_as_it_was(make_project):
    good = pub("Engines", "year: 2024")
    root = project(make_project, {"content/publications/a.yml": good})
    build_ok(root)
    before, listing = snapshot(root / "_site"), sorted(os.listdir(root))
    for broken in ({"content/publications/a.yml": good + "year: twenty\n"},
                   {"templates/index.html": "{{ nosuch }}\n"}):
        for relative, text in broken.items():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text, encoding="utf-8")
        result = run_cli(root)
        assert result.returncode == 1 and "the output folder was not changed" in result.stderr
        assert snapshot(root / "_site") == before
        assert set(os.listdir(root)) - {"templates"} == set(listing)  # no temporary folder left
        (root / "content/publications/a.yml").write_text(good, encoding="utf-8")


def test_files_no_longer_produced_disappear(make_project):
    root = project(make_project, {"content/publications/a.yml": pub("Engines", "year: 2024"),
                                  "static/extra.txt": "extra\n"})
    build_ok(root)
    (root / "_site" / "stray.html").write_text("left by hand\n", encoding="utf-8")
    first = set(tree(root / "_site"))
    (root / "static" / "extra.txt").unlink()
    (root / "content" / "publications" / "a.yml").unlink()
    build_ok(root)
    second = set(tree(root / "_site"))
    assert {"extra.txt", "stray.html"} <= first and not {"extra.txt", "stray.html"} & second
    assert any(name.startswith("publications/") for name in first - second)
    assert [name for name in os.listdir(root) if name.startswith("._site")] == []  # no staging left


def test_writing_into_a_folder_that_exists_follows_no_link_out_of_it(tmp_path):
    """A fresh folder made by the build is checked by its paths' text; one that was there before
    (the dev server's, the schema folder) may hold a symbolic link leading out."""
    from scholarpage.output import UnsafeOutputPath, update_tree, write_tree

    outside, folder = tmp_path / "outside", tmp_path / "folder"
    outside.mkdir()
    folder.mkdir()
    (folder / "publications").symlink_to(outside)
    with pytest.raises(UnsafeOutputPath):
        write_tree(folder, {"publications/a.html": b"no\n"})
    with pytest.raises(UnsafeOutputPath):
        update_tree(folder, {}, {"publications/a.html": b"no\n"})
    with pytest.raises(UnsafeOutputPath):
        write_tree(folder, {"a/../../b.html": b"no\n"}, fresh=True)
    assert list(outside.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() here")
def test_the_command_leaves_removing_the_previous_site_to_a_process_it_does_not_wait_for(
        example_project, monkeypatch):
    from scholarpage import cli

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.chdir(example_project)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    subprocess.run(["git", "init", "-q"], check=True)
    (example_project / ".gitignore").write_text("_site/\n.cache/\n", encoding="utf-8")
    assert cli.main(["build", "--no-cache"]) == 0
    bio = example_project / "content" / "index.md"
    bio.write_text(bio.read_text(encoding="utf-8").replace("Hello, I am", "Hi, I am"), encoding="utf-8")
    remove = shutil.rmtree
    with held_back() as wait_for_the_test:
        monkeypatch.setattr(shutil, "rmtree", lambda *args, **kwargs: (
            wait_for_the_test(), remove(*args, **kwargs)))
        assert cli.main(["build", "--no-cache"]) == 0  # while the old site's removal is held back
        assert b"Hi, I am" in (example_project / "_site" / "index.html").read_bytes()
        (old,) = [name for name in os.listdir(example_project) if name.startswith("._site.old-")]
        untracked = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                                   capture_output=True, text=True, check=True).stdout
        assert "site.yml" in untracked and "._site" not in untracked  # `git add -A` would not take it
    assert eventually(lambda: not (example_project / old).exists())
    assert [name for name in os.listdir(example_project) if name.startswith("._site")] == []


def test_a_build_removes_the_copies_of_the_site_that_stopped_builds_left(make_project):
    """A build stopped before it removed the previous site (or one it was writing) leaves it in
    a hidden folder beside _site/; the next build removes those, but not one so recent that a
    build running meanwhile may be using it."""
    root = project(make_project, {"content/publications/a.yml": pub("A Paper", "year: 2024")})
    build_ok(root)
    now = time.time()
    left = {"._site.old-stopped1": now - 120, "._site.new-killed12": now - 7200,  # removed
            "._site.old-running1": now - 5, "._site.new-running1": now - 600}  # kept
    for name, modified in left.items():
        (root / name / "site").mkdir(parents=True)
        (root / name / "site" / "index.html").write_bytes(b"an old page")
        os.utime(root / name, (modified, modified))
    # Folders no build made, named alike: a user's, and one holding more than a site.
    for name, inside in {"._site.old-backup": "notes.txt", "._site.old-abcd1234": "notes.txt"}.items():
        (root / name).mkdir()
        (root / name / inside).write_text("mine", encoding="utf-8")
        if name.endswith("1234"):
            (root / name / "site").mkdir()
        os.utime(root / name, (now - 7200, now - 7200))
    (root / "content" / "publications" / "a.yml").write_text(pub("A New Paper"), encoding="utf-8")
    build_ok(root)
    assert eventually(lambda: not (root / "._site.old-stopped1").exists()
                      and not (root / "._site.new-killed12").exists())
    assert sorted(name for name in os.listdir(root) if name.startswith("._site")) == [
        "._site.new-running1", "._site.old-abcd1234", "._site.old-backup", "._site.old-running1"]
    assert "A New Paper" in (root / "_site" / "index.html").read_text(encoding="utf-8")


def test_an_update_after_one_that_failed_midway_removes_what_is_left(tmp_path):
    """The dev server's folder, after an update that failed (a full disk) once it had removed
    some of the files and folders the site no longer has: the next update finishes the job."""
    from scholarpage.output import update_tree

    old = {"index.html": b"old", "a/b/page.html": b"x", "a/c/page.html": b"y"}
    update_tree(tmp_path, {}, old)
    (tmp_path / "a" / "b" / "page.html").unlink()
    (tmp_path / "a" / "b").rmdir()
    assert update_tree(tmp_path, old, {"index.html": b"new"}) == ["index.html"]
    assert tree(tmp_path) == {"index.html": b"new"} and os.listdir(tmp_path) == ["index.html"]


def test_an_interrupted_write_keeps_the_old_site(tmp_path):
    from scholarpage.output import UnsafeOutputPath, write_site

    out = tmp_path / "_site"
    write_site(out, {"index.html": b"old\n"})
    with pytest.raises(UnsafeOutputPath):
        write_site(out, {"a.html": b"new\n", "../escape.html": b"no\n"})
    assert tree(out) == {"index.html": b"old\n"}
    assert os.listdir(tmp_path) == ["_site"]


@pytest.mark.parametrize("output, problem", [
    (".", "contains the project itself: choose a folder like _site"),
    ("..", "contains the project itself: choose a folder like _site"),
    ("/", "contains the project itself: choose a folder like _site"),
    ("content", "overlaps content/, which holds your files: choose a folder like _site"),
    ("content/_site", "overlaps content/, which holds your files: choose a folder like _site"),
    ("themes", "overlaps themes/, which holds your files: choose a folder like _site"),
    ("templates", "overlaps templates/, which holds your files: choose a folder like _site"),
    ("static/site", "overlaps static/, which holds your files: choose a folder like _site"),
    ("site.yml", "is a file: choose a folder like _site"),
    ("notes.txt", "is a file: choose a folder like _site"),
    ("docs", "holds files that no build wrote (notes.md), and each build replaces it whole: "
             "move them, or choose a folder like _site"),
    ("papers", "holds files that no build wrote (publications.bib, ...), and each build replaces "
               "it whole: move them, or choose a folder like _site"),
])
def test_output_folders_that_hold_the_users_files_are_refused(make_project, output, problem):
    site = f"title: Test Site\nowner:\n  name: Ada Lovelace\noutput: '{output}'\n"
    root = project(make_project, {"site.yml": site, "static/a.txt": "a\n", "notes.txt": "mine\n",
                                  "docs/notes.md": "mine\n", "papers/publications.bib": "mine\n",
                                  "papers/thesis.pdf": "mine\n",
                                  "content/publications/a.yml": pub("Engines")})
    before = user_files(root)
    result = run_cli(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"site.yml:4:9: output folder '{output}' {problem}")
    assert user_files(root) == before


def test_a_site_built_before_the_mark_was_written_is_replaced(make_project):
    root = project(make_project, {"content/publications/a.yml": pub("Engines")})
    build_ok(root)
    (root / "_site" / BUILT_MARK).unlink()
    build_ok(root)
    assert (root / "_site" / BUILT_MARK).is_file()


def test_an_output_folder_of_an_earlier_build_or_an_empty_one_is_replaced(make_project):
    site = "title: Test Site\nowner:\n  name: Ada Lovelace\noutput: docs\n"
    root = project(make_project, {"site.yml": site, "content/publications/a.yml": pub("Engines")})
    (root / "docs").mkdir()
    build_ok(root)
    (root / "docs" / "stale.html").write_text("from an earlier build\n", encoding="utf-8")
    build_ok(root)
    assert "index.html" in tree(root / "docs") and "stale.html" not in tree(root / "docs")


@pytest.mark.parametrize("out, problem", [
    ("content", "overlaps content/, which holds your files"),
    (".", "contains the project itself"),
    ("site.yml", "is a file"),
])
def test_out_option_is_refused_when_it_holds_the_users_files(make_project, out, problem):
    root = project(make_project, {"content/publications/a.yml": pub("Engines")})
    before = user_files(root)
    result = run_cli(root, "build", "--out", out)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"--out: output folder '{(root / out).resolve().as_posix()}' {problem}: "
        "choose a folder like _site")
    assert user_files(root) == before


def test_out_option_writes_elsewhere(make_project, tmp_path):
    root = project(make_project, {"content/publications/a.yml": pub("Engines")})
    result = build_ok(root, "build", "--out", str(tmp_path / "public"))
    assert " to ../public/ in " in result.stdout  # as found from where it ran
    assert "index.html" in tree(tmp_path / "public") and not (root / "_site").exists()


@pytest.mark.parametrize("url", ["ada.github.io/homepage", "https://ada.github.io/index.html?x"])
def test_default_url_option_is_refused_unless_a_sites_address(make_project, url):
    root = project(make_project, {})

    result = run_cli(root, "build", "--default-url", url)

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == (
        f"python build.py build: error: argument --default-url: '{url}' is not the http(s) "
        "address of the site's folder, like https://user.github.io/repo/ (no file name such as "
        "index.html, no '?' or '#', no 'user@')")
    assert not (root / "_site").exists()


# ---------------------------------------------------------------------------------------------
# The command line.


def test_help_documents_every_command_and_option(tmp_path):
    from scholarpage.cli import make_parser

    parser = make_parser()
    (commands,) = [a for a in parser._actions if a.choices and hasattr(a.choices, "items")]
    result = run_cli(tmp_path, "--help")
    assert result.returncode == 0 and "usage: python build.py" in result.stdout
    for name in commands.choices:
        assert re.search(rf"^\s+{name}\s+\S", result.stdout, re.MULTILINE), name
    def documented(words: tuple[str, ...], sub) -> None:  # `new site`: a command's own commands
        shown = run_cli(tmp_path, *words, "--help")
        assert shown.returncode == 0
        for action in sub._actions:
            assert action.help, (words, action.dest)
            for option in action.option_strings:
                assert option in shown.stdout, (words, option)
            for name, inner in (action.choices.items() if hasattr(action.choices, "items") else ()):
                assert re.search(rf"^\s+{name}\s+\S", shown.stdout, re.MULTILINE), (words, name)
                documented((*words, name), inner)

    for name, sub in commands.choices.items():
        documented((name,), sub)
    assert not (tmp_path / "_site").exists()


def test_a_plain_build_and_the_build_command_do_the_same(make_project):
    """`python build.py` takes a shortcut past the argument parser; `build` and its options
    go through it. Both build the same site and print the same line."""
    root = project(make_project, {"content/publications/a.yml": pub("A Paper")})
    plain = build_ok(root)
    first = tree(root / "_site")
    named = build_ok(root, "build")
    assert tree(root / "_site") == first
    assert plain.stdout.split(" in ")[0] == named.stdout.split(" in ")[0]
    assert plain.stdout.startswith("built 3 pages, 1 publication, ")
    build_ok(root, "build", "--no-cache")
    assert tree(root / "_site") == first


def test_a_build_whose_output_has_no_reader_ends_with_120_and_no_traceback(make_project):
    """The process ends without Python's teardown; what it printed is flushed first, and a
    reader gone away (`python build.py | head -0`) is told as Python's own exit tells it."""
    import subprocess
    import sys

    from conftest import REPO

    root = project(make_project, {"content/publications/a.yml": pub("A Paper")})
    reading, writing = os.pipe()
    os.close(reading)  # no reader: every write to the pipe fails
    try:
        gone = subprocess.run([sys.executable, str(REPO / "build.py")], cwd=root, stdout=writing,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(writing)
    assert gone.returncode == 120 and gone.stderr == ""
    assert (root / "_site" / "index.html").is_file()
    closed = subprocess.run([sys.executable, str(REPO / "build.py")], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            timeout=120, close_fds=True, preexec_fn=lambda: os.close(1))
    assert closed.returncode == 0 and closed.stderr == ""


@pytest.mark.parametrize("where", [0, (1 << 20) - 1, 1 << 20, 3 * (1 << 20) + 5])
def test_a_large_file_changed_in_one_byte_is_written_the_others_are_linked(tmp_path, where):
    from scholarpage.output import write_site

    large = bytes(range(256)) * (3 * (1 << 12) + 1)  # over 3 MiB: read in several blocks
    write_site(tmp_path / "site", {"large.html": large, "small.txt": b"same\n"})
    small = (tmp_path / "site" / "small.txt").stat().st_ino
    changed = bytearray(large)
    changed[where] ^= 1
    write_site(tmp_path / "site", {"large.html": bytes(changed), "small.txt": b"same\n"})
    assert (tmp_path / "site" / "large.html").read_bytes() == bytes(changed)
    assert (tmp_path / "site" / "small.txt").stat().st_ino == small


def test_a_selected_section_lists_the_selected_publications_again_with_ids_of_their_own(make_project):
    site = OWNER_SITE + (
        "sections:\n"
        "  - heading: Selected publications\n    selected: true\n"
        "  - heading: Selected journals\n    selected: true\n    types: [journal]\n"
        "  - heading: Conferences\n    types: [conference]\n"
        "  - heading: Journal\n    types: [journal]\n")
    files = {
        "site.yml": site,
        "content/publications/a.yml": pub("Chosen at a conference", "year: 2024", "selected: true"),
        "content/publications/b.yml": pub("Chosen in a journal", "year: 2023", "selected: yes",
                                          type="journal"),
        "content/publications/c.yml": pub("Not chosen", "year: 2025"),
        "content/publications/d.yml": pub("Chosen talk", "year: 2025", "selected: true", type="talk"),
    }
    root = project(make_project, files)
    assert build_ok(root).stderr == (
        "content/publications/d.yml:3:7: warning: type 'talk' is not shown by any section in "
        "site.yml: add a section with types: [talk]\n")
    doc = index(root)
    listed = {section.find("h3").text(): [(title_of(li), li.attrs.get("id")) for li in entries(section)]
              for section in doc.find_all("section") if section.find("h3")}
    assert listed == {
        "Selected publications": [("Chosen at a conference", "lovelace2024chosen"),
                                  ("Chosen in a journal", "lovelace2023chosen")],
        "Selected journals": [("Chosen in a journal", None)],
        "Conferences": [("Not chosen", "lovelace2025not"), ("Chosen at a conference", None)],
        "Journal": [("Chosen in a journal", None)]}
    text = (root / "_site" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r' id="([^"]*)"', text)
    assert len(ids) == len(set(ids))
    # Listed again, its BibTeX block has an id of its own, which its copy button copies.
    assert [name for name in ids if name.startswith("lovelace2023chosen")] == [
        "lovelace2023chosen", "lovelace2023chosen~bibtex", "lovelace2023chosen~2~bibtex",
        "lovelace2023chosen~3~bibtex"]


def test_ids_made_from_a_key_are_no_other_entrys(make_project):
    # A key may hold '-' (lovelace2020paper-2) or be 'bio': a made id (an item listed again, a
    # BibTeX block, a footnote) adds '~', which no key holds, so every id of the page is one.
    site = OWNER_SITE + ("sections:\n  - {heading: Conferences, types: [conference]}\n"
                         "  - {heading: Again, types: [conference]}\n")
    note = "abstract: 'Text[^1].\n\n  [^1]: A note.'"
    files = {
        "site.yml": site,
        "content/index.md": "Hello[^1].\n\n[^1]: The bio's note.\n",
        "content/publications/a.yml": pub("A", "year: 2020", "bibtex_key: lovelace2020paper", note),
        "content/publications/b.yml": pub("B", "year: 2019", "bibtex_key: lovelace2020paper-2"),
        "content/publications/c.yml": pub("C", "year: 2018", "bibtex_key: bio", note),
    }
    root = project(make_project, files)
    build_ok(root)
    ids = re.findall(r' id="([^"]*)"', (root / "_site" / "index.html").read_text(encoding="utf-8"))
    made = [name for name in ids if "~" in name]
    assert made == [
        "~bio~fnref:1", "~bio~fn:1",
        "lovelace2020paper~fnref:1", "lovelace2020paper~fn:1", "lovelace2020paper~bibtex",
        "lovelace2020paper-2~bibtex", "bio~fnref:1", "bio~fn:1", "bio~bibtex",
        "lovelace2020paper~2~fnref:1", "lovelace2020paper~2~fn:1", "lovelace2020paper~2~bibtex",
        "lovelace2020paper-2~2~bibtex", "bio~2~fnref:1", "bio~2~fn:1", "bio~2~bibtex"]
    assert [name for name in ids if "~" not in name and "2020" in name or name == "bio"] == [
        "lovelace2020paper", "lovelace2020paper-2", "bio"]
    assert len(ids) == len(set(ids))


def test_a_section_without_types_must_be_a_selected_one(make_project):
    """The rest of site.yml is still checked in the same run: a section without types is whole."""
    site = OWNER_SITE + "sections:\n  - heading: Papers\n  - heading: Talks\n    id: main\n    types: [talk]\n"
    result = run_cli(project(make_project, {"site.yml": site}))
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "site.yml:7:5: missing required field 'types' (e.g. types: [conference]): only a section "
        "with 'selected: true' may leave it out",
        "site.yml:9:9: section id 'main' gives the id 'main', which the theme writes itself "
        "(themes/frontpage/templates/base.html:45): choose another"]
