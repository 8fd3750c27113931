"""Markdown -> HTML for the owner's own text (bio, abstracts), with its links checked.

Markdown is the owner's content and may hold HTML, so it is not sanitised; but every link and
image it produces must still be http(s), mailto or relative, like every other URL on the site.
"""
from __future__ import annotations

import re

from .problems import Problems
from .schema import unsafe_url_reason

# An attribute's value: found from its '=', then the name before it (href or src, any case) is
# checked; searching for the name instead makes every character a possible start (slow). A value
# is quoted, or unquoted as HTML allows: then it ends at HTML's whitespace or '>', and a browser
# keeps any quote, '<', '=' or '`' in it (href=javascript:alert('x') is one value). An unquoted
# value is taken only after an '=' that may follow href or src, so that prose ('x = 1', 'a=b')
# costs no turn of link_attributes' loop (a text thick with '=' takes twice as long, no more).
_VALUE = re.compile(r"""
    = (?: \s* (?: "([^"]*)" | '([^']*)' )
        | (?<=[fFcC\s]=)  # the cheap test first, then the exact one:
          (?: (?<=[fFcC]=) | (?<=[fFcC]\s=) | (?<=\s\s=) )  # 'href=', 'src =', '  ='
          \s* ([^\s"'>][^\t\n\f\r\ >]*) )
""", re.VERBOSE)
_LINK_ATTRIBUTES = ("href", "src")
_ROOTED = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:|/|#)")
# Simple Markdown, the kind most abstracts are written in, is turned into HTML here, exactly as
# Python-Markdown would (tests/test_markup.py compares the two), sparing its import and its
# time: paragraphs of lines that start with a letter, made of plain text, *emphasis*,
# **strong**, `code` and [links](https://...). Anything else goes to Python-Markdown.
_SPECIAL = r"\\`*_\[\]<>&{}|!~^\x00-\x09\x0b-\x1f\x7f"  # syntax, and controls but the newline
_UNICODE_SPACES = "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_TEXT = rf"[^ \n{_SPECIAL}{_UNICODE_SPACES}]"  # a character of plain text, not a space
_WORDS = rf"{_TEXT}(?:[^\n{_SPECIAL}{_UNICODE_SPACES}]*{_TEXT})?"  # one line, no space at the ends
_CODE = rf"[^ `&\\\x00-\x1f\x7f{_UNICODE_SPACES}]"  # a character of a code span, not a space
_SPAN = (  # compiled when first used: a build with nothing to parse never does
    rf"(?P<plain>[^{_SPECIAL}{_UNICODE_SPACES}]+)"
    rf"|(?<![^\s(])(?P<mark>\*\*?)(?P<marked>{_WORDS})(?P=mark)(?![^\s.,;:)?])"
    rf"|(?<!`)`(?P<code>{_CODE}(?:(?:{_CODE}| )*{_CODE})?)`(?!`)"
    rf"|\[(?P<label>{_WORDS})\]\((?P<url>[A-Za-z0-9\-._~:/?#@$%+,=&]+)\)"
)
_converter = None


def _markdown():
    global _converter  # one converter, made on first use: importing markdown costs start-up time
    if _converter is None:
        import markdown

        _converter = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    return _converter


def to_html(text: str) -> str:
    """Render Markdown; simple Markdown skips the Markdown engine (same output)."""
    text = text.strip()
    if not text:
        return ""
    simple = simple_html(text)
    if simple is not None:
        return simple
    converter = _markdown()
    converter.reset()
    return converter.convert(text)


def simple_html(text: str) -> str | None:
    """Stripped simple Markdown (see _SPAN) as Python-Markdown renders it; None for any other."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        if not all(line[:1].isalpha() and not line.endswith(" ") for line in paragraph.split("\n")):
            return None  # a line not starting with a letter, or ending in a space (a line break)
        html, position = [], 0
        for span in re.finditer(_SPAN, paragraph):
            if span.start() != position:
                return None
            position = span.end()
            html.append(_span_html(span))
        if position != len(paragraph):
            return None
        paragraphs.append(f"<p>{''.join(html)}</p>")
    return "\n".join(paragraphs)


def _span_html(span: re.Match) -> str:
    if span["plain"] is not None:
        return span["plain"]
    if span["marked"] is not None:
        tag = "em" if span["mark"] == "*" else "strong"
        return f"<{tag}>{span['marked']}</{tag}>"
    if span["code"] is not None:
        from html import escape  # here: the html module loads every entity's name

        return f"<code>{escape(span['code'], quote=False)}</code>"
    return f'<a href="{span["url"].replace("&", "&amp;")}">{span["label"]}</a>'


def link_attributes(rendered: str):
    """(start, end, URL) of each href or src attribute's value, quoted or not, in order."""
    from html import unescape

    position = 0
    while (value := _VALUE.search(rendered, position)) is not None:
        end = value.start()
        while end and rendered[end - 1].isspace():
            end -= 1
        name = next((name for name in _LINK_ATTRIBUTES
                     if rendered[max(0, end - len(name)):end].lower() == name), "")
        start = end - len(name)
        if name and not (start and (rendered[start - 1].isalnum() or rendered[start - 1] == "_")):
            group = value.lastindex  # the one alternative that matched
            yield value.start(group), value.end(group), unescape(value.group(group))
            position = value.end()
        else:  # not a link: its quotes may hold one ('= "<a href="...')
            position = value.start() + 1


def check_links(rendered: str, source_text: str, path: str, problems: Problems) -> None:
    """Report each unsafe link target in rendered HTML at its place in the source file's text."""
    for _, _, url in link_attributes(rendered):
        reason = unsafe_url_reason(url)
        if reason:
            index = source_text.find(url)
            index = index if index >= 0 else 0
            line = source_text.count("\n", 0, index) + 1
            column = index - (source_text.rfind("\n", 0, index) + 1) + 1
            problems.error(path, line, column, f"link '{url}' {reason}")


def rebase_links(rendered: str, root: str) -> str:
    """Rendered HTML whose relative links, written from the site root, work from a page `root` away."""
    if not root:
        return rendered
    parts, done = [], 0
    for start, _, url in link_attributes(rendered):
        if not _ROOTED.match(url):
            parts += (rendered[done:start], root)
            done = start
    return "".join(parts) + rendered[done:]
