"""YAML with positions.

Files are composed into PyYAML node trees rather than Python values: nodes keep the line and
column of every value and the exact text the user wrote, so `schema.py` can read `NO` or `1.10`
as text where text is expected and report any problem at its place. Duplicate keys, which
PyYAML accepts silently, are reported here.
"""
from __future__ import annotations

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

# PyYAML's wording for common mistakes, said for people who do not know YAML's grammar.
_PLAIN_WORDS = (
    ("found character '\\t' that cannot start any token",
     "tab character: indent with spaces, not tabs"),
    ("found a tab character", "tab character: indent with spaces, not tabs"),
    ("while scanning a quoted scalar", "quoted text is never closed: add the closing quote"),
    ("mapping values are not allowed",  # PyYAML ends it "here", libyaml "in this context"
     "unexpected ':' (bad indentation, or text containing ': ' that needs quotes)"),
    ("expected <block end>, but found", "bad indentation: this line does not line up with the ones above"),
    ("could not find expected ':'", "expected 'key: value' (a ':' is missing, or a quote is unclosed)"),
    ("did not find expected key", "bad indentation, or a line that is not 'key: value'"),
    ("did not find expected '-' indicator", "bad indentation in a list: items start with '- '"),
    ("but found another document", "a second YAML document ('---') is not allowed here"),
    ("did not find expected ',' or ']'", _NEVER_CLOSED[yaml.FlowSequenceStartToken]),
    ("did not find expected ',' or '}'", _NEVER_CLOSED[yaml.FlowMappingStartToken]),
)

_AT_START = ("while scanning a quoted scalar", "could not find expected ':'",
             "did not find expected ',' or ']'", "did not find expected ',' or '}'")


def _yaml_error_problem(error: yaml.YAMLError, text: str, path: str, line_offset: int,
                        problems: Problems) -> None:
    """Report a syntax error at the place the user must fix, in words they can act on."""
    failed = _failed_at(error)
    tokens = _tokens_to(text, failed) if failed else []
    mark, words = (_runaway_quote(tokens, failed, line_offset) or _open_at_the_end(tokens)
                   or _worded(error))
    line, column = (mark[0] + 1 + line_offset, mark[1] + 1) if mark else (0, 0)
    problems.error(path, line, column, f"invalid YAML: {words}")


def _worded(error: yaml.YAMLError) -> tuple[tuple[int, int] | None, str]:
    """PyYAML's own account of an error, said in plain words where we know them."""
    mark = getattr(error, "problem_mark", None)
    text = " ".join(str(x) for x in (getattr(error, "context", None), getattr(error, "problem", None)) if x)
    text = text or str(error)
    words = getattr(error, "problem", None) or text
    for needle, plain in _PLAIN_WORDS:
        if needle in text:
            words = plain
            # An unclosed quote or bracket, or a key missing its ':', is best shown where it starts.
            if needle in _AT_START and getattr(error, "context_mark", None):
                mark = error.context_mark
            break
    return ((mark.line, mark.column) if mark else None), words


def _failed_at(error: yaml.YAMLError) -> tuple[int, int] | None:
    """Where the token YAML could not read starts, counted from 0: a scanner error's context is
    the token it was reading, a parser error's problem the token it did not expect."""
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, yaml.scanner.ScannerError) and error.context_mark:
        mark = error.context_mark
    return (mark.line, mark.column) if mark else None


def _tokens_to(text: str, place: tuple[int, int]) -> list[yaml.Token]:
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


def _start(token: yaml.Token) -> tuple[int, int]:
    return token.start_mark.line, token.start_mark.column


def _end(token: yaml.Token) -> tuple[int, int]:
    return token.end_mark.line, token.end_mark.column


def _runaway_quote(tokens: list[yaml.Token], failed: tuple[int, int] | None, line_offset: int):
    """A quote never closed, shown where it opens. Quoted text may span lines, so an open quote
    runs on to the next quote in the file and YAML fails only after it, on an innocent line."""
    quoted = [t for t in tokens if isinstance(t, yaml.ScalarToken) and t.style in ('"', "'")
              and _end(t) <= failed]
    if not quoted:
        return None
    opened, closed = _start(quoted[-1]), _end(quoted[-1])
    if opened[0] == closed[0] or closed[0] != failed[0]:  # on one line, or not where YAML failed
        return None
    return opened, (f"quoted text opened here runs on to line {failed[0] + 1 + line_offset}: "
                    f"close the quote on line {opened[0] + 1 + line_offset}")


def _open_at_the_end(tokens: list[yaml.Token]):
    """A '[' or '{' still open where the file ends, shown where it opens: PyYAML says only that
    it found nothing at the end when the file ends just after the bracket or a comma."""
    if not tokens or not isinstance(tokens[-1], yaml.StreamEndToken):
        return None
    opened = []
    for token in tokens:
        if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)):
            opened.append(token)
        elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) and opened:
            opened.pop()
    return (_start(opened[-1]), _NEVER_CLOSED[type(opened[-1])]) if opened else None


def _refused_kind(code: int) -> str:
    """What YAML refuses: a control character, or another it does not print (U+FFFE)."""
    return "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"


def parse_yaml(text: str, path: str, problems: Problems, line_offset: int = 0) -> YamlDoc | None:
    """Compose `text` into a node tree, reporting syntax errors and duplicate keys."""
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
    if root is not None:
        _check_duplicate_keys(doc, root, problems)
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


def _check_duplicate_keys(doc: YamlDoc, root: yaml.Node, problems: Problems) -> None:
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
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(item for item in node.value if not isinstance(item, yaml.ScalarNode))


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
