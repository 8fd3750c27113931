"""Which publications are one work: `import` leaves an entry already present alone.

A work is found by what identifies it: its DOI and arXiv id, and its title as titles are
compared, with its year.
"""
from __future__ import annotations

import re

from . import model
from .metadata import words
from .schema import LINK_EXPANSIONS

_NAMES = {"doi": "DOI", "arxiv": "arXiv id"}  # of the ids (LINK_EXPANSIONS), as a message names them


def title_key(title: str) -> str:
    """A title as it is compared: its words (letters and digits of any script, case folded,
    Latin accents dropped: see metadata.fold), whatever separates them; '+' reads as 'plus'."""
    return " ".join(words(title.replace("+", " plus "))).casefold()


# ---------------------------------------------------------------------------------------------
# `import`: is an entry of the .bib one already present?


def identity(pub: model.Publication) -> dict:
    """What `import` compares: each id ('' for none), the title, year and whether a patent."""
    links = {link.label.lower(): link.url for link in pub.links}
    ids = {label: re.sub(r"v\d+$", "", links.get(label, "").removeprefix(prefix).lower())
           for label, (prefix, _, _) in LINK_EXPANSIONS.items()}
    return {**ids, "title": title_key(pub.title), "year": pub.shown_year,
            "patent": pub.type == "patent"}


def same_work(a: dict, b: dict) -> bool:
    """Same DOI, else same arXiv id, else same title and year (or one is undated).

    Two different DOIs (a conference paper and its journal version) are two works, and so are
    a paper and a patent, or a paper and its later version, with the same title.
    """
    for label in LINK_EXPANSIONS:
        if a[label] and b[label]:
            return a[label] == b[label]
    years = a["year"] == b["year"] or not a["year"] or not b["year"]
    return years and a["title"] == b["title"] and a["patent"] == b["patent"]


def other_work(present: dict, wanted: dict) -> str:
    """Why two entries of one BibTeX key are two works, as a message says it ('year 2019, not
    2020'), or '' when nothing says so. A key names one work: the title or type of the entry
    present may be the user's edit, and either may lack an id or a year the other gives; but
    two different DOIs, arXiv ids or years are two works."""
    for label in LINK_EXPANSIONS:
        if present[label] and wanted[label] and present[label] != wanted[label]:
            return f"{_NAMES.get(label, label)} {present[label]}, not {wanted[label]}"
    if present["year"] and wanted["year"] and present["year"] != wanted["year"]:
        return f"year {present['year']}, not {wanted['year']}"
    return ""
