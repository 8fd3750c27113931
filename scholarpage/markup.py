"""Markdown -> HTML for the owner's own text (bio, abstracts), and the links and ids in that HTML.

Markdown is the owner's content and may hold HTML, so it is not sanitised; but every URL it
holds must still be http(s), mailto or relative, like every other URL on the site, and every
id it gives must be the only one of its page: content.py checks each at its place in the file
(see placed_links, placed_ids). They are read as a browser reads them, in tags alone: a tag
shown as text (`<a href=...>` in a code span) is text.
"""
from __future__ import annotations

import re


# Characters no page may hold: HTML refuses them, and the XML of the feed all but a few. Those
# below a space but tab, newline and carriage return, DEL and the C1 block; and the
# noncharacters of the first plane (U+FDD0 to U+FDEF, U+FFFE, U+FFFF). Those of the other
# planes (U+1FFFE...) are left to the HTML checker: in the class, they made every search of
# it sixteen times slower.
REFUSED_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
# The ASCII characters a page may hold, as bytes: what holds_refused deletes.
_ASCII_SHOWN = bytes(code for code in range(128) if not REFUSED_CHARACTER.match(chr(code)))


def holds_refused(text: str) -> bool:
    """Whether `text` holds a REFUSED_CHARACTER. A search reads some 7 ns a character; most
    text is told faster: a line of printable text holds none, and ASCII text, nearly all, is
    told ten times faster by whether deleting each byte a page may hold leaves any."""
    if text.isprintable():
        return False
    if text.isascii():
        return bool(text.encode().translate(None, _ASCII_SHOWN))
    return REFUSED_CHARACTER.search(text) is not None


def character_kind(code: int) -> str:
    """How a message names a character no page may hold: a control character, or another."""
    return "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"


# Elements of a page's head, which the theme writes: in the owner's HTML, <base> would change
# where every relative link of the page leads, and <meta http-equiv="refresh"> send visitors
# elsewhere (javascript: too), past every check of the links.
HEAD_ELEMENT = re.compile(r"<(base|meta)[\t\n\f\r /]", re.IGNORECASE)  # with attributes

# The attributes whose value is a URL: on any element, but `data` only on an <object>; srcset's
# is a list of URLs, each maybe followed by a width or a density. The one list by which the
# build checks and rebases the owner's HTML and `check` checks the site's pages.
URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "formaction", "poster", "cite",
                            "xlink:href"})
_READ = URL_ATTRIBUTES | {"id"}  # the attributes links_and_ids reads (and an <object>'s data)
# The owner's HTML is read as HTML's tokenizer reads it (in HTML, not in SVG or MathML within
# it). A match of _MARKUP passes over text, comments, doctypes, bogus comments (<![CDATA[...>
# among them), end tags and start tags without attributes, up to a start tag with attributes
# or one such as <script> (whose content is text: _TEXT_ELEMENTS), and reads that tag up to
# its '>', or up to the end of the text (the page goes on after it): _ATTRIBUTE then reads its
# attributes one by one. Nothing is read twice but the attributes of a tag, and the next match
# starts where one ends, so the scan takes time in proportion to the text.
_ATTRIBUTE = (  # a name, then maybe '=' and a value: quoted (to the end if never closed) or not
    r"[\t\n\f\r /]*([^\t\n\f\r />][^\t\n\f\r /=>]*)"
    r"""(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)"?|'([^']*)'?|([^\t\n\f\r >]*)))?""")
_ATTRIBUTES = "(?:{})*".format(_ATTRIBUTE.replace("(", "(?:").replace("(?:?:", "(?:"))  # uncaptured
_TAG_NAME = r"[A-Za-z][^\t\n\f\r />]*"
# Elements whose content is text up to their end tag (<plaintext>'s: to the end), not markup.
_TEXT_ELEMENTS = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed",
                            "noframes", "noscript", "plaintext"})
_TEXT_ELEMENT = "|".join(sorted(_TEXT_ELEMENTS))
_MARKUP = (  # compiled when first used (see _compiled), as _SPAN is
    r"[^<]*(?:(?:"  # text, then what is passed over, each followed by text:
    rf"<(?:/[a-z][a-z0-9]*>|(?!(?:{_TEXT_ELEMENT})>)[a-z][a-z0-9]*>)"  # <p>, </p>: quickly
    rf"|<(?!(?i:{_TEXT_ELEMENT})[\t\n\f\r />]){_TAG_NAME}[\t\n\f\r /]*>"  # a start tag
    rf"|</{_TAG_NAME}{_ATTRIBUTES}[\t\n\f\r /]*>?"  # an end tag (its attributes count for nothing)
    r"|<!--(?:-?>|.*?--!?>|.*)"  # a comment, to where HTML ends one
    r"|<[!?/][^>]*>?"  # a doctype or a bogus comment, to the next '>'
    r"|<(?![A-Za-z]))[^<]*)*"  # a '<' that starts nothing
    rf"(?:<({_TAG_NAME})({_ATTRIBUTES})[\t\n\f\r /]*>?)?")  # a start tag: its name, attributes
# A character reference as html.unescape finds one. In an attribute's value, a named one
# written without ';' is read only if no letter, digit or '=' follows it (HTML's rule).
_CHARACTER_REFERENCE = r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)"
_KEEPS_A_NAME_UNREAD = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=")
_SRCSET_SPACE = frozenset("\t\n\f\r ")
_patterns = None
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


# A title is plain text in which, as in Markdown, *emphasis* (or _emphasis_), **strong** (or
# __strong__) and `code` are marked: a species' or a system's name in italics. Nothing else is
# read. A mark opens after a space, a bracket, a quote, a slash or a dash (or at the start),
# and closes before one or punctuation (or at the end), so an asterisk or underscore inside a
# word, or one that opens nothing (A* search, snake_case), is text.
_TITLE_MARK = re.compile(
    r"""(?<![^\s(\[{"'“‘/–—-])(\*\*|__|\*|_)(?=[^\s*_])(.+?)(?<=[^\s*_])\1"""
    r"""(?![^\s)\]}"'”’.,;:!?/–—-])|`([^`]+)`""")
_MARK_KIND = {"*": "em", "_": "em", "**": "strong", "__": "strong"}


def _unmarked(title: str) -> bool:
    """Whether a title holds no character a mark is made of: then it is all plain text."""
    return "*" not in title and "_" not in title and "`" not in title


def title_parts(title: str) -> list[tuple[str, str]]:
    """(kind, text) of each piece of a title (see _TITLE_MARK): kind '' (plain), 'em',
    'strong' or 'code'. The text of an 'em' or 'strong' piece may hold marks of its own
    (**a *b* c**): title_html and title_text read it again."""
    if _unmarked(title):  # most titles: the search for marks looks at every character
        return [("", title)] if title else []
    parts, end = [], 0
    for mark in _TITLE_MARK.finditer(title):
        parts += [("", title[end:mark.start()])] if mark.start() > end else []
        parts.append(("code", mark[3]) if mark[3] is not None else (_MARK_KIND[mark[1]], mark[2]))
        end = mark.end()
    return parts + ([("", title[end:])] if end < len(title) else [])


def title_html(title: str) -> str:
    """A title as HTML: its text escaped, its marks made <em>, <strong> and <code>."""
    from html import escape

    return "".join(escape(text, quote=False) if not kind else
                   f"<code>{escape(text, quote=False)}</code>" if kind == "code" else
                   f"<{kind}>{title_html(text)}</{kind}>" for kind, text in title_parts(title))


def title_text(title: str) -> str:
    """A title as plain text, its marks left out: for a browser tab, a feed, search engines."""
    if _unmarked(title):
        return title
    return "".join(title_text(text) if kind in ("em", "strong") else text
                   for kind, text in title_parts(title))


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


def is_footnote_id(rendered: str, start: int) -> bool:
    """Whether the id whose value starts at `start` in rendered HTML is one of those that
    unique_footnotes prefixes: those of the text's footnotes, on a page the text's alone."""
    return start >= 5 and "footnote" in rendered and _FOOTNOTE_ID.match(rendered, start - 5) is not None


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


def link_attributes(rendered: str) -> list[tuple[int, int, str]]:
    """(start, end, URL) of each URL the start tags of rendered HTML hold (see URL_ATTRIBUTES),
    in order: where it is written, and as a browser reads it."""
    return links_and_ids(rendered)[0]


def links_and_ids(rendered: str) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    """(links, ids) of rendered HTML: (start, end, value) of each URL its start tags hold and of
    each id they give, in order, where written and as a browser reads them. One scan finds
    both: the build needs both, and ids are rare."""
    links, ids, position = [], [], 0
    if "=" not in rendered:  # no attribute has a value: most texts
        return links, ids
    markup = _compiled()[0]
    while True:
        tag = markup.match(rendered, position)
        if tag[1] is None:  # the end of the text
            return links, ids
        position = tag.end()
        element = tag[1].lower()
        if tag[2]:
            _read_attributes(rendered, element, *tag.span(2), links, ids)
        if element in _TEXT_ELEMENTS:
            position = _end_of_text(rendered, element, position)
        if rendered.find("=", position) < 0:  # no value further on: no tag left to read
            return links, ids


def _read_attributes(rendered: str, element: str, at: int, end: int, links: list, ids: list):
    """Add to `links` and `ids` what the attributes written at (at, end) in a start tag of
    `element` give; a name given twice in a tag is read the first time, as a browser does."""
    attribute, read = _compiled()[1], set()
    while at < end:
        part = attribute.match(rendered, at, end)
        at = part.end()
        name = part[1].lower()
        if name in read or (name not in _READ and (name != "data" or element != "object")):
            continue
        read.add(name)
        group = part.lastindex  # that of its value, if it has one
        if group == 1:
            continue
        start, stop = part.span(group)
        if name == "srcset":
            links += _srcset_links(rendered, start, stop)
        else:
            (ids if name == "id" else links).append((start, stop, attribute_value(rendered[start:stop])))


def _compiled():
    """The scan's patterns, compiled when first used: a build with nothing to parse never does."""
    global _patterns
    if _patterns is None:
        _patterns = (re.compile(_MARKUP, re.DOTALL), re.compile(_ATTRIBUTE),
                     re.compile(_CHARACTER_REFERENCE))
    return _patterns


def _end_of_text(rendered: str, element: str, position: int) -> int:
    """Where the text that an element such as <script> holds, from `position`, ends: at its end
    tag (any case, then whitespace, '/' or '>'), or at the end."""
    if element == "plaintext":
        return len(rendered)
    end = re.compile(rf"</{element}[\t\n\f\r />]", re.IGNORECASE | re.ASCII).search(rendered, position)
    return end.start() if end else len(rendered)


def attribute_value(written: str) -> str:
    """An attribute's value as written in HTML, as a browser reads it: with its character
    references (&amp; &#9; &Tab;) read, but a named one without ';' before a letter, a digit
    or '=' (as in ?a=1&copy=2), which HTML leaves as written in a value."""
    if "&" not in written:
        return written
    return "".join(piece for piece, _ in _value_pieces(written))


def _value_pieces(written: str) -> list[tuple[str, int]]:
    """An attribute's value as read, in pieces: (text, where in `written` it starts), the text
    either as written there or one character reference read."""
    from html import unescape
    from html.entities import html5

    pieces, done = [], 0
    for reference in _compiled()[2].finditer(written):
        text, start = reference[0], reference.start()
        pieces.append((written[done:start], done))
        done = reference.end()
        read = unescape(text)
        name = text[1:]
        if read == text or name[0] == "#" or name in html5:
            pieces.append((read, start))
            continue
        # A name read in part (&copyx: its longest prefix that names a character, then text).
        length = next(length for length in range(len(name) - 1, 1, -1) if name[:length] in html5)
        if name[length] in _KEEPS_A_NAME_UNREAD:
            pieces.append((text, start))
        else:
            pieces += ((html5[name[:length]], start), (name[length:], start + 1 + length))
    pieces.append((written[done:], done))
    return pieces


def _srcset_links(rendered: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, URL) of each URL of the srcset value written at (start, end)."""
    written = rendered[start:end]
    if "&" not in written:
        return [(start + first, start + last, written[first:last])
                for first, last in srcset_urls(written)]
    read, where = [], []  # where: the place in `written` of each character read, then the end
    for piece, at in _value_pieces(written):
        read.append(piece)
        literal = piece == written[at:at + len(piece)]
        where += range(at, at + len(piece)) if literal else [at] * len(piece)
    where.append(len(written))
    value = "".join(read)
    return [(start + where[first], start + where[last], value[first:last])
            for first, last in srcset_urls(value)]


def srcset_urls(value: str) -> list[tuple[int, int]]:
    """(start, end) of each URL of a srcset's value (as read), as HTML splits it: candidates
    apart by commas, each a URL (a trailing comma is not part of it) and maybe descriptors,
    which hold a comma only within parentheses."""
    spans, position, size = [], 0, len(value)
    while True:
        while position < size and (value[position] in _SRCSET_SPACE or value[position] == ","):
            position += 1
        if position == size:
            return spans
        start = position
        while position < size and value[position] not in _SRCSET_SPACE:
            position += 1
        end = position
        if value[end - 1] == ",":  # the URL ends there, and so does the candidate
            while value[end - 1] == ",":
                end -= 1
        else:
            parenthesised = False
            while position < size and (parenthesised or value[position] != ","):
                parenthesised = value[position] == "(" or (parenthesised and value[position] != ")")
                position += 1
        spans.append((start, end))


def attribute_urls(element: str, attribute: str, value: str) -> list[str]:
    """The URLs an attribute of an element holds (its value as read): none, the value, or those
    of a srcset; see URL_ATTRIBUTES."""
    if attribute == "srcset":
        return [value[start:end] for start, end in srcset_urls(value)]
    if attribute in URL_ATTRIBUTES or (attribute == "data" and element == "object"):
        return [value]
    return []


# Where a text was written in its file: (index of its start, its line, index of its end).
Span = tuple[int, int, int]


def placed_links(rendered: str, source_text: str, span: Span, links=None):
    """(start, end, URL, line, column) of each link and image of rendered HTML (`links`, if
    link_attributes found them already): where its value is in the HTML, and where it is in the
    source text the HTML was rendered from (within `span`), each looked for after the one
    before it, as written (java&#9;script:) or else as read; one found neither way is placed
    where the search stands. Lines are counted as the search goes, so a file of many texts is
    read once."""
    def find(written: str, url: str, cursor: int, end_of_text: int):
        return _found_as(source_text, (written, url), cursor, end_of_text)

    links = link_attributes(rendered) if links is None else links
    for (start, end, url), (line, column) in zip(links, _places(rendered, links, source_text, span, find)):
        yield start, end, url, line, column


def placed_ids(rendered: str, ids, source_text: str, span: Span):
    """(id, line, column) of each id of rendered HTML that links_and_ids found, placed in the
    source text as placed_links places links, but looked for first as an attribute (id="x",
    id='x', id=x) or as Markdown's {#x}: the same word may come before it in the text."""
    def find(written: str, value: str, cursor: int, end_of_text: int):
        attribute = re.compile(f"""(?:id=["']?|#)({re.escape(written)})""")
        found = attribute.search(source_text, cursor, end_of_text)
        if found:
            return found.start(1), found.end()
        return _found_as(source_text, (written, value), cursor, end_of_text)

    for (_, _, value), (line, column) in zip(ids, _places(rendered, ids, source_text, span, find)):
        yield value, line, column


def _places(rendered: str, items, source_text: str, span: Span, find):
    """(line, column) in the source text of each (start, end, value) of rendered HTML, each
    looked for by `find(as written, value, cursor, end of text) -> (place, new cursor)` after
    the one before it, the lines counted as the search goes."""
    cursor, line, counted, end_of_text = span[0], span[1], span[0], span[2]
    for start, end, value in items:
        place, cursor = find(rendered[start:end], value, cursor, end_of_text)
        line, column = _line_and_column(source_text, line, counted, place)
        counted = place
        yield line, column


def _found_as(source_text: str, forms, cursor: int, end_of_text: int) -> tuple[int, int]:
    """(where, the cursor after it) of the first of `forms` found after `cursor`; (cursor,
    cursor) if none is: placed where the search stands."""
    for text in forms:
        index = source_text.find(text, cursor, end_of_text)
        if index >= 0:
            return index, index + len(text)
    return cursor, cursor


def _line_and_column(text: str, line: int, counted: int, place: int) -> tuple[int, int]:
    """(line, column) of the index `place` of `text`, counting lines from the index `counted`,
    on `line`."""
    return line + text.count("\n", counted, place), place - text.rfind("\n", 0, place)


def with_urls(rendered: str, urls: list[tuple[int, int, str]]) -> str:
    """Rendered HTML with the link values at (start, end) replaced by these URLs, in order."""
    from html import escape  # here: the html module loads every entity's name

    parts, done = [], 0
    for start, end, url in urls:
        parts += (rendered[done:start], escape(url))
        done = end
    return "".join(parts) + rendered[done:]


def rebase_links(rendered: str, root: str) -> str:
    """Rendered HTML whose relative links, written from the site root, work from a page `root`
    away. A text is written as for the home page, where every text is placed: so a link to a
    fragment no id of the text is (`#sun2023dime`, an item there) leads there too, while one to
    the text's own (a footnote, a heading of it), or to the page's top (`#top`, `#`: no id needed),
    stays on the page."""
    if not root:
        return rendered
    links, ids = links_and_ids(rendered)
    own = {value for _, _, value in ids}
    parts, done = [], 0
    for start, _, url in links:
        if not _ROOTED.match(url) or (url.startswith("#") and url[1:] not in own
                                      and url[1:].lower() not in ("", "top")):
            parts += (rendered[done:start], root)
            done = start
    return "".join(parts) + rendered[done:]
