"""Simple Markdown is rendered without Python-Markdown, to the very same HTML."""
from __future__ import annotations

import html
import random
import re
import time
import timeit

import pytest

from scholarpage import markup


def python_markdown(text: str) -> str:
    converter = markup._markdown()
    converter.reset()
    return converter.convert(text)


@pytest.mark.parametrize("text", [
    "Plain text.",
    "Two lines\nof one paragraph.\n\nAnd a second paragraph.",
    "We propose *adaptive sharing*, a **new** method (see *Section 3*).",
    "Code is at [github](https://github.com/u/r?tab=a&b=c), in `O(n log n)` time with `a<b>c`.",
    "Über café naïve 中文 text with 'quotes', \"double\", dashes -- and 50% + $3 = #1 @ x/y.",
])
def test_simple_markdown_is_rendered_as_python_markdown_does(text):
    assert markup.simple_html(text) == python_markdown(text)


@pytest.mark.parametrize("text", [
    "# A heading", "- an item", "1. an item", "> a quote", "    code", "A\n===", "A\n- b",
    "a*b*c", "*a *b", "** a**", "***a***", "_a_", "a_b", "A [ref][1]", "A [short] ref",
    "An ![image](a.png)", "A <b>tag</b>", "A <https://x.org> link", "A &copy; entity",
    "A \\*escape", "Two spaces  \nbreak", "A\ttab", "A | table", "A {: .attr}", "A [^1] note",
    "A [link](https://x.org/a;b)", "A [ link](https://x.org)", "*a*b", "A `` ` `` span",
    "(a) list", "Line\n(b) not a letter", "A `&#2024` code",
])
def test_other_markdown_is_left_to_python_markdown(text):
    assert markup.simple_html(text) is None


def test_simple_markdown_has_no_space_but_the_space_and_the_newline():
    for char in map(chr, range(0x3001)):
        if char.isspace() and char not in " \n":
            assert markup.simple_html(f"A{char}b") is None, repr(char)


SIMPLE_PIECES = [
    "word", "Word", "words here", "é", "中文", "x1", "2024", ".", ",", ";", ":", "(", ")", "?", "'",
    '"', "-", "--", "/", "%", "$", "#", "@", "=", "+", " ", "  ", "\n", "\nA", "\nb", "\n\nC",
    "\n\nÉ", "*em*", "*em words*", "**strong**", "*a.*", "**b,**", "`code`", "`a <b>`",
    "`*x* [y](z)`", "`a  b`", "[label](https://example.org/a-b_c?d=1&e=2#f)",
    "[two words](http://x.org)", "[l](u)", "[a.b](mailto:a@b.c)", "(*em*)", "(**s**)",
]
OTHER_PIECES = [
    "\n\n\n", "\t", "\u00a0", "\u2028", "*", "**", "***", "_", "__", "`", "``", "[", "]", "<",
    ">", "&", "{", "}", "|", "!", "~", "^", "\\", "` x `", "![i](u)", "[r][1]", "\n1. ", "\n- ",
    "\n# ", "\n> ", "\n    ", "\n=", "&amp;", "&copy;", "<b>", "<https://x.org>", "{: .c}",
    "[^1]", "\n(", "\n2", "x*y*z", "*a *", "* a*", "*a*b", "[a](b c)", "[a](<b>)", "[ a](b)",
    " \n", "  \n", "*a\nb*", "`a\nb`", "`&#2024`", "`a & b`",
]


def random_texts(count: int):
    """Texts made mostly of simple pieces, each with a chance of a piece that is not."""
    generator = random.Random(20240617)
    for _ in range(count):
        pieces = [generator.choice(["A", "The", "We", "Über"])]
        for _ in range(generator.randint(1, 16)):
            kind = SIMPLE_PIECES if generator.random() < 0.93 else OTHER_PIECES
            pieces.append(generator.choice(kind))
        yield "".join(pieces).strip()


def test_random_markdown_is_rendered_as_python_markdown_does_or_left_to_it():
    simple = 0
    for text in random_texts(6000):
        html = markup.simple_html(text)
        if html is not None:
            simple += 1
            assert html == python_markdown(text), text
    assert simple > 1000  # the comparison covered many texts that took the simple way


def test_to_html_takes_either_way():
    assert markup.to_html("  *Simple*.\n") == "<p><em>Simple</em>.</p>"
    assert markup.to_html("- not simple") == "<ul>\n<li>not simple</li>\n</ul>"
    assert markup.to_html(" \n") == ""


# What link_attributes finds, said the slow way: a search for the attribute's name as HTML reads
# a tag. The name, href or src in any ASCII case, comes after HTML's whitespace (ASCII only: a
# no-break space is part of a name or value), a '/' or a quote (both end what comes before, as
# in <a/href=x> or title="t"href=x) or at the start; not after '-' (data-href) nor '=' (title=
# href=x is one value). A value is quoted, or unquoted up to whitespace or '>', quotes and all.
ATTRIBUTE_BY_NAME = re.compile(
    r"""(?:^|(?<=[\t\n\f\r /"']))(href|src)[\t\n\f\r ]*=[\t\n\f\r ]*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^\t\n\f\r "'>][^\t\n\f\r >]*))""", re.IGNORECASE | re.ASCII)


@pytest.mark.parametrize("rendered", [
    '<a href="https://a.org/?x=1&amp;y=2">a</a> and <img src=\'b.png\' alt="b=c">',
    '<A HREF = "javascript:alert(1)">x</A><a\nhref\n=\n"c">',
    '<a data-href="d" xhref="no" href_="no" title="see href=\'e\'">',
    'x = "<a href="javascript:alert(1)">" y=\'z\' src="f"',
    'no links = "at all"', 'href="g"', '=""', 'src=', "",
    '<a href=javascript:alert(1)>x</a> <img src=me.png alt=me>', "<A HREF = cv.pdf\n>",
    "<a/href=&#106;avascript:x>", "<a href=javascript:alert('x')>", '<a href=a"b=c`d<e>',
    "a = b, x=y and src= > and title=href=h", '<img alt=x src=\'q\'><a href=>',
    "<a href=\x0bjavascript:x>", "<a href=\xa0javascript:x\xa0y z>", "<a href \n\t=x src  =y>",
    "So x = 1, a=b, c = d, f  = g and [href](h) = i.",
    "<a title=x\xa0href=javascript:y>", "<a\xa0href=z>", "<a href\xa0=w>", "<a href=\xa0v>",
    "<img data-href=x data-src='y' src=z>", '<a title="t"href="javascript:u">', "<a ſrc=s>",
    "<a HrEf\f=\rq>", "<p>x=1 <a href=r>",
])
def test_link_attributes_are_found_as_by_a_search_for_their_names(rendered):
    found = [url for _, _, url in markup.link_attributes(rendered)]
    assert found == [html.unescape(next(value for value in m.groups()[1:] if value is not None))
                     for m in ATTRIBUTE_BY_NAME.finditer(rendered)]


@pytest.mark.parametrize("piece", ["coef=0.12;", "f=", "x = ", "<a href=x ", "src=\t"])
def test_the_link_scan_takes_time_in_proportion_to_the_text(piece):
    def seconds(count: int) -> float:  # of this process's CPU: other processes do not count
        text = piece * count
        return min(timeit.repeat(lambda: list(markup.link_attributes(text)), number=1, repeat=7,
                                 timer=time.process_time))

    small, large = seconds(2000), seconds(8000)
    assert large < 8 * small + 0.002, (small, large)  # 4 times the text: 4 times the time, not 16


def test_an_unquoted_link_is_found_whole_as_a_browser_reads_it():
    rendered = "<p><a href=javascript:alert('x')>x</a> <img src=me.png alt=me></p>"
    assert [url for _, _, url in markup.link_attributes(rendered)] == [
        "javascript:alert('x')", "me.png"]


def test_relative_links_are_rebased_and_others_left_as_they_are():
    rendered = '<a href="cv.pdf">CV</a> <img src=\'me.png\'> <a href="#top"> <a href="/x"> ' \
               '<a href="https://a.org/">a</a> <span title="href">'
    assert markup.rebase_links(rendered, "../../") == (
        '<a href="../../cv.pdf">CV</a> <img src=\'../../me.png\'> <a href="#top"> <a href="/x"> '
        '<a href="https://a.org/">a</a> <span title="href">')


def test_what_html_does_not_read_as_a_link_is_not_rebased():
    rendered = "<a data-href=cv.pdf title=x\xa0href=y.pdf data-src='me.png' href=z.pdf>"
    assert markup.rebase_links(rendered, "../") == (
        "<a data-href=cv.pdf title=x\xa0href=y.pdf data-src='me.png' href=../z.pdf>")


def test_unquoted_relative_links_are_rebased_too():
    rendered = "<a href=cv.pdf>CV</a> <img alt=me src=me.png> <a href=#top> <a href=https://a.org/>"
    assert markup.rebase_links(rendered, "../../") == (
        "<a href=../../cv.pdf>CV</a> <img alt=me src=../../me.png> <a href=#top> "
        "<a href=https://a.org/>")


def test_footnote_ids_and_the_links_between_them_take_a_prefix():
    rendered = markup.to_html("Text[^1] and[^1] [a](#fn:1).\n\n[^1]: Note.")
    prefixed = markup.unique_footnotes(rendered, "key")
    assert re.findall(r'(?:id="|href="#)([^"]+)"', prefixed) == [
        "key~fnref:1", "key~fn:1", "key~fnref2:1", "key~fn:1", "key~fn:1",
        "key~fn:1", "key~fnref:1", "key~fnref2:1"]
    assert markup.unique_footnotes("<p>No notes</p>", "key") == "<p>No notes</p>"


def test_headings_are_moved_together_so_that_the_highest_is_at_the_level_given():
    rendered = "<h1>A</h1>\n<h2 class='x'>B</h2>\n<H3>C</H3><hr>"
    assert markup.headings_from(rendered, 2) == "<h2>A</h2>\n<h3 class='x'>B</h3>\n<h4>C</h4><hr>"
    assert markup.headings_from(rendered, 5) == "<h5>A</h5>\n<h6 class='x'>B</h6>\n<h6>C</h6><hr>"
    assert markup.headings_from("<h4>A</h4>", 2) == "<h2>A</h2>"
    assert markup.headings_from("<p>No heading</p>", 2) == "<p>No heading</p>"
