"""The content model, declared once.

Each record is a frozen dataclass. A field's `kind` (what a YAML value must look like) and its
`doc` sit in the field's metadata; a field without a default is required. Validation, error
messages and the JSON Schemas in `schema/` are all derived from these declarations
(see `schema.py`), so a new field is added here and nowhere else.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# Kinds: what a value in a YAML file may be.
# Plain dataclasses compared by identity: they are declarations, never changed, and each method
# a dataclass has generated for it is compiled when this module is imported (3 ms for these).


@dataclass(eq=False)
class Text:
    """A string, taken exactly as written (so `NO`, `1.10` or `2024-03-01` stay text)."""

    pattern: str = ""
    hint: str = ""  # says in words what `pattern` asks for
    multiline: bool = False
    numbers: bool = False  # a number is natural here (`volume: 19`): the schema takes one too


@dataclass(eq=False)
class Url:
    """A link target: http(s), mailto or a relative path. Never `javascript:` or `data:`."""


@dataclass(eq=False)
class Integer:
    """A whole number, within bounds if given."""

    minimum: int | None = None
    maximum: int | None = None


@dataclass(eq=False)
class Flag:
    """true or false."""


@dataclass(eq=False)
class TextList:
    """A list of strings; a single string is read as a list of one."""

    min_items: int = 0
    # Each item is one name as shown, first name first, or an organization in braces (see
    # `organization`): an item holding several, 'A and B', or a comma, 'Müller, Jörg', is
    # refused with the list it likely means (BibTeX would read it otherwise than the page).
    names: bool = False
    item: Text | None = None  # what each item must be, if more than text


@dataclass(eq=False)
class LinkMap:
    """Labelled links in the order written: `label: url`. `doi` and `arxiv` take ids, bare or
    after the label as citations write them (`arXiv:2303.18232`, `doi:10.1109/x`)."""


@dataclass(eq=False)
class NameMap:
    """A mapping from a person's name to their homepage URL."""


@dataclass(eq=False)
class Record:
    """A nested mapping read as another record."""

    record: type


@dataclass(eq=False)
class Records:
    """A list of nested records."""

    record: type
    min_items: int = 0


def spec(kind, doc: str, default=dataclasses.MISSING, *, example=None, required_unless: str = ""):
    """Declare a field: its kind, a line of help, and a default (no default: required). With
    `required_unless`, the name of a Flag field of the same record, the field is required
    while that flag is not true."""
    if required_unless and default is dataclasses.MISSING:
        raise TypeError("a field required unless a flag is true needs a default for when it is")
    metadata = {"kind": kind, "doc": doc}
    if example is not None:
        metadata["example"] = example
    if required_unless:
        metadata["required_unless"] = required_unless
    if isinstance(default, (list, dict)):
        raise TypeError("use tuples for defaults: records are immutable")
    return field(default=default, metadata=metadata)


def derived(default=None, *, in_repr: bool = True):
    """A field the engine fills in; it is not read from files and not in the schema. Without
    `in_repr`, it is left out of the record's repr, which keys rendered pieces (see render.py):
    where a value is written (its line) changes nothing of what is rendered from it."""
    return field(default=default, compare=False, repr=in_repr, metadata={"derived": True})


# A link into the site as its file has it: (URL, line, column), once the site is built each
# must lead to a file of it (see render.report_links_to_nothing).
SiteLink = tuple[str, int, int]
# An id the owner's HTML gives an element, as its file has it: (id, line, column). Each must be
# the only one of its page (see content.check_content_ids).
WrittenId = tuple[str, int, int]


def file_fields(record: type) -> list[dataclasses.Field]:
    """The fields a user may write in a file, in declaration order."""
    return [f for f in dataclasses.fields(record) if "kind" in f.metadata]


# ---------------------------------------------------------------------------------------------
# Records.


@dataclass(frozen=True)
class Link:
    """One of a publication's links: `label: url` in its file."""

    label: str
    url: str


@dataclass(frozen=True)
class ProfileLink:
    """A link in the navbar, to one of the owner's profiles."""

    label: str = spec(Text(), "Text shown in the navbar, e.g. 'Google Scholar'.")
    url: str = spec(Url(), "Where the link goes.")
    place: tuple[int, int] = derived((0, 0), in_repr=False)  # (line, column) of `url` in site.yml


@dataclass(frozen=True)
class Owner:
    """The researcher the site is about: site.yml's `owner`."""

    name: str = spec(Text(), "Your name as it should appear on the page.", example="Ada Lovelace")
    highlight: tuple[str, ...] = spec(
        TextList(),
        "Other spellings of your name to show in bold in author lists (your name always is).",
        (),
        example=["Ada Lovelace", "A. Lovelace"],
    )
    affiliation: str = spec(Text(), "Where you work, e.g. 'AMD GenAI Team'.", "")
    email: str = spec(
        Text(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", hint="an address like name@example.org"),
        "Contact address; the page shows it obfuscated, never in plain text.",
        "",
    )
    photo: str = spec(
        Text(), "Path of your photo inside `static/` (or the theme's static files).", ""
    )
    links: tuple[ProfileLink, ...] = spec(
        Records(ProfileLink), "Profile links shown in the navbar, in this order.", ()
    )

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling shown in bold: the name itself and those in `highlight`."""
        return tuple(dict.fromkeys((self.name, *self.highlight)))


# What a publication type is written as: a lower-case word.
TYPE_PATTERN = r"^[a-z][a-z0-9_-]*$"


@dataclass(frozen=True)
class Section:
    """A part of the publication list: its heading and the types listed under it."""

    heading: str = spec(Text(), "Heading of the section, e.g. 'Conferences'.")
    types: tuple[str, ...] = spec(
        TextList(min_items=1, item=Text(pattern=TYPE_PATTERN,
                                        hint="a lower-case word like 'conference'")),
        "Publication types listed in this section, e.g. [conference] (required unless the "
        "section is `selected`).",
        (),
        example=["conference"],
        required_unless="selected",
    )
    selected: bool = spec(
        Flag(),
        "List only the publications marked `selected: true`: of `types`, or without `types` of "
        "every type another section lists (a 'Selected publications' section).",
        False,
    )
    id: str = spec(
        Text(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", hint="letters, digits, '-' or '_'"),
        "Anchor of the section in the page (default: from the heading).",
        "",
    )
    # (line, column) in site.yml of its `id` if it gives one, else of the section; (0, 0) for
    # one of DEFAULT_SECTIONS, when site.yml gives none. And of each of its `types`.
    place: tuple[int, int] = derived((0, 0), in_repr=False)
    type_places: tuple[tuple[int, int], ...] = derived((), in_repr=False)


def _holding(placeholder: str) -> Text:
    """Text that must hold `{placeholder}`, where the theme puts a name, a title or a link."""
    return Text(pattern=r".*\{%s\}.*" % placeholder, hint=f"text holding {{{placeholder}}}")


@dataclass(frozen=True)
class Words:
    """The theme's own words, in the site's `language` (see words.py); one given here replaces
    the built-in one. Empty: the built-in word."""

    skip_to_content: str = spec(Text(), "Link to skip the navbar: 'Skip to content'.", "")
    profiles: str = spec(Text(), "Name of the navbar, for screen readers: 'Profiles'.", "")
    publications: str = spec(Text(), "Heading of the publication list: 'Publications'.", "")
    abstract: str = spec(Text(), "Toggle and heading of an abstract: 'Abstract'.", "")
    contact: str = spec(Text(), "Heading of the contact block: 'Contact'.", "")
    email: str = spec(Text(), "Before the email address, with its colon: 'Email:'.", "")
    copy: str = spec(Text(), "Button copying a BibTeX entry: 'Copy'.", "")
    copy_what: str = spec(_holding("title"), "What that button copies, for screen readers: "
                          "'BibTeX of “{title}”'.", "")
    copied: str = spec(Text(), "The button once it has copied: 'Copied'.", "")
    copy_failed: str = spec(Text(), "The button when the browser refused to copy: "
                            "'Select and copy'.", "")
    all_publications: str = spec(Text(), "A publication page's link back to the list: "
                                 "'All publications'.", "")
    all_as_bibtex: str = spec(Text(), "Footer link to publications.bib: "
                              "'All publications as BibTeX'.", "")
    page_not_found: str = spec(Text(), "Title of the 404 page: 'Page not found'.", "")
    no_page_here: str = spec(_holding("home"), "Text of the 404 page, {home} the link home: "
                             "'There is no page at this address. Go to {home}.'", "")
    home_of: str = spec(_holding("name"), "That link's text: '{name}’s homepage'.", "")
    feed_title: str = spec(_holding("name"), "Title of the Atom feed: '{name}: publications'.", "")


DEFAULT_SECTIONS = (
    Section("Conferences", ("conference",)),
    Section("Journal", ("journal",)),
    Section("Patents", ("patent",)),
    Section("Preprints", ("preprint",)),
)

# Publication types the engine knows; site.yml may add any other through its sections.
KNOWN_TYPES = (
    "conference", "journal", "patent", "preprint",
    "workshop", "thesis", "book", "chapter", "report", "talk", "poster", "dataset", "software",
)


@dataclass(frozen=True)
class Site:
    """site.yml: the settings of the whole site."""

    title: str = spec(Text(), "Title of the site, shown in the browser tab.")
    owner: Owner = spec(Record(Owner), "Who the homepage is about.")
    description: str = spec(Text(), "One sentence about you, for search engines.", "")
    url: str = spec(
        # The host (an IPv6 address in brackets), then folders: the last part of the path is
        # one too, with no dot (index.html is a page of the site), and no query or fragment.
        Text(pattern=r"^(https?://(\[[0-9A-Fa-f:.]+\](:\d*)?|[^\s/?#\[\]@]+)(/([^\s/?#]*/)*[^\s/?#.]*)?)?$",
             hint="the http(s) address of the site's folder, like https://user.github.io/repo/ "
                  "(no file name such as index.html, no '?' or '#', no 'user@')"),
        "Address of the published site's folder, e.g. https://user.github.io/ or "
        "https://user.github.io/repo/ (a sub-path is honoured everywhere). Left empty, deploy and "
        "the GitHub Pages workflow build for the github.io address.",
        "",
    )
    language: str = spec(
        Text(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", hint="a language tag like 'en'"),
        "Language of the page; it chooses the theme's words (see `words`).",
        "en",
    )
    theme: str = spec(
        Text(pattern=r"^(?!\.\.?$)[^/\\]+$", hint="the name of a folder in themes/, like 'frontpage'"),
        "Folder name under themes/.", "frontpage")
    output: str = spec(Text(), "Folder the site is written to.", "_site")
    publication_pages: bool = spec(
        Flag(), "Write a page per publication at publications/SLUG/.", True
    )
    sections: tuple[Section, ...] = spec(
        Records(Section, min_items=1),
        "Publication sections in page order, each with the types it lists.",
        DEFAULT_SECTIONS,
    )
    words: Words = spec(
        Record(Words),
        "The theme's words, to replace any built-in one (those of `language`: de, en, es, fr, "
        "it, ja, pt, zh; English for any other).",
        Words(),
    )
    # The ids the home page's templates write themselves, as (id, where: 'path:line') pairs
    # (see config.theme_ids): a section or a publication's item must take none of them.
    theme_ids: tuple[tuple[str, str], ...] = derived((), in_repr=False)
    url_place: tuple[int, int] = derived((0, 0), in_repr=False)  # of `url` in site.yml, if there

    @functools.cached_property  # asked for each publication; the site never changes
    def section_types(self) -> frozenset[str]:
        """The publication types some section names: those a `selected` section without
        `types` takes."""
        return frozenset(kind for section in self.sections for kind in section.types)

    def listed_in(self, section: Section, pub: Publication) -> bool:
        """Whether `section` lists `pub`: by its type, and if the section is `selected`, only
        a selected one (of any type some section names, when the section names none)."""
        kinds = section.types or self.section_types
        return pub.type in kinds and (pub.selected or not section.selected)

    def lists(self, pub: Publication) -> bool:
        """Whether some section lists `pub`: what none lists is given no place on the site (no
        item, page, feed or sitemap entry), only its BibTeX."""
        any_entry, selected_entry = self._listed_types
        return pub.type in any_entry or (pub.selected and pub.type in selected_entry)

    @functools.cached_property  # `lists` is asked several times for each publication
    def _listed_types(self) -> tuple[frozenset[str], frozenset[str]]:
        """(the types some section lists any entry of, those only `selected` sections list)."""
        kinds = [(section.selected, section.types or self.section_types) for section in self.sections]
        return (frozenset(kind for selected, types in kinds if not selected for kind in types),
                frozenset(kind for selected, types in kinds if selected for kind in types))

    @property
    def base_path(self) -> str:
        """The URL's path, always ending in '/': '/' or '/repo/'."""
        rest = self.url.split("://", 1)[1] if "://" in self.url else ""
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return path if path.endswith("/") else path + "/"


# An author list may end with this item: "and others" in BibTeX, shown as "et al.".
ET_AL = "et al."

# What may follow a family name: 'Martin Luther King Jr.' (in BibTeX 'King, Jr., Martin Luther').
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def organization(author: str) -> str:
    """The name an author written in braces gives, 'Google Research' for '{Google Research}':
    an organization, one name as in BibTeX, never turned into 'Last, First'; '' for a person."""
    inner = author[1:-1]
    braced = author[:1] == "{" and author[-1:] == "}" and "{" not in inner and "}" not in inner
    return inner.strip() if braced else ""


# A page or article number (400, e1234, xii, 400+), a range of two (`400–410`, with a hyphen,
# two or three: as BibTeX writes them), several apart by commas: `pages` as people write it.
_PAGE = r"[0-9A-Za-z][0-9A-Za-z.:/+]*"
_PAGE_RANGE = rf"{_PAGE}(\s*(-{{1,3}}|–|—)\s*{_PAGE})?"
PAGES_PATTERN = rf"^{_PAGE_RANGE}(,\s*{_PAGE_RANGE})*$"
_PAGE_DASH = re.compile(r"\s*(?:-{1,3}|–|—)\s*")


def page_ranges(pages: str) -> str:
    """Pages in one form, each range's dash an en dash: '400-410', '400--410' -> '400–410'."""
    return _PAGE_DASH.sub("–", pages.strip()) if pages else ""


@dataclass(frozen=True)
class Publication:
    """One publication: a file in content/publications/, or an item of a list there."""

    title: str = spec(Text(), "Title, without quotes; *italics*, **bold** and `code` marked as "
                              "in Markdown (a species' or a system's name).")
    authors: tuple[str, ...] = spec(
        TextList(min_items=1, names=True),
        "Authors in order, one name per item, first name first ('Ada Lovelace', 'Martin Luther "
        "King Jr.'); an organization in braces, '{Google Research}'.",
        example=["Ada Lovelace"],
    )
    type: str = spec(
        Text(pattern=TYPE_PATTERN, hint="a lower-case word like 'conference'"),
        "Kind of publication; site.yml's sections decide where each type is listed.",
        example="conference",
    )
    venue: str = spec(Text(), "Short venue name, e.g. CVPR.", "")
    venue_full: str = spec(Text(), "Full venue name, e.g. 'Computer Vision and Pattern Recognition'.", "")
    volume: str = spec(Text(numbers=True), "Volume of the journal or series, e.g. 19.", "")
    number: str = spec(Text(numbers=True), "Issue of the journal (or a report's number), e.g. 4.", "")
    pages: str = spec(
        Text(pattern=PAGES_PATTERN, numbers=True,
             hint="a page, or a range like 400–410 (400-410 and 400--410 are the same), "
                  "e1234 or 12; several apart by commas"),
        "Pages: a range, 400–410 (400-410 or 400--410 is the same range), or one page or "
        "article number, e1234.",
        "",
    )
    publisher: str = spec(
        Text(), "Publisher, e.g. 'Springer Nature'. A book's is its venue: leave this empty.", "")
    year: int | None = spec(Integer(1000, 2999), "Year of publication.", None)
    month: int | None = spec(Integer(1, 12), "Month of publication (1-12).", None)
    date: str = spec(
        Text(pattern=r"^\d{4}-\d{2}-\d{2}$", hint="a date like 2024-06-17"),
        "Full date instead of year and month.",
        "",
    )
    note: str = spec(Text(), "A note shown after the venue, e.g. a patent number.", "")
    links: tuple[Link, ...] = spec(
        LinkMap(),
        "Links in the order shown, `label: url`. `arxiv:` and `doi:` take ids, bare or as "
        "cited: 2303.18232 or arXiv:2303.18232, 10.1109/x or doi:10.1109/x.",
        (),
        example={"pdf": "https://arxiv.org/pdf/2206.09541", "code": "https://github.com/u/r"},
    )
    abstract: str = spec(Text(multiline=True), "Abstract, in Markdown.", "")
    selected: bool = spec(
        Flag(), "A highlight: listed in site.yml's `selected: true` sections too.", False)
    bibtex_key: str = spec(
        Text(pattern=r"^[A-Za-z0-9_:.+/-]+$", hint="letters, digits and _:.+/-"),
        "BibTeX citation key (default: made from the first author, year and title).",
        "",
    )
    order: int = spec(
        Integer(), "Breaks ties between entries of the same date: lower comes first.", 0
    )
    slug: str = spec(
        Text(pattern=r"^[a-z0-9][a-z0-9-]*$", hint="lower-case letters, digits and '-'"),
        "Name of the publication's page, /publications/SLUG/ (default: from the title).",
        "",
    )
    # Filled in by the loader.
    source: str = derived("")
    line: int = derived(0)
    type_place: tuple[int, int] = derived((0, 0))  # (line, column) of its `type` value there
    key_place: tuple[int, int] = derived((0, 0))  # of its `bibtex_key` value, or (line, 1)
    slug_place: tuple[int, int] = derived((0, 0))  # of its `slug` value, or (line, 1)
    abstract_html: str = derived("")
    # Where its links and its abstract's lead into the site (see schema.into_the_site), as
    # written: once the site is built, each must lead to a file of it; and its abstract's that
    # lead to an id (#x), which the home page must have (see content.check_fragment_links).
    site_links: tuple[SiteLink, ...] = derived(())
    written_ids: tuple[WrittenId, ...] = derived((), in_repr=False)  # those its abstract gives
    # Names the file text the record was read from, and its place there: rendered pieces of
    # the record are cached under it (see render.py).
    digest: str = derived("")
    # The BibTeX key and page slug made from the record (first author, year, title) when it is
    # read, for when it gives none: two alike are told apart when the site is put together.
    made_key: str = derived("")
    made_slug: str = derived("")
    # What finds the work it is (see works.work_keys: its ids, its title as titles are compared),
    # made when it is read: a build finds a work listed twice by it, `import` one already present.
    work_keys: tuple[tuple, ...] = derived((), in_repr=False)
    # The authors written in braces in the file, organizations (see `organization`): `authors`
    # holds them without their braces, as they are shown; the BibTeX export braces them again.
    organizations: tuple[str, ...] = derived(())

    @property
    def named_authors(self) -> tuple[str, ...]:
        """The authors who are people, without a trailing 'et al.'."""
        return tuple(a for a in self.authors if a != ET_AL)

    @property
    def sort_date(self) -> tuple[int, int, int]:
        if self.date:
            y, m, d = self.date.split("-")
            return int(y), int(m), int(d)
        return self.year or 0, self.month or 0, 0

    @property
    def shown_year(self) -> int | None:
        return self.sort_date[0] or None

    @property
    def shown_pages(self) -> str:
        """`pages` with each range's dash an en dash, as shown: 400-410 and 400--410 are 400–410."""
        return page_ranges(self.pages)


@dataclass(frozen=True)
class Page:
    """A Markdown page such as the bio: front matter plus a body."""

    title: str = spec(Text(), "Title of the page.", "")
    body: str = derived("")
    html: str = derived("")
    source: str = derived("")
    site_links: tuple[SiteLink, ...] = derived(())  # as a Publication's
    written_ids: tuple[WrittenId, ...] = derived((), in_repr=False)  # those its body gives
