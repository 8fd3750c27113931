"""Markdown -> HTML for the owner's own text (bio, abstracts), with its links checked.

Markdown is the owner's content and may hold HTML, so it is not sanitised; but every link and
image it produces must still be http(s), mailto or relative, like every other URL on the site.
"""
from __future__ import annotations

import html
import re

from .problems import Problems
from .schema import unsafe_url_reason

_ATTRIBUTE_URL = re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
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
        url = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
        reason = unsafe_url_reason(url)
        if reason:
            index = source_text.find(url)
            index = index if index >= 0 else 0
            line = source_text.count("\n", 0, index) + 1
            column = index - (source_text.rfind("\n", 0, index) + 1) + 1
            problems.error(path, line, column, f"link '{url}' {reason}")
