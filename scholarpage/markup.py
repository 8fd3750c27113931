"""Markdown -> HTML for the owner's own text (bio, abstracts), and the links in that HTML.

Markdown is the owner's content and may hold HTML, so it is not sanitised; but every link and
image it produces must still be http(s), mailto or relative, like every other URL on the site:
content.py checks each at its place in the file (see placed_links).
"""
from __future__ import annotations

import re


# Links are found from each '=': the name before it must be href or src (any case), after
# HTML's whitespace, a '/' or a quote (which end the tag's name or the attribute before) or at
# the start; only then is its value matched there: quoted, or unquoted as HTML reads it, up to
# whitespace or '>' (a browser keeps any quote, '<', '=' or '`' in it, as in
# href=javascript:alert('x')). Each '=' is looked at once, so the scan is linear in the text.
_SPACE = "\t\n\f\r "  # HTML's whitespace: ASCII only, not a no-break space
_BEFORE_NAME = frozenset(_SPACE + "/\"'")
_LINK_ATTRIBUTES = ("href", "src")
_VALUE = re.compile(r"""[\t\n\f\r ]*(?:"([^"]*)"|'([^']*)'|([^\t\n\f\r "'>][^\t\n\f\r >]*))""")
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
# The ids Python-Markdown's footnotes take (fn:1, and fnref:1, fnref2:1 for each reference to
# it), and the links to them: what unique_footnotes prefixes.
_FOOTNOTE_ID = re.compile(r'(\sid="|\shref="#)(fn(?:ref\d*)?:)')
_HEADING_TAG = re.compile(r"<(/?)[hH]([1-6])(?=[\t\n\f\r />])")  # what headings_from moves
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


def unique_footnotes(rendered: str, prefix: str) -> str:
    """Rendered HTML whose footnotes' ids, and the links between them, start with `prefix~`:
    each document on a page numbers its footnotes from 1, so each needs a prefix of its own,
    and the '~', which no BibTeX key holds, keeps them apart from any entry's id."""
    if "footnote" not in rendered:  # Python-Markdown's classes: most texts have none
        return rendered
    return _FOOTNOTE_ID.sub(lambda found: f"{found[1]}{prefix}~{found[2]}", rendered)


def headings_from(rendered: str, top: int) -> str:
    """Rendered HTML whose headings are moved, all by as many levels, so that the highest is an
    h`top` (none below h6): the text's `#` is then the level right below where it is placed,
    and the page's outline stays in order."""
    if "<h" not in rendered and "<H" not in rendered:
        return rendered
    levels = [int(found[2]) for found in _HEADING_TAG.finditer(rendered)]
    if not levels or min(levels) == top:
        return rendered
    moved = top - min(levels)
    return _HEADING_TAG.sub(lambda found: f"<{found[1]}h{min(int(found[2]) + moved, 6)}", rendered)


def link_attributes(rendered: str):
    """(start, end, URL) of each href or src attribute's value, quoted or not, in order."""
    from html import unescape

    equals = rendered.find("=")
    while equals >= 0:
        value = _link_value(rendered, equals)
        if value is None:
            equals = rendered.find("=", equals + 1)
            continue
        group = value.lastindex  # the one alternative that matched
        yield value.start(group), value.end(group), unescape(value.group(group))
        equals = rendered.find("=", value.end())


def _link_value(rendered: str, equals: int) -> re.Match | None:
    """The value after the '=' at `equals` when the name before it is href or src, else None."""
    end = equals
    while end and rendered[end - 1] in _SPACE:
        end -= 1
    for name in _LINK_ATTRIBUTES:
        start = end - len(name)
        if start >= 0 and rendered[start:end].lower() == name and (
                not start or rendered[start - 1] in _BEFORE_NAME):
            return _VALUE.match(rendered, equals + 1)
    return None


# Where a text was written in its file: (index of its start, its line, index of its end).
Span = tuple[int, int, int]


def placed_links(rendered: str, source_text: str, span: Span):
    """(start, end, URL, line, column) of each link and image of rendered HTML: where its value
    is in the HTML, and where it is in the source text the HTML was rendered from (within
    `span`), each looked for after the one before it, as written (java&#9;script:) or else as
    read; one found neither way is placed where the search stands. Lines are counted as the
    search goes, so a file of many texts is read once."""
    cursor, line, counted, end_of_text = span[0], span[1], span[0], span[2]
    for start, end, url in link_attributes(rendered):
        place = cursor
        for written in (rendered[start:end], url):
            index = source_text.find(written, cursor, end_of_text)
            if index >= 0:
                place, cursor = index, index + len(written)
                break
        line += source_text.count("\n", counted, place)
        counted = place
        yield start, end, url, line, place - source_text.rfind("\n", 0, place)


def with_urls(rendered: str, urls: list[tuple[int, int, str]]) -> str:
    """Rendered HTML with the link values at (start, end) replaced by these URLs, in order."""
    from html import escape  # here: the html module loads every entity's name

    parts, done = [], 0
    for start, end, url in urls:
        parts += (rendered[done:start], escape(url))
        done = end
    return "".join(parts) + rendered[done:]


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
