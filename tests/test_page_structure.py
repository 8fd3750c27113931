"""What a page's structure needs whatever the content: ids unique, links to them leading to
the right place, headings in order, no sideways scrolling on a phone."""
from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import build_ok, parse_html, run_cli, vnu_jar


def pub(title: str, abstract: str = "", type: str = "conference", year: int = 2020) -> str:
    text = f"title: {title}\nauthors: [Ada Lovelace]\ntype: {type}\nyear: {year}\n"
    if abstract:
        text += "abstract: |\n" + "".join(f"  {line}\n" if line else "\n" for line in abstract.split("\n"))
    return text


def built(make_project, files: dict[str, str]) -> Path:
    """The output folder of a site of `files`, built without a problem."""
    root = make_project(files)
    build_ok(root)
    return root / "_site"


def ids_of(doc) -> list[str]:
    return [element.attrs["id"] for element in doc.iter() if element.attrs.get("id")]


def assert_ids_unique_and_fragments_lead_somewhere(out: Path) -> None:
    for path in sorted(out.rglob("*.html")):
        doc = parse_html(path.read_text(encoding="utf-8"))
        ids = ids_of(doc)
        assert len(ids) == len(set(ids)), (path.name, sorted(i for i in ids if ids.count(i) > 1))
        for link in doc.iter("a"):
            href = link.attrs.get("href") or ""
            if href.startswith("#"):
                assert href[1:] in ids, (path.name, href)


def heading_levels(doc) -> list[int]:
    return [int(e.tag[1]) for e in doc.iter() if len(e.tag) == 2 and e.tag[0] == "h" and e.tag[1].isdigit()]


def vnu_errors(out: Path) -> str:
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "gnu",
         *map(str, sorted(out.rglob("*.html")))], capture_output=True, text=True, timeout=300)
    return result.stdout + result.stderr


FOOTNOTED = "Text[^1] and more[^1].\n\n[^1]: A note."


def test_footnotes_of_two_abstracts_and_the_bio_keep_their_ids_apart(make_project):
    out = built(make_project, {
        "content/index.md": "My bio[^1].\n\n[^1]: Bio note.\n",
        "content/publications/first.yml": pub("First Paper", FOOTNOTED, year=2021),
        "content/publications/second.yml": pub("Second Paper", "Other[^1].\n\n[^1]: Second note."),
    })
    assert_ids_unique_and_fragments_lead_somewhere(out)
    doc = parse_html((out / "index.html").read_text(encoding="utf-8"))
    items = doc.find_all("li", "publication")
    second = items[1]
    reference = second.find("a", "footnote-ref").attrs["href"]
    note = next(e for e in doc.iter("li") if e.attrs.get("id") == reference[1:])
    assert note.text().startswith("Second note.") and second in note.ancestors()
    bio = doc.find("div", "bio")
    assert bio.find("a", "footnote-ref").attrs["href"] == "#~bio~fn:1"
    page = (out / "publications/2021-first-paper/index.html").read_text(encoding="utf-8")
    assert 'href="#lovelace2021first~fn:1"' in page
    assert vnu_errors(out) == ""


def test_a_type_two_sections_list_is_shown_in_both_and_linked_to_the_first(make_project):
    out = built(make_project, {
        "site.yml": """\
            title: Test Site
            owner:
              name: Ada Lovelace
            sections:
              - heading: Highlights
                types: [conference]
              - heading: Conference papers
                types: [conference]
            """,
        "content/publications/first.yml": pub("First Paper", FOOTNOTED),
    })
    assert_ids_unique_and_fragments_lead_somewhere(out)
    doc = parse_html((out / "index.html").read_text(encoding="utf-8"))
    highlights, papers = doc.find_all("li", "publication")
    assert highlights.attrs["id"] == "lovelace2020first" and "id" not in papers.attrs
    assert [s.attrs["id"] for s in highlights.ancestors() if s.tag == "section"][0] == "highlights"
    for item in (highlights, papers):  # each copy button copies its own item's BibTeX
        copied = item.find("button", "copy").attrs["data-copy"]
        assert item.find("pre").attrs["id"] == copied
        assert item.find("a", "footnote-ref").attrs["href"][1:] in ids_of(item)
    page = parse_html((out / "publications/2020-first-paper/index.html").read_text(encoding="utf-8"))
    assert page.find("p", "back").find("a").attrs["href"] == "../../#lovelace2020first"
    assert vnu_errors(out) == ""


SECTIONS_NAMED_AS_THE_THEMES_OWN = """\
    title: Test Site
    owner:
      name: Ada Lovelace
      email: ada@example.org
    sections:
      - heading: Publications
        types: [conference]
      - heading: Contact
        types: [journal]
      - heading: Main
        types: [preprint]
    """


def test_anchors_made_from_headings_avoid_the_ids_of_the_themes_templates(make_project):
    out = built(make_project, {
        "site.yml": SECTIONS_NAMED_AS_THE_THEMES_OWN,
        "content/publications/a.yml": pub("A Paper"),
        "content/publications/b.yml": pub("B Paper", type="journal"),
        "content/publications/c.yml": pub("C Paper", type="preprint"),
    })
    assert_ids_unique_and_fragments_lead_somewhere(out)
    doc = parse_html((out / "index.html").read_text(encoding="utf-8"))
    sections = [s.attrs["id"] for s in doc.find("section", "publications").find_all("section")]
    assert sections == ["publications-section", "contact-section", "main-section"]
    assert vnu_errors(out) == ""


def test_a_section_id_the_themes_templates_use_is_an_error_at_its_place(make_project):
    root = make_project({"site.yml": """\
        title: Test Site
        owner:
          name: Ada Lovelace
        sections:
          - heading: Papers
            id: publications
            types: [conference]
          - heading: Reach me
            id: main
            types: [journal]
        """})
    result = run_cli(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "site.yml:6:9: section id 'publications' gives the id 'publications-heading', which the "
        "theme writes itself (themes/frontpage/templates/index.html:21): choose another",
        "site.yml:9:9: section id 'main' gives the id 'main', which the theme writes itself "
        "(themes/frontpage/templates/base.html:45): choose another",
    ]


def test_the_ids_of_an_overridden_template_are_the_ones_avoided(make_project):
    index = (Path(__file__).parent.parent / "themes/frontpage/templates/index.html").read_text()
    root = make_project({
        "site.yml": SECTIONS_NAMED_AS_THE_THEMES_OWN.replace("Main", "Awards"),
        "templates/index.html": index.replace('id="about"', 'id="awards"'),
        "content/publications/a.yml": pub("A Paper", type="preprint"),
    })
    build_ok(root)
    doc = parse_html((root / "_site/index.html").read_text(encoding="utf-8"))
    assert doc.find("section", "publications").find("section").attrs["id"] == "awards-section"


def test_an_id_in_a_data_attribute_or_a_template_comment_is_not_one_the_theme_uses(make_project):
    index = (Path(__file__).parent.parent / "themes/frontpage/templates/index.html").read_text()
    root = make_project({
        "site.yml": SECTIONS_NAMED_AS_THE_THEMES_OWN.replace("Main", "Talks").replace(
            "Contact", "Awards"),
        "templates/index.html": "{# Once: <p id=\"awards\"> #}\n" + index.replace(
            'id="about"', 'id="about" data-id="talks"'),
        "content/publications/a.yml": pub("A Paper"),
        "content/publications/b.yml": pub("B Paper", type="journal"),
        "content/publications/c.yml": pub("C Paper", type="preprint"),
    })
    build_ok(root)
    doc = parse_html((root / "_site/index.html").read_text(encoding="utf-8"))
    assert [s.attrs["id"] for s in doc.find("section", "publications").find_all("section")] == [
        "publications-section", "awards", "talks"]


def test_headings_of_the_bio_and_abstracts_are_moved_below_where_they_are_placed(make_project):
    out = built(make_project, {
        "content/index.md": "# About me\n\nI study engines.\n\n## Teaching\n\nSome.\n",
        "content/publications/a.yml": pub("A Paper", "# Summary\n\nText.\n\n## Results\n\nMore."),
        "content/publications/b.yml": pub("B Paper", "### Only a small heading\n\nText."),
    })
    home = parse_html((out / "index.html").read_text(encoding="utf-8"))
    assert heading_levels(home) == [1, 2, 3, 2, 3, 4, 5, 4]
    assert [h.text() for h in home.iter("h4")] == ["Summary", "Only a small heading"]
    page = parse_html((out / "publications/2020-a-paper/index.html").read_text(encoding="utf-8"))
    assert heading_levels(page) == [1, 2, 3, 4, 2]
    for path in (out / "index.html", out / "publications/2020-a-paper/index.html"):
        levels = heading_levels(parse_html(path.read_text(encoding="utf-8")))
        assert levels.count(1) == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))


def test_a_site_without_publications_shows_no_empty_section_and_links_no_empty_file(
        make_project, monkeypatch):
    root = make_project({"content/index.md": "Bio.\n"})
    monkeypatch.setenv("VNU_JAR", str(vnu_jar()))
    result = run_cli(root, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    out = root / "_site"
    assert not (out / "publications.bib").exists()
    for path in (out / "index.html", out / "404.html"):
        page = path.read_text(encoding="utf-8")
        assert "publications.bib" not in page and "Publications" not in page, path.name


def test_publications_no_section_shows_are_still_exported(make_project):
    out = built(make_project, {"content/publications/talk.yml": pub("A Talk", type="talk")})
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="publication"' not in page and 'href="publications.bib"' in page
    assert "@misc{lovelace2020talk," in (out / "publications.bib").read_text(encoding="utf-8")
