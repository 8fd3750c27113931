"""Publication -> BibTeX text, with the fields a citation manager needs.

The importer reads these entries back into the same records (see importer.py), so what is
written here and what is read there are kept in step by a round-trip test.
"""
from __future__ import annotations

import re
import unicodedata

from .model import Publication

ENTRY_TYPES = {
    "conference": "inproceedings", "workshop": "inproceedings", "journal": "article",
    "patent": "patent", "thesis": "phdthesis", "book": "book", "chapter": "incollection",
    "report": "techreport",
}
VENUE_FIELDS = {
    "inproceedings": "booktitle", "incollection": "booktitle", "article": "journal",
    "phdthesis": "school", "techreport": "institution", "book": "publisher",
}
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le", "dos", "ter"}
STOP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "via", "towards"}
# Links whose label is a BibTeX field of its own; 'paper' is the entry's url.
LINK_FIELDS = {"paper": "url"}
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


def last_first(name: str) -> str:
    """'Bryan A. Plummer' -> 'Plummer, Bryan A.'; particles stay with the last name."""
    words = name.split()
    if len(words) < 2:
        return name
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return f"{' '.join(words[start:])}, {' '.join(words[:start])}"


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def default_key(pub: Publication) -> str:
    last = _ascii_word(last_first(pub.authors[0]).split(",")[0]) or "anon"
    words = [_ascii_word(w) for w in re.split(r"[\s:/-]+", pub.title)]
    first = next((w for w in words if w and w not in STOP_WORDS), "")
    return f"{last}{pub.shown_year or ''}{first}"


def assign_keys(publications) -> dict[int, str]:
    """A unique key per publication (by id()), given ones kept, made ones suffixed a, b, ..."""
    taken = {p.bibtex_key for p in publications if p.bibtex_key}
    keys = {}
    for pub in publications:
        key = pub.bibtex_key
        if not key:
            base = key = default_key(pub)
            suffix = 0
            while key in taken:
                suffix += 1
                key = base + _letters(suffix)
            taken.add(key)
        keys[id(pub)] = key
    return keys


def _letters(number: int) -> str:
    text = ""
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def escape(text: str) -> str:
    """Escape the characters BibTeX treats specially, leaving $math$ as written."""
    return re.sub(r"(?<!\\)([&%#_])", r"\\\1", text)


def protect_capitals(title: str) -> str:
    """Brace each word that holds a capital, so styles that change case keep it."""
    parts = re.split(r"(\$[^$]*\$)", escape(title))  # math stays as written
    return "".join(
        part if part.startswith("$") else re.sub(r"[\w'.-]*[A-Z][\w'.-]*", r"{\g<0>}", part)
        for part in parts
    )


def entry(pub: Publication, key: str) -> str:
    """The BibTeX entry of one publication."""
    kind = ENTRY_TYPES.get(pub.type, "misc")
    fields: list[tuple[str, str]] = [
        ("author", " and ".join(escape(last_first(a)) for a in pub.authors)),
        ("title", protect_capitals(pub.title)),
    ]
    venue = f"{pub.venue_full} ({pub.venue})" if pub.venue_full and pub.venue else pub.venue_full or pub.venue
    if venue:
        fields.append((VENUE_FIELDS.get(kind, "howpublished"), escape(venue)))
    year, month, _ = pub.sort_date
    if year:
        fields.append(("year", str(year)))
    if month:
        fields.append(("month", str(month)))
    note = pub.note or ("Preprint" if pub.type == "preprint" else "")
    if note:
        fields.append(("note", escape(note)))
    for link in pub.links:
        label = link.label.lower()
        if label == "doi":
            fields.append(("doi", link.url.removeprefix("https://doi.org/")))
        elif label == "arxiv":
            fields += [("eprint", link.url.rsplit("/", 1)[1]), ("archiveprefix", "arXiv")]
        elif _FIELD_NAME.match(label):
            fields.append((LINK_FIELDS.get(label, label), link.url))
    if pub.abstract:
        fields.append(("abstract", escape(" ".join(pub.abstract.split()))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in _unique(fields))
    return f"@{kind}{{{key},\n{body}\n}}\n"


def _unique(fields):
    seen = set()
    for name, value in fields:
        if name not in seen:
            seen.add(name)
            yield name, value


def bibliography(publications, keys: dict[int, str]) -> str:
    return "\n".join(entry(pub, keys[id(pub)]) for pub in publications)
