"""YAML with positions.

Files are composed into PyYAML node trees rather than Python values: nodes keep the line and
column of every value and the exact text the user wrote, so `schema.py` can read `NO` or `1.10`
as text where text is expected and report any problem at its place. Duplicate keys, which
PyYAML accepts silently, are reported here; syntax errors are told in `yamlerrors.py`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .files import places_in
from .markup import character_kind
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
    """The value node at a key path in a mapping tree, or None."""
    for key in keys:
        node = value_nodes(node).get(key)
    return node


def value_nodes(node: yaml.Node | None) -> dict[str, yaml.Node]:
    """{key: value node} of a mapping node, {} of any other node: made once for a node whose
    fields are looked up one by one. Of a key given twice (an error), the last: the value a
    record is read from (see schema.read_record)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


# What YAML 1.1 (libyaml) reads as a line break, besides '\n' and '\r', and editors do not.
_YAML_LINE_BREAK = re.compile("[\x85\u2028\u2029]")
_BREAK_NAMES = {"\x85": "control character", "\u2028": "line separator", "\u2029": "paragraph separator"}


def parse_yaml(text: str, path: str, problems: Problems, line_offset: int = 0) -> YamlDoc | None:
    """Compose `text` into a node tree, reporting syntax errors, duplicate keys and quotes left
    open; and a character YAML alone reads as a line break (it would count the lines of the
    file otherwise than every editor: each is reported, and nothing else of the file)."""
    if not text.isascii() and _YAML_LINE_BREAK.search(text):  # isascii() reads no character
        place = places_in(text)
        for found in _YAML_LINE_BREAK.finditer(text):
            line, column = place(found.start())
            problems.error(path, line + line_offset, column, f"invalid YAML: {_BREAK_NAMES[found[0]]} "
                           f"U+{ord(found[0]):04X}, which YAML reads as a line break and nothing else "
                           "does, often pasted from a PDF (remove it)")
        return None
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
                           f"invalid YAML: {character_kind(code)} U+{code:04X} is not allowed (remove it)")
        else:
            from .yamlerrors import syntax_problem  # only a file that failed needs it
            problems.error(path, *syntax_problem(error, text, _SafeLoader, line_offset))
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
                        from .yamlerrors import left_open
                        line, column = doc.where(value)
                        end = value.end_mark.line + 1 + doc.line_offset
                        problems.error(doc.path, line, column, left_open(line, end))
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
