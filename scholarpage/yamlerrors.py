"""YAML syntax errors told where the user must fix them, in words they can act on.

PyYAML reports where reading failed, which is often lines after the mistake: a quote left open
runs on to the next quote in the file, a key missing its ':' is read on into the line below. The
tokens read before the failure tell the cause: an explanation looks at them and names the place
to fix; PyYAML's own words, said plainly, are the fallback. Loaded only for a file that failed.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml

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
    ("while parsing a block node", _RESERVED),  # ','
    ("while scanning a directive", "a line cannot start with '%' (a comment starts with '#')"),
)

# Where the thing these name starts is more use than where PyYAML noticed it.
_AT_START = ("while scanning a quoted scalar", "could not find expected ':'",
             "did not find expected ',' or ']'", "did not find expected ',' or '}'",
             "that cannot start any token", "while scanning an alias", "while scanning an anchor",
             "while scanning a block scalar", "while scanning a directive")

Place = tuple[int, int]  # (line, column), counted from 0 as YAML's marks are


@dataclass(frozen=True)
class _Failure:
    """A YAML syntax error with what led up to it: the text read and the tokens before it."""

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


def syntax_problem(error: yaml.YAMLError, text: str, loader, line_offset: int = 0):
    """(line, column, message) of a syntax error that `loader` found in `text`, which starts on
    line `line_offset` + 1 of its file: where the user must fix it, and what to do."""
    found = None
    at = _failed_at(error)
    if at:
        failure = _Failure(error, text, at, _tokens_to(text, at, loader), line_offset)
        found = next(filter(None, (explain(failure) for explain in _EXPLANATIONS)), None)
    place, words = found or _worded(error, text)
    line, column = (place[0] + 1 + line_offset, place[1] + 1) if place else (0, 0)
    return line, column, f"invalid YAML: {words}"


def _failed_at(error: yaml.YAMLError) -> Place | None:
    """Where the token YAML could not read starts: a scanner error's context is the token it
    was reading, a parser error's problem the token it did not expect."""
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, yaml.scanner.ScannerError) and error.context_mark:
        mark = error.context_mark
    return (mark.line, mark.column) if mark else None


def _tokens_to(text: str, place: Place, loader) -> list[yaml.Token]:
    """YAML's tokens up to the one at `place`: what came before a failure often tells its cause
    better than the failure does. Only a file that failed is read again."""
    tokens = []
    try:
        for token in yaml.scan(text, Loader=loader):
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
    return opened, left_open(failure.line_in_file(opened[0]), failure.line_in_file(closed[0]))


def left_open(opened: int, closed: int) -> str:
    """What to do about a quote opened on line `opened` and read on to line `closed`."""
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
            return _start(token), _RESERVED.replace("{char}", _OPENING[type(token)])
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
        previous, scalar = before[-2:] if len(before) > 1 else (None, None)
        if not isinstance(scalar, yaml.ScalarToken) or scalar.style or _start(scalar)[0] == failure.at[0]:
            return None
        if isinstance(previous, yaml.ValueToken) and _end(previous)[0] == _start(scalar)[0]:
            return None  # a value: the line below is indented too far
        key = _start(scalar)
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
