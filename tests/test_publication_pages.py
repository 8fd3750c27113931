"""A page per publication, its slug, and links that work at a domain root and under a sub-path."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import build_ok, parse_html, run_cli
from scholarpage.check import check_links

SITE = """\
title: Ada's page
description: Mathematician.
url: {url}
owner:
  name: Ada Lovelace
  highlight: [Ada Lovelace, A. Lovelace]
  affiliation: Analytical Society
  photo: images/ada.png
  links:
    - label: Scholar
      url: https://scholar.example/ada
    - label: CV
      url: papers/cv.pdf
"""

ENGINE = """\
title: Notes on the Analytical Engine
authors: [A. Lovelace, Charles Babbage, Luigi Menabrea]
type: conference
venue: SE
venue_full: Symposium on Engines
date: 2021-06-17
links:
  pdf: papers/engine.pdf
  doi: 10.1000/engine.1
  code: https://code.example/engine
abstract: |
  The engine *weaves* algebraic patterns.
"""

TWINS = """\
- title: On Looms
  authors: [Ada Lovelace]
  type: journal
  year: 2020
- title: On Looms
  authors: [Ada Lovelace]
  type: conference
  year: 2020
"""  # one title and year, two works (not of one type: that would be a work listed twice)


def project_files(url: str = "https://user.github.io/repo/") -> dict[str, str | bytes]:
    return {
        "site.yml": SITE.format(url=url),
        "content/index.md": "I write notes on engines.\n",
        "content/coauthors.yml": "Charles Babbage: https://babbage.example/\n",
        "content/publications/engine.yml": ENGINE,
        "content/publications/twins.yml": TWINS,
        "content/publications/given.yml": """\
            title: A Loom Controller
            authors: [Ada Lovelace, Charles Babbage]
            type: patent
            year: 2019
            note: US Patent 10,123,456
            slug: loom
            """,
        "content/publications/evil.yml": "title: ../../etc\nauthors: [Ada Lovelace]\n"
                                         "type: preprint\nyear: 2018\n",
        "content/publications/french.yml": "title: Éléments pour l’analyse\n"
                                           "authors: [Ada Lovelace]\ntype: preprint\n",
        "static/images/ada.png": b"\x89PNG\r\n",
        "static/papers/engine.pdf": b"%PDF-1.4\n",
        "static/papers/cv.pdf": b"%PDF-1.4\n",
    }


EXPECTED_SLUGS = {
    "2021-notes-on-the-analytical-engine", "2020-on-looms", "2020-on-looms-2", "loom", "2018-etc",
    "elements-pour-l-analyse",
}


def page(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


@pytest.fixture
def built(make_project) -> Path:
    """The sample project built for https://user.github.io/repo/; the output folder."""
    root = make_project(project_files())
    build_ok(root)
    return root / "_site"


# ---------------------------------------------------------------------------------------------
# The page of one publication.


def test_a_publication_page_shows_the_whole_entry(built):
    html = page(built, "publications/2021-notes-on-the-analytical-engine/index.html")
    article = parse_html(html).find("article", "publication-page")
    assert article.find("h1").text() == "Notes on the Analytical Engine"
    assert ('<p class="authors"><strong>A. Lovelace</strong>, '
            '<a href="https://babbage.example/">Charles Babbage</a>, Luigi Menabrea</p>') in html
    assert article.find("p", "venue-line").text() == "Symposium on Engines (SE), 2021"
    assert ('<h2 id="abstract-heading">Abstract</h2>\n'
            '    <p>The engine <em>weaves</em> algebraic patterns.</p>') in html
    links = [(a.text(), a.attrs["href"]) for a in article.find("p", "links").find_all("a")]
    assert links == [("pdf", "../../papers/engine.pdf"), ("doi", "https://doi.org/10.1000/engine.1"),
                     ("code", "https://code.example/engine")]
    bibtex = article.find("pre")
    assert bibtex.attrs["id"] == "bibtex"
    assert bibtex.raw_text().startswith("@inproceedings{lovelace2021notes,\n  author = {Lovelace, A. and "
                                        "Babbage, Charles and Menabrea, Luigi},\n")
    button = article.find("button", "copy")
    assert button.attrs["data-copy"] == "bibtex"
    assert button.text() == "Copy BibTeX of “Notes on the Analytical Engine”"
    back = article.find("p", "back").find("a")
    assert (back.attrs["href"], back.text()) == ("../../#lovelace2021notes", "← All publications")
    assert 'id="lovelace2021notes"' in page(built, "index.html")


def test_a_title_marked_in_italics_is_marked_where_shown_and_plain_where_only_text_goes(make_project):
    engine = ENGINE.replace("title: Notes on the Analytical Engine",
                            "title: Notes on the *Analytical* Engine in `code` by **Ada *and* Charles**")
    root = make_project({**project_files(), "content/publications/engine.yml": engine})
    build_ok(root)
    out = root / "_site"
    marked = "Notes on the <em>Analytical</em> Engine in <code>code</code> by <strong>Ada <em>and</em> Charles</strong>"
    plain = "Notes on the Analytical Engine in code by Ada and Charles"
    assert f"“{marked}”</a>" in page(out, "index.html")
    html = page(out, "publications/2021-notes-on-the-analytical-engine-in-code-by-ada-and/index.html")
    doc = parse_html(html)
    assert f"<h1>{marked}</h1>" in html
    assert doc.find("title").text() == f"{plain} | Ada Lovelace"
    tags = {e.attrs.get("name") or e.attrs.get("property"): e.attrs.get("content") for e in doc.iter()
            if e.tag == "meta"}
    assert tags["citation_title"] == plain and tags["og:title"].startswith(plain)
    (ld,) = [json.loads(e.raw_text()) for e in doc.iter() if e.attrs.get("type") == "application/ld+json"]
    assert ld["headline"] == ld["name"] == plain
    assert doc.find("button", "copy").text() == f"Copy BibTeX of “{plain}”"
    assert f"<title>{plain}</title>" in page(out, "feed.xml")
    assert "title = {{Notes} on the \\emph{{Analytical}} {Engine} in \\texttt{code} by \\textbf{{Ada} \\emph{and} {Charles}}}" in page(
        out, "publications.bib")


def test_markup_in_the_text_of_an_abstract_is_text_on_every_page(make_project):
    """A paper on web security may show a tag in its abstract: it is no link, so it is neither
    refused nor rebased, and its words are not taken for a link to a file of the site."""
    engine = ENGINE.replace("  The engine *weaves* algebraic patterns.\n", (
        '  An attack: `<a href="javascript:alert(1)">`. We set the attribute href=docs/x.html.\n'))
    root = make_project({**project_files(), "content/publications/engine.yml": engine})
    assert build_ok(root).stderr == ""
    shown = ('<p>An attack: <code>&lt;a href="javascript:alert(1)"&gt;</code>. We set the '
             "attribute href=docs/x.html.</p>")
    assert shown in page(root / "_site", "index.html")
    assert shown in page(root / "_site", "publications/2021-notes-on-the-analytical-engine/index.html")


def test_every_url_an_abstract_holds_is_rebased_on_its_page(make_project):
    engine = ENGINE.replace("  The engine *weaves* algebraic patterns.\n", (
        "  <video poster=images/ada.png src='papers/engine.pdf'></video>\n"
        '  <img alt="" srcset="images/ada.png 1x, https://x.example/a.png 2x" src=images/ada.png>\n'
        "  <form action=papers/><button formaction=papers/cv.pdf>Go</button></form>\n"
        '  <object data="papers/engine.pdf"></object> <div data="papers/no-link"></div>\n'
        '  <blockquote cite="papers/cv.pdf#q">Quote</blockquote> <a href="#top">Top</a>\n'))
    root = make_project({**project_files(), "content/publications/engine.yml": engine})
    build_ok(root)
    html = page(root / "_site", "publications/2021-notes-on-the-analytical-engine/index.html")
    start = html.index('id="abstract-heading"')
    abstract = html[start:html.index("</section>", start)]
    assert re.findall(r"""([a-z]+)=["']?([^"' >]*)""", abstract) == [
        ("id", "abstract-heading"), ("poster", "../../images/ada.png"),
        ("src", "../../papers/engine.pdf"), ("alt", ""), ("srcset", "../../images/ada.png"),
        ("src", "../../images/ada.png"), ("action", "../../papers/"),
        ("formaction", "../../papers/cv.pdf"), ("data", "../../papers/engine.pdf"),
        ("data", "papers/no-link"), ("cite", "../../papers/cv.pdf#q"), ("href", "#top")]
    assert "https://x.example/a.png 2x" in abstract
    assert '<video poster=images/ada.png src=\'papers/engine.pdf\'>' in page(root / "_site", "index.html")


def test_every_publication_has_a_page_and_the_homepage_title_links_to_it(built):
    assert {p.name for p in (built / "publications").iterdir()} == EXPECTED_SLUGS
    home = parse_html(page(built, "index.html"))
    titles = [(a.text(), a.attrs["href"]) for a in home.find_all("a", "title")]
    assert sorted(titles) == [
        ("“../../etc”", "publications/2018-etc/"),
        ("“A Loom Controller”", "publications/loom/"),
        ("“Notes on the Analytical Engine”", "publications/2021-notes-on-the-analytical-engine/"),
        ("“On Looms”", "publications/2020-on-looms-2/"),
        ("“On Looms”", "publications/2020-on-looms/"),
        ("“Éléments pour l’analyse”", "publications/elements-pour-l-analyse/"),
    ]
    for title, href in titles:
        assert f"“{parse_html(page(built, href + 'index.html')).find('h1').text()}”" == title


def test_owner_highlighted_in_every_spelling_and_co_authors_linked_on_the_page(built):
    html = page(built, "publications/loom/index.html")
    assert ('<p class="authors"><strong>Ada Lovelace</strong>, '
            '<a href="https://babbage.example/">Charles Babbage</a></p>') in html
    assert parse_html(html).find("p", "venue-line").text() == "2019. US Patent 10,123,456"


CITED = """\
- {title: Whole, authors: [Ada Lovelace], type: journal, venue: NM, venue_full: Nature Methods,
   volume: 19, number: 4, pages: 400--410, publisher: Springer Nature, year: 2022}
- {title: Short Venue, authors: [Ada Lovelace], type: journal, venue: NM, volume: 19, pages: 400-410,
   year: 2021}
- {title: Pages Only, authors: [Ada Lovelace], type: journal, venue: NM, pages: e1234, year: 2020,
   note: Oral}
- {title: Issue Only, authors: [Ada Lovelace], type: journal, number: 4, year: 2019}
- {title: Publisher Only, authors: [Ada Lovelace], type: journal, publisher: Springer}
- {title: Nothing More, authors: [Ada Lovelace], type: journal, venue: NM, year: 2018}
"""


def test_a_publication_page_cites_volume_issue_pages_and_publisher_after_the_venue(make_project):
    root = make_project({"content/publications/cited.yml": CITED})
    build_ok(root)
    lines = {}
    for slug in ("2022-whole", "2021-short-venue", "2020-pages-only", "2019-issue-only",
                 "publisher-only", "2018-nothing-more"):
        html = page(root / "_site", f"publications/{slug}/index.html")
        lines[slug] = parse_html(html).find("p", "venue-line").text()
    assert lines == {
        "2022-whole": "Nature Methods (NM) 19(4): 400–410, Springer Nature, 2022",
        "2021-short-venue": "NM 19: 400–410, 2021",
        "2020-pages-only": "NM, e1234, 2020. Oral",
        "2019-issue-only": "(4), 2019",
        "publisher-only": "Springer",
        "2018-nothing-more": "NM 2018",  # as before: the home page's "venue year"
    }
    assert ('<p class="venue-line"><span class="venue"><em>Nature Methods (NM)</em> 19(4): '
            '400–410, Springer Nature, 2022</span></p>') in \
        page(root / "_site", "publications/2022-whole/index.html")
    # The home page keeps its compact "venue year": the page of each gives the rest.
    home = parse_html(page(root / "_site", "index.html"))
    assert [span.text() for span in home.find_all("span", "venue")] == [
        "Nature Methods (NM), 2022", "NM 2021", "NM 2020", "2019", "NM 2018"]


# ---------------------------------------------------------------------------------------------
# Slugs.


def test_slugs_are_ascii_and_stable_when_publications_are_added(make_project):
    root = make_project(project_files())
    build_ok(root)
    before = {p.name for p in (root / "_site" / "publications").iterdir()}
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) for slug in before)
    (root / "content" / "publications" / "newer.yml").write_text(
        "title: On Looms\nauthors: [Ada Lovelace]\ntype: journal\nyear: 2024\n", encoding="utf-8")
    build_ok(root)
    after = {p.name for p in (root / "_site" / "publications").iterdir()}
    assert after == before | {"2024-on-looms"}


def test_long_titles_are_cut_at_a_word(make_project):
    title = "A very long title " + "about analytical engines " * 5
    root = make_project({"content/publications/long.yml":
                         f"title: {title}\nauthors: [Ada Lovelace]\ntype: journal\nyear: 2020\n"})
    build_ok(root)
    (slug,) = [p.name for p in (root / "_site" / "publications").iterdir()]
    assert slug == "2020-a-very-long-title-about-analytical-engines-about"


WORLD_TITLES = {
    "深度学习的研究": "2020-深度学习的研究",
    "Ωμέγας ΟΔΟΣ": "2020-ωμέγας-οδος",
    "Søren, Łukasiewicz, Đorđe, Þór, Æsir, Œuvre, Straße": "2020-soren-lukasiewicz-dorde-thor-aesir-oeuvre-strasse",
    "Architecture—Revisited: l’analyse d'O’Brien": "2020-architecture-revisited-l-analyse-d-o-brien",
    "???": "2020",
    "—": "2020-2",
    "自然言語処理と" * 10: "2020-" + ("自然言語処理と" * 8)[:55],  # no word boundary: cut at 60
}


def test_titles_in_any_script_give_slugs_of_their_letters_that_check_and_sitemap_take(make_project):
    files = {f"content/publications/{n}.yml": f"title: {json.dumps(title)}\nauthors: [Ada Lovelace]\n"
             f"type: journal\nyear: 2020\n" for n, title in enumerate(WORLD_TITLES)}
    root = make_project({**project_files(), **files})
    build_ok(root)
    slugs = {p.name for p in (root / "_site" / "publications").iterdir()}
    assert slugs == EXPECTED_SLUGS | set(WORLD_TITLES.values())
    sitemap = (root / "_site" / "sitemap.xml").read_text(encoding="utf-8")
    assert ("<loc>https://user.github.io/repo/publications/2020-%CF%89%CE%BC%CE%AD%CE%B3%CE%B1%CF%82-"
            "%CE%BF%CE%B4%CE%BF%CF%82/</loc>") in sitemap
    assert sitemap.isascii()
    home = parse_html(page(root / "_site", "index.html"))
    assert ("“Ωμέγας ΟΔΟΣ”", "publications/2020-ωμέγας-οδος/") in [
        (a.text(), a.attrs["href"]) for a in home.find_all("a", "title")]
    result = run_cli(root, "check", "--no-html")
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("slug", ["../x", "/etc/passwd", "a/b", "x/../../y", "..", "Big", "a b", "-x"])
def test_a_slug_that_is_not_a_plain_name_is_refused(make_project, slug):
    root = make_project({"content/publications/evil.yml":
                         f"title: Evil\nauthors: [Ada Lovelace]\ntype: journal\nslug: '{slug}'\n"})
    result = run_cli(root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/index.md: warning: not found: the page has no bio",
        f"content/publications/evil.yml:4:7: 'slug' must be lower-case letters, digits and '-', "
        f"got '{slug}'",
        "build failed: 1 error; the output folder was not changed",
    ]
    assert not (root / "_site").exists()


def test_a_title_made_of_dots_and_slashes_stays_inside_the_output(make_project, tmp_path):
    root = make_project({"content/publications/evil.yml":
                         "- title: ../../../../etc/passwd\n  authors: [Ada Lovelace]\n  type: journal\n"
                         "- title: /\n  authors: [Ada Lovelace]\n  type: journal\n"
                         "- title: '..'\n  authors: [Ada Lovelace]\n  type: journal\n"})
    before = set(tmp_path.rglob("*"))
    build_ok(root)
    written = {"/".join(p.relative_to(tmp_path).parts[:2]) for p in set(tmp_path.rglob("*")) - before}
    assert written <= {"project/_site", "project/.cache"}  # the site, and the build's own cache
    pages = sorted(p.relative_to(root / "_site").as_posix()
                   for p in (root / "_site").rglob("*.html"))
    assert pages == ["404.html", "index.html", "publications/etc-passwd/index.html",
                     "publications/publication-2/index.html", "publications/publication/index.html"]


def test_two_entries_giving_the_same_slug_are_refused(make_project):
    root = make_project({
        "content/publications/a.yml": "title: A\nauthors: [Ada Lovelace]\ntype: journal\nslug: same\n",
        "content/publications/b.yml": "title: B\nauthors: [Ada Lovelace]\ntype: journal\nslug: same\n"
                                      "bibtex_key: k1\n",
        "content/publications/c.yml": "- title: C\n  authors: [Ada Lovelace]\n  type: journal\n"
                                      "  bibtex_key: k1\n",
    })
    result = run_cli(root)
    assert result.returncode == 1
    # At the second's `slug` or `bibtex_key`, naming the first's (the reviewer's report: at 1:1).
    assert result.stderr.splitlines()[1:3] == [
        "content/publications/c.yml:4:15: BibTeX key 'k1' is also used by content/publications/b.yml:5",
        "content/publications/b.yml:4:7: slug 'same' is also used by content/publications/a.yml:4"]


def test_a_made_slug_never_takes_a_given_one(make_project):
    root = make_project({
        "content/publications/a.yml": "title: On Looms\nauthors: [Ada Lovelace]\ntype: journal\n"
                                      "year: 2020\n",
        "content/publications/b.yml": "title: Other\nauthors: [Ada Lovelace]\ntype: journal\n"
                                      "slug: 2020-on-looms\n",
    })
    build_ok(root)
    home = page(root / "_site", "index.html")
    assert '<a class="title" href="publications/2020-on-looms/">“Other”</a>' in home
    assert '<a class="title" href="publications/2020-on-looms-2/">“On Looms”</a>' in home


# ---------------------------------------------------------------------------------------------
# Every internal link works, under a sub-path and at a domain root.


def internal_targets(out: Path, site_url: str):
    """(page, url, output file or None, fragment) of every same-site href/src of every page.

    Resolved the way a browser does, independently of scholarpage.check: each page at its
    published URL, 404.html at a deep address since the host serves it for any missing page.
    """
    base = urlsplit(site_url)
    for html_file in sorted(out.rglob("*.html")):
        name = html_file.relative_to(out).as_posix()
        address = urljoin(site_url, "no/such/page" if name == "404.html" else name)
        for element in parse_html(html_file.read_text(encoding="utf-8")).iter():
            for attribute in ("href", "src"):
                url = element.attrs.get(attribute)
                if url is None:
                    continue
                target = urlsplit(urljoin(address, url))
                if target.netloc != base.netloc or target.scheme not in ("http", "https"):
                    continue
                if url.startswith("#"):  # the page itself, wherever it is served
                    yield name, url, html_file, unquote(target.fragment)
                    continue
                if not target.path.startswith(base.path):
                    yield name, url, None, ""
                    continue
                rest = unquote(target.path[len(base.path):])
                path = out / (rest + "index.html" if rest == "" or rest.endswith("/") else rest)
                yield name, url, path if path.is_file() else None, unquote(target.fragment)


def ids(path: Path) -> set[str]:
    return {e.attrs["id"] for e in parse_html(path.read_text(encoding="utf-8")).iter() if "id" in e.attrs}


@pytest.mark.parametrize("url", ["https://user.github.io/repo/", "https://ada.example/",
                                 "https://user.github.io/"])
def test_every_internal_href_and_src_resolves_to_a_file(make_project, url):
    root = make_project(project_files(url))
    build_ok(root)
    out = root / "_site"
    targets = list(internal_targets(out, url))
    per_page = {name: sum(1 for target in targets if target[0] == name) for name, *_ in targets}
    assert len(per_page) == 8 and min(per_page.values()) >= 8  # every page, navbar to footer
    broken = [(name, link) for name, link, path, _ in targets if path is None]
    assert broken == []
    missing = [(name, link) for name, link, path, fragment in targets
               if fragment and path.suffix == ".html" and fragment not in ids(path)]
    assert missing == []
    problems, _ = check_links(out, urlsplit(url).path)
    assert [str(p) for p in problems.items] == []


def test_the_404_page_links_by_absolute_paths_under_the_sub_path(built):
    links = {e.attrs.get("href") or e.attrs.get("src")
             for e in parse_html(page(built, "404.html")).iter()
             if e.tag in ("a", "link", "script", "img") and (e.attrs.get("href") or e.attrs.get("src"))}
    internal = {link for link in links if "://" not in link}
    assert internal >= {"/repo/", "/repo/css/style.css", "/repo/favicon.svg", "/repo/feed.xml",
                        "/repo/js/site.js", "/repo/publications.bib", "/repo/papers/cv.pdf"}
    assert all(link.startswith("/repo/") or link.startswith("#") for link in internal)


@pytest.mark.parametrize("url, prefix", [("https://user.github.io/repo/", "https://user.github.io/repo/"),
                                         ("https://ada.example", "https://ada.example/")])
def test_canonical_and_og_url_are_absolute_under_the_site_url(make_project, url, prefix):
    root = make_project(project_files(url))
    build_ok(root)
    out = root / "_site"
    expected = {"index.html": prefix, "404.html": prefix + "404.html"}
    expected.update({f"publications/{slug}/index.html": f"{prefix}publications/{slug}/"
                     for slug in EXPECTED_SLUGS})
    found = {}
    for name in expected:
        head = parse_html(page(out, name)).find("head")
        canonical = [e.attrs["href"] for e in head.find_all("link") if e.attrs.get("rel") == "canonical"]
        og_url = [e.attrs["content"] for e in head.find_all("meta") if e.attrs.get("property") == "og:url"]
        assert canonical == og_url
        found[name] = canonical[0]
    assert found == expected


# ---------------------------------------------------------------------------------------------
# CNAME for a custom domain.


@pytest.mark.parametrize("url, cname", [
    ("https://ada.example/", "ada.example\n"),
    ("https://www.ada.example", "www.ada.example\n"),
    ("https://user.github.io/", None),
    ("https://user.github.io/repo/", None),
    ("https://ada.example/repo/", None),  # a project site under the user site's own domain
    ("", None),
    ("https://Ada.GitHub.io/", None),  # host names are compared in any case
    ("https://WWW.Ada.Example/", "www.ada.example\n"),
    ("https://ada.example./", "ada.example\n"),  # the DNS root's dot is not written
    ("http://localhost:8000/", None),  # no custom domain has a port, or is local or an IP address
    ("https://ada.example:8443/", None),
    ("http://127.0.0.1/", None),
    ("http://[::1]/", None),
    ("http://localhost/", None),
])
def test_a_custom_domain_writes_cname(make_project, url, cname):
    root = make_project(project_files(f'"{url}"'))
    build_ok(root)
    path = root / "_site" / "CNAME"
    assert (path.read_text(encoding="utf-8") if path.exists() else None) == cname


@pytest.mark.parametrize("url, warnings", [
    ("https://ada.example:8443/", ["site.yml:3:6: warning: url 'https://ada.example:8443/' has a port "
                                   "(:8443): GitHub Pages serves sites on none, and no CNAME file is "
                                   "written for it"]),
    ("http://localhost:8000/", []),  # previewing on this computer
    ("http://[::1]:8000/", []),
    ("https://ada.example/", []),
])
def test_a_port_on_a_domain_is_a_warning_at_the_url(make_project, url, warnings):
    root = make_project(project_files(url))
    result = build_ok(root)
    assert [line for line in result.stderr.splitlines() if "site.yml" in line] == warnings


def test_without_a_url_the_site_still_links_relatively_and_has_no_sitemap_or_feed(make_project):
    root = make_project(project_files('""'))
    build_ok(root)
    out = root / "_site"
    assert not (out / "sitemap.xml").exists() and not (out / "feed.xml").exists()
    assert page(out, "robots.txt") == "User-agent: *\nAllow: /\n"
    problems, _ = check_links(out)
    assert [str(p) for p in problems.items] == []
    assert 'rel="canonical"' not in page(out, "index.html")


def test_without_publication_pages_titles_feed_and_sitemap_point_at_the_home_page(make_project):
    files = project_files()
    files["site.yml"] += "publication_pages: false\n"
    root = make_project(files)
    build_ok(root)
    out = root / "_site"
    assert not (out / "publications").exists()
    home = parse_html(page(out, "index.html"))
    assert home.find_all("a", "title") == []
    titles = [e.text() for e in home.find_all("span", "title")]
    assert "“Notes on the Analytical Engine”" in titles and len(titles) == 6
    assert re.findall(r"<loc>(.*)</loc>", page(out, "sitemap.xml")) == ["https://user.github.io/repo/"]
    links = re.findall(r'<link rel="alternate" type="text/html" href="([^"]*)"/>', page(out, "feed.xml"))
    assert "https://user.github.io/repo/#lovelace2021notes" in links and len(links) == 7
    for link in links[1:]:  # the feed's own, then one per publication: an entry on the home page
        assert link.split("#")[1] in ids(out / "index.html")
    problems, _ = check_links(out, "/repo/")
    assert [str(p) for p in problems.items] == []


def test_a_publication_no_section_shows_is_not_published_and_check_passes(make_project):
    files = project_files()
    files["content/publications/report.yml"] = ("title: A Report on Looms\nauthors: [Ada Lovelace]\n"
                                                "type: report\nyear: 2022\nbibtex_key: sunrep\n")
    root = make_project(files)
    result = build_ok(root)
    assert result.stderr == ("content/publications/report.yml:3:7: warning: type 'report' is not "
                             "shown by any section in site.yml: add a section with types: [report]\n")
    out = root / "_site"
    assert {p.name for p in (out / "publications").iterdir()} == EXPECTED_SLUGS
    for name in ("index.html", "sitemap.xml", "feed.xml"):
        assert "sunrep" not in page(out, name) and "2022-a-report" not in page(out, name)
        assert "Report on Looms" not in page(out, name)
    assert "@techreport{sunrep,\n" in page(out, "publications.bib")
    result = run_cli(root, "check", "--no-html")
    assert (result.returncode, result.stdout.splitlines()[-1]) == (
        0, "check passed: every internal link, source and anchor resolves")


def test_an_unselected_entry_of_a_type_only_selected_sections_list_is_not_published(make_project):
    files = project_files()
    files["site.yml"] += "sections:\n" + "".join(
        f"  - {{heading: {kind}, types: [{kind}]}}\n" for kind in ("conference", "journal", "patent",
                                                                   "preprint")
    ) + "  - {heading: Selected talks, types: [talk], selected: true}\n"
    files["content/publications/talks.yml"] = (
        "- {title: A Chosen Talk, authors: [Ada Lovelace], type: talk, year: 2023, selected: true}\n"
        "- {title: Another Talk, authors: [Ada Lovelace], type: talk, year: 2023,\n"
        "   bibtex_key: lovelace2023talk}\n")
    root = make_project(files)
    assert build_ok(root).stderr == (
        "content/publications/talks.yml:2:56: warning: type 'talk' is listed only by selected "
        "sections in site.yml, and this entry is not selected: it is not shown (add selected: "
        "true, or a section with types: [talk])\n")
    out = root / "_site"
    assert {p.name for p in (out / "publications").iterdir()} == EXPECTED_SLUGS | {"2023-a-chosen-talk"}
    for name in ("index.html", "sitemap.xml", "feed.xml"):
        assert "Another Talk" not in page(out, name) and "2023-another-talk" not in page(out, name)
    assert "A Chosen Talk" in page(out, "index.html")
    assert "@misc{lovelace2023talk,\n" in page(out, "publications.bib")
    result = run_cli(root, "check", "--no-html")
    assert (result.returncode, result.stdout.splitlines()[-1]) == (
        0, "check passed: every internal link, source and anchor resolves")
