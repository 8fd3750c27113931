"""YAML with positions.

Files are composed into PyYAML node trees rather than Python values: nodes keep the line and
column of every value and the exact text the user wrote, so `schema.py` can read `NO` or `1.10`
as text where text is expected and report any problem at its place. Duplicate keys, which
PyYAML accepts silently, are reported here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .files import places_in
from .problems import Problems

try:  # libyaml is much faster; its marks are the same, its error positions count UTF-8 bytes.
    from yaml import CSafeLoader as _SafeLoader
    _POSITIONS_IN_BYTES = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader
    _POSITIONS_IN_BYTES = False

NULL_TAG = "tag:yaml.org,2002:null"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))  # as YAML 1.1 writes null


class _Loader(_SafeLoader):
    """Tags a node only as much as schema.py asks: a plain null, or not. Each field's value is
    read from its text by the field's type (schema.py), so working out whether each scalar is
    an int, a float, a date... would be wasted (and is most of composing's Python time)."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            return NULL_TAG if implicit[0] and value in _NULLS else self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else self.DEFAULT_MAPPING_TAG

    def descend_resolver(self, current_node, current_index) -> None:
        pass  # no path resolvers: nothing to track

    def ascend_resolver(self) -> None:
        pass


@dataclass(frozen=True)
class YamlDoc:
    """A composed YAML document: its root node and where its text starts in its file."""

    path: str
    root: yaml.Node | None
    line_offset: int = 0

    def where(self, node: yaml.Node) -> tuple[int, int]:
        """1-based line and column of a node in its file."""
        mark = node.start_mark
        return mark.line + 1 + self.line_offset, mark.column + 1


def field_node(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    """The value node at a key path in a mapping tree, or None. Of a key given twice (an
    error), the last: the value a record is read from (see schema.read_record)."""
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in reversed(node.value) if getattr(k, "value", None) == key), None)
    return node


_NEVER_CLOSED = {
    yaml.FlowSequenceStartToken: "a list in '[ ]' is never closed: add the closing ']'",
    yaml.FlowMappingStartToken: "a mapping in '{ }' is never closed: add the closing '}'",
}
_OPENING = {yaml.FlowSequenceStartToken: "[", yaml.FlowMappingStartToken: "{"}
_CLOSING = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
_NO_COLON = "expected 'key: value' (a ':' is missing, or a quote is unclosed)"
_RESERVED = "text cannot start with '{char}': put it in quotes (\"...\")"
_ESCAPE = "'\\' in double-quoted text starts an escape: write '\\\\', or use single quotes instead"

# PyYAML's wording for common mistakes, said for people who do not know YAML's grammar.
_PLAIN_WORDS = (
    ("found character '\\t' that cannot start any token",
     "tab character: indent with spaces, not tabs"),
    ("found a tab character", "tab character: indent with spaces, not tabs"),
    ("while scanning a quoted scalar", "quoted text is never closed: add the closing quote"),
    ("mapping values are not allowed",  # PyYAML ends it "here", libyaml "in this context"
     "unexpected ':' (bad indentation, or text containing ': ' that needs quotes)"),
    ("expected <block end>, but found", "bad indentation: this line does not line up with the ones above"),
    ("could not find expected ':'", _NO_COLON),
    ("did not find expected key", "bad indentation, or a line that is not 'key: value'"),
    ("did not find expected '-' indicator", "bad indentation in a list: items start with '- '"),
    ("but found another document", "a second YAML document ('---') is not allowed here"),
    ("did not find expected ',' or ']'", _NEVER_CLOSED[yaml.FlowSequenceStartToken]),
    ("did not find expected ',' or '}'", _NEVER_CLOSED[yaml.FlowMappingStartToken]),
    ("while parsing a flow node", "an item is missing here (two ',' in a row?)"),
    ("sequence entries are not allowed", "a list item ('- ') must start a line of its own, under its key"),
    ("<document start>", "bad indentation: this line does not line up with the ones above"),
    ("that cannot start any token", _RESERVED),  # '@', '`'
    ("found undefined alias", _RESERVED),  # '*'
    ("while scanning an alias", _RESERVED),
    ("while scanning an anchor", _RESERVED),  # '&'
    ("while scanning a block scalar", _RESERVED),  # '|', '>'
    ("mapping keys are not allowed", _RESERVED),  # '? '
)

# Where the thing these name starts is more use than where PyYAML noticed it.
_AT_START = ("while scanning a quoted scalar", "could not find expected ':'",
             "did not find expected ',' or ']'", "did not find expected ',' or '}'",
             "that cannot start any token", "while scanning an alias", "while scanning an anchor",
             "while scanning a block scalar")

Place = tuple[int, int]  # (line, column), counted from 0 as YAML's marks are


@dataclass(frozen=True)
class _Failure:
    """A YAML syntax error with what led up to it: the file's text and the tokens before it."""

    error: yaml.MarkedYAMLError
    text: str
    at: Place  # where the token YAML could not read starts
    tokens: list  # YAML's tokens up to the one at `at`
    line_offset: int

    def line_in_file(self, index: int) -> int:
        return index + 1 + self.line_offset

    def says(self, words: str) -> bool:
        return words in str(self.error.problem)

    def last_before(self) -> yaml.Token | None:
        return next((t for t in reversed(self.tokens) if _start(t) < self.at), None)

    def token(self) -> yaml.Token | None:
        """The token YAML could not fit where it was, if it was read."""
        return self.tokens[-1] if self.tokens and _start(self.tokens[-1]) >= self.at else None


def _yaml_error_problem(error: yaml.YAMLError, text: str, path: str, line_offset: int,
                        problems: Problems) -> None:
    """Report a syntax error at the place the user must fix, in words they can act on."""
    found = None
    at = _failed_at(error)
    if at:
        failure = _Failure(error, text, at, _tokens_to(text, at), line_offset)
        found = next(filter(None, (explain(failure) for explain in _EXPLANATIONS)), None)
    place, words = found or _worded(error, text)
    line, column = (place[0] + 1 + line_offset, place[1] + 1) if place else (0, 0)
    problems.error(path, line, column, f"invalid YAML: {words}")


def _failed_at(error: yaml.YAMLError) -> Place | None:
    """Where the token YAML could not read starts: a scanner error's context is the token it
    was reading, a parser error's problem the token it did not expect."""
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, yaml.scanner.ScannerError) and error.context_mark:
        mark = error.context_mark
    return (mark.line, mark.column) if mark else None


def _tokens_to(text: str, place: Place) -> list[yaml.Token]:
    """YAML's tokens up to the one at `place`: what came before a failure often tells its cause
    better than the failure does. Only a file that failed is read again."""
    tokens = []
    try:
        for token in yaml.scan(text, Loader=_SafeLoader):
            tokens.append(token)
            if _start(token) >= place:
                break
    except yaml.YAMLError:
        pass  # the failure itself, or a later one
    return tokens


def _start(token: yaml.Token) -> Place:
    return token.start_mark.line, token.start_mark.column


def _end(token: yaml.Token) -> Place:
    return token.end_mark.line, token.end_mark.column


def _line(text: str, index: int) -> str:
    """Line `index` of `text`, counted from 0; '' past its end."""
    lines = text.split("\n")
    return lines[index] if index < len(lines) else ""


def _runaway_quote(failure: _Failure):
    """A quote never closed, shown where it opens. Quoted text may span lines, so an open quote
    runs on to the next quote in the file and YAML fails only after it, on an innocent line."""
    quoted = [t for t in failure.tokens if isinstance(t, yaml.ScalarToken) and t.style in ('"', "'")
              and _end(t) <= failure.at]
    if not quoted:
        return None
    opened, closed = _start(quoted[-1]), _end(quoted[-1])
    if opened[0] == closed[0] or closed[0] != failure.at[0]:  # one line, or not where YAML failed
        return None
    return opened, _left_open(failure.line_in_file(opened[0]), failure.line_in_file(closed[0]))


def _left_open(opened: int, closed: int) -> str:
    return f"quoted text opened here runs on to line {closed}: close the quote on line {opened}"


def _open_at_the_end(failure: _Failure):
    """A '[' or '{' still open where the file ends, shown where it opens: PyYAML says only that
    it found nothing at the end when the file ends just after the bracket or a comma."""
    if not isinstance(failure.token(), yaml.StreamEndToken):
        return None
    opened = []
    for token in failure.tokens:
        if isinstance(token, tuple(_OPENING)):
            opened.append(token)
        elif isinstance(token, _CLOSING) and opened:
            opened.pop()
    return (_start(opened[-1]), _NEVER_CLOSED[type(opened[-1])]) if opened else None


def _text_after_quote(failure: _Failure):
    """Text after a closing quote, as in 'title: "Deep" Learning': YAML allows none."""
    last = failure.last_before()
    if (isinstance(last, yaml.ScalarToken) and last.style in ('"', "'")
            and _end(last)[0] == failure.at[0]):
        return failure.at, "text after the closing quote: put all of the text inside the quotes"
    return None


def _extra_bracket(failure: _Failure):
    """A ']' or '}' that closes nothing, as in 'authors: [A, B]]'."""
    if isinstance(failure.token(), _CLOSING):
        return failure.at, "this bracket closes nothing: remove it"
    return None


def _text_after_bracket(failure: _Failure):
    """Text that starts with a bracket, as in 'title: [Re] Reproducibility' or BibTeX's
    '{BERT} pre-training': YAML reads a list up to the ']', then fails at the rest."""
    last = failure.last_before()
    if not isinstance(last, _CLOSING) or _end(last)[0] != failure.at[0]:
        return None
    depth = 0
    for token in reversed(failure.tokens[:failure.tokens.index(last) + 1]):
        depth += isinstance(token, _CLOSING) - isinstance(token, tuple(_OPENING))
        if depth == 0:
            return _start(token), _RESERVED.format(char=_OPENING[type(token)])
    return None


def _unindented_block(failure: _Failure):
    """Text under 'abstract: |' not indented: YAML reads an empty block, then a line that is
    not 'key: value'."""
    last = failure.last_before()
    if isinstance(last, yaml.ScalarToken) and last.style in ("|", ">") and not last.value:
        return failure.at, (f"the lines of text after '{last.style}' must be indented: "
                            "start each with two spaces")
    return None


def _colon_in_value(failure: _Failure):
    """A value containing ': ', as many a paper's title does, shown where its opening quote
    goes: PyYAML points at the colon and says only that a mapping is not allowed there."""
    if not failure.says("mapping values are not allowed"):
        return None
    keyed = [t for t in failure.tokens if isinstance(t, yaml.ValueToken)
             and _start(t)[0] == failure.at[0] and _start(t) < failure.at]
    if not keyed:
        return None
    line, after = _line(failure.text, failure.at[0]), _end(keyed[-1])[1]
    column = after + len(line[after:]) - len(line[after:].lstrip(" "))
    return (failure.at[0], column), "this text contains ': ', so it must be put in quotes (\"...\")"


def _key_without_colon(failure: _Failure):
    """A key missing its ':' ('name Ada') or the space after it ('year:2024'), shown at its
    line: YAML reads it and the line below as one text, and fails only at the end of that."""
    if failure.says("could not find expected ':'"):
        key = failure.at
    elif failure.says("mapping values are not allowed"):  # the line below is 'key: value'
        before = [t for t in failure.tokens if _start(t) < failure.at]
        previous, text = before[-2:] if len(before) > 1 else (None, None)
        if not isinstance(text, yaml.ScalarToken) or text.style or _start(text)[0] == failure.at[0]:
            return None
        if isinstance(previous, yaml.ValueToken) and _end(previous)[0] == _start(text)[0]:
            return None  # a value: the line below is indented too far
        key = _start(text)
    else:
        return None
    if ":" in _line(failure.text, key[0])[key[1]:].split(" ")[0]:
        return key, "a space is missing after ':': write 'key: value'"
    return key, _NO_COLON


def _bad_escape(failure: _Failure):
    """A backslash in double-quoted text that starts no escape YAML knows, as LaTeX's '\\cite'
    does, shown at the backslash: PyYAML points at a letter after it."""
    if not (failure.says("escape") or failure.says("hexdecimal number")):
        return None
    mark = failure.error.problem_mark
    backslash = _line(failure.text, mark.line).rfind("\\", 0, mark.column + 1)
    return (mark.line, backslash if backslash >= 0 else mark.column), _ESCAPE


# What a failure may tell of its cause, most telling first; PyYAML's own words when none does.
_EXPLANATIONS = (_runaway_quote, _open_at_the_end, _text_after_quote, _extra_bracket,
                 _text_after_bracket, _unindented_block, _colon_in_value, _key_without_colon,
                 _bad_escape)


def _worded(error: yaml.YAMLError, text: str) -> tuple[Place | None, str]:
    """PyYAML's own account of an error, said in plain words where we know them."""
    mark = getattr(error, "problem_mark", None)
    said = " ".join(str(x) for x in (getattr(error, "context", None), getattr(error, "problem", None)) if x)
    said = said or str(error)
    words = getattr(error, "problem", None) or said
    for needle, plain in _PLAIN_WORDS:
        if needle in said:
            if needle in _AT_START and getattr(error, "context_mark", None):
                mark = error.context_mark
            words = plain.replace("{char}", _line(text, mark.line)[mark.column:][:1] if mark else "")
            break
    return ((mark.line, mark.column) if mark else None), words


def _refused_kind(code: int) -> str:
    """What YAML refuses: a control character, or another it does not print (U+FFFE)."""
    return "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"


def parse_yaml(text: str, path: str, problems: Problems, line_offset: int = 0) -> YamlDoc | None:
    """Compose `text` into a node tree, reporting syntax errors, duplicate keys and quotes left
    open."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        tab = _indenting_tab(text, getattr(error, "problem_mark", None))
        if tab:
            problems.error(path, tab[0] + line_offset, tab[1],
                           "invalid YAML: tab character: indent with spaces, not tabs")
        elif isinstance(error, yaml.reader.ReaderError):  # libyaml gives the character's code
            code = error.character if isinstance(error.character, int) else ord(error.character)
            position = error.position
            if _POSITIONS_IN_BYTES:
                position = len(text.encode()[:position].decode("utf-8", "ignore"))
            line, column = places_in(text)(position)
            problems.error(path, line + line_offset, column,
                           f"invalid YAML: {_refused_kind(code)} U+{code:04X} is not allowed (remove it)")
        else:
            _yaml_error_problem(error, text, path, line_offset, problems)
        return None
    doc = YamlDoc(path, root, line_offset)
    if root is not None and not _check_mappings(doc, root, text, problems):
        return None
    return doc


def _indenting_tab(text: str, mark) -> tuple[int, int] | None:
    """(line, column) of the tab that broke the YAML at `mark`, if one did: libyaml stops
    there with a vague "found character that cannot start any token". A tab in valid YAML (in
    a block of text, say) is no error, so a file is only searched when it failed to compose."""
    if mark is None or "\t" not in text:
        return None
    lines = text.split("\n")
    if mark.line >= len(lines):
        return None
    line = lines[mark.line]
    stripped = line.lstrip(" ")
    if stripped.startswith("\t"):  # a tab indenting the line where YAML stopped
        return mark.line + 1, len(line) - len(stripped) + 1
    if line[mark.column:mark.column + 1] == "\t":  # a tab where a token should start
        return mark.line + 1, mark.column + 1
    return None


_QUOTES = frozenset(('"', "'"))
_KEY_LINE = re.compile(r" *[\w-]+:(\s|$)")


def _check_mappings(doc: YamlDoc, root: yaml.Node, text: str, problems: Problems) -> bool:
    """Report duplicate keys, which PyYAML accepts silently, and quotes left open that YAML read
    on to a later quote; False if one was, as the fields it swallowed would be reported missing.
    One walk serves both: a build of 10,000 publications walks a million nodes."""
    stack, seen_nodes = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # an alias points to a node already checked
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, yaml.Node] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in first:
                        line, column = doc.where(key)
                        was = doc.where(first[key.value])[0]
                        problems.error(doc.path, line, column,
                                       f"duplicate key '{key.value}' (first given on line {was})")
                    else:
                        first[key.value] = key
                if not isinstance(value, yaml.ScalarNode):  # most are: nothing in them to check
                    stack.append(value)
                elif value.style in _QUOTES and value.end_mark.line != value.start_mark.line:
                    if _runs_over_keys(text, key, value):
                        line, column = doc.where(value)
                        end = value.end_mark.line + 1 + doc.line_offset
                        problems.error(doc.path, line, column, _left_open(line, end))
                        return False
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(item for item in node.value if not isinstance(item, yaml.ScalarNode))
    return True


def _runs_over_keys(text: str, key: yaml.Node, value: yaml.Node) -> bool:
    """Whether quoted text runs over lines that look like 'key: value' lines beside its own key:
    a quote left open, read on to a quote at the end of a later line ('venue: CVPR"')."""
    lines = text.split("\n")[value.start_mark.line + 1:value.end_mark.line + 1]
    indent = key.start_mark.column
    return any(_KEY_LINE.match(line) and len(line) - len(line.lstrip(" ")) <= indent for line in lines)


def split_front_matter(text: str) -> tuple[str | None, int, str, int]:
    """Split a Markdown file into (front matter, its first line index, body, body's first line).

    Front matter is a YAML block between a first line `---` and the next line `---` (or `...`).
    Line indexes count from 0, matching YAML marks.
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, 0, text, 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]) + "\n", 1, "\n".join(lines[index + 1:]), index + 1
    return None, 0, text, 0
