"""Reading .bib files: entries as bibtexparser v2 gives them, where each is, crossrefs resolved.

Its middlewares resolve @string macros, lower-case field names, split author lists at their
`and`s (see split_names) and names into words (a control word keeping the word after it: `S\\o ren`
is one word, as in LaTeX) and decode LaTeX to Unicode in text fields ($math$ stays as written); a
block it cannot read is kept, to be reported at its line. importer.py turns the entries into
publication files.
"""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field, replace

from . import bibtex
from .files import line_start, places_in
from .markup import title_text
from .schema import one_line
from .problems import Problem, Problems

# Fields holding text, decoded from LaTeX. Every other field (urls, ids) is taken as written.
TEXT_FIELDS = {"title", "author", "booktitle", "journal", "journaltitle", "note", "abstract",
               "howpublished", "publisher", "school", "institution", "type", "pubstate", "number",
               "volume", "pages", "issue", "articleno", "abbr", "shortjournal"}
# Of those, the fields whose text marks emphasis (a title's, and an abstract's Markdown).
MARKED_FIELDS = {"title", "abstract"}
# What an entry takes from the one its `crossref` names, when it lacks them, as BibTeX does.
# Not the parent's links, abstract, note or type: they describe the volume, not the paper (a
# proceedings' DOI would make every paper in it the same work).
INHERITED = {"author", "editor", "booktitle", "journal", "publisher", "school", "institution",
             "organization", "series", "volume", "number", "address", "edition", "year", "month",
             "date"}
# Volumes that hold works rather than being one (biblatex's types): one a `crossref` names lends
# its fields and is not imported. Any other entry named, a book its chapters name, is a work too.
VOLUME_TYPES = {"proceedings", "mvproceedings", "collection", "mvcollection", "periodical",
                "reference", "mvreference"}
VENUE_FIELDS = {**bibtex.VENUE_FIELDS, "conference": "booktitle", "inbook": "booktitle",
                "mastersthesis": "school"}


def venue_field(entry_type: str) -> str:
    """The field naming where an entry of this type appeared: `booktitle` of an @inproceedings."""
    return VENUE_FIELDS.get(entry_type.lower(), "howpublished")


# ---------------------------------------------------------------------------------------------
# Parsing.


def _middlewares():
    """The parse stack: bibtexparser's middlewares, plus `#` joins and decoding of text only."""
    from bibtexparser import middlewares as mw
    from bibtexparser.model import Field

    class KeepWritten(mw.BlockMiddleware):
        """Keeps each field as written and where it is, before the others change it."""

        def transform_entry(self, entry, library):
            entry.parser_metadata[WRITTEN] = written_fields(entry)
            return entry

    class JoinConcatenations(mw.BlockMiddleware):
        """Resolves `macro # "text"` values, which bibtexparser leaves as written."""

        def transform_entry(self, entry, library):
            macros = {key.lower(): _unquote(s.value) for key, s in library.strings_dict.items()}
            for item in entry.fields:
                pieces = [piece.strip() for _, piece in _pieces(item.value)] \
                    if isinstance(item.value, str) else []
                if len(pieces) > 1:  # a piece is quoted text or a macro; month names stay words
                    item.value = "{%s}" % "".join(
                        _unquote(p) if p[:1] in "{\"" else macros.get(p.lower(), p) for p in pieces)
            return entry

    class SeparateNames(mw.SeparateCoAuthors):
        """Author lists split as BibTeX splits them (see split_names)."""

        def _transform_field_value(self, name):
            return split_names(name)

    class GroupControlWords(mw.BlockMiddleware):
        """Braces around a control word and what it swallows, before names split into words."""

        def transform_entry(self, entry, library):
            for item in entry.fields:
                if item.key == "author" and isinstance(item.value, list):
                    item.value = [_control_words_grouped(name) for name in item.value]
            return entry

    class DecodeText(mw.LatexDecodingMiddleware):
        """LaTeX decoding of the text fields named (urls keep `%`, `~` and `_`) by `decoder`,
        and of author names if `names`. With `plain` (a decoder without marks, for a title), a
        value whose marks a title would not read as such (markup.title_parts: Non\\emph{linear},
        \\emph{x }) is decoded by `plain`, as plain text."""

        def __init__(self, fields: set[str], decoder, *, names: bool = False, plain=None):
            super().__init__(decoder=decoder)
            self.fields, self.names, self.plain = fields, names, plain

        def _transform_python_value_string(self, python_string: str):
            text, error = super()._transform_python_value_string(python_string)
            if self.plain is None or error or not any(mark in text for mark in "*_`"):
                return text, error
            plain = self.plain.latex_to_text(python_string)
            return (text if title_text(text) == plain else plain), error

        def transform_entry(self, entry, library):
            every = entry.fields
            names = [Field("author", parts) for f in every if self.names and f.key == "author"
                     and isinstance(f.value, list) for parts in f.value]  # decoded in place
            entry.fields = [f for f in every if f.key in self.fields and isinstance(f.value, str)] + names
            block = super().transform_entry(entry, library)
            entry.fields = every
            return block

    plain, marking = _latex_decoder(marks=False), _latex_decoder(marks=True)
    return [
        KeepWritten(), JoinConcatenations(), mw.ResolveStringReferencesMiddleware(),
        mw.RemoveEnclosingMiddleware(), mw.NormalizeFieldKeys(), SeparateNames(),
        GroupControlWords(), mw.SplitNameParts(),
        DecodeText(TEXT_FIELDS - MARKED_FIELDS, plain, names=True),
        DecodeText(MARKED_FIELDS - {"title"}, marking), DecodeText({"title"}, marking, plain=plain),
        mw.MonthIntMiddleware(),
    ]


@functools.cache
def _parsing_context():
    """pylatexenc's default context for parsing LaTeX, made once: a LatexWalker given none
    makes it again, which took half the time of reading a .bib file of thousands of entries."""
    from pylatexenc.latexwalker import get_default_latex_context_db

    return get_default_latex_context_db()


@functools.cache  # made once: building a LaTeX context takes time
def _latex_decoder(*, marks: bool, math: str = "verbatim"):
    """LaTeX to text as bibtexparser's LatexDecodingMiddleware decodes it by default (`\\url{x}`
    is x, braces go, math stays as written unless `math` is "text"), each value parsed in one
    context (_parsing_context), and the text of the commands pylatexenc drops kept (`\\mbox{x}`,
    `\\texttt{x}`: x; the marks `\\ddag`, `\\S`, `\\P`), and an unescaped `&` (a table's column
    break to LaTeX) kept too.
    With `marks` (for MARKED_FIELDS), `\\emph{x}` and `\\textit{x}` are *x*, `\\textbf{x}` is
    **x** and `\\texttt{x}` is `x`, as Markdown (and a title: markup.title_parts) marks them."""
    from pylatexenc.latex2text import (LatexNodes2Text, MacroTextSpec, SpecialsTextSpec,
                                       get_default_latex_context_db)

    text_context = get_default_latex_context_db()
    kept = {**{name: "%s" for name in ("url", "mbox", "texttt", "textsf", "textup", "textmd")},
            "ddag": "‡", "ddagger": "‡", "S": "§", "P": "¶"}
    marked = {"emph": "*%s*", "textit": "*%s*", "textsl": "*%s*", "textbf": "**%s**",
              "texttt": "`%s`"} if marks else {}
    text_context.add_context_category("bibtexparse-default-context", prepend=True, macros=[
        MacroTextSpec(name, simplify_repl=text) for name, text in {**kept, **marked}.items()],
        specials=[SpecialsTextSpec("&", "&")])  # unescaped, as exports write it: Taylor & Francis

    class Decoder(LatexNodes2Text):
        def latex_to_text(self, latex, **parse_flags):
            return super().latex_to_text(latex, latex_context=_parsing_context(), **parse_flags)

    return Decoder(latex_context=text_context, keep_braced_groups=False, math_mode=math)


def math_as_text(latex: str) -> str:
    """LaTeX decoded with its math read as text (`$^\\dagger$` is ^†): what a mark after an
    author's name says, where the rest of a name keeps its math as written."""
    return _latex_decoder(marks=False, math="text").latex_to_text(latex)


# What parts two names of an author list: `and` between spaces (not `~`), in any case.
_AND = re.compile(r"[ \t\r\n]+and[ \t\r\n]+", re.IGNORECASE)


def split_names(names: str) -> list[str]:
    """The names of an author list: apart at each `and` outside braces (an escaped `\\{` and a
    stray `}` are text), as bibtexparser reads them but where a name starts with a command:
    bibtexparser's splitter skips the character after a backslash before it looks for the start
    of a name, so the name after an `and` started inside its first command: `\\'Eric` lost its
    `\\'` (Eric), `\\AA{}str\\"om` its `\\A` (Aström)."""
    names = names.strip(" \t\r\n")
    braces = re.sub(r"\\[{}]", "  ", names)
    depths = list(itertools.accumulate(((char == "{") - (char == "}") for char in braces),
                                       lambda depth, step: max(depth + step, 0), initial=0))
    cuts = [0, *(end for match in _AND.finditer(names) if depths[match.start()] == 0
                 for end in match.span()), len(names)]
    return [names[start:end] for start, end in zip(cuts[::2], cuts[1::2])] if names else []


def _control_words_grouped(name: str) -> str:
    """`name` with each control word that spans a space put in braces: LaTeX swallows the space
    after `\\o` in `S\\o ren` and reads one word, Søren, which `S{\\o}ren` keeps when the name
    is split at its spaces. An accent's argument after a space (`\\c c`) is grouped too, and the
    tilde accent (`Mu\\~noz`): bibtexparser splits names at a `~`, a tie, even after a backslash."""
    from pylatexenc.latexwalker import LatexMacroNode, LatexWalker

    if "\\" not in name:
        return name
    nodes, _, _ = LatexWalker(name, tolerant_parsing=True, latex_context=_parsing_context()).get_latex_nodes()
    pieces, end = [], 0
    for node in nodes:
        text = name[node.pos:node.pos + node.len]
        if isinstance(node, LatexMacroNode) and node.macroname.strip() and re.search(r"[\s~]", text):
            pieces += [name[end:node.pos], "{%s}" % text.rstrip()]
            end = node.pos + node.len
    return "".join(pieces) + name[end:]


def _bare(value: str) -> str:
    """`value` as written with its braced and quoted text (and the braces and quotes) blanked
    out: what is left, at the same offsets, is what BibTeX reads as syntax: `#`s, macro names,
    numbers."""
    kept, depth, quoted = [], 0, False
    for char in value:
        depth += char == "{"
        quoted ^= char == '"' and depth == 0
        kept.append(" " if depth or quoted or char in '{}"' else char)
        depth -= char == "}" and depth > 0
    return "".join(kept)


def _pieces(value: str) -> list[tuple[int, str]]:
    """(offset, text) of each piece of `value` between the `#`s outside braces and quotes."""
    cuts = [index for index, char in enumerate(_bare(value)) if char == "#"]
    return [(start + 1, value[start + 1:end]) for start, end in zip([-1, *cuts], [*cuts, len(value)])]


def _unquote(value: str) -> str:
    value = value.strip()
    return value[1:-1] if value[:1] + value[-1:] in ('""', "{}") else value


def parse(text: str):
    """A bibtexparser Library of `text`, its warnings silenced: problems are reported by us."""
    import logging

    import bibtexparser

    logger = logging.getLogger("bibtexparser")
    if not logger.handlers:  # else Python prints its warnings to stderr
        logger.addHandler(logging.NullHandler())
    return bibtexparser.parse_string(text, parse_stack=_middlewares())


# ---------------------------------------------------------------------------------------------
# Where entries and their fields are, and what their crossrefs name.

WRITTEN = "scholarpage.written"  # the key of an entry's fields as written, in its parser_metadata


@dataclass(frozen=True)
class Written:
    """A field as the file gives it (`{...}`, `"..."`, a macro, pieces joined by `#`), and the
    offsets in the entry's text of its name and of its value."""

    name: str
    value: str
    name_at: int
    value_at: int


def written_fields(entry) -> list[Written]:
    """The fields of an entry fresh from bibtexparser's splitter, found in its text in order:
    each name is before the next `=` after the previous value (a name holds no `=`), and each
    value starts right after it."""
    raw, found = entry.raw or "", []
    end = raw.find(",")  # the comma after the entry's key
    for item in entry.fields:
        equals = raw.index("=", end)
        value_at = raw.index(item.value, equals + 1)
        found.append(Written(item.key.lower(), item.value, raw.index(item.key, end, equals), value_at))
        end = value_at + len(item.value)
    return found


# A field name and its `=` after a value and a space: bibtexparser reads `{A} year = {2020}`
# as one value, where a ',' is missing. In `http://x.org/?a=b`, `?a` is no field's name.
_FIELD_AFTER_VALUE = re.compile(r"\s([A-Za-z][\w.:+-]*)\s*=")
_MACRO_NAME = re.compile(r"[^\W\d][\w.+-]*")  # not a url: `/`, `:` and `?` are not taken


def value_problems(item: Written, defined: set[str]) -> list[tuple[int, str, bool]]:
    """(offset in the entry's text, message, whether a warning) of what is wrong in a value as
    written: a ',' missing before a field (an error), else each macro it names (a bare word, not
    a number) that no @string defines, nor BibTeX itself (the months), which bibtexparser keeps
    as its name, and each bare word that cannot be a macro's name (a url), which BibTeX refuses
    and bibtexparser keeps as written: warnings."""
    bare = _bare(item.value)
    missing = [(item.value_at + match.start(1), f"a ',' is missing before field '{match.group(1)}': "
                "the entry was not imported", False)
               for match in _FIELD_AFTER_VALUE.finditer(bare)
               if item.value[:match.start()].strip() and not bare[:match.start()].rstrip().endswith("#")]
    if missing:
        return missing
    found = (_piece_problem(piece.strip(), item.value_at + start + len(piece) - len(piece.lstrip()),
                            defined) for start, piece in _pieces(item.value))
    return [problem for problem in found if problem]


def _piece_problem(piece: str, at: int, defined: set[str]) -> tuple[int, str, bool] | None:
    """What is wrong with one piece of a value (see value_problems), at `at`, or None."""
    equals = _bare(piece).find("=")
    if piece[:1] in ("{", '"'):
        return (at + equals, "a '=' outside braces or quotes: the entry was not imported", False) \
            if equals >= 0 else None
    if not piece or piece.isdigit() or piece.lower() in defined or piece.lower() in bibtex.MONTHS:
        return None
    if _MACRO_NAME.fullmatch(piece):
        return at, f"@string macro '{piece}' is not defined: its name was taken as the text", True
    return at, f"'{one_line(piece)}' is not in braces or quotes, as BibTeX wants: it was taken as " \
               "written", True


@dataclass(frozen=True)
class Place:
    """Where an entry is: its messages read `refs.bib:LINE:COL: ... (entry KEY)`; where each of
    its fields is, by lower-case name, as (line, column); and what reading found wrong in its
    text, as problems to report."""

    path: str
    line: int
    column: int
    name: str
    fields: dict = field(default_factory=dict, compare=False, repr=False)
    notes: tuple[Problem, ...] = field(default=(), compare=False, repr=False)

    def report_notes(self, problems: Problems) -> bool:
        """Reports what reading found wrong in the entry's text; whether any of it is an error,
        which keeps the entry from being imported."""
        problems.extend(self.notes)
        return any(not note.warning for note in self.notes)

    def at(self, name: str) -> "Place":
        """The place of the entry's field `name`, for a message about it; the entry's when the
        field is not the entry's own (taken from a crossref) or not known."""
        line, column = self.fields.get(name, (self.line, self.column))
        return replace(self, line=line, column=column)

    def problem(self, message: str, warning: bool = False) -> Problem:
        return Problem(self.path, self.line, self.column, f"{message} ({self.name})", warning)

    def error(self, problems: Problems, message: str) -> None:
        problems.extend([self.problem(message)])

    def warn(self, problems: Problems, message: str) -> None:
        problems.extend([self.problem(message, warning=True)])


def block_starts(blocks, text: str) -> list[int]:
    """The offset in `text` of each block's `@`: each block's text is looked for from where the
    one before ends, as bibtexparser gives only a block's first line (a second entry may share
    it, an `@` in a comment may come before it on it). A block not found as written starts its
    line."""
    starts, cursor = [], 0
    for block in blocks:
        at = text.find(block.raw, cursor) if block.raw else -1
        if at < 0:
            at = max(cursor, line_start(text, (block.start_line or 0) + 1))
        else:
            cursor = at + len(block.raw)
        starts.append(at)
    return starts


def _place(block, text: str, start: int, place_in_text, shown: str, macros: set[str]) -> Place:
    """Where `block`, whose `@` is at `start` in the file's `text` (whose places `place_in_text`
    gives: see files.places_in), is, where its fields are and what is wrong in its text;
    `macros`, the names @strings define, lower-case."""
    from bibtexparser.model import String

    def position(offset: int) -> tuple[int, int]:
        return place_in_text(start + offset)

    inner = getattr(block, "ignore_error_block", None) or block
    key = getattr(inner, "key", None)
    if key is None or "{" in key:  # not split, or cut at a brace (m{): the key as written
        match = re.match(r"@\w+\s*[{(]\s*([^,\s]*)", text[start:start + 1000])
        key = match.group(1) if match else "?"
    written = inner.parser_metadata.get(WRITTEN, [])
    fields = {item.name: position(item.name_at) for item in reversed(written)}
    place = Place(shown, *position(0), f"{'@string' if isinstance(inner, String) else 'entry'} {key}",
                  fields)

    def note(offset: int, message: str, warning: bool) -> Problem:
        line, column = position(offset)
        return replace(place, line=line, column=column).problem(message, warning)

    return replace(place, notes=tuple(note(*found) for item in written
                                      for found in value_problems(item, macros)))


def failure(block) -> str:
    """What is wrong with a block bibtexparser could not read, in the user's words."""
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, MiddlewareErrorBlock

    if isinstance(block, DuplicateBlockKeyBlock):
        return f"duplicate key '{block.key}' (first used on line {block.previous_block.start_line + 1})"
    if isinstance(block, DuplicateFieldKeyBlock):
        return f"field '{sorted(block.duplicate_keys)[0]}' is given twice"
    if isinstance(block, MiddlewareErrorBlock):
        return f"cannot read this entry: {block.error}"
    reason = getattr(block.error, "abort_reason", "") or str(block.error)
    if "`\"`" in reason:
        return "a quoted value is never closed: a '\"' is missing"
    if "`}`" in reason or "closing bracket" in reason or "end of file" in reason:
        return "unbalanced braces: a '{' is never closed"
    if "after entry key" in reason and "found {" in reason:  # @article{m{\"u}ller2020, ...
        return ("the entry's key holds a '{', which a key may not: write it in plain letters "
                "and digits (m{\\\"u}ller2020 as muller2020)")
    return f"cannot read this entry: {reason.strip()}"


def read_bib(text: str, shown: str) -> list[tuple[Place, object]]:
    """(place, block) of each entry of a .bib text (as files.read_text gives it: without a
    byte-order mark), and of each block that could not be read."""
    from bibtexparser.model import Entry, ParsingFailedBlock

    library = parse(text)
    macros = {key.lower() for key in library.strings_dict}
    place_in_text = places_in(text)
    return [(_place(block, text, start, place_in_text, shown, macros), block)
            for block, start in zip(library.blocks, block_starts(library.blocks, text))
            if isinstance(block, (Entry, ParsingFailedBlock))]


class CrossReferences:
    """The entries of the files imported together, by key: what a `crossref` field names.

    As in BibTeX, keys are compared ignoring case and a child takes from its parent the fields
    it lacks (see INHERITED); the parent's title is the child's booktitle or journal when the
    parent has none. A parent that is a volume (see VOLUME_TYPES) is not a publication to list.
    """

    def __init__(self, entries):
        self.by_key: dict[str, object] = {}
        for entry in entries:
            self.by_key.setdefault(entry.key.lower(), entry)
        self.volumes = {id(parent) for entry in entries
                        if (parent := self.parent(entry)) is not None and parent is not entry
                        and parent.entry_type.lower() in VOLUME_TYPES}

    @staticmethod
    def reference(entry) -> str:
        value = entry.fields_dict.get("crossref")
        return value.value.strip() if value is not None and isinstance(value.value, str) else ""

    def parent(self, entry):
        """The entry `entry`'s crossref names, or None."""
        reference = self.reference(entry)
        return self.by_key.get(reference.lower()) if reference else None

    def is_volume(self, entry) -> bool:
        """Whether `entry` is a volume some other entry's crossref names: not imported itself."""
        return id(entry) in self.volumes

    def in_circle(self, entry) -> bool:
        """Whether following crossrefs from `entry` comes back to it."""
        seen, parent = set(), self.parent(entry)
        while parent is not None and id(parent) not in seen:
            if parent is entry:
                return True
            seen.add(id(parent))
            parent = self.parent(parent)
        return False

    def fields(self, entry, seen: tuple = ()) -> dict:
        """`entry`'s fields, with those it lacks taken from its parent's (and theirs, in turn)."""
        fields = {f.key: f.value for f in entry.fields}
        parent = self.parent(entry)
        seen = (*seen, id(entry))
        if parent is None or id(parent) in seen:  # crossrefs in a circle (refused) end here
            return fields
        inherited = self.fields(parent, seen)
        taken = {name: value for name, value in inherited.items()
                 if name in INHERITED and name not in fields}
        venue = venue_field(entry.entry_type)
        if venue in ("booktitle", "journal") and venue not in fields | taken and "title" in inherited:
            taken[venue] = inherited["title"]
        return {**fields, **taken}
