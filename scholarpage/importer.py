"""BibTeX files -> publication files in content/publications/ (`python build.py import`).

bibfile.py reads the files (crossrefs resolved against every file imported together). Each entry
becomes the data of one publication file; scaffold.py checks it against the model, finds the
entries already present and writes the files. A broken entry is reported at its line and the
others still import.
"""
from __future__ import annotations

import dataclasses
import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from . import bibtex, model
from .bibfile import TEXT_FIELDS, CrossReferences, Place, failure, math_as_text, read_bib, venue_field
from .config import SITE_FILE, Project, load_site, missing_site_file
from .content import same_venue
from .files import read_text
from .markup import title_text
from .metadata import AUTHOR_MARKS, arxiv_id_of, doi_of, fold, name_in_url, site_root_url
from .problems import Problems
from .scaffold import PublicationFolder, read_back, url_key
from .schema import LINK_EXPANSIONS, as_a_browser_reads, expanded, one_line, unsafe_url_reason

NOT_LINKS = {"biburl", "bibsource"}  # urls of the .bib record itself, not of the work
# Fields that name a link whatever they hold (al-folio's among them): one that is no http(s)
# address (al-folio's `pdf = {paper.pdf}`, a file of its site) is left out with a warning.
LINK_NAMES = {"pdf", "code", "website", "slides", "poster", "video", "html", "blog", "supp",
              "project", "demo"}
# The fields an entry's data is read from, whether or not a value is taken (a preprint's
# `number` is not: see citation); and any field a link is read from (see _link).
READ_FIELDS = {"title", "author", "type", "pubstate", "journal", "journaltitle", "shortjournal",
               "booktitle", "school", "institution", "howpublished", "publisher", "abbr", "volume",
               "number", "issue", "pages", "articleno", "year", "month", "date", "note", "abstract",
               "selected", "crossref", "doi", "eprint", "arxiv", "eprinttype", "archiveprefix", "url"}
# Fields exporters write that mean nothing on a homepage, left out without a word (any other
# field not read is named in a warning: see _unread): the reference manager's record of the
# entry, catalogue numbers, details of the volume or event the page does not print, and
# al-folio's `bibtex_show` (every publication shows its BibTeX).
ROUTINE_FIELDS = {
    "file", "urldate", "timestamp", "biburl", "bibsource", "langid", "language", "keywords",
    "annote", "owner", "creationdate", "modificationdate", "groups", "mendeley-tags",
    "mendeley-groups", "date-added", "date-modified", "added-at", "interhash", "intrahash",
    "copyright", "key", "ids", "options", "sortkey", "sortname", "sorttitle", "presort",
    "related", "relatedtype", "shorttitle", "bibtex_show",
    "issn", "isbn", "pmid", "pmcid", "lccn", "mrnumber", "zbl", "oclc", "eprintclass",
    "primaryclass", "reportnumber", "adsnote", "slaccitation",
    "series", "edition", "address", "location", "editor", "organization", "chapter",
    "numpages", "pagetotal", "issue_date", "eventtitle", "eventdate", "venue",
}
_KNOWN_FIELDS = READ_FIELDS | ROUTINE_FIELDS
PREPRINT_SERVERS = re.compile(r"\b(arxiv|corr|biorxiv|medrxiv)\b", re.IGNORECASE)
# What Google Scholar exports a conference paper's proceedings as, an @article's `journal`:
# 'Advances in Neural Information Processing Systems', 'Proceedings of the AAAI Conference
# on ...'. Not 'Proceedings' alone: PNAS and the Proceedings of the IEEE are journals.
PROCEEDINGS = re.compile(r"\b(conference|symposium|workshops?)\b|^advances in neural information "
                         r"processing systems\b", re.IGNORECASE)
_ARXIV_IN_TEXT = re.compile(r"arxiv:\s*(\S+)", re.IGNORECASE)
_URL = re.compile(r"^https?://[^\s/?#]+(?:[/?#].*)?$")  # a path's spaces are encoded by the build
# Schemes a browser runs or reads inline: a field holding one is a link, left out with a warning.
# Schemes a browser runs or reads inline, however hidden (see schema.as_a_browser_reads).
_RUN_BY_BROWSERS = re.compile(r"(javascript|vbscript|data):", re.IGNORECASE)
_SHORT_NAME = r"(?P<short>[A-Za-z][\w+&.-]*)"
_VENUE_PATTERNS = (
    re.compile(rf"^(?P<full>.+?)\s*\({_SHORT_NAME}(?:\s+'?\d{{2,4}})?\)$"),  # Full Name (CVPR)
    re.compile(rf"^(?P<full>.+?),\s+{_SHORT_NAME}\s+\d{{4}}\b"),  # DBLP: Full Name, CVPR 2022, ...
)
_KEY = next(f.metadata["kind"] for f in model.file_fields(model.Publication) if f.name == "bibtex_key")


@dataclass
class ImportResult:
    problems: Problems = field(default_factory=Problems)
    written: list[str] = field(default_factory=list)  # lines saying what changed
    # Lines naming each entry found present and left as it is: so that one taken for another
    # work is seen (`refs.bib:8: already present as content/publications/a.yml:2 (entry x)`).
    left: list[str] = field(default_factory=list)
    new: int = 0
    present: int = 0
    updated: int = 0
    failed: int = 0
    update: bool = False

    def summary(self) -> str:
        updated = f" ({self.updated} updated)" if self.update else ""
        return f"{self.new} new, {self.present} already present{updated}, {self.failed} with problems"


# ---------------------------------------------------------------------------------------------
# One entry -> publication data.


def _clean(text: str) -> str:
    """Decoded text on one line; LaTeX's `~` (a no-break space) becomes a plain space."""
    return " ".join(text.replace("\xa0", " ").split())


def _name_of(text: str) -> str:
    """A venue's or publisher's name on one line, without a comma ending it: al-folio's sample
    `@string{aps = {American Physical Society,}}` showed as 'American Physical Society,, 1935'."""
    return _clean(text).rstrip(" ,")


def abstract(text: str) -> str:
    """A decoded abstract as Markdown. Written as publications.bib writes one (see
    bibtex.abstract_value: from the line after `{`), its lines are the Markdown's and are kept
    (a table or a code block needs them), but for the blank lines around them. Any other .bib's
    lines are its layout (Zotero's and JabRef's wrap at a width, indent as they like): each
    paragraph's are joined, or a wrapped '#1' would be a heading. LaTeX's `~` is a space."""
    text = text.replace("\xa0", " ")
    if text.startswith("\n"):
        return bibtex.without_blank_lines_around(text) + "\n"
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(_clean(p) for p in paragraphs) + "\n"


def _raw(text: str) -> str:
    """A url or id as written, without `\\url{}` and BibTeX's escapes."""
    text = re.sub(r"^\\url\{(.*)\}$", r"\1", text.strip())
    return re.sub(r"\\([_%&#~$])", r"\1", text).strip("{} ")


# The number DBLP puts after a name several people share: 'Wei Zhang 0001'.
_DBLP_HOMONYM = re.compile(r"\s+\d{4}$")
# What may end a word of a name as a mark of equal contribution or of the corresponding author:
# the marks themselves, or math (`$^\dagger$`), which is one if it reads as marks.
_MARK_AT_END = re.compile(r"(?:[%s]|\$[^$]*\$)+$" % re.escape(AUTHOR_MARKS))


def authors(names) -> list[str]:
    """'Last, First' (split by bibtexparser) -> 'First Last'; 'others' -> the et-al. item; a
    name of words braced together, '{Google Research}', an organization, kept in its braces;
    DBLP's number after a name ('Wei Zhang 0001') left out; a mark after any part of the name
    at the end of the whole (see _unmarked)."""
    result = []
    for parts in names:
        parts, marks = _unmarked(parts)
        whole = _clean(parts.merge_first_name_first)
        one_name = not (parts.first or parts.von or parts.jr) and len(parts.last) == 1
        if whole.lower() == "others":
            whole = model.ET_AL
        elif one_name and " " in whole:
            whole = "{%s}" % whole
        else:
            whole = _DBLP_HOMONYM.sub("", whole)
        result.append(whole + marks)
    return result


def _unmarked(parts):
    """A name's parts without the marks after them, and those marks, decoded: `Einstein,
    Albert$^\\dagger$` marks its first name, which comes first on the page, so the mark goes
    after the whole name, as al-folio's `Einstein*, A.` puts it, where the page's comparison
    with the owner's name leaves it out (see metadata.name_key)."""
    marks, unmarked = "", {}
    for part in ("first", "von", "last", "jr"):
        words, marked = list(getattr(parts, part)), ""
        while words:
            match = _MARK_AT_END.search(words[-1])
            mark = re.sub(r"[\s^{}]", "", math_as_text(match[0])) if match else ""
            if not mark or mark.strip(AUTHOR_MARKS):  # `$x^2$` is no mark
                break
            marked = mark + marked
            words[-1] = words[-1][:match.start()]
            words = words if words[-1] else words[:-1]
        marks, unmarked[part] = marks + marked, words
    return dataclasses.replace(parts, **unmarked), marks


def split_venue(text: str) -> tuple[str, str]:
    """(short, full) of a booktitle or journal: a recognisable short name is split off."""
    for pattern in _VENUE_PATTERNS:
        match = pattern.match(text)
        if match and sum(c.isupper() for c in match["short"]) >= 2:
            return match["short"], match["full"].strip(" ,")
    return (text, "") if " " not in text else ("", text)


def _arxiv_of(name: str, value, fields: dict) -> str:
    """The arXiv id (or arXiv url) field `name` gives, or ''. A venue's text may give one,
    `arXiv preprint arXiv:ID`: an article's `journal` (Google Scholar's), a @misc's `howpublished`."""
    if name == "arxiv":  # an id not read is kept, for the build to say what is wrong with it
        return arxiv_id_of(_raw(value), version=True) or _raw(value)
    if name == "eprint":
        archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
        eprint = arxiv_id_of(_raw(value), version=True)
        if archive == "arxiv":
            return eprint or re.sub(r"^arxiv:\s*", "", _raw(value), flags=re.IGNORECASE)
        return eprint if not archive else ""
    if name in ("journal", "howpublished"):
        match = _ARXIV_IN_TEXT.search(value)
        return match.group(1) if match else ""
    return ""


def arxiv_id(fields: dict) -> str:
    return next((i for i in (_arxiv_of(n, v, fields) for n, v in fields.items()) if i), "")


def bibtex_type(entry_type: str, fields: dict) -> str:
    """The BibTeX type a biblatex entry type stands for: @report is a @techreport, @thesis a
    @mastersthesis when its `type` says so (see bibtex.is_masters), else a @phdthesis."""
    if entry_type == "report":
        return "techreport"
    if entry_type == "thesis":
        return "mastersthesis" if bibtex.is_masters(fields.get("type", "")) else "phdthesis"
    return entry_type


def bibtex_fields(entry_type: str, fields: dict) -> tuple[dict, dict]:
    """`fields` under BibTeX's names where biblatex's differ (Zotero's Better BibLaTeX writes
    these): `journaltitle` is the `journal`, a thesis's `institution` its `school`; and the
    `school` of a report is its `institution`; an `issue` is the `number`; an `articleno` (the
    ACM Digital Library's, where a journal has no pages) the `pages`. A field of both names keeps
    the BibTeX one.
    With them, {BibTeX name: name in the file} of those renamed."""
    aliases = {"journal": "journaltitle", "number": "issue",  # issue: al-folio's (and ACM's)
               "pages": "articleno"}
    if entry_type in ("phdthesis", "mastersthesis"):
        aliases["school"] = "institution"
    elif entry_type == "techreport":
        aliases["institution"] = "school"
    renamed = {name: alias for name, alias in aliases.items() if alias in fields and name not in fields}
    return {**fields, **{name: fields[alias] for name, alias in renamed.items()}}, renamed


def publication_type(entry_type: str, fields: dict) -> tuple[str, bool]:
    """(type, known): the issue's mapping; a `type` field naming a publication type wins."""
    named = fields.get("type", "").strip().lower()
    if named in model.KNOWN_TYPES:
        return named, True
    said = " ".join(fields.get(f, "") for f in ("note", "howpublished", "pubstate", "publisher")).lower()
    journal = fields.get("journal", "")
    if entry_type == "article" and (PREPRINT_SERVERS.search(journal) or (not journal and arxiv_id(fields))):
        return "preprint", True
    if entry_type == "article" and PROCEEDINGS.search(journal):
        return "conference", True
    if entry_type in ("misc", "unpublished", "online"):  # @online: biblatex's (Zotero's preprints)
        if arxiv_id(fields) or re.search(r"preprint|prepublished", said):
            return "preprint", True
        if "patent" in said:
            return "patent", True
    if entry_type in bibtex.PUBLICATION_TYPES:
        return bibtex.PUBLICATION_TYPES[entry_type], True
    return (named if re.fullmatch(r"[a-z][a-z0-9_-]*", named) else entry_type), False


def venue(entry_type: str, pub_type: str, fields: dict) -> dict:
    """{'venue' and 'venue_full': (value, the field it came from)}, those there are. al-folio's
    `abbr` (its badge) is the short name, the venue field's text then the full one; so is
    Zotero's (biblatex's) `shortjournal` when that text shows no short name (`... (TPAMI)`)."""
    name = venue_field(entry_type)
    text = title_text(_name_of(fields.get(name, "")))  # a volume's title lends its marks: text here
    if _URL.match(text):
        text = ""
    if pub_type == "preprint" and re.search(r"\barxiv\b", text, re.IGNORECASE):
        return {"venue": ("arXiv", name)}
    short, full = split_venue(text) if text else ("", "")
    found = {"venue": (short, name), "venue_full": (full, name)}
    given = ((field, _name_of(fields.get(field, ""))) for field in ("abbr", "shortjournal"))
    abbr_from, abbr = next(((field, value) for field, value in given
                            if value and (field == "abbr" or not short)), ("", ""))
    if abbr and not same_venue(abbr, full or short):
        found = {"venue": (abbr, abbr_from), "venue_full": (full or short, name)}
    return {key: taken for key, taken in found.items() if taken[0]}


def citation(entry_type: str, pub_type: str, fields: dict, problems: Problems, place: Place) -> dict:
    """{'volume', 'number', 'pages', 'publisher': (value, the field it came from)}, those there
    are. Pages in one form (see model.page_ranges: `400--410` is `400–410`); `pages` that are
    none (`pp. 400--410`, `400 pages`) are left out with a warning at them, as a bad `date` is.
    Not a patent's number (its note gives it: see _note) or publisher, a preprint's volume or
    number, nor a book's publisher (its venue)."""
    found = {name: _clean(str(fields.get(name, ""))) for name in ("volume", "number", "pages")}
    found["publisher"] = _name_of(fields.get("publisher", ""))
    found["pages"] = model.page_ranges(found["pages"])
    if found["pages"] and not re.fullmatch(model.PAGES_PATTERN, found["pages"]):
        place.at("pages").warn(problems, f"field 'pages' left out: '{one_line(found['pages'])}' is "
                                         "not pages like 400--410, e1234 or 12")
        found["pages"] = ""
    if pub_type == "patent":  # Google Scholar's publisher of one is 'Google Patents'
        found["number"] = found["publisher"] = ""
    if pub_type == "preprint":  # DBLP's CoRR volume, `abs/2303.18232`, is the arXiv id again
        found["volume"] = found["number"] = ""
    if venue_field(entry_type) == "publisher":
        found["publisher"] = ""
    return {name: (value if name == "publisher" else _number_as_written(value), name)
            for name, value in found.items() if value}


def _number_as_written(text: str):
    """A whole number as an int, for the file to say `volume: 19`, not `volume: '19'` (it is
    read back as text, as written: `019` stays text, keeping its 0)."""
    return int(text) if re.fullmatch(r"[1-9][0-9]*", text) else text


def _link(name: str, value, fields: dict) -> tuple[str, str] | None:
    """The (label, target) a field gives when it is meant as a link: doi and arXiv ids, the
    `url` field, or any other field holding a url, an unsafe one too (see `links`)."""
    if not isinstance(value, str):
        return None
    arxiv = _arxiv_of(name, value, fields)
    if arxiv or name == "doi":
        return ("arxiv", arxiv) if arxiv else ("doi", doi_of(_raw(value)) or _raw(value))
    target = _raw(value)
    if name == "url" and target:
        return "paper", target  # the exporter writes `paper` as url
    if name == "howpublished":
        name = "paper"
    elif name in NOT_LINKS | TEXT_FIELDS:
        return None
    meant = name in LINK_NAMES or _URL.match(target) or _RUN_BY_BROWSERS.match(as_a_browser_reads(target))
    return (name, target) if meant and target else None


def links(fields: dict, site_root: str = "") -> tuple[dict, list[tuple[str, str]]]:
    """({label: (target, the field it came from)} in the order of their fields, (field, value)
    of those left out as not http(s)).

    A url repeating a doi or arXiv link is left out too, without a word. One into the site at
    `site_root` (site.yml's url), as publications.bib writes a link to a file of the site, is
    made relative again: `https://ada.org/papers/x.pdf` is `papers/x.pdf` for https://ada.org/.
    """
    found: dict[str, tuple[str, str]] = {}
    refused = []
    for name, value in fields.items():
        link = _link(name, value, fields)
        if link and (link[0] in LINK_EXPANSIONS or _URL.match(link[1])):
            target = link[1]
            if site_root and link[0] not in LINK_EXPANSIONS:
                target = _in_the_site(target, site_root)
            found.setdefault(link[0], (target, name))
        elif link:
            refused.append((name, link[1]))
    ids = {url_key(expanded(label, found[label][0])) for label in LINK_EXPANSIONS if label in found}
    return {label: taken for label, taken in found.items()
            if label in LINK_EXPANSIONS or url_key(taken[0]) not in ids}, refused


def _in_the_site(url: str, site_root: str) -> str:
    """`url` relative to the site's root if it leads into the site at `site_root`, as a link
    of the site's content is written (its path decoded, but a '%', '?' or '#' of a file's name:
    see metadata.name_in_url), else as it is."""
    rest = url[len(site_root):] if url.startswith(site_root) else ""
    path, tail = re.match(r"([^?#]*)(.*)", rest, re.DOTALL).groups()
    if not path or path.startswith("/"):  # the site's home, or not under its root
        return url
    return name_in_url(unquote(path)) + tail


# The start of a biblatex date: `2019-03` of `2019-03/2020-01` (a range), `2019` of `2019~`.
_DATE_START = re.compile(r"(?P<year>\d{4})(?!\d)(?:-(?P<month>0[1-9]|1[0-2])(?:-(?P<day>\d{2}))?)?")


def _date(fields: dict, problems: Problems, place: Place) -> dict:
    """{'year', 'month' or 'date': (value, the field it came from)}, those there are. Of a
    biblatex `date`, the start is read: of a range, its first date; one that does not start
    with a year is left out, with a warning at it, and so is a `year` that is none (see
    _year_field) and a `month` naming no month (see _month). A `month` giving a day too (`15
    September`) makes a date with the year."""
    written = fields.get("date", "").strip()
    match = _DATE_START.match(written)
    if written and not match:
        place.at("date").warn(problems, f"field 'date' left out: '{one_line(written)}' is not a "
                                        "date like 2024-03-15, 2024-03 or 2019/2020")
    start = match.groupdict("") if match else {"year": "", "month": "", "day": ""}
    if start["day"]:
        return {"date": (match[0], "date")}
    year, year_from = _year_field(fields, problems, place), "year"
    if not year:
        year, year_from = start["year"], "date"
    month, day = _month_field(fields, problems, place)
    month_from = "month"
    if not month and start["month"]:
        month, month_from = int(start["month"]), "date"
    full = _full_date(year, month, day) if day else ""
    if full:
        return {"date": (full, "month")}
    result = {"year": (int(year), year_from)} if year else {}
    if month:
        result["month"] = (month, month_from)
    return result


# A `year` as written: a year, or a range of years (`2021--2022`, `2021/2022`) starting with one.
_YEARS = re.compile(r"(?P<year>\d{4})(?:\s*(?:-+|–|—|/)\s*\d{2,4})?")


def _year_field(fields: dict, problems: Problems, place: Place) -> str:
    """The year the `year` field gives; '' without one. Of a range, its first year, with a
    warning saying so, as of a biblatex `date`; text that is no year (`in press`, `forthcoming`)
    is left out with a warning at it, as an unreadable `date` is, and the entry imported undated
    (the page lists it after the dated ones)."""
    written = _clean(str(fields.get("year", "")))
    match = _YEARS.fullmatch(written)
    if match and match[0] != match["year"]:
        place.at("year").warn(problems, f"field 'year' is a range, '{one_line(written)}': its "
                                        f"first year, {match['year']}, was taken")
    elif written and not match:
        place.at("year").warn(problems, f"field 'year' left out: '{one_line(written)}' is not a "
                                        "year like 2024")
    return match["year"] if match else ""


def _month_field(fields: dict, problems: Problems, place: Place) -> tuple[int, int]:
    """(month, day) of the `month` field (see _month); (0, 0) without one, or with one naming
    no month, which is left out with a warning at it, as an unreadable `date` is."""
    value = fields.get("month", "")
    read = _month(value) if str(value).strip() else (0, 0)
    if read is None:
        place.at("month").warn(problems, f"field 'month' left out: '{one_line(str(value))}' is not "
                                         "a month like 9, sep, September or 15 September")
    return read or (0, 0)


def _month(value) -> tuple[int, int] | None:
    """(month, day) a `month` field gives, day 0 when it gives none: a number (9, `{09}`) or the
    name of a month, whole or cut short (`sep`, `Sept.`), with a day before or after it (`15
    September`, `September 15`, Google Scholar's `jun # "~29"`); None when it gives no month."""
    if isinstance(value, int):  # a month macro, `sep`, made a number by bibtexparser
        return value, 0
    words = re.findall(r"[^\W\d_]+|\d+", value.lower())
    named = [number for word in words for number, name in enumerate(bibtex.MONTH_NAMES, 1)
             if len(word) >= 3 and name.startswith(word)]
    if not named:  # a number alone, or no month
        number = int(words[0]) if len(words) == 1 and words[0].isdigit() else 0
        return (number, 0) if 1 <= number <= 12 else None
    days = [int(word) for word in words if word.isdigit() and 1 <= int(word) <= 31]
    return named[0], days[0] if len(days) == 1 else 0


def _full_date(year: str, month: int, day: int) -> str:
    """`YEAR-MM-DD`, or '' when the year is not a number or the month has no such day."""
    try:
        return datetime.date(int(year), month, day).isoformat()
    except ValueError:
        return ""


def _note(entry_type: str, pub_type: str, fields: dict) -> tuple[str, str]:
    """(the note, the field it came from); a patent's number goes first, unless the note already
    gives it, and so does "Master's thesis" for a master's thesis (the exporter reads it back as
    @mastersthesis)."""
    note = _clean(fields.get("note", ""))
    if entry_type == "mastersthesis" and not note.startswith(bibtex.MASTERS_NOTE):
        return (f"{bibtex.MASTERS_NOTE}; {note}" if note else bibtex.MASTERS_NOTE), "note"
    number = _clean(fields.get("number", "")) if pub_type == "patent" else ""
    digits = _patent_digits(number)
    if not number or (digits and digits in _patent_digits(note).split()):
        return note, "note"
    return (f"{number}; {note}", "note") if note else (number, "number")


def _patent_digits(text: str) -> str:
    """A patent number's digits, '11,000,001' as '11000001', without a kind code like 'B2';
    the numbers in a note, apart by spaces."""
    text = re.sub(r"(?<=\d)[\s,./-](?=\d)|(?<=\d)\s*[A-Z]\d?\b", "", text)
    return " ".join(re.findall(r"\d+", text))


def entry_data(entry, fields: dict, problems: Problems, place: Place,
               site_root: str = "") -> tuple[dict, dict] | None:
    """The publication data of a parsed entry whose fields (crossref resolved) are `fields`,
    in model field order, and the .bib field each value came from, by the keys leading to it
    (`{('venue',): 'journaltitle', ('links', 'doi'): 'doi'}`); None when it has none. Links
    into the site at `site_root` are made relative (see links)."""
    title = _clean(fields.get("title", ""))
    names = authors(fields.get("author") or [])
    if not title or not names:
        place.error(problems, f"entry has no {'title' if not title else 'author'}")
        return None
    entry_type = bibtex_type(entry.entry_type.lower(), fields)
    fields, renamed = bibtex_fields(entry_type, fields)
    pub_type, known = publication_type(entry_type, fields)
    if not known:
        place.warn(problems, f"unknown entry type '@{entry_type}': imported with type '{pub_type}'")
    unread = _unread(entry, fields)
    if unread:
        place.warn(problems, f"field{'s' * (len(unread) > 1)} left out, as the site has no place "
                             f"for {'them' if len(unread) > 1 else 'it'}: {', '.join(unread)}")
    found, refused = links(fields, site_root)
    for name, value in refused:
        reason = unsafe_url_reason(value) or "is not an http(s) address"
        place.at(name).warn(problems, f"field '{name}' left out: '{one_line(value)}' {reason}")
    taken = {"title": (title, "title"), "authors": (names, "author"),
             "type": (pub_type, "type" if "type" in fields else ""),
             **venue(entry_type, pub_type, fields),
             **citation(entry_type, pub_type, fields, problems, place), **_date(fields, problems, place),
             "note": _note(entry_type, pub_type, fields),
             "links": ({label: target for label, (target, _) in found.items()}, "")}
    if fields.get("abstract", "").strip():
        taken["abstract"] = (abstract(fields["abstract"]), "abstract")
    if fields.get("selected", "").strip().lower() in ("true", "yes", "1"):  # al-folio's, and ours
        taken["selected"] = (True, "selected")
    key = _key(entry.key, problems, place)
    if key:
        taken["bibtex_key"] = (key, "")
    sources = {**{(name,): source for name, (_, source) in taken.items()},
               **{("links", label): source for label, (_, source) in found.items()}}
    return ({name: value for name, (value, _) in taken.items() if value not in ({}, "")},
            {keys: renamed.get(source, source) for keys, source in sources.items()})


def _unread(entry, fields: dict) -> list[str]:
    """The names of the entry's own fields nothing is read from, but routine ones (see
    ROUTINE_FIELDS): al-folio's `preview`, `altmetric`, `award`... the user may want to know of."""
    return [item.key for item in entry.fields if item.key not in _KNOWN_FIELDS
            and not _link(item.key, fields.get(item.key), fields)]


def _key(written: str, problems: Problems, place: Place) -> str:
    """The entry's key as a file's `bibtex_key` may hold it (see model): its letters in ASCII,
    `müller2020` (arXiv and ORCID exports have such keys) as `muller2020` (see metadata.fold),
    each in its case; '' when it still holds others. A key changed or left out (the site then
    makes one) is told: the key cited in LaTeX and the page's then differ."""
    if re.match(_KEY.pattern, written):
        return written
    spelt = "".join(char if char.isascii() else fold(char).upper() if char.isupper() else fold(char)
                    for char in written)
    if re.match(_KEY.pattern, spelt):
        place.warn(problems, f"key '{written}' is written '{spelt}': a key holds only ASCII {_KEY.hint}")
        return spelt
    place.warn(problems, f"key '{one_line(written)}' left out (the site makes one from the first "
                         f"author, year and title): a key holds only ASCII {_KEY.hint}")
    return ""


# ---------------------------------------------------------------------------------------------
# Files.


@dataclass(frozen=True)
class Found:
    """An entry to import: where it is, its publication data, the .bib field each value came
    from (see entry_data), and what reading it found (told once it is known to be imported:
    of an entry already present and left as it is, only errors are told)."""

    place: Place
    data: dict
    sources: dict
    problems: Problems

    def place_of(self, keys: tuple[str, ...]) -> Place:
        """Where the .bib field is that gave the publication field at `keys` (or the nearest
        one above it); the entry's place when none did."""
        return self.place.at(next((self.sources[keys[:size]] for size in range(len(keys), 0, -1)
                                   if keys[:size] in self.sources), ""))


def entries_of(blocks, references: CrossReferences, result: ImportResult,
               site_root: str = "") -> list[Found]:
    """Each entry of a file that could be read, to import; the others are reported. A volume
    (proceedings, a journal) another entry's crossref names is left out. (`site_root`: see
    links.)"""
    from bibtexparser.model import ParsingFailedBlock

    found = []
    for place, block in blocks:
        if place.report_notes(result.problems):  # what bibtexparser made of it is no good either
            result.failed += 1
            continue
        if isinstance(block, ParsingFailedBlock):
            place.error(result.problems, failure(block))
            result.failed += 1
            continue
        reference = references.reference(block)
        if reference and references.parent(block) is None:
            place.at("crossref").warn(result.problems, f"crossref '{one_line(reference)}' names no "
                                                       "entry of the files imported: nothing was "
                                                       "taken from it")
        elif reference and references.in_circle(block):
            place.at("crossref").error(result.problems, f"crossref '{one_line(reference)}' leads "
                                                        "back to this entry: it was not imported")
            result.failed += 1
            continue
        if references.is_volume(block):
            continue
        problems = Problems()
        data = entry_data(block, references.fields(block), problems, place, site_root)
        if data is None:
            result.problems.extend(problems)
            result.failed += 1
        else:
            found.append(Found(place, *data, problems))
    return found


def import_entry(found: Found, folder, result: ImportResult, order: int = 0) -> None:
    """Write one entry as a new file, given `order` if not 0, or count it as present (and fill
    it in with --update: never with an `order`, which would move it on the page)."""
    place, data = found.place, found.data
    pub, errors = read_back(data)
    for keys, message in errors:
        found.place_of(keys).error(found.problems, message)
    if pub is None:
        _tell(found, result)
        result.failed += 1
        return
    try:
        _write_entry(found, pub, data, folder, result, order)
    except OSError as error:  # a full disk, no permission: this entry is not imported
        where = folder.project.relative(error.filename) if error.filename else "its file"
        _tell(found, result)
        place.error(result.problems, f"not imported: cannot write {where}: "
                                     f"{error.strerror or error}")
        result.failed += 1


def _write_entry(found: Found, pub, data: dict, folder, result: ImportResult, order: int) -> None:
    """import_entry's writing, counted once done: an OSError leaves the entry counted failed."""
    place = found.place
    same = folder.find(pub)
    if same is not None:
        # A preprint of the paper present (see works.same_work): its links, not its venue.
        preprint = pub.type == "preprint" and same.type != "preprint"
        filling = {"links": data.get("links", {})} if preprint else data
        added = folder.fill(same, filling) if result.update else []
        result.present += 1
        _tell(found, result, warnings=bool(added))
        if added:
            result.updated += 1
            rekeyed = ("bibtex_key" in added and same.made_key != data["bibtex_key"]
                       and f"; its key (and its id on the page) is now '{data['bibtex_key']}'")
            result.written.append(f"updated {same.source}:{same.line}: added {', '.join(added)}"
                                  f"{rekeyed or ''}")
        else:
            result.left.append(f"{place.path}:{place.line}: already present as "
                               f"{same.source}:{same.line} ({place.name})")
        return
    owner = folder.key_owner(pub.bibtex_key) if pub.bibtex_key else None
    if owner is not None:  # another work (see PublicationFolder.find)
        place.warn(result.problems, f"key '{pub.bibtex_key}' is already used by {owner.source}, "
                                    f"another work ({folder.key_clash(owner, pub)}): imported without it")
        data = {name: value for name, value in data.items() if name != "bibtex_key"}
        pub = dataclasses.replace(pub, bibtex_key="")
    if order:
        data, pub = {**data, "order": order}, dataclasses.replace(pub, order=order)
    preprint = folder.preprint_of(pub)
    written = folder.add(data, pub)
    if preprint is not None:
        place.warn(found.problems, f"the published version of {preprint.source}:{preprint.line}, a "
                                   f"preprint: written beside it, to {written} (remove the preprint "
                                   "if it should no longer be listed)")
    _tell(found, result)
    result.new += 1
    result.written.append(f"wrote {written}")


def _tell(found: Found, result: ImportResult, warnings: bool = True) -> None:
    """Tell what reading `found` found, once what becomes of it is known: its warnings only if
    something of it was imported (see Found)."""
    result.problems.extend([problem for problem in found.problems.items
                            if warnings or not problem.warning])


def import_files(root, files, update: bool = False) -> ImportResult:
    """Import each .bib file into the project at `root`; nothing already there is overwritten."""
    from bibtexparser.model import Entry

    project = Project(Path(root).resolve())
    result = ImportResult(update=update)
    missing = missing_site_file(project)
    if missing:
        result.problems.error(SITE_FILE, 0, 0, missing)
        return result
    folder = PublicationFolder(project, result.problems)
    if folder.blocked:
        return result
    read = []  # the blocks of each file: all are read before any entry, for crossref to find
    for file in files:
        shown = Path(file).as_posix()
        text = read_text(Path(file), shown, result.problems)
        blocks = read_bib(text, shown) if text is not None else []
        if text is not None and not blocks:  # an empty file, or a .yml given by mistake
            result.problems.error(shown, 0, 0, "no BibTeX entries found")
        if not blocks:
            result.failed += 1
        read.append(blocks)
    references = CrossReferences([block for blocks in read for _, block in blocks
                                  if isinstance(block, Entry)])
    site = load_site(project, Problems())  # its problems are the build's to tell
    site_root = site_root_url(site) if site is not None else ""
    for blocks in read:
        found = entries_of(blocks, references, result, site_root)
        for entry, order in zip(found, file_order(found)):
            import_entry(entry, folder, result, order)
    return result


def file_order(found: list[Found]) -> list[int]:
    """Each entry's `order` if it is new: its place among the entries of its date (or of none),
    when there are several; else 0 (none written). The page orders publications newest first,
    those of one date by `order`, then by file name: so it lists them as the file does. (A
    publications.bib lists them as its page does: that page comes back in its order.)"""
    dates = [tuple(entry.data.get(name) for name in ("year", "month", "date")) for entry in found]
    count, seen = Counter(dates), Counter()
    orders = []
    for date in dates:
        seen[date] += 1
        orders.append(seen[date] if count[date] > 1 else 0)
    return orders
