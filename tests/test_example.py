"""The example site is the seed page, ported: everything the seed shows, the built page shows.

The seed (`../shared/seed/frontpage.html`) is read as a person reads it: sections, then for each
<li> the authors, the quoted title, the venue and year (or a note), and the links of the <p>
after it. The built page is read the same way and the two are compared entry by entry.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest

from conftest import SEED, build_ok, copy_example, parse_html

YEAR_AT_END = re.compile(r"^(?P<venue>.*?)[\s,]*(?P<year>\d{4})$")
OVERVIEW = re.compile(r"\[//\]: # \(<p><strong>Overview</strong>:(.*?)</p>\)", re.DOTALL)


@dataclass(frozen=True)
class Entry:
    section: str
    authors: tuple[str, ...]
    strong: tuple[str, ...]
    title: str
    venue: str
    venue_emphasis: str
    year: str
    note: str
    links: tuple[tuple[str, str], ...]


def words(text: str) -> str:
    return " ".join(text.split())


def split_authors(text: str) -> tuple[str, ...]:
    """'A, B and C' or 'A, B, and C' -> (A, B, C)."""
    parts = re.split(r",|\band\b", text)
    return tuple(words(p) for p in parts if words(p))


def venue_year_note(text: str, emphasis: str) -> tuple[str, str, str, str]:
    """(venue, emphasised part, year, note) of the text after a title."""
    text = words(text).strip(" .,")
    match = YEAR_AT_END.match(text)
    if match:
        return match["venue"], emphasis, match["year"], ""
    return "", emphasis, "", text


def links_of(element) -> tuple[tuple[str, str], ...]:
    """(label, target) of each link that goes somewhere; the seed leaves some empty."""
    found = []
    for a in element.find_all("a") if element is not None else []:
        href = (a.attrs.get("href") or "").strip()
        if href:
            found.append((a.text(), href))
    return tuple(found)


def emphasis_of(element) -> str:
    em = element.find("em")
    return em.text() if em is not None else ""


# ---------------------------------------------------------------------------------------------
# The seed, read.


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.is_file():
        pytest.fail(f"the seed page is missing: expected it at {SEED} (shared/ beside the clone)")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text):
    return parse_html(seed_text)


def seed_entries(seed) -> list[Entry]:
    entries, section = [], None
    for element in seed.iter():
        if element.tag == "h3":
            section = element.text()
        elif element.tag == "li" and section is not None:
            entries.append(_seed_entry(element, section))
    return entries


def _seed_entry(li, section: str) -> Entry:
    text = li.text()
    before, title, after = text.split('"', 2)
    siblings = li.parent.children
    following = siblings[siblings.index(li) + 1:]
    links_p = next((e for e in following if not isinstance(e, str)), None)
    links = links_of(links_p) if links_p is not None and links_p.tag == "p" else ()
    strong = tuple(s.text() for s in li.find_all("strong"))
    return Entry(section, split_authors(before.rstrip(" .")), strong, words(title),
                 *venue_year_note(after, emphasis_of(li)), links)


# ---------------------------------------------------------------------------------------------
# The built page, read.


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example site, built once for this module from a copy of the repository's files."""
    root = copy_example(tmp_path_factory.mktemp("example"))
    build_ok(root)
    return parse_html((root / "_site" / "index.html").read_text(encoding="utf-8"))


def built_entries(page) -> list[Entry]:
    entries = []
    for li in page.find_all("li", "publication"):
        section = next(s for s in li.ancestors() if s.tag == "section").find("h3").text()
        venue = li.find(cls="venue")
        note = li.find(cls="note")
        venue_text = venue.text() if venue is not None else ""
        emphasis = emphasis_of(venue) if venue is not None else ""
        venue_name, emphasis, year, without_year = venue_year_note(venue_text, emphasis)
        venue_name = venue_name or without_year  # the theme's venue span holds no notes
        entries.append(Entry(
            section, split_authors(li.find(cls="authors").text()),
            tuple(s.text() for s in li.find(cls="authors").find_all("strong")),
            li.find(cls="title").text().strip("“”"), venue_name, emphasis, year,
            note.text() if note is not None else "", links_of(li.find(cls="links"))))
    return entries


def abstract_text(li) -> str:
    details = next((d for d in li.find_all("details") if d.find("summary").text() == "Abstract"),
                   None)
    if details is None:
        return ""
    return words(details.text().removeprefix("Abstract"))


# ---------------------------------------------------------------------------------------------
# The comparison.


def test_the_seed_is_read_completely(seed):
    entries = seed_entries(seed)
    assert len(entries) == 17
    assert [e.section for e in entries].count("Conferences") == 10
    assert all(e.title and e.authors and e.strong == ("Ximeng Sun",) for e in entries)
    assert entries[0].links == (("pdf", "https://arxiv.org/pdf/2303.18232.pdf"),
                                ("code", "https://github.com/sunxm2357/DIME-FM"))
    assert entries[1].links == ()  # the seed's empty hrefs are no links
    assert entries[10].links == (("paper", "https://arxiv.org/abs/2308.01890"),)  # a bare 'code'
    assert entries[11].links[1] == ("code", "https://github.com/MichiganCOG/video-frame-inpainting")
    assert (entries[5].venue, entries[5].venue_emphasis, entries[5].year) == (
        "International Conference on Computer Vision (ICCV)",
        "International Conference on Computer Vision (ICCV)", "2021")
    assert (entries[12].venue, entries[12].year, entries[12].note) == (
        "", "", "US Patent App. 17/566,782")
    assert entries[13].authors[-1] == "Ser-Nam Lim"


def test_every_seed_publication_is_built_in_its_section_and_order(seed, built):
    expected, got = seed_entries(seed), built_entries(built)
    assert [(e.section, e.title) for e in got] == [(e.section, e.title) for e in expected]
    for seed_entry, built_entry in zip(expected, got):
        assert built_entry == seed_entry


def test_sections_are_in_the_seeds_order(seed, built):
    assert [h.text() for h in built.find_all("h3")] == [h.text() for h in seed.find_all("h3")]


def test_overview_comments_became_the_abstracts_of_their_papers(seed_text, seed, built):
    """Each hidden overview belongs to the paper it names, else to the one it follows."""
    titles = [e.title for e in seed_entries(seed)]
    lis = built.find_all("li", "publication")  # in the seed's order: see the test above
    navbar_items = len(seed.find("ul", "nav").find_all("li"))
    overviews = 0
    for match in OVERVIEW.finditer(seed_text):
        overview = words(re.sub(r"<[^>]+>", "", html.unescape(match[1])))
        preceding = seed_text.count("<li", 0, match.start()) - navbar_items - 1
        named = [i for i, t in enumerate(titles) if ":" in t and t.split(":")[0] in overview]
        index = named[0] if named else preceding
        assert abstract_text(lis[index]) == overview, titles[index]
        overviews += 1
    assert overviews == 6
    assert sum(1 for li in lis if abstract_text(li)) == 6


def test_navbar_links_match_the_seed(seed, built):
    seed_nav = links_of(seed.find("ul", "nav"))
    built_nav = tuple(link for link in links_of(built.find("nav")) if "://" in link[1])
    assert built_nav == seed_nav and len(seed_nav) == 3


def test_the_seeds_anchors_lead_to_the_same_parts(seed, built):
    """Links into the old page (#publication, #contact) keep working."""
    anchors = [a.attrs["name"] for a in seed.find_all("a") if a.attrs.get("name")]
    assert anchors == ["publication", "contact"]
    ids = {e.attrs["id"]: e for e in built.iter() if e.attrs.get("id")}
    assert ids["publication"].find("h2").text() == "Publications"
    assert "Contact" in ids["contact"].text()


def test_bio_text_and_links_match_the_seed(seed, built):
    seed_bio = seed.find("td")
    intro = built.find("main").find("section")
    assert links_of(intro) == links_of(seed_bio) and len(links_of(seed_bio)) == 9
    for paragraph in ("Hello, I am a research scientist at AMD GenAI Team.",
                      "supervised by Prof. Kate Saenko.",
                      "received B.ENG. in Communication Engineering from Beijing University of "
                      "Posts and Telecommunications."):
        assert paragraph in seed_bio.text() and paragraph in intro.text()


def test_photo_placeholder_has_the_owners_name_as_alt(built):
    (img,) = built.find("main").find_all("img")
    assert img.attrs["alt"] == "Ximeng Sun" and img.attrs["src"].endswith(".svg")


def test_contact_matches_the_seed(seed, built):
    seed_contact = seed.find("div", "span5").text()
    (contact,) = [e for e in built.iter() if e.attrs.get("id") == "contact"]
    assert seed_contact.startswith("Ximeng Sun Email: sxm2357 [AT] gmail [dot] com")
    assert "Ximeng Sun" in contact.text()
    assert "sxm2357 [at] gmail [dot] com" in contact.text().lower()
