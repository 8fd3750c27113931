"""Publication -> BibTeX text, with the fields a citation manager needs.

The importer reads these entries back into the same records (see importer.py): what is written
here and what is read there share the tables below and are kept in step by a round-trip test.
Text is escaped so that LaTeX decoding gives back exactly what the user wrote.
"""
from __future__ import annotations

import functools
import re

from .markup import title_parts
from .metadata import absolute, arxiv_id_of, assign_unique, doi_of, fold
from .model import ET_AL, NAME_SUFFIXES, Publication, Site
from .schema import into_the_site

ENTRY_TYPES = {
    "conference": "inproceedings", "workshop": "inproceedings", "journal": "article",
    "patent": "patent", "thesis": "phdthesis", "book": "book", "chapter": "incollection",
    "report": "techreport",
}
# BibTeX entry type -> publication type, as the importer reads it. An entry whose type does
# not come back this way also gets a `type` field naming its publication type.
PUBLICATION_TYPES = {
    "inproceedings": "conference", "conference": "conference", "article": "journal",
    "patent": "patent", "phdthesis": "thesis", "mastersthesis": "thesis",
    "techreport": "report", "book": "book", "incollection": "chapter", "inbook": "chapter",
    "booklet": "book", "unpublished": "preprint", "dataset": "dataset", "software": "software",
}
VENUE_FIELDS = {
    "inproceedings": "booktitle", "incollection": "booktitle", "article": "journal",
    "phdthesis": "school", "mastersthesis": "school", "techreport": "institution",
    "book": "publisher",
}
# The note a master's thesis gets on import (the exporter reads it back as @mastersthesis).
MASTERS_NOTE = "Master's thesis"
_MASTERS = re.compile(r"\bmaster|\bma\.?thesis\b|\bm\.?\s?(sc|s|a|phil|eng)\b", re.IGNORECASE)
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
MONTHS = tuple(name[:3] for name in MONTH_NAMES)  # BibTeX's macros for them: jan, feb...
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le", "dos", "ter"}
STOP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "via", "towards"}
# Links whose label is written as another BibTeX field: 'paper' is the entry's url.
LINK_FIELDS = {"paper": "url"}
# Fields an entry's own data uses; a link with such a label is not written as a field.
DATA_FIELDS = {
    "author", "title", "booktitle", "journal", "school", "institution", "publisher",
    "howpublished", "year", "month", "date", "type", "note", "doi", "eprint", "archiveprefix",
    "abstract", "volume", "number", "pages",
}
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_MATH = re.compile(r"(\$[^$]+\$)")
_SPECIAL = str.maketrans({
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
    "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_", "$": r"\$",
})
_SPECIAL_CHARACTERS = "".join(map(chr, _SPECIAL))
_DOUBLED = re.compile(r"([-`'])(?=\1)")
_WORD = re.compile(r"([\w'.-]+)")
_BLANK_LINES_BEFORE = re.compile(r"\A(?:[ \t]*\n)+")
_KEY_WORD_SEPARATORS = re.compile(r"[\s:/-]+")
_NOT_KEY = re.compile(r"[^a-z0-9]")


def last_first(name: str) -> str:
    """'Bryan A. Plummer' -> 'Plummer, Bryan A.'; particles go with the last name, 'Jr.' after it."""
    words = name.split()
    suffix = [words.pop()] if len(words) > 2 and words[-1].lower() in NAME_SUFFIXES else []
    if len(words) < 2:
        return name
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return ", ".join([" ".join(words[start:]), *suffix, " ".join(words[:start])])


def bib_name(name: str, organizations=()) -> str:
    """An author as BibTeX wants it: an organization in braces, '{Google Research}', as one
    name; a person's name (first name first, with no comma: see model.TextList) as 'Last, First'."""
    if name == ET_AL:
        return "others"
    if name in organizations:
        return "{%s}" % escape(name)
    return _person(name)


@functools.lru_cache(maxsize=4096)
def _person(name: str) -> str:
    """A person's name as bib_name writes it, worked out once: it recurs in a site's entries."""
    return escape(last_first(name))


def first_family_name(pub: Publication) -> str:
    """The first author's last name, for keys and file names; an organization's whole name."""
    first = pub.authors[0]
    return first if first in pub.organizations else last_first(first).split(",")[0]


def _key_word(text: str) -> str:
    """A word as a key spells it: folded as in slugs and file names (see metadata.fold:
    'Brønsted' -> 'bronsted'), then only its ASCII letters and digits (a key holds no others)."""
    return _NOT_KEY.sub("", fold(text))


def default_key(pub: Publication) -> str:
    last = _key_word(first_family_name(pub)) or "anon"
    words = (_key_word(w) for w in _KEY_WORD_SEPARATORS.split(pub.title))
    first = next((w for w in words if w and w not in STOP_WORDS), "")
    return f"{last}{pub.shown_year or ''}{first}"


def assign_keys(publications) -> dict[int, str]:
    """A unique key per publication (by id()), given ones kept, made ones suffixed a, b, ..."""
    return assign_unique(publications, lambda pub: pub.bibtex_key,
                         lambda pub: pub.made_key or default_key(pub),  # made when read, if read
                         lambda base, number: base + _letters(number))


def _letters(number: int) -> str:
    text = ""
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def escape(text: str) -> str:
    """Plain text as BibTeX that decodes back to the same text; $math$ stays as written.

    Besides LaTeX's special characters, doubled quotes and dashes get a `{}` between them,
    so that `''` or `--` are not read back as typographic quotes or dashes.
    """
    if "$" not in text:
        return _escape_text(text)
    parts = _MATH.split(text)
    return "".join(part if index % 2 else _escape_text(part) for index, part in enumerate(parts))


def _escape_text(text: str) -> str:
    # Finding none is quicker than translating; and looking for each in turn (each a memchr) is
    # quicker than a regex search for any, which takes 10 µs in an abstract.
    for character in _SPECIAL_CHARACTERS:
        if character in text:
            text = text.translate(_SPECIAL)
            break
    return _DOUBLED.sub(r"\1{}", text) if "--" in text or "''" in text or "``" in text else text


def protect_capitals(title: str) -> str:
    """Brace each word that holds a capital, so styles that change case keep it."""
    parts = _MATH.split(escape(title))
    return "".join(part if index % 2 else _braced_capitals(part) for index, part in enumerate(parts))


def _braced_capitals(text: str) -> str:
    parts = _WORD.split(text)  # the words at odd indexes: quicker than a sub calling back on each
    parts[1::2] = [word if word.islower() or not any(map(str.isupper, word)) else f"{{{word}}}"
                   for word in parts[1::2]]
    return "".join(parts)


_LATEX_MARK = {"em": "\\emph{%s}", "strong": "\\textbf{%s}", "code": "\\texttt{%s}"}


def title_value(title: str) -> str:
    """A title as BibTeX: its capitals kept (protect_capitals), its marks (markup.title_parts)
    made \\emph, \\textbf and \\texttt, which the importer reads back as the marks."""
    return "".join(protect_capitals(text) if not kind else
                   _LATEX_MARK[kind] % (protect_capitals(text) if kind == "code" else title_value(text))
                   for kind, text in title_parts(title))


def without_blank_lines_around(text: str) -> str:
    """An abstract's Markdown without the blank lines before and after it, its first line's
    indentation kept (an indented code block): what export writes and import reads back."""
    return _BLANK_LINES_BEFORE.sub("", text).rstrip()


def abstract_value(text: str) -> str:
    """An abstract's field value, its Markdown escaped as any text and its lines kept (a table or
    code block needs them). Written over several lines, or indented, it starts on the line after
    `{`: the layout by which the importer knows its lines are Markdown (see importer.abstract)."""
    lines = escape(without_blank_lines_around(text))
    return "{%s}" % ("\n" + lines if "\n" in lines or lines[:1].isspace() else lines)


def _link_fields(pub: Publication, site: Site | None = None) -> list[tuple[str, str]]:
    """A link's field; one to a file of the site in full, with `site` and its url (a relative
    one means nothing to whoever copies the entry: see importer.links for the way back)."""
    fields = []
    for link in pub.links:
        label = link.label.lower()
        name = LINK_FIELDS.get(label, label)
        if label == "doi":  # the DOI alone, whatever address the link has (dx.doi.org, http)
            doi = doi_of(link.url)
            fields += [("doi", "{%s}" % doi)] if doi else []
        elif label == "arxiv" and arxiv_id_of(link.url):
            eprint = arxiv_id_of(link.url, version=True)
            fields += [("eprint", "{%s}" % eprint), ("archiveprefix", "{arXiv}")]
        elif _FIELD_NAME.match(name) and name not in DATA_FIELDS:
            url = (absolute(site, link.url) if site is not None and into_the_site(link.url) else "")
            fields.append((name, "{%s}" % (url or link.url)))
    return fields


def _citation_fields(pub: Publication) -> list[tuple[str, str]]:
    """Volume, issue, pages (their dashes as BibTeX writes a range: `400--410`) and publisher;
    a book's publisher is its venue, written before these (see entry), so never twice."""
    fields = [(name, "{%s}" % escape(value))
              for name, value in (("volume", pub.volume), ("number", pub.number)) if value]
    if pub.pages:
        fields.append(("pages", "{%s}" % "--".join(map(escape, pub.shown_pages.split("–")))))
    if pub.publisher:
        fields.append(("publisher", "{%s}" % escape(pub.publisher)))
    return fields


def is_masters(text: str) -> bool:
    """Whether a thesis's kind, as its .bib `type` field gives it, is a master's:
    `mathesis` (biblatex's), "Master's thesis", "MSc thesis", "M.A. thesis"; not a PhD's."""
    return bool(_MASTERS.search(text))


def entry_type(pub: Publication) -> str:
    """The BibTeX type of a publication: a thesis is a @phdthesis unless its note starts as the
    importer writes a master's (a note that merely mentions one, "Master Babbage", does not)."""
    if pub.type == "thesis" and pub.note.startswith(MASTERS_NOTE):
        return "mastersthesis"
    return ENTRY_TYPES.get(pub.type, "misc")


def entry(pub: Publication, key: str, site: Site | None = None) -> str:
    """The BibTeX entry of one publication; its links to files of the `site` in full."""
    kind = entry_type(pub)
    fields: list[tuple[str, str]] = [
        ("author", "{%s}" % " and ".join([bib_name(a, pub.organizations) for a in pub.authors])),
        ("title", "{%s}" % title_value(pub.title)),
    ]
    venue = f"{pub.venue_full} ({pub.venue})" if pub.venue_full and pub.venue else pub.venue_full or pub.venue
    if venue:
        fields.append((VENUE_FIELDS.get(kind, "howpublished"), "{%s}" % escape(venue)))
    fields += _citation_fields(pub)
    year, month, _ = pub.sort_date
    if year:
        fields.append(("year", "{%d}" % year))
    if month:
        fields.append(("month", MONTHS[month - 1]))
    if pub.date:
        fields.append(("date", "{%s}" % pub.date))
    if PUBLICATION_TYPES.get(kind) != pub.type or (kind == "article" and not venue):
        fields.append(("type", "{%s}" % pub.type))
    if pub.note and not (kind == "mastersthesis" and pub.note == MASTERS_NOTE):  # said by the type
        fields.append(("note", "{%s}" % escape(pub.note)))
    if pub.selected:  # as al-folio writes it, and the importer reads it
        fields.append(("selected", "{true}"))
    fields += _link_fields(pub, site)
    if pub.abstract:
        fields.append(("abstract", abstract_value(pub.abstract)))
    body = ",\n".join([f"  {name} = {value}" for name, value in _first_of_each(fields).items()])
    return f"@{kind}{{{key},\n{body}\n}}\n"


def _first_of_each(fields) -> dict[str, str]:
    first: dict[str, str] = {}
    for name, value in fields:
        first.setdefault(name, value)
    return first

