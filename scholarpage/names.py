"""How authors are written in content: one name per item, first name first, as the page shows it.

The page shows an item as it is and bolds it when it is the owner's; the BibTeX export turns it
into 'Last, First' (see bibtex.last_first). An item holding several names ('A and B') or a comma
('Müller, Jörg') would be shown as one name, never bold, and BibTeX would read it otherwise: it
is refused (model.TextList with `names`, see schema.py), with what it most likely means.
"""
from __future__ import annotations

import re

from . import model

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)  # where BibTeX splits a list of names, in any case
# The same rule for editors (JSON Schema): an item that is no organization and holds a comma or
# an 'and' between spaces.
NOT_ONE_NAME = r"^(?!\{[^{}]*\}$)[\s\S]*(,|\s[Aa][Nn][Dd]\s)"


def is_one_name(text: str) -> bool:
    """Whether an item is one name, which the page and BibTeX read alike: no 'and' joining
    names and no comma ('Last, First'), unless it is an organization in braces (see
    model.organization: '{Barnes and Noble, Inc.}')."""
    joined = "and" in text.lower() and _AND.search(text)  # the search alone takes 4 times as long
    return not ("," in text or joined) or bool(model.organization(text))


def meant(text: str) -> list[str]:
    """The names an item that is not one name most likely stands for, each first name first:
    'A and B', BibTeX's 'Last, First and Last, First', 'A, B and C', 'Ada Lovelace, Charles
    Babbage' are several; 'Müller, Jörg', 'Martin Luther King, Jr.' one. BibTeX's 'others'
    is model.ET_AL."""
    joined = [part.strip() for part in _AND.split(text.strip())]
    parts = [part.strip() for part in text.split(",")]
    if len(joined) > 1 and all(part.count(",") == 1 for part in joined if part.lower() != "others"):
        names = [first_name_first(part) for part in joined]
    elif len(joined) > 1:
        names = [name.strip() for part in joined for name in part.split(",")]
    elif _last_first(parts):
        names = [first_name_first(text)]
    else:
        names = parts
    return [model.ET_AL if name.lower() == "others" else name for name in names if name]


def _last_first(parts: list[str]) -> bool:
    """Whether the parts of a text between its commas are one name: 'Last, First' (one of them
    a single word), 'Last, Jr., First' or 'First Last, Jr.'."""
    if len(parts) == 3:
        return parts[1].lower() in model.NAME_SUFFIXES
    return len(parts) == 2 and (parts[1].lower() in model.NAME_SUFFIXES
                                or min(len(part.split()) for part in parts) == 1)


def first_name_first(name: str) -> str:
    """'Jörg Müller' of 'Müller, Jörg'; 'Martin Luther King Jr.' of 'King, Jr., Martin Luther'
    and of 'Martin Luther King, Jr.'."""
    parts = [" ".join(part.split()) for part in name.split(",")]
    if len(parts) == 2 and parts[1].lower() in model.NAME_SUFFIXES:
        return " ".join(parts)
    if len(parts) in (2, 3):
        return " ".join([parts[-1], *parts[:-1]])
    return " ".join(parts)


_PLAIN = re.compile(r"[^\s\[\]{},:#&*!|>'\"%@`?-]([^\[\]{},:#]|:(?!\s)|(?<!\s)#)*(?<!\s)")


def flow_item(text: str) -> str:
    """`text` as an item of a YAML list in brackets: plain if it can be, else quoted."""
    return text if _PLAIN.fullmatch(text) else "'%s'" % text.replace("'", "''")
