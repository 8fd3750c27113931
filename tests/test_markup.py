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


# What links_and_ids finds, said the slow way: HTML's tokenizer, one character at a time, state
# by state as the HTML standard writes it (13.2.5), keeping each start tag's attributes (a name
# given twice in a tag is dropped), with the one thing the tree builder does to it that matters
# here: after <script>, <style>, <textarea>... the text up to the matching end tag is not markup.
# Unlike a browser, a tag the text ends in is kept: the page goes on after the text.
SPACE = "\t\n\f\r "
TEXT_ELEMENTS = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
                 "noscript", "plaintext"}


def tokenized_attributes(text: str) -> list[tuple[str, str, int, int]]:
    """(element, attribute, start, end) of each attribute of each start tag, values as written."""
    found, state, i, size = [], "data", 0, len(text)
    tag = attributes = name = None
    end_tag = False

    def emit():
        nonlocal state, i
        if tag is not None and not end_tag:
            found.extend((tag, attribute, place) for attribute, place in attributes.items())
            if tag in TEXT_ELEMENTS:
                end = re.compile(rf"</{tag}[\t\n\f\r />]", re.IGNORECASE | re.ASCII).search(text, i)
                i = end.start() if end and tag != "plaintext" else size
        state = "data"

    def new_attribute(first: str):
        nonlocal name
        name = [first, i, None]

    def keep_name():
        nonlocal name
        if name is not None and name[0] not in attributes:
            attributes[name[0]] = (name[1], name[2]) if name[2] is not None else None
        name = None

    while True:
        c = text[i] if i < size else ""
        if state == "data":
            if not c:
                break
            if c == "<":
                state = "tag open"
        elif state == "tag open":
            if c == "!":
                state = "declaration"
            elif c == "/":
                state = "end tag open"
            elif c.isascii() and c.isalpha():
                tag, attributes, end_tag, state = c.lower(), {}, False, "tag name"
            elif c == "?":
                state = "bogus comment"
            else:
                state = "data"
                continue
        elif state == "end tag open":
            if c.isascii() and c.isalpha():
                tag, attributes, end_tag, state = c.lower(), {}, True, "tag name"
            elif c == ">":
                state = "data"
            elif not c:
                break
            else:
                state = "bogus comment"
                continue
        elif state == "tag name":
            if c and c in SPACE:
                state = "before name"
            elif c == "/":
                state = "self-closing"
            elif c == ">" or not c:
                emit()
                if not c:
                    break
            else:
                tag += c.lower() if c.isascii() else c
        elif state == "before name":
            if c and c in SPACE:
                pass
            elif c in ("/", ">", ""):
                state = "after name"
                continue
            else:
                new_attribute(c.lower() if c.isascii() else c)
                state = "name"
        elif state == "name":
            if c in ("/", ">", "") or c in SPACE:
                state = "after name"
                continue
            if c == "=":
                state = "before value"
            else:
                name[0] += c.lower() if c.isascii() else c
        elif state == "after name":
            if c and c in SPACE:
                pass
            elif c == "/":
                keep_name()
                state = "self-closing"
            elif c == "=":
                state = "before value"
            elif c == ">" or not c:
                keep_name()
                emit()
                if not c:
                    break
            else:
                keep_name()
                new_attribute(c.lower() if c.isascii() else c)
                state = "name"
        elif state == "before value":
            if c and c in SPACE:
                pass
            elif c in ('"', "'"):
                name[1:] = [i + 1, i + 1]
                state = c
            elif c == ">" or not c:
                name[1:] = [i, i]
                keep_name()
                emit()
                if not c:
                    break
            else:
                name[1:] = [i, i]
                state = "unquoted"
                continue
        elif state in ('"', "'"):
            if c == state or not c:
                keep_name()
                state = "after value"
                if not c:
                    emit()
                    break
            else:
                name[2] = i + 1
        elif state == "unquoted":
            if c in (">", "") or c in SPACE:
                keep_name()
                state = "before name" if c and c in SPACE else state
                if c == ">" or not c:
                    emit()
                    if not c:
                        break
            else:
                name[2] = i + 1
        elif state == "after value":
            if c and c in SPACE:
                state = "before name"
            elif c == "/":
                state = "self-closing"
            elif c == ">" or not c:
                emit()
                if not c:
                    break
            else:
                state = "before name"
                continue
        elif state == "self-closing":
            if c == ">" or not c:
                emit()
                if not c:
                    break
            else:
                state = "before name"
                continue
        elif state == "declaration":
            if text.startswith("--", i):
                i, state = i + 2, "comment start"
                continue
            state = "bogus comment"  # a doctype, and <![CDATA[ outside SVG, end at '>' too
            continue
        elif state == "comment start":
            state = {"-": "comment start dash", ">": "data"}.get(c, "comment")
            if state == "comment":
                continue
        elif state == "comment start dash":
            state = {"-": "comment end", ">": "data", "": "data"}.get(c, "comment")
        elif state == "comment":
            state = "comment end dash" if c == "-" else state
            if not c:
                break
        elif state == "comment end dash":
            state = "comment end" if c == "-" else "comment"
            if not c:
                break
        elif state == "comment end":
            state = {">": "data", "!": "comment end bang", "-": "comment end"}.get(c, "comment")
            if not c:
                break
        elif state == "comment end bang":
            state = {"-": "comment end dash", ">": "data"}.get(c, "comment")
            if not c:
                break
        elif state == "bogus comment":
            if c == ">":
                state = "data"
            elif not c:
                break
        i += 1
    return [(element, attribute, *place) for element, attribute, place in found if place]


def read_by_the_tokenizer(text: str):
    """(links, ids) as links_and_ids gives them, from tokenized_attributes."""
    links, ids = [], []
    for element, attribute, start, end in tokenized_attributes(text):
        value = markup.attribute_value(text[start:end])
        if attribute == "id":
            ids.append((start, end, value))
        elif attribute == "srcset" and "&" not in text[start:end]:
            links += [(start + first, start + last, value[first:last])
                      for first, last in markup.srcset_urls(value)]
        else:
            links += [(start, end, url) for url in markup.attribute_urls(element, attribute, value)]
    return links, ids


def without_srcset_places(found):
    """links_and_ids' (links, ids), the places of a srcset's URLs with entities in it left out."""
    links, ids = found
    return [link[2] for link in links], ids


HTML_CASES = [
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
    # Text, comments and the like hold no tag.
    '<p><code>&lt;a href="javascript:alert(1)"&gt;</code> and href=docs/x.html</p>',
    "<!-- <a href=a> --> <a href=b> <!--> <a href=c> <!---> <a href=d> <!-- x --!> <a href=e>",
    "<!----> <a href=f> <!-- -- > <a href=g> --> <!DOCTYPE html> <? x <a href=h> ?> <a href=i>",
    "<![CDATA[ <a href=j> ]]> <a href=k> <! <a href=l> > </ <a href=m> > </> <a href=n>",
    "</a href=o title='>'> <a href=p> <p <a href=q> <a b='<a href=r>' href=s>",
    # Text elements: their text up to their end tag, then markup again.
    "<script>'<a href=a>'</script><a href=b><style>a{}</style  ><img src=c>",
    '<textarea><!--</textarea><a href="javascript:x">--> <title>t</title > <a href=y>',
    "<SCRIPT>x</scriptx></Script\n><a href=z> <xmp><a href=no></xmp> <plaintext><a href=no>",
    # Every attribute holding a URL, and ids; a name given twice in a tag is read once.
    '<form action=a><button formaction=b><video poster=c src=d><object data=e><div data=f>',
    "<blockquote cite=g><q CITE=h><img srcset='i.png 1x, j,k.png 2x,l.png,, m.png (1,2), n.png'>",
    "<svg><use xlink:href='o.svg#p'/></svg> <p id=q ID=r id='s'> <a href=t href=u id=v>",
    '<a href="x\n<img src=y', "<a href=", "<a id=&quot;w&quot;>", '<a href="?a=1&copy=2&copy;">',
]


@pytest.mark.parametrize("rendered", HTML_CASES)
def test_links_and_ids_are_found_as_htmls_tokenizer_reads_them(rendered):
    assert markup.links_and_ids(rendered) == read_by_the_tokenizer(rendered)


HTML_PIECES = [
    "<a", "<A", "<img", "<form", "<object", "<div", "</a>", "</p", "<p", "</", "<", ">", "/>",
    "/", " ", "\n", "\t", "\xa0", "=", " = ", '"', "'", "`", "x", "javascript:y", "a.png 1x, b.png 2x",
    " href", " HREF", " src", " srcset", " action", " poster", " data", " cite", " id", " title",
    " data-href", "<!--", "-->", "--!>", "<!-->", "<!--->", "-", "<!", "<?", "<![CDATA[", "]]>",
    "&amp;", "&#9;", "&quot;", "&copy", "&copy;", "=2", "<script>", "</script>", "<style>",
    "</style>", "<textarea>", "</textarea>", "<title>", "</title>", "<xmp>", "</xmp>", "<b>",
]


def test_random_html_is_read_as_htmls_tokenizer_reads_it():
    generator = random.Random(20240618)
    for _ in range(4000):
        text = "".join(generator.choice(HTML_PIECES) for _ in range(generator.randint(1, 30)))
        assert without_srcset_places(markup.links_and_ids(text)) == \
            without_srcset_places(read_by_the_tokenizer(text)), text


@pytest.mark.parametrize("piece", [
    "coef=0.12;", "f=", "x = ", "<a href=x ", "src=\t", "<a ", "<a b", "<", "<a=", "</a ", "<!--",
    "<!", "<p>=", "<a href='", "<script>", "<a\n", "id=x ", "<b>x</b>=", "<!-- -- ", "<a href=x>"])
def test_the_link_scan_takes_time_in_proportion_to_the_text(piece):
    def seconds(count: int) -> float:  # of this process's CPU: other processes do not count
        text = piece * count
        return min(timeit.repeat(lambda: markup.links_and_ids(text), number=1, repeat=7,
                                 timer=time.process_time))

    small, large = seconds(2000), seconds(8000)
    assert large < 8 * small + 0.002, (small, large)  # 4 times the text: 4 times the time, not 16


def test_markup_in_text_is_no_link():
    rendered = markup.to_html('An attack: `<a href="javascript:alert(1)">`, with href=docs/x.html.')
    assert rendered == ('<p>An attack: <code>&lt;a href="javascript:alert(1)"&gt;</code>, '
                        "with href=docs/x.html.</p>")
    assert markup.links_and_ids(rendered) == ([], [])
    assert markup.rebase_links(rendered, "../../") == rendered


def test_a_comment_ends_where_html_ends_it_and_a_text_element_at_its_end_tag():
    rendered = ('<!-- <a href="javascript:a"> --> <!--> <a href=b> '
                '<textarea><!--</textarea><a href="javascript:c">-->')
    assert markup.link_attributes(rendered) == [(47, 48, "b"), (84, 96, "javascript:c")]


def test_every_attribute_holding_a_url_is_found_and_rebased():
    rendered = ("<form action=f.html><button formaction='g.html'></button></form>"
                '<video poster="p.png" src="v.mp4"></video><object data=o.svg></object>'
                "<div data=not-a-url></div><blockquote cite=c.html></blockquote>"
                '<img srcset="a.png 1x, https://x.org/b.png 2x, #c 3x,d,e.png 100w" src="a.png">'
                '<svg><use xlink:href="i.svg#x"/></svg>')
    assert [url for _, _, url in markup.link_attributes(rendered)] == [
        "f.html", "g.html", "p.png", "v.mp4", "o.svg", "c.html", "a.png", "https://x.org/b.png",
        "#c", "d,e.png", "a.png", "i.svg#x"]
    assert markup.rebase_links(rendered, "../../") == (
        "<form action=../../f.html><button formaction='../../g.html'></button></form>"
        '<video poster="../../p.png" src="../../v.mp4"></video><object data=../../o.svg></object>'
        "<div data=not-a-url></div><blockquote cite=../../c.html></blockquote>"
        '<img srcset="../../a.png 1x, https://x.org/b.png 2x, ../../#c 3x,../../d,e.png 100w" '
        'src="../../a.png"><svg><use xlink:href="../../i.svg#x"/></svg>')


def test_a_fragment_leads_to_the_home_page_unless_the_text_has_its_id():
    """A text is written as for the home page: `#sun2023dime` is an item there. Its own ids (a
    footnote, a heading) and the page's top stay on the page it is placed in."""
    rendered = ('<p><a href="#sun2023dime">paper</a><a href="#note">n</a><a href="#top">up</a>'
                '<a href="#TOP">up</a><a href="#">here</a></p><h4 id="note">Note</h4>'
                '<sup id="k~fnref:1"><a href="#k~fn:1">1</a></sup><li id="k~fn:1">'
                '<a href="#k~fnref:1">back</a></li>')
    assert markup.rebase_links(rendered, "../../") == rendered.replace(
        '"#sun2023dime"', '"../../#sun2023dime"')
    assert markup.rebase_links(rendered, "") == rendered


def test_a_srcset_is_split_as_html_splits_it():
    value = " a.png 1x,b.png, c,d.png (1,2) 2x ,, e.png,,, f.png,g.png"
    assert [value[start:end] for start, end in markup.srcset_urls(value)] == [
        "a.png", "b.png", "c,d.png", "e.png", "f.png,g.png"]
    assert markup.srcset_urls(" , ") == []


def test_a_srcset_written_with_character_references_is_rebased_where_its_urls_start():
    rendered = '<img srcset="a.png&#32;1x&#44;javascript:x 2x,&NewLine;b&amp;c.png">'
    assert markup.link_attributes(rendered) == [
        (13, 18, "a.png"), (30, 42, "javascript:x"), (55, 66, "b&c.png")]
    assert markup.rebase_links(rendered, "../") == (
        '<img srcset="../a.png&#32;1x&#44;javascript:x 2x,&NewLine;../b&amp;c.png">')


def test_values_are_read_as_a_browser_reads_them():
    rendered = ("<a href='java&#9;script:x'><a href=\"?a=1&copy=2&copy;&amp=&ampx&amp\">"
                "<a href=&notit;&not>")  # what Chromium reads
    assert [url for _, _, url in markup.link_attributes(rendered)] == [
        "java\tscript:x", "?a=1&copy=2©&amp=&ampx&", "&notit;¬"]


def test_ids_are_found_in_tags_alone():
    rendered = markup.to_html('## Research {#research}\n\n<div id="contact" ID=x>id="no"</div>')
    assert rendered == '<h2 id="research">Research</h2>\n<div id="contact" ID=x>id="no"</div>'
    assert markup.links_and_ids(rendered) == ([], [(8, 16, "research"), (41, 48, "contact")])


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
    rendered = ("<a data-href=cv.pdf title=x\xa0href=y.pdf data-src='me.png' href=z.pdf> "
                "href=t.pdf <!-- <a href=c.pdf> --> <script>'<img src=s.png>'</script>")
    assert markup.rebase_links(rendered, "../") == (
        "<a data-href=cv.pdf title=x\xa0href=y.pdf data-src='me.png' href=../z.pdf> "
        "href=t.pdf <!-- <a href=c.pdf> --> <script>'<img src=s.png>'</script>")


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


@pytest.mark.parametrize("title, html_title, text", [
    ("A *Drosophila* Model", "A <em>Drosophila</em> Model", "A Drosophila Model"),
    ("_Escherichia coli_: a Study", "<em>Escherichia coli</em>: a Study", "Escherichia coli: a Study"),
    ("**Bold** and __strong__ (*in vivo*)", "<strong>Bold</strong> and <strong>strong</strong> "
     "(<em>in vivo</em>)", "Bold and strong (in vivo)"),
    ("Faster `torch.compile`", "Faster <code>torch.compile</code>", "Faster torch.compile"),
    ("**Bold *and* italic**", "<strong>Bold <em>and</em> italic</strong>", "Bold and italic"),
    ("“*Quoted*” – *a*/*b*", "“<em>Quoted</em>” – <em>a</em>/<em>b</em>", "“Quoted” – a/b"),
    # What opens no mark is text: an asterisk or underscore in a word (unlike Markdown, which
    # reads 2*3*4 as 2<em>3</em>4), or before a space.
    ("A* Search in snake_case_names", "A* Search in snake_case_names", "A* Search in snake_case_names"),
    ("2*3*4 and a * b * c", "2*3*4 and a * b * c", "2*3*4 and a * b * c"),
    ("*Unclosed and `open", "*Unclosed and `open", "*Unclosed and `open"),
    ("x < y & *z*", "x &lt; y &amp; <em>z</em>", "x < y & z"),
])
def test_a_title_marks_emphasis_strong_and_code_as_markdown_does(title, html_title, text):
    assert markup.title_html(title) == html_title
    assert markup.title_text(title) == text
