"""Reading records from YAML nodes, and JSON Schemas, both derived from `model.py`.

`read_record` turns a composed mapping into a record, reporting every problem it finds
(unknown or missing field, wrong type, bad link) at the line and column of the value.
`json_schema` writes the same rules as a JSON Schema for editors.
"""
from __future__ import annotations

import dataclasses
import re

import yaml

from . import model, names
from .metadata import ARXIV_ID, DOI
from .markup import REFUSED_CHARACTER, character_kind, holds_refused
from .model import Flag, Integer, LinkMap, NameMap, Record, Records, Text, TextList, Url
from .problems import Problems, did_you_mean
from .yamlfile import NULL_TAG, YamlDoc

_INVALID = object()  # a value with a problem already reported
_TEXT, _URL = Text(), Url()  # the kinds of a list's items and a mapping's values

SAFE_SCHEMES = ("http://", "https://", "mailto:")
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # at the start (match), as urllib.parse finds one

LINK_EXPANSIONS = {
    "doi": ("https://doi.org/", f"^{DOI}$", "a DOI like 10.1109/CVPR.2024.01234"),
    "arxiv": ("https://arxiv.org/abs/", f"^{ARXIV_ID}$", "an arXiv id like 2303.18232"),
}


def expanded(label: str, target: str) -> str:
    """A link's url as a build reads it: the id a `doi:` or `arxiv:` link gives bare (see
    bare_id) made the address of its work, its '%', '?' and '#' encoded as a DOI's address
    encodes them (metadata.doi_of reads them back); any other target as written."""
    prefix = LINK_EXPANSIONS.get(label.lower(), ("",))[0]
    if not prefix or SCHEME.match(target):
        return target
    return prefix + target.replace("%", "%25").replace("?", "%3F").replace("#", "%23")


def bare_id(label: str, target: str) -> str:
    """The id of `label` ('doi', 'arxiv': see LINK_EXPANSIONS) that `target` gives: as written,
    or after the label and a colon, as citations write it: 'arXiv:2101.00001', 'doi:10.1000/x'."""
    head = label + ":"
    return target[len(head):].lstrip(" ") if target[:len(head)].lower() == head else target


def one_line(value: str) -> str:
    """A value as a message quotes it: on one line, its newlines and other controls escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)


_IGNORED_BY_BROWSERS = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$|[\t\n\r]")


def as_a_browser_reads(url: str) -> str:
    """A URL as a browser's URL parser reads it (WHATWG URL): C0 controls and spaces stripped
    from its ends and every tab, newline and carriage return removed, so that 'java\tscript:'
    is read as 'javascript:'."""
    if url.isprintable() and url[:1] != " " and url[-1:] != " ":  # nothing to remove: most URLs
        return url
    return _IGNORED_BY_BROWSERS.sub("", url)


def into_the_site(url: str) -> bool:
    """Whether a (safe) link leads into the site: relative, or from the domain's root, as
    written in content (from the site root); not a fragment of the page it is on."""
    return not SCHEME.match(url) and not url.startswith(("#", "//"))


# What a link written without its scheme ends its host name in: a top-level domain researchers'
# links use, or any two letters (a country's). Only the first few end no file's name either.
_NEVER_FILES = ("com", "org", "net", "edu", "gov")
_GENERIC_DOMAINS = frozenset((*_NEVER_FILES, *"mil int info biz app dev page site online tech "
                                               "blog xyz cloud social science academy".split()))
_HOST_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
_FIRST_PART = re.compile(r"[^/?#]*")


def with_scheme(url: str) -> str:
    """'https://' + `url` when a link into the site looks like a web address without its scheme
    ('www.example.org/a.pdf', 'orcid.org/0000-0002-1825-0097'), else ''. Its first part is a
    host name: one starting with 'www.', or ending in .com, .org, .net, .edu or .gov, or, when
    a '/' follows, in any top-level domain; a file of the site ('paper.pdf', 'notes.md',
    'files/cv.pdf') is never one. A folder of the site could still be named so: the build
    asks only of a link that leads to no file of the site."""
    first = _FIRST_PART.match(url)[0]
    labels = first.lower().split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return ""
    domain = labels[-1]
    if url[len(first):].startswith("/"):
        host = domain in _GENERIC_DOMAINS or (len(domain) == 2 and domain.isalpha())
    else:
        host = domain in _NEVER_FILES
    return "https://" + url if host or (labels[0] == "www" and len(labels) > 2) else ""


# Of an http(s) address: what follows '//' up to the path, and a port at its end.
_AUTHORITY = re.compile(r"[^/?#]*")
_PORT = re.compile(r":[0-9]*\Z")
_SPACE = re.compile(r"\s")


def unsafe_url_reason(url: str) -> str:
    """Why a link target is refused, or '' when it is http(s), mailto or relative, judged as a
    browser reads it (see as_a_browser_reads)."""
    read = as_a_browser_reads(url)
    if not url.strip() or not read:
        return "is empty"
    if url != url.strip():
        return "has spaces around it"
    lowered = read.lower()
    if lowered.startswith(("http://", "https://")):  # a space in a path is encoded; in a host, fatal
        authority = _AUTHORITY.match(read, read.index("//") + 2)[0]
        host = _PORT.sub("", authority.rpartition("@")[2])  # without user and port
        if not host:
            return "names no host after '//'"
        if _SPACE.search(authority):
            return (f"has a space in its host name '{host}'" if _SPACE.search(host)
                    else "has a space before its '@'")
    if lowered.startswith(SAFE_SCHEMES):
        return "" if len(read) > len("mailto:") else "is incomplete"
    if lowered.startswith("//"):
        return "is protocol-relative: write https:// in full"
    if SCHEME.match(read):
        return f"uses '{read.split(':', 1)[0]}:'; only http(s), mailto or relative links are allowed"
    return ""


class Reader:
    """Reads the nodes of one YAML document, collecting problems with their positions."""

    def __init__(self, doc: YamlDoc, problems: Problems):
        self.doc = doc
        self.problems = problems

    def error(self, node: yaml.Node, message: str):
        line, column = self.doc.where(node)
        self.problems.error(self.doc.path, line, column, message)
        return _INVALID

    def scalar(self, node: yaml.Node, what: str):
        if not isinstance(node, yaml.ScalarNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            braced = _braced_text(node)
            hint = f" (text in braces needs quotes: '{braced}')" if braced else ""
            return self.error(node, f"expected {what}, got {kind}{hint}")
        refused = holds_refused(node.value) and REFUSED_CHARACTER.search(node.value)
        if refused:  # an escape ("\0"), or a noncharacter YAML lets by: no page may hold one
            code = ord(refused[0])
            return self.error(node, f"holds the {character_kind(code)} U+{code:04X}, which no page "
                                    f"may show: remove it{_latex_hint(node.value, refused)}")
        return node.value

    def latex_read_as_escape(self, node: yaml.ScalarNode) -> None:
        """Warn of text in double quotes where "\theta" gave a tab, then 'heta' ("\nabla" a
        line break): told, not refused, as a text may mean it."""
        if node.style == '"' and "\\" not in node.value:
            read_as = _READ_AS_ESCAPE.search(node.value)
            if read_as:
                line, column = self.doc.where(node)
                self.problems.warn(self.doc.path, line, column, (
                    f"{'a tab' if read_as[0] == chr(9) else 'a line break'} where LaTeX may be "
                    f"meant{_latex_hint(node.value, read_as)}"))


# What YAML's escapes in double quotes that LaTeX commands start with give, and their letters:
# "\beta", "\alpha", "\emph", "\frac", "\vec", "\theta", "\nabla".
_ESCAPES = {"\x07": "a", "\x08": "b", "\x1b": "e", "\x0c": "f", "\x0b": "v",
            "\t": "t", "\n": "n"}
_READ_AS_ESCAPE = re.compile("[\t\n](?=[a-z])")
_LETTERS = re.compile("[A-Za-z]*")


def _latex_hint(text: str, found: re.Match) -> str:
    """For a character a YAML escape gives (`found` in `text`), the LaTeX command that was
    likely meant, and how to write it; '' for any other."""
    escape = _ESCAPES.get(found[0])
    if escape is None:
        return ""
    command = "\\" + escape + _LETTERS.match(text, found.end())[0]
    return (f": '{command}' in double quotes starts with the escape '\\{escape}'; for LaTeX, "
            f"write '\\{command}' or put the text in single quotes")


def _braced_text(node: yaml.Node) -> str:
    """'{Google Research}' for `{Google Research}`, which YAML reads as a mapping of keys without
    values: text in braces, meant as text (an organization among authors); else ''."""
    if not isinstance(node, yaml.MappingNode) or not node.flow_style or not node.value:
        return ""
    if not all(isinstance(k, yaml.ScalarNode) and is_empty(v) for k, v in node.value):
        return ""
    return "{%s}" % ", ".join(key.value for key, _ in node.value)


def is_empty(node: yaml.Node) -> bool:
    """`field:` with nothing after it (or `~`, `null`). libyaml gives plain style as ''."""
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG and not node.style


def by_kind(what: str):
    """A function of a kind and more arguments that calls the one registered for the kind's
    class with `@function.register(kind_class)`. Like functools.singledispatch, which on Python
    3.11 imports typing (2 ms of start-up) and costs more for each of the many values read."""
    functions = {}

    def function_for(kind):
        """The function registered for `kind`'s class: for a caller that calls it for many
        values of one kind (see _kinds_and_required)."""
        function = functions.get(type(kind))
        if function is None:  # a model declaration error, not user input
            raise TypeError(f"no {what} for {kind!r}")
        return function

    def call(kind, *arguments):
        return function_for(kind)(kind, *arguments)

    def register(kind_class: type):
        def add(function):
            functions[kind_class] = function
            return function
        return add

    call.register = register
    call.function_for = function_for
    return call


# read_value(kind, node, reader, name): the value of a field of that kind, or _INVALID.
read_value = by_kind("reader")


@read_value.register(Text)
def _read_text(kind, node, reader, name):
    value = reader.scalar(node, "text")
    if value is _INVALID:
        return value
    reader.latex_read_as_escape(node)
    if "\n" in value.strip() and not kind.multiline:
        value = " ".join(value.split())
    if kind.pattern and not re.fullmatch(kind.pattern, value):  # not before a last newline, as $ is
        return reader.error(node, f"'{name}' must be {kind.hint}, got '{one_line(value)}'")
    return value


@read_value.register(Url)
def _read_url(kind, node, reader, name):
    value = reader.scalar(node, "a URL")
    if value is _INVALID:
        return value
    reason = unsafe_url_reason(value)
    return reader.error(node, f"link '{one_line(value)}' {reason}") if reason else value


@read_value.register(Integer)
def _(kind, node, reader, name):
    value = reader.scalar(node, "a whole number")
    if value is _INVALID:
        return value
    if not re.fullmatch(r"[-+]?\d+", value.strip()):
        return reader.error(node, f"'{name}' must be a whole number, got '{value}'")
    number = int(value)
    if (kind.minimum is not None and number < kind.minimum) or (
        kind.maximum is not None and number > kind.maximum
    ):
        return reader.error(
            node, f"'{name}' must be between {kind.minimum} and {kind.maximum}, got {number}"
        )
    return number


_TRUE, _FALSE = {"true", "yes", "on"}, {"false", "no", "off"}


@read_value.register(Flag)
def _(kind, node, reader, name):
    value = reader.scalar(node, "true or false")
    if value is _INVALID:
        return value
    if value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    return reader.error(node, f"'{name}' must be true or false, got '{value}'")


@read_value.register(TextList)
def _(kind, node, reader, name):
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    values, placed = [], []
    empty = f"empty item in '{name}'" if items is node.value else f"'{name}' must not be empty"
    for item in items:
        if is_empty(item):
            value = ""
        elif _runs_on(item):
            first = reader.doc.where(item)[0]
            last = first + item.end_mark.line - item.start_mark.line
            reader.error(item, f"lines {first} to {last} are read as one item of '{name}', "
                               f"'{one_line(item.value)}': start each item with '- ', lined up "
                               "with the others")
            continue
        else:
            blank = isinstance(item, yaml.ScalarNode) and not item.value.strip()  # told below
            value = _read_text(_TEXT if blank or not kind.item else kind.item, item, reader, name)
            if value is _INVALID:
                continue
        if value.strip():
            values.append(value)
            placed.append((item, value))
        else:  # `-`, `- ""`: nothing to show
            reader.error(item, empty)
    if kind.names:
        _report_names(placed, reader, name)
    if len(items) < kind.min_items:
        return reader.error(node, _too_few(name, kind.min_items))
    return tuple(values)


def _too_few(name: str, minimum: int) -> str:
    return f"'{name}' needs at least {'one item' if minimum == 1 else f'{minimum} items'}"


def _report_names(placed: list, reader: Reader, name: str) -> None:
    """Report each item of `placed` ((node, text) of a list of names: model.TextList with
    `names`) that is not one name (see names.is_one_name), with what to write instead: the
    name, or the whole list as it is likely meant."""
    wrong = [(node, text) for node, text in placed if not names.is_one_name(text)]
    if not wrong:
        return
    meant = [names.meant(text) if not names.is_one_name(text) else [text] for _, text in placed]
    whole = f"{name}: [{', '.join(names.flow_item(n) for each in meant for n in each)}]"
    for node, text in wrong:
        each = names.meant(text)
        organization = f"(an organization is one name in braces: '{{{one_line(text)}}}')"
        if len(each) > 1:
            reader.error(node, f"'{name}' gives '{one_line(text)}', several names in one: write a "
                               f"list with one name per item, {whole} {organization}")
        else:
            reader.error(node, f"'{name}' gives '{one_line(text)}', a name with a comma: write it "
                               f"first name first, without one: '{each[0]}' {organization}")


def _runs_on(node: yaml.Node) -> bool:
    """Unquoted text over several lines, where a list's items are expected: names written under
    `authors:` without '- ', or a '- ' indented more than the one above, which YAML reads as
    text going on ('Ada Lovelace Charles Babbage'), not as another item."""
    return (isinstance(node, yaml.ScalarNode) and not node.style
            and node.start_mark.line != node.end_mark.line)


def _mapping_pairs(node, reader, what):
    if not isinstance(node, yaml.MappingNode):
        reader.error(node, f"expected {what}")
        return []
    return [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]


@read_value.register(LinkMap)
def _(kind, node, reader, name):
    links = []
    for key, value in _mapping_pairs(node, reader, "links as 'label: url' lines"):
        if is_empty(value):
            continue  # `code:` with no address yet: like any field left empty, not given
        target = reader.scalar(value, "a URL")
        if target is _INVALID:
            continue
        label = key.value.strip()
        if not label:  # a link of no text: no reader could tell what it leads to
            reader.error(key, "a link needs a label, its text on the page: "
                              f"'pdf: {one_line(target)}'")
            continue
        expansion = LINK_EXPANSIONS.get(label.lower())
        written = target
        if expansion:
            target = bare_id(label.lower(), target)
        if expansion and not SCHEME.match(target):
            _, pattern, hint = expansion
            if not re.fullmatch(pattern, target):
                reader.error(value, f"'{label}' must be {hint}, got '{one_line(written)}'")
                continue
            target = expanded(label, target)
        reason = unsafe_url_reason(target)
        if reason:
            reader.error(value, f"link '{one_line(target)}' {reason}")
            continue
        links.append(model.Link(label, target))
    return tuple(links)


@read_value.register(NameMap)
def _(kind, node, reader, name):
    people = {}
    for key, value in _mapping_pairs(node, reader, "'Name: https://homepage' lines"):
        url = _read_url(_URL, value, reader, key.value)
        if url is not _INVALID:
            people[" ".join(key.value.split())] = url
    return people


@read_value.register(Record)
def _(kind, node, reader, name):
    return read_record(kind.record, node, reader)


@read_value.register(Records)
def _(kind, node, reader, name):
    if not isinstance(node, yaml.SequenceNode):
        return reader.error(node, f"'{name}' must be a list")
    records = [read_record(kind.record, item, reader) for item in node.value]
    if len(node.value) < kind.min_items:
        return reader.error(node, _too_few(name, kind.min_items))
    return tuple(r for r in records if r is not _INVALID)


_KINDS_AND_REQUIRED: dict[type, tuple[dict, tuple[str, ...], tuple[tuple[str, str, str], ...]]] = {}


def _kinds_and_required(record: type) -> tuple[dict, tuple[str, ...], tuple[tuple[str, str, str], ...]]:
    """({field: (its kind, the read_value function of that kind)}, the required fields, those
    required unless a flag is true (see _required_unless)) of a record type, worked out once."""
    if record not in _KINDS_AND_REQUIRED:
        fields = model.file_fields(record)
        kinds = {f.name: f.metadata["kind"] for f in fields}
        _KINDS_AND_REQUIRED[record] = (
            {name: (kind, read_value.function_for(kind)) for name, kind in kinds.items()},
            tuple(f.name for f in fields
                  if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING),
            _required_unless(fields))
    return _KINDS_AND_REQUIRED[record]


def _required_unless(fields) -> tuple[tuple[str, str, str], ...]:
    """(field, flag, ' (e.g. field: example)' or '') of each of `fields` declared required
    unless that flag is true."""
    found, kinds = [], {f.name: f.metadata["kind"] for f in fields}
    for f in fields:
        if "required_unless" in f.metadata:
            if not isinstance(kinds.get(f.metadata["required_unless"]), Flag):
                raise TypeError(f"{f.name}: required_unless names no Flag field of its record")
            example = f.metadata.get("example")
            if isinstance(example, list):
                example = f"[{', '.join(map(str, example))}]"
            found.append((f.name, f.metadata["required_unless"],
                          f" (e.g. {f.name}: {example})" if example is not None else ""))
    return tuple(found)


def read_record(record: type, node: yaml.Node, reader: Reader, partial: dict | None = None, **derived):
    """Read a mapping node as `record`; returns the record, or _INVALID if anything was wrong
    (then the values of the fields that were right go into `partial`, if given, for checks of
    their own: one run tells every problem)."""
    kinds, required, _ = _kinds_and_required(record)
    if not isinstance(node, yaml.MappingNode):
        return reader.error(node, f"expected 'field: value' lines for a {record.__name__.lower()}")
    before = len(reader.problems.errors)
    values = {}
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name is None:
            reader.error(key, "a field's name is a word, not a list or a mapping")
            continue
        if name not in kinds:
            hint = (" (YAML's merge key '<<' is not read here: write the fields themselves)"
                    if name == "<<" else did_you_mean(name, kinds))
            reader.error(key, f"unknown field '{name}'{hint}")
            continue
        if is_empty(value):
            continue  # `field:` with nothing after it means "not given"
        kind, read = kinds[name]
        result = read(kind, value, reader, name)
        if name in required and isinstance(result, str) and not result.strip():  # `title: ""`
            result = reader.error(value, f"'{name}' must not be empty")
        if result is not _INVALID:
            values[name] = result
    for name in required:
        if name not in values and not _given(node, name):
            reader.error(node, f"missing required field '{name}'")
    if len(reader.problems.errors) > before:
        if partial is not None:
            partial.update(values)
        return _INVALID
    return record(**values, **derived)


def report_required_unless(record, node: yaml.Node, reader: Reader) -> None:
    """Report each field of `record`, read from `node`, that is required unless a flag is true
    (see model.spec) and missing. Not done by read_record: the record is whole without it (a
    section that lists nothing), so its file is read on and checked whole in the same run."""
    for name, flag, example in _kinds_and_required(type(record))[2]:
        if not getattr(record, name) and not getattr(record, flag):
            reader.error(node, f"missing required field '{name}'{example}: only a "
                               f"{type(record).__name__.lower()} with '{flag}: true' may leave it out")


def _given(node: yaml.MappingNode, name: str) -> bool:
    """True when a field is present but had a problem of its own already reported."""
    return any(isinstance(k, yaml.ScalarNode) and k.value == name and not is_empty(v)
               for k, v in node.value)


def valid(value) -> bool:
    return value is not _INVALID


# ---------------------------------------------------------------------------------------------
# JSON Schema.


NOT_GIVEN = {"type": "null"}  # `field:` with nothing after it
NOT_BLANK = r"\S"  # text that is more than spaces: a required field's, a list's item


# kind_schema(kind): the JSON Schema of a value of that kind.
kind_schema = by_kind("schema")


@kind_schema.register(Text)
def _(kind):
    schema = {"type": ["string", "integer"] if kind.numbers else "string"}
    if kind.pattern:
        schema["pattern"] = kind.pattern
    return schema


@kind_schema.register(Url)
def _(kind):
    return {"type": "string", "pattern": r"^(https?://|mailto:|(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//))\S"}


@kind_schema.register(Integer)
def _(kind):
    schema = {"type": "integer"}
    if kind.minimum is not None:
        schema["minimum"] = kind.minimum
    if kind.maximum is not None:
        schema["maximum"] = kind.maximum
    return schema


def _in_any_case(word: str) -> str:
    """A pattern of `word` in any case (JSON Schema's patterns take no flags)."""
    return "".join(f"[{c.upper()}{c}]" if c.isalpha() else re.escape(c) for c in word)


def _words_in_any_case(words) -> dict:
    """Text that is one of `words`, in any case, as the engine reads a Flag: YAML 1.1 reads
    most of them as true or false, an editor reading YAML 1.2 takes `yes` and `on` for text."""
    either = "|".join(map(_in_any_case, sorted(words)))
    return {"type": "string", "pattern": f"^({either})$"}


_FLAG_TRUE = {"anyOf": [{"const": True}, _words_in_any_case(_TRUE)]}


@kind_schema.register(Flag)
def _(kind):
    return {"anyOf": [{"type": "boolean"}, _words_in_any_case(_TRUE | _FALSE)]}


@kind_schema.register(TextList)
def _(kind):
    item = {"type": "string", "pattern": kind.item.pattern if kind.item and kind.item.pattern else NOT_BLANK}
    if kind.names:
        item["not"] = {"pattern": names.NOT_ONE_NAME}
    schema = {"type": "array", "items": item}
    if kind.min_items:
        schema["minItems"] = kind.min_items
    return {"anyOf": [schema, item]}


@kind_schema.register(LinkMap)
def _(kind):
    # `doi:` and `arxiv:` take an id (bare, or after the label: see bare_id) or a full http(s)
    # address, other labels any link.
    absolute = {"type": "string", "pattern": r"^(https?://|mailto:)\S"}
    bare_ids = {label: {"anyOf": [absolute, {
        "type": "string", "pattern": f"^({_in_any_case(label + ':')} *)?{pattern[1:]}"}, NOT_GIVEN]}
                for label, (_, pattern, _) in LINK_EXPANSIONS.items()}
    return {"type": "object", "properties": bare_ids, "propertyNames": {"pattern": r"\S"},
            "additionalProperties": {"anyOf": [kind_schema(Url()), NOT_GIVEN]}}


@kind_schema.register(NameMap)
def _(kind):
    return {"type": "object", "additionalProperties": kind_schema(Url())}


@kind_schema.register(Record)
def _(kind):
    return record_schema(kind.record)


@kind_schema.register(Records)
def _(kind):
    schema = {"type": "array", "items": record_schema(kind.record)}
    if kind.min_items:
        schema["minItems"] = kind.min_items
    return schema


def _plain(value):
    """A default as JSON data: records become objects, tuples lists."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in model.file_fields(type(value))
                if getattr(value, f.name) != f.default}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def record_schema(record: type) -> dict:
    fields = model.file_fields(record)
    properties, required = {}, []
    for f in fields:
        kind = kind_schema(f.metadata["kind"])
        if f.default is dataclasses.MISSING:
            required.append(f.name)
            if kind.get("type") == "string" and "pattern" not in kind:  # as read_record says
                kind = {**kind, "pattern": NOT_BLANK}
        else:  # an optional `field:` left empty means "not given", as in read_record
            kind = {"anyOf": [kind, NOT_GIVEN]}
        prop = {"description": f.metadata["doc"], **kind}
        if f.default not in (dataclasses.MISSING, None, "", ()):
            prop["default"] = _plain(f.default)
        if "example" in f.metadata:
            prop["examples"] = [f.metadata["example"]]
        properties[f.name] = prop
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    conditions = [{"if": {"properties": {flag: _FLAG_TRUE}, "required": [flag]},
                   "else": {"properties": {name: {"not": NOT_GIVEN}}, "required": [name]}}
                  for name, flag, _ in _required_unless(fields)]
    if conditions:
        schema["allOf"] = conditions
    return schema


def json_schemas() -> dict[str, dict]:
    """Every schema the project ships, by file name under `schema/`."""
    publication = record_schema(model.Publication)
    documents = {
        "site.schema.json": ("site.yml", record_schema(model.Site)),
        "publication.schema.json": (
            "A publication file: one entry, or a list of entries",
            {"anyOf": [publication, {"type": "array", "items": publication}]},
        ),
        "page.schema.json": ("Front matter of a Markdown page", record_schema(model.Page)),
        "coauthors.schema.json": ("Co-authors and their homepages", kind_schema(NameMap())),
    }
    return {
        name: {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **body}
        for name, (title, body) in documents.items()
    }


def schema_files() -> dict[str, bytes]:
    """The `schema/` folder's files, as bytes: stable key order, one trailing newline."""
    import json

    return {name: (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
            for name, body in json_schemas().items()}
