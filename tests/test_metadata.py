"""What search engines, Google Scholar and feed readers read: meta tags, JSON-LD, sitemap, feed."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import build_ok, parse_html, tree
from scholarpage import metadata, model

URL = "https://user.github.io/repo/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

FILES = {
    "site.yml": f"""\
        title: Ada's page
        description: Mathematician & poet.
        url: {URL}
        owner:
          name: Ada Lovelace
          affiliation: Analytical Society
          photo: images/ada.png
          links:
            - label: Scholar
              url: https://scholar.example/ada
            - label: ORCID
              url: https://orcid.example/0000-0001
            - label: CV
              url: papers/cv.pdf
        sections:
          - heading: Papers
            types: [conference, journal, preprint]
          - heading: Patents
            types: [patent]
        """,
    "content/publications/engine.yml": """\
        title: Notes on the Analytical Engine
        authors: [Ada Lovelace, Charles Babbage, Luigi Menabrea]
        type: conference
        venue: SE
        venue_full: Symposium on Engines
        date: 2021-06-17
        links:
          pdf: papers/engine.pdf
          arxiv: 2101.00001v2
          doi: 10.1000/engine.1
        abstract: |
          The engine *weaves* patterns & 1 < 2.
        """,
    "content/publications/journal.yml": """\
        title: Sketch of the Engine
        authors: [Luigi Menabrea, Ada Lovelace]
        type: journal
        venue: SM
        venue_full: Scientific Memoirs
        volume: 3
        number: 29
        pages: 666--731
        publisher: Richard and John E. Taylor
        year: 2022
        month: 3
        links:
          paper: https://arxiv.org/pdf/math.GT/0309136v1
        """,
    "content/publications/patent.yml": """\
        title: A Loom Controller
        authors: [Ada Lovelace]
        type: patent
        year: 2019
        note: US Patent 10,123,456 B2
        """,
    "content/publications/undated.yml": """\
        title: Poetical Science
        authors: [Ada Lovelace]
        type: preprint
        links:
          pdf: https://example.org/poetical.pdf
        """,
    "static/images/ada.png": b"\x89PNG\r\n",
    "static/papers/engine.pdf": b"%PDF-1.4\n",
    "static/papers/cv.pdf": b"%PDF-1.4\n",
}

# Newest first, undated last: the order of the feed, the sitemap and the homepage.
SLUGS = ["2022-sketch-of-the-engine", "2021-notes-on-the-analytical-engine", "2019-a-loom-controller",
         "poetical-science"]
PAGES = [f"{URL}publications/{slug}/" for slug in SLUGS]


@pytest.fixture
def built(make_project, monkeypatch) -> Path:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = make_project(FILES)
    build_ok(root)
    return root / "_site"


def read(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def meta_tags(html: str) -> list[tuple[str, str]]:
    """(name or property, content) of every <meta> in the page's head, in order."""
    head = parse_html(html).find("head")
    return [(e.attrs.get("name") or e.attrs.get("property"), e.attrs["content"])
            for e in head.find_all("meta") if "content" in e.attrs]


def json_ld(html: str) -> list[dict]:
    return [json.loads(e.raw_text()) for e in parse_html(html).find_all("script")
            if e.attrs.get("type") == "application/ld+json"]


def page_file(out: Path, url: str) -> Path:
    """The output file a URL of the site is served from."""
    assert url.startswith(URL), url
    rest = url[len(URL):]
    return out / (rest + "index.html" if rest == "" or rest.endswith("/") else rest)


# ---------------------------------------------------------------------------------------------
# Google Scholar's citation_* tags.

CITATIONS = {
    "2021-notes-on-the-analytical-engine": [
        ("citation_title", "Notes on the Analytical Engine"),
        ("citation_author", "Ada Lovelace"),
        ("citation_author", "Charles Babbage"),
        ("citation_author", "Luigi Menabrea"),
        ("citation_publication_date", "2021/06/17"),
        ("citation_conference_title", "Symposium on Engines"),
        ("citation_pdf_url", f"{URL}papers/engine.pdf"),
        ("citation_doi", "10.1000/engine.1"),
        ("citation_arxiv_id", "2101.00001"),
    ],
    "2022-sketch-of-the-engine": [
        ("citation_title", "Sketch of the Engine"),
        ("citation_author", "Luigi Menabrea"),
        ("citation_author", "Ada Lovelace"),
        ("citation_publication_date", "2022"),  # Scholar takes a full date or a year alone
        ("citation_journal_title", "Scientific Memoirs"),
        ("citation_volume", "3"),
        ("citation_issue", "29"),
        ("citation_firstpage", "666"),
        ("citation_lastpage", "731"),
        ("citation_publisher", "Richard and John E. Taylor"),
        ("citation_pdf_url", "https://arxiv.org/pdf/math.GT/0309136v1"),
        ("citation_arxiv_id", "math.GT/0309136"),
    ],
    "2019-a-loom-controller": [
        ("citation_title", "A Loom Controller"),
        ("citation_author", "Ada Lovelace"),
        ("citation_publication_date", "2019"),
        ("citation_patent_number", "10,123,456"),
    ],
    "poetical-science": [
        ("citation_title", "Poetical Science"),
        ("citation_author", "Ada Lovelace"),
        ("citation_pdf_url", "https://example.org/poetical.pdf"),
    ],
}


@pytest.mark.parametrize("slug", CITATIONS)
def test_citation_tags_match_the_publication(built, slug):
    tags = [tag for tag in meta_tags(read(built, f"publications/{slug}/index.html"))
            if tag[0].startswith("citation_")]
    assert tags == CITATIONS[slug]


def test_the_homepage_has_no_citation_tags(built):
    assert not [tag for tag in meta_tags(read(built, "index.html")) if tag[0].startswith("citation_")]


@pytest.mark.parametrize("url, arxiv, doi", [
    ("https://arxiv.org/abs/2303.18232", "2303.18232", ""),
    ("https://arxiv.org/abs/2303.18232v3", "2303.18232", ""),
    ("https://arxiv.org/pdf/2303.18232.pdf", "2303.18232", ""),
    ("https://arxiv.org/pdf/2303.18232v2.pdf", "2303.18232", ""),
    ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001", ""),
    ("https://github.com/u/arxiv.org", "", ""),
    ("https://doi.org/10.1109/CVPR.2024.01234", "", "10.1109/CVPR.2024.01234"),
    ("https://dx.doi.org/10.1000/x", "", "10.1000/x"),
    ("https://example.org/doi.org/10.1000/x", "", ""),
])
def test_arxiv_ids_and_dois_are_read_from_links(url, arxiv, doi):
    pub = model.Publication(title="T", authors=("A",), type="preprint", links=(model.Link("paper", url),))
    assert (metadata.arxiv_id(pub), metadata.doi(pub)) == (arxiv, doi)


DOI = "10.1109/ABC.2020.1"


@pytest.mark.parametrize("written, doi", [
    (DOI, DOI),
    ("https://doi.org/10.1109/ABC.2020.1", DOI),
    ("http://doi.org/10.1109/ABC.2020.1", DOI),
    ("http://dx.doi.org/10.1109/ABC.2020.1", DOI),
    ("https://dx.doi.org/10.1109/ABC.2020.1", DOI),
    ("https://www.doi.org/10.1109/ABC.2020.1", DOI),
    ("doi.org/10.1109/ABC.2020.1", DOI),
    ("DOI:10.1109/ABC.2020.1", DOI),
    ("doi: 10.1109/ABC.2020.1", DOI),
    ("https://doi.org/10.1109/abc.2020.1", "10.1109/abc.2020.1"),  # the case as written
    ("https://doi.org/10.1002/%28SICI%29x%23y", "10.1002/(SICI)x#y"),  # decoded
    ("https://doi.org/10.1109/ABC.2020.1?via=x#top", DOI),
    ("https://example.org/doi.org/10.1109/ABC.2020.1", ""),
    ("https://ieeexplore.ieee.org/document/1", ""),
    ("10.12/too-short-a-prefix", ""),
])
def test_a_doi_is_read_from_any_form_it_is_written_in(written, doi):
    assert metadata.doi_of(written) == doi


@pytest.mark.parametrize("written, arxiv, versioned", [
    ("2303.18232", "2303.18232", "2303.18232"),
    ("2303.18232v2", "2303.18232", "2303.18232v2"),
    ("arXiv:2303.18232v3", "2303.18232", "2303.18232v3"),
    ("https://arxiv.org/abs/2303.18232", "2303.18232", "2303.18232"),
    ("http://arxiv.org/abs/2303.18232", "2303.18232", "2303.18232"),
    ("https://www.arxiv.org/abs/2303.18232/", "2303.18232", "2303.18232"),
    ("https://arxiv.org/abs/2303.18232?context=cs", "2303.18232", "2303.18232"),
    ("https://arxiv.org/pdf/2303.18232v2.pdf", "2303.18232", "2303.18232v2"),
    ("https://arxiv.org/pdf/2303.18232", "2303.18232", "2303.18232"),
    ("arxiv.org/abs/hep-th/9901001", "hep-th/9901001", "hep-th/9901001"),
    ("https://arxiv.org/abs/math.GT/0309136v1", "math.GT/0309136", "math.GT/0309136v1"),
    ("https://example.org/abs/2303.18232", "", ""),
    ("https://arxiv.org/list/cs.CV/recent", "", ""),
])
def test_an_arxiv_id_is_read_from_any_form_it_is_written_in(written, arxiv, versioned):
    assert (metadata.arxiv_id_of(written), metadata.arxiv_id_of(written, version=True)) == (arxiv, versioned)


@pytest.mark.parametrize("doi", ["10.1000/x", "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
                                 "10.1000/a#b?c%d"])
def test_a_bare_doi_made_a_link_reads_back_as_itself(doi):
    from scholarpage.schema import expanded

    assert metadata.doi_of(expanded("doi", doi)) == doi


# ---------------------------------------------------------------------------------------------
# JSON-LD.


def test_the_homepage_describes_the_owner_as_a_person(built):
    assert json_ld(read(built, "index.html")) == [{
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Ada Lovelace",
        "url": URL,
        "affiliation": {"@type": "Organization", "name": "Analytical Society"},
        "image": f"{URL}images/ada.png",
        "sameAs": ["https://scholar.example/ada", "https://orcid.example/0000-0001"],
    }]
    assert (built / "images" / "ada.png").is_file()


def test_a_publication_page_describes_a_scholarly_article(built):
    page = f"{URL}publications/2021-notes-on-the-analytical-engine/"
    assert json_ld(read(built, "publications/2021-notes-on-the-analytical-engine/index.html")) == [{
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": "Notes on the Analytical Engine",
        "name": "Notes on the Analytical Engine",
        "author": [{"@type": "Person", "name": "Ada Lovelace"},
                   {"@type": "Person", "name": "Charles Babbage"},
                   {"@type": "Person", "name": "Luigi Menabrea"}],
        "url": page,
        "datePublished": "2021-06-17",
        "isPartOf": {"@type": "CreativeWork", "name": "Symposium on Engines"},
        "abstract": "The engine weaves patterns & 1 < 2.",
        "sameAs": "https://doi.org/10.1000/engine.1",
    }]


def test_a_journal_article_is_part_of_its_issue_in_its_volume_with_its_pages(built):
    page = f"{URL}publications/2022-sketch-of-the-engine/"
    assert json_ld(read(built, "publications/2022-sketch-of-the-engine/index.html")) == [{
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": "Sketch of the Engine",
        "name": "Sketch of the Engine",
        "author": [{"@type": "Person", "name": "Luigi Menabrea"},
                   {"@type": "Person", "name": "Ada Lovelace"}],
        "url": page,
        "datePublished": "2022-03",
        "isPartOf": {"@type": "PublicationIssue", "issueNumber": "29", "isPartOf": {
            "@type": "PublicationVolume", "volumeNumber": "3", "isPartOf": {
                "@type": "Periodical", "name": "Scientific Memoirs"}}},
        "pagination": "666–731",
        "pageStart": "666",
        "pageEnd": "731",
        "publisher": {"@type": "Organization", "name": "Richard and John E. Taylor"},
    }]


@pytest.mark.parametrize("pages, first, last", [
    ("400--410", "400", "410"), ("400-410", "400", "410"), ("400–410", "400", "410"),
    ("400 -- 410", "400", "410"), ("e1234", "e1234", ""), ("12", "12", ""),
    ("1--5, 7--9", "1", "9"), ("", "", ""),
])
def test_pages_give_the_first_and_last_page_however_the_range_is_written(pages, first, last):
    pub = model.Publication(title="T", authors=("A",), type="journal", pages=pages)
    assert metadata.page_span(pub) == (first, last)


def test_a_books_publisher_is_its_venue_unless_it_names_one():
    book = model.Publication(title="T", authors=("A",), type="book", venue_full="Taylor")
    assert metadata.publisher(book) == "Taylor"
    assert metadata.publisher(model.Publication(title="T", authors=("A",), type="journal",
                                                venue_full="Scientific Memoirs")) == ""
    assert [tag for tag in metadata.citation_tags(book, model.Site(title="S", owner=model.Owner("A")))
            if tag[0] == "citation_publisher"] == [("citation_publisher", "Taylor")]


def test_json_ld_cannot_be_closed_by_the_data(make_project):
    root = make_project({"content/publications/x.yml":
                         "title: '</script><script>alert(1)</script>'\nauthors: [Ada Lovelace]\n"
                         "type: journal\nyear: 2020\n"})
    build_ok(root)
    (folder,) = (root / "_site" / "publications").iterdir()
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert html.count("<script") == 2  # the site's script and the JSON-LD, nothing injected
    (data,) = json_ld(html)
    assert data["name"] == "</script><script>alert(1)</script>"


# ---------------------------------------------------------------------------------------------
# Open Graph, Twitter, favicon.


def test_a_publication_page_has_open_graph_twitter_and_a_favicon(built):
    html = read(built, "publications/2021-notes-on-the-analytical-engine/index.html")
    tags = dict(tag for tag in meta_tags(html) if tag[0].startswith(("og:", "twitter:")))
    assert tags == {
        "og:title": "Notes on the Analytical Engine | Ada Lovelace",
        "og:type": "article",
        "og:description": "The engine weaves patterns & 1 < 2.",
        "og:url": f"{URL}publications/2021-notes-on-the-analytical-engine/",
        "og:image": f"{URL}images/ada.png",
        "twitter:card": "summary",
    }
    icons = [e.attrs["href"] for e in parse_html(html).find_all("link") if e.attrs.get("rel") == "icon"]
    assert icons == ["../../favicon.svg"]
    assert (built / "favicon.svg").read_text(encoding="utf-8").startswith("<svg")


def test_the_homepage_has_open_graph_twitter_and_a_favicon(built):
    html = read(built, "index.html")
    tags = dict(tag for tag in meta_tags(html) if tag[0].startswith(("og:", "twitter:")))
    assert tags == {
        "og:title": "Ada's page",
        "og:type": "profile",
        "og:description": "Mathematician & poet.",
        "og:url": URL,
        "og:image": f"{URL}images/ada.png",
        "twitter:card": "summary",
    }
    assert [e.attrs["href"] for e in parse_html(html).find_all("link")
            if e.attrs.get("rel") == "icon"] == ["favicon.svg"]


# ---------------------------------------------------------------------------------------------
# sitemap.xml and robots.txt.


def test_the_sitemap_lists_the_home_and_every_publication_page(built):
    root = ET.fromstring((built / "sitemap.xml").read_bytes())
    assert root.tag == f"{SITEMAP}urlset"
    locations = [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]
    assert locations == [URL, *PAGES]
    assert all(page_file(built, url).is_file() for url in locations)


def test_robots_txt_points_to_the_sitemap(built):
    assert read(built, "robots.txt") == f"User-agent: *\nAllow: /\nSitemap: {URL}sitemap.xml\n"


# ---------------------------------------------------------------------------------------------
# The Atom feed.

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def atom_problems(feed: ET.Element) -> list[str]:
    """What RFC 4287 requires of a feed and its entries, each failure in words."""
    problems = []

    def count(parent, name):
        return len(parent.findall(f"{ATOM}{name}"))

    def check_common(element, where):
        for name in ("id", "title", "updated"):
            if count(element, name) != 1:
                problems.append(
                    f"{where} has {count(element, name)} atom:{name} (4.1.1/4.1.2: exactly one)")
        if not urlsplit(element.findtext(f"{ATOM}id") or "").scheme:
            problems.append(f"{where}: atom:id is not an absolute IRI (4.2.6)")
        if not RFC3339.match(element.findtext(f"{ATOM}updated") or ""):
            problems.append(f"{where}: atom:updated is not an RFC 3339 date (3.3)")
        for author in element.findall(f"{ATOM}author"):
            if count(author, "name") != 1:
                problems.append(f"{where}: an atom:author without exactly one atom:name (3.2.1)")
        for link in element.findall(f"{ATOM}link"):
            if not link.get("href"):
                problems.append(f"{where}: an atom:link without href (4.2.7.1)")
        for text in ("title", "summary"):
            for node in element.findall(f"{ATOM}{text}"):
                if node.get("type", "text") not in ("text", "html", "xhtml"):
                    problems.append(f"{where}: atom:{text} has an unknown type (3.1.1)")

    if feed.tag != f"{ATOM}feed":
        return [f"the root is {feed.tag}, not atom:feed"]
    check_common(feed, "feed")
    entries = feed.findall(f"{ATOM}entry")
    if not count(feed, "author") and not all(count(e, "author") for e in entries):
        problems.append("feed has no atom:author and an entry has none (4.1.1)")
    if not [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]:
        problems.append("feed has no rel='self' link (4.1.1 SHOULD)")
    for index, entry in enumerate(entries, 1):
        check_common(entry, f"entry {index}")
        alternates = [link for link in entry.findall(f"{ATOM}link")
                      if link.get("rel", "alternate") == "alternate"]
        if not count(entry, "content") and not alternates:
            problems.append(f"entry {index} has no content and no rel='alternate' link (4.1.2)")
        if count(entry, "summary") > 1:
            problems.append(f"entry {index} has more than one atom:summary (4.1.2)")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    if len(ids) != len(set(ids)):
        problems.append("two entries share an atom:id (4.2.6)")
    return problems


def test_the_feed_is_valid_atom_with_every_publication_newest_first(built):
    feed = ET.fromstring((built / "feed.xml").read_bytes())
    assert atom_problems(feed) == []
    assert feed.findtext(f"{ATOM}title") == "Ada Lovelace: publications"
    assert feed.findtext(f"{ATOM}id") == URL
    assert feed.findtext(f"{ATOM}updated") == "2022-03-01T00:00:00Z"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Ada Lovelace"
    assert {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")} == {
        "self": f"{URL}feed.xml", "alternate": URL}
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == PAGES
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == PAGES
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Sketch of the Engine", "Notes on the Analytical Engine", "A Loom Controller", "Poetical Science"]
    assert [e.findtext(f"{ATOM}updated") for e in entries] == [
        "2022-03-01T00:00:00Z", "2021-06-17T00:00:00Z", "2019-01-01T00:00:00Z", "2022-03-01T00:00:00Z"]
    assert [[a.findtext(f"{ATOM}name") for a in e.findall(f"{ATOM}author")] for e in entries][1] == [
        "Ada Lovelace", "Charles Babbage", "Luigi Menabrea"]
    summary = entries[1].find(f"{ATOM}summary")
    assert (summary.get("type"), summary.text) == (
        "html", "<p>The engine <em>weaves</em> patterns &amp; 1 &lt; 2.</p>")


def test_the_feed_is_atom_by_the_rules_test(built):
    """The RFC 4287 check itself catches a feed that breaks the rules."""
    feed = ET.fromstring((built / "feed.xml").read_bytes())
    entry = feed.find(f"{ATOM}entry")
    entry.remove(entry.find(f"{ATOM}id"))
    entry.find(f"{ATOM}updated").text = "2022-03-01"
    assert atom_problems(feed) == ["entry 1 has 0 atom:id (4.1.1/4.1.2: exactly one)",
                                   "entry 1: atom:id is not an absolute IRI (4.2.6)",
                                   "entry 1: atom:updated is not an RFC 3339 date (3.3)"]


def test_every_page_links_the_feed(built):
    for html_file in sorted(built.rglob("*.html")):
        name = html_file.relative_to(built).as_posix()
        feeds = [e.attrs["href"] for e in parse_html(html_file.read_text(encoding="utf-8")).find_all("link")
                 if e.attrs.get("type") == "application/atom+xml" and e.attrs.get("rel") == "alternate"]
        served_at = urljoin(URL, "missing/deep/page" if name == "404.html" else name)
        assert [urljoin(served_at, href) for href in feeds] == [f"{URL}feed.xml"], name


def test_the_feed_updated_time_is_source_date_epoch_when_set(make_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_project(FILES)
    build_ok(root)
    feed = ET.fromstring((root / "_site" / "feed.xml").read_bytes())
    assert feed.findtext(f"{ATOM}updated") == "2023-11-14T22:13:20Z"
    undated = feed.findall(f"{ATOM}entry")[-1]
    assert undated.findtext(f"{ATOM}updated") == "2023-11-14T22:13:20Z"


def test_without_source_date_epoch_the_whole_site_is_the_same_on_every_build(make_project, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = make_project(FILES)
    build_ok(root, "build", "--out", "first")
    build_ok(root, "build", "--out", "second")
    first, second = tree(root / "first"), tree(root / "second")
    assert "feed.xml" in first and first == second


# ---------------------------------------------------------------------------------------------
# Links as users write them, made valid URLs.


@pytest.mark.parametrize("written, valid", [
    ("CV 2024.pdf", "CV%202024.pdf"),
    ("CV%202024.pdf", "CV%202024.pdf"),  # encoded already: not again
    ("papers/a b.pdf?x=1 2&y=3#sec one", "papers/a%20b.pdf?x=1%202&y=3#sec%20one"),
    ("100%.pdf", "100%25.pdf"),
    ("a%2", "a%252"),
    ("notes#a#b", "notes#a%23b"),
    ("a^{}|`\"<>\\.pdf", "a%5E%7B%7D%7C%60%22%3C%3E%5C.pdf"),
    ("tab\there", "tab%09here"),
    ("https://[::1]:8000/my file", "https://[::1]:8000/my%20file"),
    ("mailto:ada@example.org?subject=Hello there", "mailto:ada@example.org?subject=Hello%20there"),
    ("Éléments/深度.pdf", "Éléments/深度.pdf"),  # a valid URL may hold any letter
    ("x\ufdd0\ufffe", "x%EF%B7%90%EF%BF%BE"),  # but no noncharacter
    ("https://example.org/a?b=c#d", "https://example.org/a?b=c#d"),
])
def test_a_link_is_made_a_valid_url_changing_nothing_else(written, valid):
    assert metadata.valid_url(written) == valid
    assert metadata.valid_url(valid) == valid


def test_a_file_path_is_a_url_whose_percent_question_and_hash_are_part_of_the_name():
    assert metadata.file_url("images/my photo.svg") == "images/my%20photo.svg"
    assert metadata.file_url("images/100%20 #1?.svg") == "images/100%2520%20%231%3F.svg"


def test_keys_and_slugs_alike_are_told_apart_in_order_around_given_ones():
    """Suffixes follow the order of the publications and skip the names given or made already."""
    from scholarpage import bibtex

    def pub(title, **given):
        return model.Publication(title=title, authors=("Ada Lovelace",), type="journal", year=2020,
                                 **given)

    publications = [pub("Engines"),
                    pub("Engines", bibtex_key="lovelace2020enginesb", slug="2020-engines-3"),
                    pub("Engines"), pub("Engines"), pub("Engines 2"), pub("Engines"),
                    pub("Looms", bibtex_key="lovelace2020engines"), pub("Engines"), pub("Looms"),
                    pub("Enginesc")]
    keys, slugs = bibtex.assign_keys(publications), metadata.assign_slugs(publications)
    assert [keys[id(p)] for p in publications] == [
        "lovelace2020enginesa", "lovelace2020enginesb", "lovelace2020enginesc", "lovelace2020enginesd",
        "lovelace2020enginese", "lovelace2020enginesf", "lovelace2020engines", "lovelace2020enginesg",
        "lovelace2020looms", "lovelace2020enginesca"]
    assert [slugs[id(p)] for p in publications] == [
        "2020-engines", "2020-engines-3", "2020-engines-2", "2020-engines-4", "2020-engines-2-2",
        "2020-engines-5", "2020-looms", "2020-engines-6", "2020-looms-2", "2020-enginesc"]


@pytest.mark.parametrize("author, title, key", [
    ("Johannes Nicolaus Brønsted", "Brønsted acids", "bronsted1923bronsted"),
    ("Łukasz Kaiser", "Łukasiewicz logic", "kaiser1923lukasiewicz"),
    ("Jan Łukasiewicz", "O logice trójwartościowej", "lukasiewicz1923o"),
    ("Johann Strauß", "The Straße", "strauss1923strasse"),
    ("Thomas Müller", "Über Graphen", "muller1923uber"),
    ("Đorđe Đorđević", "Æsir and Œuvre", "dordevic1923aesir"),
    ("王小明", "深度学习的研究", "anon1923"),  # no letter a key may hold: none of them
    ("Xiaoming Wang", "深度学习: deep learning", "wang1923deep"),
    ("Γιώργος Παπαδόπουλος", "Ωμέγα omega", "anon1923omega"),
])
def test_a_made_key_spells_latin_letters_in_ascii_and_leaves_other_scripts_out(author, title, key):
    from scholarpage import bibtex

    pub = model.Publication(title=title, authors=(author,), type="journal", year=1923)
    assert bibtex.default_key(pub) == key


@pytest.mark.parametrize("word", ["Brønsted", "Łódź", "Straße", "Müller", "Đorđe", "Þór", "Æsir",
                                  "Œuvre", "Cafe\u0301", "ﬁnal", "Ｆｕｌｌ"])
def test_a_made_key_spells_a_word_as_the_slug_and_file_name_do(word):
    from scholarpage import bibtex, scaffold

    pub = model.Publication(title=f"{word} effects", authors=(f"Ada {word}",), type="journal",
                            year=2020)
    spelt = metadata.slugify(word)
    assert metadata.default_slug(pub) == f"2020-{spelt}-effects"
    assert scaffold.file_stem(pub) == f"2020-{spelt}-{spelt}-effects"
    assert bibtex.default_key(pub) == f"{spelt}2020{spelt}"
