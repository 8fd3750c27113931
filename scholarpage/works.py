"""Which publications are one work: `import` leaves an entry already present alone, and a build
warns of a work listed twice.

A work is found by what identifies it (see work_keys): its DOI and arXiv id, and its title as
titles are compared, with its year and type. Both look an entry up by these in an index instead
of comparing it with every other: that made an import of 3,000 entries spend a quarter of its
time comparing, and a build of 10,000 would do 50 million comparisons.
"""
from __future__ import annotations

from . import model
from .metadata import arxiv_id_of, doi_of, words
from .schema import LINK_EXPANSIONS

_NAMES = {"doi": "DOI", "arxiv": "arXiv id"}  # of the ids (LINK_EXPANSIONS), as a message names them


def title_key(title: str) -> str:
    """A title as it is compared: its words (letters and digits of any script, case folded,
    Latin accents dropped: see metadata.fold), whatever separates them; '+' reads as 'plus'."""
    return " ".join(words(title.replace("+", " plus "))).casefold()


_ID_OF = {"doi": doi_of, "arxiv": arxiv_id_of}  # of each id of LINK_EXPANSIONS


def id_key(label: str, url: str) -> str:
    """The id ('doi', 'arxiv') a link's url gives as works are compared: in lower case (DOIs
    are case-insensitive), an arXiv version left out; whatever form the address has
    ('http://dx.doi.org/10.1109/X', 'https://arxiv.org/pdf/2303.18232v2.pdf'). '' for none."""
    return _ID_OF[label](url).lower()


def work_keys(pub: model.Publication) -> tuple[tuple, ...]:
    """What finds the work `pub` is: ('doi', DOI) and ('arxiv', arXiv id) for those its `doi:`
    and `arxiv:` links give (see id_key), then ('title', its title_key, year, type). Made when
    a file is read and kept with it (Publication.work_keys): a title_key takes microseconds,
    too long to make again for each publication at every build."""
    given = {}
    for link in pub.links:
        label = link.label.lower()
        if label in LINK_EXPANSIONS:
            given[label] = id_key(label, link.url)
    return (*((label, given[label]) for label in LINK_EXPANSIONS if given.get(label)),
            ("title", title_key(pub.title), pub.shown_year, pub.type))


def keys_of(pub: model.Publication) -> tuple[tuple, ...]:
    return pub.work_keys or work_keys(pub)  # made when read, if read


# ---------------------------------------------------------------------------------------------
# `import`: is an entry of the .bib one already present?


def identity(pub: model.Publication) -> dict:
    """What `import` compares: each id ('' for none), the title, year and type."""
    *ids, (_, title, year, kind) = keys_of(pub)
    return {**dict.fromkeys(LINK_EXPANSIONS, ""), **dict(ids), "title": title, "year": year, "type": kind}


def same_work(present: dict, wanted: dict) -> bool:
    """Whether `wanted` is the work of the entry `present`: same DOI, else same arXiv id, else
    same title and year (or one is undated) and either the same type, or `wanted` is the
    preprint of `present`, a paper published since (which is listed instead of it).

    Two different DOIs (a conference paper and its journal version) are two works, and so are
    two types of one title (the conference paper and the journal version again, a paper and a
    patent, a published paper and the preprint in the folder before it: see preprint_of).
    """
    for label in LINK_EXPANSIONS:
        if present[label] and wanted[label]:
            return present[label] == wanted[label]
    return same_title(present, wanted) and (present["type"] == wanted["type"] or (
        wanted["type"] == "preprint" and present["type"] not in ("preprint", "patent")))


def same_title(a: dict, b: dict) -> bool:
    """Same title and year, or one is undated."""
    return a["title"] == b["title"] and (a["year"] == b["year"] or not a["year"] or not b["year"])


def preprint_of(present: dict, wanted: dict) -> bool:
    """Whether `present` is the preprint of the paper `wanted`, published since: the same title,
    no id telling them apart. Both are kept: the user chooses whether the preprint stays."""
    differ = any(present[label] and wanted[label] and present[label] != wanted[label]
                 for label in LINK_EXPANSIONS)
    return (not differ and present["type"] == "preprint" and wanted["type"] not in ("preprint", "patent")
            and same_title(present, wanted))


def other_work(present: dict, wanted: dict) -> str:
    """Why two entries of one BibTeX key are two works, as a message says it ('year 2019, not
    2020'), or '' when nothing says so. A key names one work: the title or type of the entry
    present may be the user's edit, and either may lack an id or a year the other gives; but
    two different DOIs, arXiv ids or years are two works, and so are a preprint and the paper
    published since (Google Scholar gives both one key: first author, year, title's word)."""
    for label in LINK_EXPANSIONS:
        if present[label] and wanted[label] and present[label] != wanted[label]:
            return f"{_NAMES.get(label, label)} {present[label]}, not {wanted[label]}"
    if present["year"] and wanted["year"] and present["year"] != wanted["year"]:
        return f"year {present['year']}, not {wanted['year']}"
    return "its preprint" if preprint_of(present, wanted) else ""


# ---------------------------------------------------------------------------------------------
# A build: is a publication listed twice?


def listed_twice(first: tuple[tuple, ...], second: tuple[tuple, ...]) -> str:
    """Why the publications of these work_keys are evidently one work ('same DOI 10.1000/x'),
    or '': same DOI, else same arXiv id, else same title, year and type. As for same_work, two
    different DOIs (or arXiv ids) are two works whatever their titles; titles of no letters or
    digits ('???', '—') tell nothing."""
    first_ids, second_ids = dict(first[:-1]), dict(second[:-1])
    for label in LINK_EXPANSIONS:
        if label in first_ids and label in second_ids:
            same = first_ids[label] == second_ids[label]
            return f"same {_NAMES.get(label, label)} {first_ids[label]}" if same else ""
    if first[-1] != second[-1] or not first[-1][1]:
        return ""
    return "same title, year and type" if first[-1][2] else "same title and type, both undated"
