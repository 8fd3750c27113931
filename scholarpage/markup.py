"""Markdown -> HTML for the owner's own text (bio, abstracts), with its links checked.

Markdown is the owner's content and may hold HTML, so it is not sanitised; but every link and
image it produces must still be http(s), mailto or relative, like every other URL on the site.
"""
from __future__ import annotations

import html
import re

from .problems import Problems
from .schema import unsafe_url_reason

_ATTRIBUTE_URL = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_ROOTED = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:|/|#)")
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_{}\[\]<>#+|!&~]|^\s*[-=>:\d]|\n\s*\n|  \n", re.MULTILINE)
_converter = None


def _markdown():
    global _converter  # one converter, made on first use: importing markdown costs start-up time
    if _converter is None:
        import markdown

        _converter = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    return _converter


def to_html(text: str) -> str:
    """Render Markdown; plain one-paragraph text skips the Markdown engine (same output)."""
    text = text.strip()
    if not text:
        return ""
    if not _MARKDOWN_SYNTAX.search(text):
        return f"<p>{text}</p>"
    converter = _markdown()
    converter.reset()
    return converter.convert(text)


def check_links(rendered: str, source_text: str, path: str, problems: Problems) -> None:
    """Report each unsafe link target in rendered HTML at its place in the source file's text."""
    for match in _ATTRIBUTE_URL.finditer(rendered):
        url = html.unescape(match.group(2) if match.group(2) is not None else match.group(3))
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

    def rebase(match: re.Match) -> str:
        url = match.group(2) if match.group(2) is not None else match.group(3)
        return match.group(0) if _ROOTED.match(url) else f'{match.group(1)}="{root}{url}"'

    return _ATTRIBUTE_URL.sub(rebase, rendered)
