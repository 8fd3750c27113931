"""Bad input: one `path:line:col: message` line per problem, all in one run, exit code 1.

Every expected line is written out in full, so a message that loses its place or its words
fails here. Files are written flush left (no indentation to strip) so line and column numbers
can be read off the test.
"""
from __future__ import annotations

import errno
import os
import re
import time
import timeit
from pathlib import Path

import pytest

from conftest import MINIMAL_SITE, build_ok, run_cli, tree, write_files
from scholarpage.files import places_in

BIO = "---\ntitle: About\n---\nHello.\n"
GOOD = "title: A Paper\nauthors: [Ada Lovelace]\ntype: conference\n"
PUB = "content/publications/x.yml"
FAILED = "build failed: {} error{}; the output folder was not changed"
JS_LINK = "uses 'javascript:'; only http(s), mailto or relative links are allowed"


def project(make_project, files: dict[str, str]):
    return make_project({"content/index.md": BIO, **files})


def failed_build(root, *args: str) -> list[str]:
    """The problem lines of a build that must fail, checked for the closing line."""
    result = run_cli(root, *args)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    errors = sum(1 for line in lines[:-1] if ": warning: " not in line)
    assert lines[-1] == FAILED.format(errors, "s" * (errors != 1))
    return lines[:-1]


def errors_of(make_project, files: dict[str, str]) -> list[str]:
    return failed_build(project(make_project, files))


# ---------------------------------------------------------------------------------------------
# Malformed YAML.

YAML_CASES = {
    "tab indentation": (
        "title: A Paper\nauthors:\n\t- Ada Lovelace\ntype: conference\n",
        "3:1: invalid YAML: tab character: indent with spaces, not tabs",
    ),
    "tab after spaces": (
        "title: A Paper\nauthors:\n  \t- Ada Lovelace\ntype: conference\n",
        "3:3: invalid YAML: tab character: indent with spaces, not tabs",
    ),
    "unterminated quote": (
        'title: A Paper\nvenue: "CVPR\nauthors: [Ada Lovelace]\ntype: conference\n',
        "2:8: invalid YAML: quoted text is never closed: add the closing quote",
    ),
    "a quote left open runs on to the next quote": (
        'title: "In silico Screening\nauthors: [Ada Lovelace]\ntype: conference\nvenue: "CVPR"\n',
        "1:8: invalid YAML: quoted text opened here runs on to line 4: close the quote on line 1",
    ),
    "a single quote left open runs on to an apostrophe": (
        "title: 'A Paper\nauthors: [Ada Lovelace]\ntype: conference\nnote: Ada's talk\n",
        "1:8: invalid YAML: quoted text opened here runs on to line 4: close the quote on line 1",
    ),
    "line indented less than its list": (
        "title: A Paper\nauthors:\n  - Ada Lovelace\n - Charles Babbage\ntype: conference\n",
        "4:2: invalid YAML: bad indentation, or a line that is not 'key: value'",
    ),
    "field indented under a text value": (
        "title: A Paper\n  venue: CVPR\nauthors: [Ada Lovelace]\ntype: conference\n",
        "2:8: invalid YAML: unexpected ':' (bad indentation, or text containing ': ' that needs quotes)",
    ),
    "fields out of line": (
        "title: A Paper\nauthors: [Ada Lovelace]\n  type: conference\n year: 2024\n",
        "3:3: invalid YAML: bad indentation, or a line that is not 'key: value'",
    ),
    "key without a colon": (
        "title: A Paper\nauthors\ntype: conference\n",
        "2:1: invalid YAML: expected 'key: value' (a ':' is missing, or a quote is unclosed)",
    ),
    "unclosed list": (
        "title: A Paper\nauthors: [Ada Lovelace, Charles Babbage\ntype: conference\n",
        "2:10: invalid YAML: a list in '[ ]' is never closed: add the closing ']'",
    ),
    "a tab in a block of text, then a list never closed": (
        "title: A Paper\nauthors: [Ada Lovelace]\ntype: conference\nabstract: |\n  Code:\n"
        "  \tx = 1\nvenue: [CVPR\n",
        "7:8: invalid YAML: a list in '[ ]' is never closed: add the closing ']'",
    ),
    "a title with ': ' in it, shown where its quotes go": (
        "title: AdaShare: Learning What to Share\nauthors: [Ada Lovelace]\ntype: conference\n",
        "1:8: invalid YAML: this text contains ': ', so it must be put in quotes (\"...\")",
    ),
    "text after a closing quote": (
        'title: "Attention" Is All You Need\nauthors: [Ada Lovelace]\ntype: conference\n',
        "1:20: invalid YAML: text after the closing quote: put all of the text inside the quotes",
    ),
    "text starting with a bracket": (
        "title: [Re] Reproducibility Study\nauthors: [Ada Lovelace]\ntype: conference\n",
        "1:8: invalid YAML: text cannot start with '[': put it in quotes (\"...\")",
    ),
    "a bracket that closes nothing": (
        "title: A Paper\nauthors: [Ada Lovelace]]\ntype: conference\n",
        "2:24: invalid YAML: this bracket closes nothing: remove it",
    ),
    "text starting with '@'": (
        GOOD + "note: @NeurIPS\n",
        "4:7: invalid YAML: text cannot start with '@': put it in quotes (\"...\")",
    ),
    "text starting with '*'": (
        GOOD + "note: *Equal contribution\n",
        "4:7: invalid YAML: text cannot start with '*': put it in quotes (\"...\")",
    ),
    "text starting with '>'": (
        GOOD + "note: > 100 citations\n",
        "4:7: invalid YAML: text cannot start with '>': put it in quotes (\"...\")",
    ),
    "text starting with ','": (
        "title: A Paper\nauthors:\n  - ,Ada Lovelace\ntype: conference\n",
        "3:5: invalid YAML: text cannot start with ',': put it in quotes (\"...\")",
    ),
    "a LaTeX comment": (
        GOOD + "% venue: ICCV\n",
        "4:1: invalid YAML: a line cannot start with '%' (a comment starts with '#')",
    ),
    "a LaTeX command in double quotes": (
        'title: "Learning \\mathcal{O}(n) Models"\nauthors: [Ada Lovelace]\ntype: conference\n',
        "1:18: invalid YAML: '\\' in double-quoted text starts an escape: write '\\\\', "
        "or use single quotes instead",
    ),
    "text under 'abstract: |' not indented": (
        GOOD + "abstract: |\nWe propose a method.\nIt works.\n",
        "5:1: invalid YAML: the lines of text after '|' must be indented: start each with two spaces",
    ),
    "a key without its colon, before a 'key: value' line": (
        "title A Paper\nauthors: [Ada Lovelace]\ntype: conference\n",
        "1:1: invalid YAML: expected 'key: value' (a ':' is missing, or a quote is unclosed)",
    ),
    "no space after a colon": (
        "title: A Paper\nyear:2024\nauthors: [Ada Lovelace]\ntype: conference\n",
        "2:1: invalid YAML: a space is missing after ':': write 'key: value'",
    ),
    "a list item on its key's line": (
        "title: A Paper\nauthors: - Ada Lovelace\ntype: conference\n",
        "2:10: invalid YAML: a list item ('- ') must start a line of its own, under its key",
    ),
    "two commas in a row": (
        "title: A Paper\nauthors: [Ada Lovelace, , Charles Babbage]\ntype: conference\n",
        "2:25: invalid YAML: an item is missing here (two ',' in a row?)",
    ),
    "an indented first line": (
        "  title: A Paper\nauthors: [Ada Lovelace]\ntype: conference\n",
        "2:1: invalid YAML: bad indentation: this line does not line up with the ones above",
    ),
    "duplicate key": (
        "title: A Paper\nauthors: [Ada Lovelace]\ntype: conference\ntitle: Another Paper\n",
        "4:1: duplicate key 'title' (first given on line 1)",
    ),
    "duplicate link label": (
        GOOD + "links:\n  pdf: https://example.org/a.pdf\n  pdf: https://example.org/b.pdf\n",
        "6:3: duplicate key 'pdf' (first given on line 5)",
    ),
    "duplicate key in the second publication of a list": (
        "- " + GOOD.replace("\n", "\n  ", 2) + "- title: B\n  authors: [Ada Lovelace]\n  title: C\n  type: journal\n",
        "6:3: duplicate key 'title' (first given on line 4)",
    ),
    "a control character, after letters of two and three bytes": (
        'title: "Ré€\x00sumé"\nauthors: [Ada Lovelace]\ntype: conference\n',
        "1:12: invalid YAML: control character U+0000 is not allowed (remove it)",
    ),
    "a line break to YAML alone, which would put every later line out of place": (
        'title: A Paper\nauthors: [Ada Lovelace]\ntype: conference\nvenue: "X \x85 Y"\n',
        "4:11: invalid YAML: control character U+0085, which YAML reads as a line break and nothing "
        "else does, often pasted from a PDF (remove it)",
    ),
    "a noncharacter": (
        'title: "A\ufffeB"\nauthors: [Ada Lovelace]\ntype: conference\n',
        "1:10: invalid YAML: character U+FFFE is not allowed (remove it)",
    ),
}


def test_a_control_character_in_front_matter_is_reported_at_its_line_in_the_file(make_project):
    bio = "---\ntitle: About\x07\n---\nHello.\n"
    assert errors_of(make_project, {"content/index.md": bio}) == [
        "content/index.md:2:13: invalid YAML: control character U+0007 is not allowed (remove it)"]


def test_each_line_break_of_yaml_alone_is_reported(make_project):
    """The reviewer's report: a text pasted from a PDF holds several; one run tells each."""
    text = 'title: "A\u2028Paper"\nauthors: [Ada Lovelace]\ntype: conference\nnote: "x\u2029y\x85"\n'
    assert errors_of(make_project, {PUB: text}) == [
        f"{PUB}:1:10: invalid YAML: line separator U+2028, which YAML reads as a line break and "
        "nothing else does, often pasted from a PDF (remove it)",
        f"{PUB}:4:9: invalid YAML: paragraph separator U+2029, which YAML reads as a line break and "
        "nothing else does, often pasted from a PDF (remove it)",
        f"{PUB}:4:11: invalid YAML: control character U+0085, which YAML reads as a line break and "
        "nothing else does, often pasted from a PDF (remove it)"]


def test_a_character_no_page_may_show_in_markdown_is_reported_at_its_place(make_project):
    """The user's report: a control character in the bio or a publication's Markdown body (YAML
    refuses one) went into the page, and made the feed invalid XML."""
    body = "---\ntitle: T\nauthors: [A B]\ntype: conference\n---\nOne \ufffe and \x80.\n"
    assert errors_of(make_project, {"content/index.md": "Bio line.\n\nbio é \x01 and \x0b.\n",
                                    "content/publications/e.md": body}) == [
        "content/index.md:3:7: holds the control character U+0001, which no page may show: remove it",
        "content/index.md:3:13: holds the control character U+000B, which no page may show: remove it",
        "content/publications/e.md:6:5: holds the character U+FFFE, which no page may show: remove it",
        "content/publications/e.md:6:11: holds the control character U+0080, which no page may show: "
        "remove it"]


@pytest.mark.parametrize("text, where_what", YAML_CASES.values(), ids=YAML_CASES.keys())
def test_malformed_yaml_is_reported_at_its_place(make_project, text, where_what):
    assert errors_of(make_project, {PUB: text}) == [f"{PUB}:{where_what}"]


def test_duplicate_keys_in_site_yml(make_project):
    site = "title: Test Site\nowner:\n  name: Ada Lovelace\n  email: ada@example.org\n  name: Ada\n"
    assert errors_of(make_project, {"site.yml": site}) == [
        "site.yml:5:3: duplicate key 'name' (first given on line 3)"]
    # A mapping or a list given twice: its places are looked for where its value was read.
    twice = ("title: Test Site\nowner:\n  name: Ada Lovelace\nsections:\n  - heading: A\n"
             "    types: [journal]\nowner:\n  name: Ada\n  links:\n    - label: Home\n"
             "      url: https://ada.example.org/\nsections:\n  - heading: A\n    types: [journal]\n"
             "  - heading: B\n    types: [conference]\n    id: contact\n")
    assert errors_of(make_project, {"site.yml": twice}) == [
        "site.yml:7:1: duplicate key 'owner' (first given on line 2)",
        "site.yml:12:1: duplicate key 'sections' (first given on line 4)",
        "site.yml:17:9: section id 'contact' gives the id 'contact', which the theme writes "
        "itself (themes/frontpage/templates/index.html:34): choose another"]


@pytest.mark.parametrize("opened, message", [
    ("[", "a list in '[ ]' is never closed: add the closing ']'"),
    ("[Ada Lovelace,", "a list in '[ ]' is never closed: add the closing ']'"),
    ("{", "a mapping in '{ }' is never closed: add the closing '}'"),
    ("{pdf: https://example.org/a.pdf,", "a mapping in '{ }' is never closed: add the closing '}'"),
])
def test_a_bracket_left_open_at_the_end_of_site_yml_is_shown_where_it_opens(make_project, opened, message):
    site = f"title: Test Site\nowner:\n  name: Ada Lovelace\n  highlight: {opened}\n"
    assert errors_of(make_project, {"site.yml": site}) == [f"site.yml:4:14: invalid YAML: {message}"]


def test_a_quote_left_open_in_site_yml_is_shown_where_it_opens(make_project):
    site = 'title: "Test Site\nurl: ""\nowner:\n  name: Ada Lovelace\n'
    assert errors_of(make_project, {"site.yml": site}) == [
        "site.yml:1:8: invalid YAML: quoted text opened here runs on to line 2: close the quote on line 1"]


# ---------------------------------------------------------------------------------------------
# Valid YAML that does not fit the content model.

FIELD_CASES = {
    "unknown field with a suggestion": (
        GOOD + "venu: CVPR\n", ["4:1: unknown field 'venu' (did you mean 'venue'?)"]),
    "unknown field without a suggestion": (
        GOOD + "colour: red\n", ["4:1: unknown field 'colour'"]),
    "a field's name that is a list": (
        GOOD + "[a]: b\n", ["4:1: a field's name is a word, not a list or a mapping"]),
    "YAML's merge key": (
        "base: &b\n  title: A Paper\n<<: *b\nauthors: [Ada Lovelace]\ntype: conference\n", [
            "1:1: unknown field 'base'",
            "1:1: missing required field 'title'",
            "3:1: unknown field '<<' (YAML's merge key '<<' is not read here: write the fields themselves)"]),
    "site.yml's highlight in a publication": (
        GOOD + "highlight: 42\n", ["4:1: unknown field 'highlight'"]),
    "a LaTeX command in double quotes, read as an escape": (
        'title: "On \\theta and \\nabla"\nauthors: ["\\beta Lovelace"]\ntype: conference\n'
        'venue: "Tab\\tSeparated"\n', [
            "1:8: warning: a tab where LaTeX may be meant: '\\theta' in double quotes starts with "
            "the escape '\\t'; for LaTeX, write '\\\\theta' or put the text in single quotes",
            "2:11: holds the control character U+0008, which no page may show: remove it: "
            "'\\beta' in double quotes starts with the escape '\\b'; for LaTeX, write "
            "'\\\\beta' or put the text in single quotes"]),
    "a link without a label": (
        GOOD + 'links:\n  "": https://x.org/a.pdf\n  " ": b.pdf\n', [
            "5:3: a link needs a label, its text on the page: 'pdf: https://x.org/a.pdf'",
            "6:3: a link needs a label, its text on the page: 'pdf: b.pdf'"]),
    "a control character, written as an escape": (
        'title: "A\\0Paper"\nauthors: ["Ada\\aLovelace"]\ntype: conference\nlinks:\n  pdf: "a\\x85.pdf"\n', [
            "1:8: holds the control character U+0000, which no page may show: remove it",
            "2:11: holds the control character U+0007, which no page may show: remove it: "
            "'\\aLovelace' in double quotes starts with the escape '\\a'; for LaTeX, write "
            "'\\\\aLovelace' or put the text in single quotes",
            "5:8: holds the control character U+0085, which no page may show: remove it"]),
    "a noncharacter, written as an escape or as it is": (
        'title: "A\\uFFFE"\nauthors: ["Ada \ufdd0"]\ntype: conference\n', [
            "1:8: holds the character U+FFFE, which no page may show: remove it",
            "2:11: holds the character U+FDD0, which no page may show: remove it"]),
    "missing required field": (
        "authors: [Ada Lovelace]\ntype: conference\n", ["1:1: missing required field 'title'"]),
    "every missing field": (
        "venue: CVPR\n", ["1:1: missing required field 'title'",
                          "1:1: missing required field 'authors'",
                          "1:1: missing required field 'type'"]),
    "names under 'authors' without '- '": (
        "title: A Paper\nauthors:\n  Ada Lovelace\n  Charles Babbage\ntype: conference\n",
        ["3:3: lines 3 to 4 are read as one item of 'authors', 'Ada Lovelace Charles Babbage': "
         "start each item with '- ', lined up with the others"]),
    "a '- ' indented more than the one above": (
        "title: A Paper\nauthors:\n  - Ada Lovelace\n    - Charles Babbage\ntype: conference\n",
        ["3:5: lines 3 to 4 are read as one item of 'authors', 'Ada Lovelace - Charles Babbage': "
         "start each item with '- ', lined up with the others"]),
    "year in words": (
        GOOD + "year: twenty\n", ["4:7: 'year' must be a whole number, got 'twenty'"]),
    "pages in words": (
        GOOD + "pages: 400 to 410\n",
        ["4:8: 'pages' must be a page, or a range like 400–410 (400-410 and 400--410 are the same), "
         "e1234 or 12; several apart by commas, got '400 to 410'"]),
    "month out of range": (
        GOOD + "year: 2024\nmonth: 13\n", ["5:8: 'month' must be between 1 and 12, got 13"]),
    "impossible date": (
        GOOD + "date: 2024-13-45\n", ["4:7: 'date' 2024-13-45 is not a day: month must be in 1..12"]),
    "date past the end of its month": (
        GOOD + "date: 2024-02-30\n",
        ["4:7: 'date' 2024-02-30 is not a day: day is out of range for month"]),
    "slug ending in a newline": (
        GOOD + 'slug: "a-paper\\n"\n',
        ["4:7: 'slug' must be lower-case letters, digits and '-', got 'a-paper\\n'"]),
    "DOI ending in a newline": (
        GOOD + 'links:\n  doi: "10.1109/x\\n"\n',
        ["5:8: 'doi' must be a DOI like 10.1109/CVPR.2024.01234, got '10.1109/x\\n'"]),
    "arXiv id as cited that is no arXiv id": (
        GOOD + "links:\n  arxiv: arXiv:21-01\n",
        ["5:10: 'arxiv' must be an arXiv id like 2303.18232, got 'arXiv:21-01'"]),
    "a scheme other than the label's before an id": (
        GOOD + "links:\n  doi: urn:10.1000/xyz\n",
        ["5:8: link 'urn:10.1000/xyz' uses 'urn:'; only http(s), mailto or relative links are "
         "allowed"]),
    "several authors in one text": (
        "title: A Paper\nauthors: Jörg Müller and María García\ntype: conference\n",
        ["2:10: 'authors' gives 'Jörg Müller and María García', several names in one: write a "
         "list with one name per item, authors: [Jörg Müller, María García] (an organization is "
         "one name in braces: '{Jörg Müller and María García}')"]),
    "several authors in one item, and an organization in braces": (
        "title: A Paper\nauthors:\n  - Ada Lovelace\n  - Charles Babbage AND Mary Somerville\n"
        "  - '{Barnes and Noble, Inc.}'\ntype: conference\n",
        ["4:5: 'authors' gives 'Charles Babbage AND Mary Somerville', several names in one: "
         "write a list with one name per item, authors: [Ada Lovelace, Charles Babbage, "
         "Mary Somerville, '{Barnes and Noble, Inc.}'] (an organization is one name in braces: "
         "'{Charles Babbage AND Mary Somerville}')"]),
    "authors separated by commas in one text": (
        "title: A Paper\nauthors: Ada Lovelace, Charles Babbage, and Mary Somerville\ntype: conference\n",
        ["2:10: 'authors' gives 'Ada Lovelace, Charles Babbage, and Mary Somerville', several names "
         "in one: write a list with one name per item, authors: [Ada Lovelace, Charles Babbage, "
         "Mary Somerville] (an organization is one name in braces: "
         "'{Ada Lovelace, Charles Babbage, and Mary Somerville}')"]),
    "authors as BibTeX writes them": (
        'title: A Paper\nauthors: "Müller, Jörg and García, María and others"\ntype: conference\n',
        ["2:10: 'authors' gives 'Müller, Jörg and García, María and others', several names in one: "
         "write a list with one name per item, authors: [Jörg Müller, María García, et al.] (an "
         "organization is one name in braces: '{Müller, Jörg and García, María and others}')"]),
    "an author written Last, First": (
        "title: A Paper\nauthors:\n  - Müller, Jörg\n  - Kate Saenko\ntype: conference\n",
        ["3:5: 'authors' gives 'Müller, Jörg', a name with a comma: write it first name first, "
         "without one: 'Jörg Müller' (an organization is one name in braces: '{Müller, Jörg}')"]),
    "an author's suffix after a comma": (
        "title: A Paper\nauthors: [Ada Lovelace, 'Martin Luther King, Jr.', 'King, Jr., Martin Luther']\n"
        "type: conference\n",
        ["2:25: 'authors' gives 'Martin Luther King, Jr.', a name with a comma: write it first "
         "name first, without one: 'Martin Luther King Jr.' (an organization is one name in braces: "
         "'{Martin Luther King, Jr.}')",
         "2:52: 'authors' gives 'King, Jr., Martin Luther', a name with a comma: write it first "
         "name first, without one: 'Martin Luther King Jr.' (an organization is one name in braces: "
         "'{King, Jr., Martin Luther}')"]),
    "empty author": (
        "title: A Paper\nauthors:\n  - Ada Lovelace\n  -\ntype: conference\n",
        ["4:4: empty item in 'authors'"]),
    "empty author in quotes": (
        'title: A Paper\nauthors: [Ada Lovelace, ""]\ntype: conference\n',
        ["2:25: empty item in 'authors'"]),
    "authors as empty text": (
        'title: A Paper\nauthors: " "\ntype: conference\n', ["2:10: 'authors' must not be empty"]),
    "no authors": (
        "title: A Paper\nauthors: []\ntype: conference\n", ["2:10: 'authors' needs at least one item"]),
    "empty title": (
        'authors: [Ada Lovelace]\ntype: conference\nvenue: CVPR\ntitle: ""\n',
        ["4:8: 'title' must not be empty"]),
    "blank title": (
        "title: '  '\nauthors: [Ada Lovelace]\ntype: conference\n", ["1:8: 'title' must not be empty"]),
    "empty link in quotes": (
        GOOD + "links:\n  pdf: ''\n", ["5:8: link '' is empty"]),
    "authors as a mapping": (
        "title: A Paper\nauthors:\n  name: Ada Lovelace\ntype: conference\n",
        ["3:3: expected text, got a mapping"]),
    "an organization in braces without quotes": (
        "title: A Paper\nauthors:\n  - {Google Research}\n  - Ada Lovelace\ntype: conference\n",
        ["3:5: expected text, got a mapping (text in braces needs quotes: '{Google Research}')"]),
    "javascript link": (
        GOOD + "links:\n  pdf: javascript:alert(1)\n",
        [f"5:8: link 'javascript:alert(1)' {JS_LINK}"]),
    "javascript link hidden by a tab": (
        GOOD + 'links:\n  code: "java\\tscript:alert(1)"\n',
        [f"5:9: link 'java\\tscript:alert(1)' {JS_LINK}"]),
    "data link": (
        GOOD + "links:\n  code: https://example.org/code\n  pdf: 'data:text/html,hi'\n",
        ["6:8: link 'data:text/html,hi' uses 'data:'; only http(s), mailto or relative links "
         "are allowed"]),
    "a space in a link's host, or no host": (
        GOOD + "links:\n  slides: https://exa mple.org/x.pdf\n  code: https:///repo\n"
               "  pdf: https://example.org/a b.pdf\n",
        ["5:11: link 'https://exa mple.org/x.pdf' has a space in its host name 'exa mple.org'",
         "6:9: link 'https:///repo' names no host after '//'"]),
    "two problems in one file": (
        GOOD + "year: twenty\nvenu: CVPR\n",
        ["4:7: 'year' must be a whole number, got 'twenty'",
         "5:1: unknown field 'venu' (did you mean 'venue'?)"]),
    "a type that is no type, in an entry with other problems: told once": (
        GOOD.replace("conference", "Conference") + "year: twenty\n",
        ["3:7: 'type' must be a lower-case word like 'conference', got 'Conference'",
         "4:7: 'year' must be a whole number, got 'twenty'"]),
    "a type typo in an entry with other problems": (
        GOOD.replace("conference", "jounral") + "year: twenty\n",
        ["3:7: unknown publication type 'jounral' (did you mean 'journal'?): give a type a "
         "section of site.yml lists, or add a section with types: [jounral]",
         "4:7: 'year' must be a whole number, got 'twenty'"]),
}


def test_a_link_without_its_scheme_is_told_with_the_errors_that_stop_the_render(make_project):
    """It is found as the site is rendered, which other errors stop: it is looked for then too."""
    assert errors_of(make_project, {
        PUB: GOOD + "year: twenty\n",
        "content/publications/y.yml": GOOD + "links:\n  code: github.com/ada/engine\n  pdf: a.pdf\n",
    }) == [f"{PUB}:4:7: 'year' must be a whole number, got 'twenty'",
           "content/publications/y.yml:5:9: link 'github.com/ada/engine' looks like a web address "
           "without its scheme: write 'https://github.com/ada/engine'"]


@pytest.mark.parametrize("text, problems", FIELD_CASES.values(), ids=FIELD_CASES.keys())
def test_content_model_problems_are_reported_at_their_place(make_project, text, problems):
    assert errors_of(make_project, {PUB: text}) == [f"{PUB}:{p}" for p in problems]


def test_javascript_link_in_the_bio_markdown(make_project):
    bio = ("---\ntitle: About\n---\nHello, I study engines.\n\n"
           "See [my notes](javascript:alert(1)) and [more](https://example.org/).\n")
    assert errors_of(make_project, {"content/index.md": bio}) == [
        f"content/index.md:6:16: link 'javascript:alert(1)' {JS_LINK}"]


def test_unquoted_javascript_link_in_the_bio_html(make_project):
    bio = "---\ntitle: About\n---\nHello.\n\nMy <a href=javascript:alert(1)>notes</a>.\n"
    assert errors_of(make_project, {"content/index.md": bio}) == [
        f"content/index.md:6:12: link 'javascript:alert(1)' {JS_LINK}"]


def test_javascript_links_hidden_by_a_tab_or_a_newline_in_the_bio_html(make_project):
    bio = ("---\ntitle: About\n---\nHello.\n\nMy <a href=java&#9;script:alert(2)>notes</a>\n"
           'and <a href="java&#x0A;script:alert(3)">more</a>.\n')
    assert errors_of(make_project, {"content/index.md": bio}) == [
        f"content/index.md:6:12: link 'java\\tscript:alert(2)' {JS_LINK}",
        f"content/index.md:7:14: link 'java\\nscript:alert(3)' {JS_LINK}"]


def test_javascript_link_in_a_markdown_abstract(make_project):
    text = ("---\ntitle: A Paper\nauthors: [Ada Lovelace]\ntype: conference\n---\n"
            "We show [a demo](javascript:run()).\n")
    assert errors_of(make_project, {"content/publications/a.md": text}) == [
        f"content/publications/a.md:6:18: link 'javascript:run()' {JS_LINK}"]


def test_a_base_or_meta_element_in_the_owners_html_is_an_error_at_its_place(make_project):
    """The reviewer's report: <meta http-equiv="refresh"> (to javascript: too) and <base href>,
    which moves every relative link of the page elsewhere, passed every check of the links.
    Written as text (in a code span) or without attributes, they are harmless."""
    bio = ("About `<meta name=x>` tags.\n\n<meta http-equiv=\"refresh\" content=\"0;url=javascript:x\">\n"
           "<BASE href=\"https://elsewhere.example/\">\n")
    paper = GOOD + "abstract: |\n  Text <base\n  href=x> and <meta>.\n"
    assert errors_of(make_project, {"content/index.md": bio, PUB: paper}) == [
        "content/index.md:3:1: <meta> belongs in a page's head, which the theme writes: remove it",
        "content/index.md:4:1: <base> belongs in a page's head, which the theme writes: remove it",
        f"{PUB}:5:8: <base> belongs in a page's head, which the theme writes: remove it"]


def test_every_attribute_holding_a_url_in_the_bio_html_is_checked(make_project):
    """Those of markup.URL_ATTRIBUTES, the list `check` goes by too; an <object>'s data, not a
    <div>'s."""
    bio = ("---\ntitle: About\n---\nHello.\n\n"
           "<form action=\"javascript:alert(1)\"><button formaction='data:text/html,hi'>Go</button></form>\n"
           '<video poster="data:image/png,x" src=clip.mp4></video> <object data=" javascript:x"></object>\n'
           '<blockquote cite="vbscript:y">Q</blockquote> <div data="javascript:no-link"></div>\n'
           '<img alt="me" srcset="me.png 1x, data:image/png;base64,AAAA 2x">\n'
           '<svg><a xlink:href="javascript:z"><text>z</text></a></svg>\n')
    only = "only http(s), mailto or relative links are allowed"
    assert errors_of(make_project, {"content/index.md": bio}) == [
        f"content/index.md:6:15: link 'javascript:alert(1)' {JS_LINK}",
        f"content/index.md:6:56: link 'data:text/html,hi' uses 'data:'; {only}",
        f"content/index.md:7:16: link 'data:image/png,x' uses 'data:'; {only}",
        "content/index.md:7:70: link ' javascript:x' has spaces around it",
        f"content/index.md:8:19: link 'vbscript:y' uses 'vbscript:'; {only}",
        f"content/index.md:9:34: link 'data:image/png;base64,AAAA' uses 'data:'; {only}",
        f"content/index.md:10:21: link 'javascript:z' {JS_LINK}"]


def test_markdown_front_matter_problems_are_reported_at_their_file_line(make_project):
    text = ("---\ntitle: A Paper\nauthors: [Ada Lovelace]\ntype: conference\nyear: twenty\n"
            "venu: CVPR\n---\nThe *abstract*.\n")
    assert errors_of(make_project, {"content/publications/a.md": text}) == [
        "content/publications/a.md:5:7: 'year' must be a whole number, got 'twenty'",
        "content/publications/a.md:6:1: unknown field 'venu' (did you mean 'venue'?)",
    ]


def test_an_abstract_given_twice_is_an_error(make_project):
    text = ("---\ntitle: A Paper\nauthors: [Ada Lovelace]\ntype: conference\n"
            "abstract: In front matter.\n---\nAnd in the body.\n")
    assert errors_of(make_project, {"content/publications/a.md": text}) == [
        "content/publications/a.md:5:11: the abstract is given twice: in front matter and as the body"]


def test_malformed_front_matter_is_reported_at_its_file_line(make_project):
    text = '---\ntitle: A Paper\nvenue: "CVPR\n---\nThe abstract.\n'
    assert errors_of(make_project, {"content/publications/a.md": text}) == [
        "content/publications/a.md:3:8: invalid YAML: quoted text is never closed: "
        "add the closing quote"]


def test_a_quote_left_open_up_to_a_quote_ending_a_later_line_is_shown_where_it_opens(make_project):
    """No syntax error then: YAML reads the lines between as the text, and the fields on them
    would be reported missing, though they are there to see."""
    text = 'title: "In silico Screening\nauthors: [Ada Lovelace]\ntype: conference\nvenue: CVPR"\n'
    assert errors_of(make_project, {PUB: text}) == [
        f"{PUB}:1:8: quoted text opened here runs on to line 4: close the quote on line 1"]


def test_quoted_text_over_lines_indented_under_its_key_is_fine(make_project):
    text = GOOD + 'abstract: "We study X.\n  Results: it works."\n'
    build_ok(project(make_project, {PUB: text}))


def test_a_quote_left_open_in_front_matter_is_shown_where_it_opens(make_project):
    text = ('---\ntitle: "A Paper\nauthors: [Ada Lovelace]\ntype: conference\nvenue: ""\n'
            "---\nThe abstract.\n")
    assert errors_of(make_project, {"content/publications/a.md": text}) == [
        "content/publications/a.md:2:8: invalid YAML: quoted text opened here runs on to line 5: "
        "close the quote on line 2"]


def test_entries_of_a_list_file_are_reported_at_their_own_lines(make_project):
    text = ("- title: First\n  authors: [Ada Lovelace]\n  type: conference\n"
            "- title: Second\n  authors: [Ada Lovelace]\n  type: conference\n  year: 20x\n"
            "- authors: [Ada Lovelace]\n  type: journal\n")
    assert errors_of(make_project, {PUB: text}) == [
        f"{PUB}:7:9: 'year' must be a whole number, got '20x'",
        f"{PUB}:8:3: missing required field 'title'",
    ]


def test_site_yml_problems(make_project):
    site = "title: Test Site\nowner:\n  nam: Ada Lovelace\nsections: []\n"
    assert errors_of(make_project, {"site.yml": site}) == [
        "site.yml:3:3: unknown field 'nam' (did you mean 'name'?)",
        "site.yml:3:3: missing required field 'name'",
        "site.yml:4:11: 'sections' needs at least one item",
    ]


URL_HINT = ("'url' must be the http(s) address of the site's folder, like https://user.github.io/repo/ "
            "(no file name such as index.html, no '?' or '#', no 'user@'), got '{}'")


@pytest.mark.parametrize("url", ["https://user.github.io/repo/index.html", "https://ada.example/cv.pdf",
                                 "https://user.github.io/repo/?utm=x", "https://user.github.io/#top",
                                 "https://user.github.io/repo#top", "http://[::1/", "ftp://ada.example/",
                                 "https://user:secret@ada.example/"])  # published on every page
def test_a_url_that_is_no_folder_is_an_error_at_its_place(make_project, url):
    site = f"title: Test Site\nurl: {url}\nowner:\n  name: Ada Lovelace\n"
    assert errors_of(make_project, {"site.yml": site}) == [f"site.yml:2:6: {URL_HINT.format(url)}"]


def test_a_theme_is_a_folder_of_themes_and_the_photo_a_file_of_static(make_project):
    """The reviewer's report: `theme: ../../elsewhere/themes/frontpage` was taken, and
    `photo: ../site.yml` was said to be 'not found'. A photo in static/ may be a link to a file
    elsewhere, as any static file may."""
    site = "title: Test Site\ntheme: ../themes/frontpage\nowner:\n  name: Ada\n"
    assert errors_of(make_project, {"site.yml": site}) == [
        "site.yml:2:8: 'theme' must be the name of a folder in themes/, like 'frontpage', got "
        "'../themes/frontpage'"]
    assert errors_of(make_project, {"site.yml": MINIMAL_SITE + "  photo: ../site.yml\n"}) == [
        "site.yml:4:10: photo '../site.yml' leads out of static/: give its path inside static/ "
        "('me.jpg' for static/me.jpg)"]
    root = project(make_project, {"site.yml": MINIMAL_SITE + "  photo: me.jpg\n",
                                  "elsewhere/me.jpg": b"\xff\xd8"})
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "me.jpg").symlink_to(root / "elsewhere" / "me.jpg")
    assert build_ok(root).stderr == ""
    assert (root / "_site" / "me.jpg").read_bytes() == b"\xff\xd8"


def test_names_the_system_refuses_in_site_yml_are_reported_at_their_values(make_project):
    long = "x" * 300
    site = (f"title: Test Site\ntheme: {long}\noutput: {long}\nowner:\n  name: Ada\n"
            f"  photo: {long}.png\n")
    refused = "cannot be a file's name here: File name too long"
    assert errors_of(make_project, {"site.yml": site}) == [
        f"site.yml:2:8: '{long}' {refused}", f"site.yml:3:9: '{long}' {refused}",
        f"site.yml:6:10: '{long}.png' {refused}"]


def test_required_text_in_site_yml_must_not_be_empty(make_project):
    site = ("title: ''\nowner:\n  name: ' '\n  links:\n    - label: ''\n      url: https://a.org/\n"
            "sections:\n  - heading: \"\"\n    types: ['', journal]\n")
    assert errors_of(make_project, {"site.yml": site}) == [
        "site.yml:1:8: 'title' must not be empty",
        "site.yml:3:9: 'name' must not be empty",
        "site.yml:5:14: 'label' must not be empty",
        "site.yml:8:14: 'heading' must not be empty",
        "site.yml:9:13: empty item in 'types'",
    ]


def test_missing_theme(make_project):
    site = "title: Test Site\nowner:\n  name: Ada Lovelace\ntheme: nosuch\n"
    assert errors_of(make_project, {"site.yml": site}) == [
        "site.yml:4:8: theme 'nosuch' not found in themes/ (available: frontpage)"]


def test_a_misspelt_theme_is_given_the_one_meant(make_project):
    site = "title: Test Site\nowner:\n  name: Ada Lovelace\ntheme: frontpag\n"
    assert errors_of(make_project, {"site.yml": site}) == [
        "site.yml:4:8: theme 'frontpag' not found in themes/ (did you mean 'frontpage'?) "
        "(available: frontpage)"]


NO_THEMES = ("no themes/ folder here: copy themes/ from the scholarpage repository, or run "
             "python build.py in your site's folder")


def test_a_folder_without_themes_says_where_they_come_from(make_project):
    root = make_project({"content/index.md": BIO}, theme=False)
    assert failed_build(root) == [f"site.yml: {NO_THEMES}"]
    write_files(root, {"site.yml": "title: Test Site\nowner:\n  name: Ada Lovelace\ntheme: frontpage\n"})
    assert failed_build(root) == [f"site.yml:4:8: theme 'frontpage' not found: {NO_THEMES}"]


def test_the_default_theme_missing_from_themes_is_said_to_be_the_default(make_project):
    root = make_project({"content/index.md": BIO})
    (root / "themes" / "frontpage").rename(root / "themes" / "mine")
    assert failed_build(root) == [
        "site.yml:1:1: theme 'frontpage' (the default: site.yml names no 'theme') not found in "
        "themes/ (available: mine)"]


def test_missing_site_yml(tmp_path):
    assert failed_build(tmp_path) == [
        "site.yml: not found: run this in the folder that holds site.yml (or give --root FOLDER)"]


def test_a_build_in_a_folder_that_is_no_project_writes_nothing(tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert failed_build(tmp_path) == [
        "site.yml: not found: run this in the folder that holds site.yml (or give --root FOLDER)"]
    assert os.listdir(tmp_path) == ["notes.txt"]  # no .cache/, no _site/
    assert failed_build(tmp_path, "--root", "elsewhere") == [
        f"site.yml: not found: there is no folder {tmp_path / 'elsewhere'}"]
    assert os.listdir(tmp_path) == ["notes.txt"]  # no folder made for it


def test_a_root_that_is_no_folder_is_named(tmp_path):
    assert failed_build(tmp_path, "--root", "nosuch") == [
        f"site.yml: not found: there is no folder {tmp_path / 'nosuch'}"]


# ---------------------------------------------------------------------------------------------
# Several files, one run.


def test_every_problem_of_every_file_is_reported_in_one_run(make_project):
    files = {
        "content/index.md": "---\ntitle: About\n---\nMy [notes](javascript:void(0)).\n",
        "content/publications/a.yml": GOOD + "year: twenty\n",
        "content/publications/b.md": "---\ntitle: B\nauthors: [Ada Lovelace]\ntype: journal\n"
                                     "venu: TPAMI\n---\nAbstract.\n",
        "content/publications/c.yml": "title: C\ntitle: D\nauthors: [Ada Lovelace]\ntype: patent\n",
        "content/publications/d.yml": "title: D\n\tauthors: [Ada Lovelace]\n",
        "content/publications/e.yml": GOOD,
        "content/publications/f.yml": "title: F\nauthors: [Ada Lovelace]\ntype: confrence\n",
    }
    assert errors_of(make_project, files) == [
        f"content/index.md:4:12: link 'javascript:void(0)' {JS_LINK}",
        "content/publications/a.yml:4:7: 'year' must be a whole number, got 'twenty'",
        "content/publications/b.md:5:1: unknown field 'venu' (did you mean 'venue'?)",
        "content/publications/c.yml:2:1: duplicate key 'title' (first given on line 1)",
        "content/publications/d.yml:2:1: invalid YAML: tab character: indent with spaces, not tabs",
        "content/publications/f.yml:3:7: unknown publication type 'confrence' (did you mean "
        "'conference'?): give a type a section of site.yml lists, or add a section with "
        "types: [confrence]",
    ]


def test_every_problem_of_an_entry_refused_for_one_is_reported_in_the_same_run(make_project):
    """The user's report: a name with a comma hid the date that is no day; once fixed, that hid
    the link without its scheme. The fields that were right are checked all the same: the date,
    the abstract's links, and its links into the site; and a Markdown body."""
    files = {
        "content/publications/a.yml": "title: T\nauthors: Müller, Jörg\ntype: conference\nyear: 2020\n"
                                      "date: 2020-02-30\nlinks:\n  pdf: orcid.org/0000\n"
                                      "abstract: \"x [a](javascript:b)\"\nvenu: x\n",
        "content/publications/b.md": "---\ntitle: B\nauthors: [Ada Lovelace]\ntype: journal\nyear: 20x\n"
                                     "date: 2020-13-01\n---\nSee [x](javascript:y), [z](orcid.org/0000).\n",
        "content/publications/c.yml": GOOD + "date: 2021-01-01\nyear: 2020\nabstract: '[a](javascript:c)'\n",
    }
    assert errors_of(make_project, files) == [
        "content/publications/a.yml:2:10: 'authors' gives 'Müller, Jörg', a name with a comma: write "
        "it first name first, without one: 'Jörg Müller' (an organization is one name in braces: "
        "'{Müller, Jörg}')",
        "content/publications/a.yml:5:7: 'date' 2020-02-30 is not a day: day is out of range for month",
        "content/publications/a.yml:7:8: link 'orcid.org/0000' looks like a web address without its "
        "scheme: write 'https://orcid.org/0000'",
        f"content/publications/a.yml:8:18: link 'javascript:b' {JS_LINK}",
        "content/publications/a.yml:9:1: unknown field 'venu' (did you mean 'venue'?)",
        "content/publications/b.md:5:7: 'year' must be a whole number, got '20x'",
        "content/publications/b.md:6:7: 'date' 2020-13-01 is not a day: month must be in 1..12",
        f"content/publications/b.md:8:9: link 'javascript:y' {JS_LINK}",
        "content/publications/b.md:8:28: link 'orcid.org/0000' looks like a web address without its "
        "scheme: write 'https://orcid.org/0000'",
        "content/publications/c.yml:4:7: 'date' disagrees with 'year' or 'month': give one or the other",
        f"content/publications/c.yml:6:16: link 'javascript:c' {JS_LINK}",
    ]


def test_a_coauthor_name_like_an_authors_but_none_is_warned_of(make_project):
    """The user's report: 'Maria Garcia' beside the author 'María García' was never linked, and
    nothing said so. A name like no author's (a co-author of papers to come) is fine."""
    files = {PUB: "title: T\nauthors: [María García, Kate Saenko, A. Lovelace]\ntype: conference\n",
             "content/coauthors.yml": "María García: https://a.org/\n'Maria  Garcia ': https://b.org/\n"
                                      "Kate Saenk: https://c.org/\nA Lovelace: https://d.org/\n"
                                      "Charles Babbage: https://e.org/\n"}
    assert build_ok(project(make_project, files)).stderr.splitlines() == [
        "content/coauthors.yml:2:1: warning: 'Maria Garcia' is the name of no author of a "
        "publication (did you mean 'María García'?): its homepage is not linked",
        "content/coauthors.yml:3:1: warning: 'Kate Saenk' is the name of no author of a "
        "publication (did you mean 'Kate Saenko'?): its homepage is not linked"]


def test_content_is_still_checked_when_site_yml_is_broken(make_project):
    files = {"site.yml": "title: Test Site\n", PUB: GOOD + "year: twenty\n"}
    assert errors_of(make_project, files) == [
        "site.yml:1:1: missing required field 'owner'",
        f"{PUB}:4:7: 'year' must be a whole number, got 'twenty'",
    ]


def test_the_bio_and_coauthors_are_still_checked_when_site_yml_is_broken(make_project):
    files = {"site.yml": "title: Test Site\n",
             "content/index.md": "---\ntitle: About\ntitel: x\n---\nHello.\n",
             "content/coauthors.yml": "Charles Babbage: javascript:alert(1)\n",
             PUB: GOOD + "year: twenty\n"}
    assert errors_of(make_project, files) == [
        "site.yml:1:1: missing required field 'owner'",
        "content/index.md:3:1: unknown field 'titel' (did you mean 'title'?)",
        f"{PUB}:4:7: 'year' must be a whole number, got 'twenty'",
        f"content/coauthors.yml:1:18: link 'javascript:alert(1)' {JS_LINK}",
    ]


# ---------------------------------------------------------------------------------------------
# Files that cannot be read as text, and links that lead nowhere.


def test_places_are_counted_as_an_editor_counts_lines_and_columns():
    text = "ab\ncd\n\nü\n"
    place = places_in(text)
    assert [place(index) for index in range(len(text) + 1)] == [
        (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 1), (4, 1), (4, 2), (5, 1)]
    assert places_in("")(0) == (1, 1)


def test_finding_a_place_in_each_line_takes_time_in_proportion_to_the_text():
    """A .bib file of thousands of entries has places found in each: not by counting its lines
    from the start each time."""
    def seconds(lines: int) -> float:  # of this process's CPU: other processes do not count
        text = "  title = {A},\n" * lines

        def each_line() -> list:
            place = places_in(text)
            return [place(index) for index in range(0, len(text), 16)]
        return min(timeit.repeat(each_line, number=1, repeat=5, timer=time.process_time))

    small, large = seconds(2000), seconds(8000)
    assert large < 8 * small + 0.002, (small, large)  # 4 times the lines: 4 times the time, not 16


NOT_UTF8 = "not UTF-8 text: unexpected byte 0xe9 (save the file as UTF-8)"


def test_text_that_is_not_utf8_is_reported_at_its_line_and_column(make_project):
    """The column counts characters, as editors do: a UTF-8 'ü' before is one, a byte-order
    mark none; Windows line ends are one line end each."""
    files = {
        "content/index.md": "---\r\ntitle: About\r\n---\r\nHello.\r\n\r\nI live in Zürich, caf"
                            .encode() + b"\xe9.\r\n",
        PUB: b"\xef\xbb\xbftitle: Caf\xe9\n",
        "content/coauthors.yml": "Ren\xe9 Descartes: https://example.org/\n".encode("cp1252"),
    }
    assert errors_of(make_project, files) == [
        f"content/index.md:6:22: {NOT_UTF8}",
        f"{PUB}:1:11: {NOT_UTF8}",
        f"content/coauthors.yml:1:4: {NOT_UTF8}",
    ]


def test_a_site_yml_that_is_not_utf8_is_reported_as_content_files_are(make_project):
    site = "title: Test Site\nowner:\n  name: Ada\n  affiliation: Universit\xe9\n"
    assert errors_of(make_project, {"site.yml": site.encode("latin-1")}) == [
        f"site.yml:4:25: {NOT_UTF8}"]


def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(make_project):
    """As unzipping an archive made on Windows may name it: read as any (errors name it with
    its byte escaped, as Python shows it), never a crash."""
    name = "content/publications/caf" + os.fsdecode(b"\xe9") + ".yml"
    root = project(make_project, {name: GOOD})
    for build in ("first", "from the cache"):
        assert build_ok(root).stderr == "", build
    write_files(root, {name: GOOD + "colour: red\n"})
    assert failed_build(root) == ["content/publications/caf\\udce9.yml:4:1: unknown field 'colour'"]


NOT_A_FOLDER = ("content/publications: is a file, not a folder: publications are the .yml and "
                ".md files in a folder of this name")


def test_a_file_where_the_publications_folder_should_be_is_an_error(make_project):
    root = project(make_project, {"content/publications": GOOD, "refs.bib": "@misc{x}\n"})
    assert failed_build(root) == [NOT_A_FOLDER]
    # Nothing can be written there: import and new say why, and leave the file alone.
    for args in (("import", "refs.bib"), ("new", "publication", "--title", "T", "--year", "2020")):
        result = run_cli(root, *args)
        assert result.returncode == 1 and result.stderr == NOT_A_FOLDER + "\n"
    assert (root / "content" / "publications").read_text() == GOOD


LOOP = "symbolic link loop: the link never reaches a file (point it at one, or remove it)"


def test_a_symbolic_link_loop_among_publications_is_an_error_naming_it(make_project):
    root = project(make_project, {PUB: GOOD})
    (root / "content" / "publications" / "loop.yml").symlink_to("loop.yml")
    (root / "content" / "publications" / "one").symlink_to("two")  # a loop of two: no folder
    (root / "content" / "publications" / "two").symlink_to("one")
    assert failed_build(root) == [
        f"content/publications/loop.yml: {LOOP}",
        f"content/publications/one: {LOOP}",
        f"content/publications/two: {LOOP}",
    ]


def test_a_symbolic_link_loop_among_static_files_is_an_error_naming_it(make_project):
    root = project(make_project, {PUB: GOOD, "static/cv.pdf": "%PDF\n"})
    (root / "static" / "photo.jpg").symlink_to("photo.jpg")
    assert failed_build(root) == [f"static/photo.jpg: {LOOP}"]


def test_a_symbolic_link_to_nothing_is_a_warning_naming_it(make_project):
    root = project(make_project, {PUB: GOOD})
    (root / "content" / "publications" / "gone.yml").symlink_to("../elsewhere/gone.yml")
    (root / "static").mkdir()
    (root / "static" / "cv.pdf").symlink_to("/nowhere/cv.pdf")
    assert build_ok(root).stderr.splitlines() == [
        "content/publications/gone.yml: warning: symbolic link to '../elsewhere/gone.yml', "
        "which does not exist: skipped",
        "static/cv.pdf: warning: symbolic link to '/nowhere/cv.pdf', which does not exist: skipped",
    ]


# ---------------------------------------------------------------------------------------------
# Warnings: the build still succeeds.


def test_a_known_type_no_section_lists_is_a_warning_naming_the_file(make_project):
    root = project(make_project, {
        "content/publications/a.yml": GOOD,
        "content/publications/c.yml": "title: C\nauthors: [Ada Lovelace]\ntype: workshop\n",
        "content/publications/d.md": "---\ntitle: D\nauthors: [Ada Lovelace]\ntype:   talk\n---\nText.\n",
    })
    result = build_ok(root)
    assert result.stderr.splitlines() == [
        "content/publications/c.yml:3:7: warning: type 'workshop' is not shown by any section "
        "in site.yml: add a section with types: [workshop]",
        "content/publications/d.md:4:9: warning: type 'talk' is not shown by any section "
        "in site.yml: add a section with types: [talk]",
    ]
    page = (root / "_site" / "index.html").read_text(encoding="utf-8")
    assert "A Paper" in page and "“C”" not in page and "“D”" not in page


def test_a_long_venue_repeating_the_venue_is_a_warning_and_named_once(make_project):
    root = project(make_project, {PUB: GOOD + "venue: Nature Methods\nvenue_full: nature  methods\n"})
    assert build_ok(root).stderr.splitlines() == [
        f"{PUB}:5:13: warning: 'venue_full' repeats 'venue': the page names the venue once; "
        "keep one of them"]
    page = (root / "_site" / "index.html").read_text(encoding="utf-8")
    assert '<span class="venue">Nature Methods</span>' in page and "nature  methods" not in page
    assert "booktitle = {Nature Methods}" in (root / "_site" / "publications.bib").read_text(
        encoding="utf-8")


UNKNOWN_TYPE = ("unknown publication type '{}'{}: give a type a section of site.yml lists, or "
                "add a section with types: [{}]")


def test_an_unknown_type_is_an_error_and_the_site_stays(make_project):
    """A typo would take the entry off the site, and `deploy` would publish it so."""
    root, built = built_site(make_project)
    write_files(root, {
        "content/publications/b.yml": "title: B\nauthors: [Ada Lovelace]\ntype: conferene\n",
        "content/publications/c.md": "---\ntitle: C\nauthors: [Ada Lovelace]\ntype: gizmo\n---\nText.\n",
    })
    assert failed_build(root) == [
        "content/publications/b.yml:3:7: " + UNKNOWN_TYPE.format(
            "conferene", " (did you mean 'conference'?)", "conferene"),
        "content/publications/c.md:4:7: " + UNKNOWN_TYPE.format("gizmo", "", "gizmo"),
    ]
    assert left_alone(root, built)


def test_a_type_only_site_yml_names_is_no_unknown_type(make_project):
    site = ("title: Test Site\nowner:\n  name: Ada Lovelace\nsections:\n"
            "  - heading: Gadgets\n    types: [gizmo]\n")
    root = project(make_project, {"site.yml": site, PUB: GOOD.replace("conference", "gizmo")})
    assert build_ok(root).stderr == ""


def test_a_section_type_no_publication_gives_and_the_engine_does_not_know_is_warned_of(make_project):
    """The reviewer's report: `types: [patnt]` took the Patents section off the page, with only a
    warning at the publication; `[patent, patent, 5]` told only of an empty item."""
    site = ("title: Test Site\nowner:\n  name: Ada Lovelace\nsections:\n"
            "  - heading: Papers\n    types: [conference, gizmo, workshp]\n"
            "  - heading: Patents\n    types:\n      - patnt\n      - patnt\n      - talk\n")
    root = project(make_project, {"site.yml": site, PUB: GOOD,
                                  "content/publications/g.yml": GOOD.replace("conference", "gizmo")})
    assert build_ok(root).stderr.splitlines() == [
        "site.yml:6:32: warning: section 'Papers' lists type 'workshp', which no publication gives "
        "and the engine does not know (did you mean 'workshop'?)",
        "site.yml:9:9: warning: section 'Patents' lists type 'patnt', which no publication gives "
        "and the engine does not know (did you mean 'patent'?)",
        "site.yml:10:9: warning: type 'patnt' is listed twice in this section (first on line 9)",
        "site.yml:10:9: warning: section 'Patents' lists type 'patnt', which no publication gives "
        "and the engine does not know (did you mean 'patent'?)",
    ]
    bad = site.replace("[conference, gizmo, workshp]", "[conference, 5, Talk]")
    assert errors_of(make_project, {"site.yml": bad}) == [
        "site.yml:6:25: 'types' must be a lower-case word like 'conference', got '5'",
        "site.yml:6:28: 'types' must be a lower-case word like 'conference', got 'Talk'"]


def test_new_refuses_an_unknown_type_and_writes_nothing(make_project):
    root = make_project()
    result = run_cli(root, "new", "publication", "--title", "T", "--type", "conferene")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "new publication: " + UNKNOWN_TYPE.format(
        "conferene", " (did you mean 'conference'?)", "conferene") + "\n"
    assert not (root / "content" / "publications").exists()


def test_a_work_listed_twice_is_a_warning_at_the_second_naming_the_first(make_project):
    """Evidently one work: the same DOI, else the same arXiv id, else the same title (as
    `import` compares titles), year and type. Two DOIs that differ are two works whatever their
    titles, and so are a paper and its journal version sharing their arXiv id and title. A title
    of no letters or digits tells nothing."""
    def pub(title: str, *lines: str, type: str = "journal") -> str:
        return "\n".join([f"title: {title}", "authors: [Ada Lovelace]", f"type: {type}", *lines, ""])

    def item(text: str) -> str:
        return "- " + text.rstrip("\n").replace("\n", "\n  ") + "\n"

    root = project(make_project, {
        "content/publications/a.yml": pub("Looms", "year: 2020", "links:", "  doi: 10.1000/X"),
        "content/publications/b.yml": pub("Looms, revised", "year: 2021", "links:",
                                          "  doi: https://doi.org/10.1000/x"),
        "content/publications/c.yml": item(pub("Engines", "year: 2020", "links:", "  arxiv: 2001.00001",
                                               "  doi: 10.1000/c", type="conference"))
        + item(pub("Engines", "year: 2020", "links:", "  arxiv: 2001.00001", "  doi: 10.1000/e")),
        "content/publications/d.md": "---\n" + pub("Engines", "year: 2021", "links:",
                                                  "  arxiv: 2001.00001v2") + "---\nText.\n",
        "content/publications/e.yml": pub("ENGINES!", "year: 2020", type="conference"),
        "content/publications/f.yml": pub("Engines", "year: 2020", type="patent"),
        "content/publications/g.yml": pub("Looms", "year: 2020", "links:", "  doi: 10.1000/y"),
        "content/publications/h.yml": item(pub("Mills")) + item(pub("Mills")),
        "content/publications/i.yml": item(pub("'???'", "year: 2020")) + item(pub("'—'", "year: 2020")),
    })
    for build in ("first", "with nothing changed"):
        assert build_ok(root).stderr.splitlines() == [
            "content/publications/b.yml:1:1: warning: same work as content/publications/a.yml:1 "
            "(same DOI 10.1000/x): listed twice",
            "content/publications/d.md:2:1: warning: same work as content/publications/c.yml:1 "
            "(same arXiv id 2001.00001): listed twice",
            "content/publications/e.yml:1:1: warning: same work as content/publications/c.yml:1 "
            "(same title, year and type): listed twice",
            "content/publications/h.yml:4:1: warning: same work as content/publications/h.yml:1 "
            "(same title and type, both undated): listed twice",
        ], build
    page = (root / "_site" / "index.html").read_text(encoding="utf-8")
    assert "“Looms, revised”" in page and "“ENGINES!”" in page  # still listed: a warning


@pytest.mark.parametrize("first, second, same", [
    ("doi: 10.1109/ABC.2020.1", "doi: http://dx.doi.org/10.1109/ABC.2020.1", "DOI 10.1109/abc.2020.1"),
    ("doi: 10.1109/ABC.2020.1", "doi: https://dx.doi.org/10.1109/abc.2020.1", "DOI 10.1109/abc.2020.1"),
    ("doi: DOI:10.1109/ABC.2020.1", "doi: http://doi.org/10.1109/ABC.2020.1", "DOI 10.1109/abc.2020.1"),
    ("arxiv: 2303.18232", "arxiv: https://arxiv.org/pdf/2303.18232v2.pdf", "arXiv id 2303.18232"),
    ("arxiv: hep-th/9901001", "arxiv: http://arxiv.org/abs/hep-th/9901001", "arXiv id hep-th/9901001"),
])
def test_a_work_is_known_by_its_id_whatever_address_gives_it(make_project, first, second, same):
    """Two titles, so that only the id can tell they are one work."""
    root = project(make_project, {
        f"content/publications/{name}.yml": f"title: {title}\nauthors: [Ada Lovelace]\ntype: journal\n"
                                            f"year: 2020\nlinks:\n  {link}\n"
        for name, title, link in (("a", "Looms", first), ("b", "Looms, revised", second))})
    assert build_ok(root).stderr.splitlines() == [
        "content/publications/b.yml:1:1: warning: same work as content/publications/a.yml:1 "
        f"(same {same}): listed twice"]


def test_a_build_compares_only_publications_sharing_an_id_or_title_year_and_type(make_project,
                                                                                  monkeypatch):
    """Not every pair: a build of 10,000 publications would make 50 million comparisons."""
    from scholarpage import content, works
    from scholarpage.config import Project
    from scholarpage.problems import Problems

    ids = ("  doi: 10.1000/work.{}", "  arxiv: 2001.{:05d}", "  pdf: https://example.org/{}.pdf")
    files = {f"content/publications/w{n:02d}.yml": "title: Work {0}\nauthors: [Ada Lovelace]\n"
             "type: journal\nyear: 2020\nlinks:\n{1}\n".format(n, ids[n % 3].format(n)) for n in range(60)}
    twins = {f"content/publications/twin-{n}.yml": "title: Twin\nauthors: [Ada Lovelace]\n"
             f"type: journal\nyear: 2020\nlinks:\n  doi: 10.1000/twin.{n}\n" for n in (1, 2)}
    root = project(make_project, {**files, **twins})
    compared = []
    listed_twice = works.listed_twice

    def counted(first: tuple, second: tuple) -> str:
        compared.append((first[-1][1], second[-1][1]))
        return listed_twice(first, second)

    monkeypatch.setattr(works, "listed_twice", counted)
    problems = Problems()
    content.load_content(Project(root.resolve()), None, problems)
    assert (problems.items, compared) == ([], [("twin", "twin")])  # two DOIs: two works


def test_files_in_content_the_build_does_not_read_are_warnings_naming_them(make_project):
    root = project(make_project, {
        PUB: GOOD, "content/bio.md": "Hello.\n", "content/pubs/a.yml": GOOD,
        "content/publications/paper.pdf": "%PDF", "content/publications/more/b.yaml": GOOD.replace("A Paper", "B"),
        "content/publications/more/notes.txt": "x", "content/_drafts/c.yml": GOOD,
        "content/publications/_todo.txt": "x", "content/publications/x.yml~": "x",
        "content/publications/#x.yml#": "x", "content/.DS_Store": "x"})
    for build in ("first", "with nothing changed"):
        assert build_ok(root).stderr.splitlines() == [
            f"content/{name}: warning: not read: content/ holds index.md (the bio), coauthors.yml "
            "and publications/ (a name starting with '_' keeps a file here unread)"
            for name in ("bio.md", "pubs")] + [
            f"content/publications/{name}: warning: not read: a publication is a .yml or .md file "
            "(a name starting with '_' keeps a file here unread)"
            for name in ("more/notes.txt", "paper.pdf")], build
    page = (root / "_site" / "index.html").read_text(encoding="utf-8")
    assert "A Paper" in page and "“B”" in page


def test_templates_that_override_nothing_are_warnings_naming_the_one_meant(make_project):
    """A template of the user's own that a template used includes is used: no warning; names
    content/ leaves alone are left alone here too."""
    root = project(make_project, {
        PUB: GOOD, "templates/indx.html": "<p>Hi</p>\n",
        "templates/partials/publicaton.html": "<li>{{ pub.title }}</li>\n",
        "templates/404.html": '{% extends "base.html" %}\n{% block main %}\n'
                              '{% include "partials/mine.html" %}\n{% endblock %}\n',
        "templates/partials/mine.html": '{% import "lib/macros.html" as mine %}{{ mine.lost() }}\n',
        "templates/lib/macros.html": "{% macro lost() %}<p>Lost</p>{% endmacro %}\n",
        "templates/lib/unused.html": "{# {% include 'partials/old.html' %} #}\n",
        "templates/partials/old.html": "<p>Old</p>\n", "templates/partial/publication.html": "x",
        "templates/_drafts/index.html": "x", "templates/index.html~": b"\xff\xfe",
        # The reviewer's report: an editor's swap file, or the system's, is no template to read.
        "templates/.DS_Store": b"\x00\x00\x00\x01Bud1\xff", "templates/.index.html.swp": b"b0VIM \xff"})
    (root / "templates" / ".#index.html").symlink_to("ada@host.1234")  # Emacs's lock: a link to nothing
    overrides_nothing = "warning: overrides no template of the theme 'frontpage'"
    for build in ("first", "with nothing changed"):
        assert build_ok(root).stderr.splitlines() == [
            f"templates/indx.html: {overrides_nothing} (did you mean 'index.html'?)",
            f"templates/lib/unused.html: {overrides_nothing}",
            f"templates/partial/publication.html: {overrides_nothing} (did you mean "
            "'partials/publication.html'?)",
            f"templates/partials/old.html: {overrides_nothing}",
            f"templates/partials/publicaton.html: {overrides_nothing} (did you mean "
            "'partials/publication.html'?)"], build
    assert "<p>Lost</p>" in (root / "_site" / "404.html").read_text(encoding="utf-8")


def test_templates_as_a_file_or_a_folder_at_a_templates_path_is_a_warning(make_project):
    root = project(make_project, {PUB: GOOD, "templates": "x"})
    assert build_ok(root).stderr.splitlines() == [
        "templates: warning: is a file, not a folder: your versions of the theme's templates go "
        "in a folder of this name (templates/index.html for index.html); none is used"]
    (root / "templates").unlink()
    (root / "templates" / "index.html").mkdir(parents=True)
    assert build_ok(root).stderr.splitlines() == [
        "templates/index.html: warning: is a folder, not a template: the theme's index.html is used"]


def test_a_static_file_where_the_site_needs_a_folder_is_an_error_at_the_file(make_project):
    root = project(make_project, {PUB: GOOD, "static/publications": "x", "static/css": "x",
                                  "static/404.html/a.txt": "x"})
    assert failed_build(root) == [
        "static/404.html/a.txt: in a folder '404.html', which the build writes as a file: rename the folder",
        "static/css: a file where the site needs a folder, for css/style.css: rename it",
        "static/publications: a file where the site needs a folder, for "
        "publications/a-paper/index.html: rename it",
    ]


def test_static_files_the_build_writes_itself_are_warnings_naming_them(make_project):
    site = "title: Test Site\nurl: https://example.org/\nowner:\n  name: Ada Lovelace\n"
    root = project(make_project, {"site.yml": site, PUB: GOOD, "static/notes.txt": "mine\n",
                                  **{f"static/{name}": "mine\n" for name in (
                                      "404.html", "feed.xml", "index.html", "publications.bib",
                                      "robots.txt", "publications/a-paper/index.html")}})
    for build in ("first", "with nothing changed"):
        assert build_ok(root).stderr.splitlines() == [
            f"static/{name}: warning: not copied: the build writes {name} itself"
            for name in ("404.html", "feed.xml", "index.html", "publications/a-paper/index.html",
                         "publications.bib", "robots.txt")], build
    output = tree(root / "_site")
    assert output["notes.txt"] == b"mine\n"
    assert b"mine\n" not in [output[name] for name in output if name != "notes.txt"]


NOWHERE = "leads to no file of the site (add static/{} to publish one there)"


def test_links_into_the_site_that_lead_to_no_file_are_warnings_at_their_place(make_project):
    site = ("title: Test Site\nowner:\n  name: Ada Lovelace\n  links:\n"
            "    - label: CV\n      url: files/cv.pdf\n    - label: Notes\n      url: notes/\n")
    bio = "---\ntitle: About\n---\nHello.\n\nMy [talk](talks/slides.pdf \"Slides\") and ![me](me.png).\n"
    two = ("- title: One\n  authors: [Ada Lovelace]\n  type: conference\n"
           "  links:\n    pdf: papers/one.pdf\n"
           "- title: Two\n  authors: [Ada Lovelace]\n  type: conference\n"
           "  links:\n    slides: papers/one.pdf\n    code: https://example.org/code\n"
           "  abstract: |\n    See *the* [data](data/set.zip#v2) and [this](#top).\n")
    root = make_project({"site.yml": site, "content/index.md": bio, PUB: two})
    for build in ("first", "with nothing changed"):
        assert build_ok(root).stderr.splitlines() == [
            f"content/publications/x.yml:5:10: warning: link 'papers/one.pdf' {NOWHERE.format('papers/one.pdf')}",
            f"content/publications/x.yml:10:13: warning: link 'papers/one.pdf' {NOWHERE.format('papers/one.pdf')}",
            f"content/publications/x.yml:13:22: warning: link 'data/set.zip#v2' {NOWHERE.format('data/set.zip')}",
            f"content/index.md:6:11: warning: link 'talks/slides.pdf' {NOWHERE.format('talks/slides.pdf')}",
            f"content/index.md:6:48: warning: link 'me.png' {NOWHERE.format('me.png')}",
            f"site.yml:6:12: warning: link 'files/cv.pdf' {NOWHERE.format('files/cv.pdf')}",
            f"site.yml:8:12: warning: link 'notes/' {NOWHERE.format('notes/index.html')}",
        ], build
    write_files(root, {name: "x\n" for name in (
        "static/papers/one.pdf", "static/data/set.zip", "static/talks/slides.pdf", "static/me.png",
        "static/files/cv.pdf", "static/notes/index.html")})
    assert build_ok(root).stderr == ""


NO_SCHEME = "looks like a web address without its scheme: write 'https://{}'"


def test_a_web_address_without_its_scheme_is_an_error_at_its_place(make_project):
    """Each would be a broken link on the site; the files of the site are never taken for one."""
    root, built = built_site(make_project)
    site = ("title: Test Site\nowner:\n  name: Ada Lovelace\n  links:\n"
            "    - label: ORCID\n      url: orcid.org/0000-0002-1825-0097\n"
            "    - label: CV\n      url: files/cv.pdf\n")
    write_files(root, {
        "site.yml": site,
        "content/index.md": "---\ntitle: About\n---\nMy [lab](www.example.org).\n",
        "content/coauthors.yml": "Kate Saenko: ai.bu.edu/ksaenko.html\nAda: notes.md\n",
        PUB: GOOD + "links:\n  pdf: www.example.com/paper.pdf\n  slides: paper.pdf\n"
                    "  code: GitHub.com/ada/engine\n  data: v1.2/data.zip\n",
    })
    assert failed_build(root) == [
        f"{PUB}:5:8: link 'www.example.com/paper.pdf' {NO_SCHEME.format('www.example.com/paper.pdf')}",
        f"{PUB}:6:11: warning: link 'paper.pdf' {NOWHERE.format('paper.pdf')}",
        f"{PUB}:7:9: link 'GitHub.com/ada/engine' {NO_SCHEME.format('GitHub.com/ada/engine')}",
        f"{PUB}:8:9: warning: link 'v1.2/data.zip' {NOWHERE.format('v1.2/data.zip')}",
        f"content/index.md:4:10: link 'www.example.org' {NO_SCHEME.format('www.example.org')}",
        f"site.yml:6:12: link 'orcid.org/0000-0002-1825-0097' "
        f"{NO_SCHEME.format('orcid.org/0000-0002-1825-0097')}",
        f"site.yml:8:12: warning: link 'files/cv.pdf' {NOWHERE.format('files/cv.pdf')}",
        f"content/coauthors.yml:1:14: link 'ai.bu.edu/ksaenko.html' "
        f"{NO_SCHEME.format('ai.bu.edu/ksaenko.html')}",
        f"content/coauthors.yml:2:6: warning: link 'notes.md' {NOWHERE.format('notes.md')}",
    ]
    assert left_alone(root, built)
    # A file of the site named so is what the link leads to.
    write_files(root, {name: "x\n" for name in (
        "static/orcid.org/0000-0002-1825-0097", "static/www.example.com/paper.pdf", "static/paper.pdf",
        "static/GitHub.com/ada/engine", "static/v1.2/data.zip", "static/www.example.org",
        "static/files/cv.pdf", "static/ai.bu.edu/ksaenko.html", "static/notes.md")})
    assert build_ok(root).stderr == ""


def test_each_link_to_no_file_is_warned_of_at_its_own_place(make_project):
    listed = ("- title: One\n  authors: [Ada Lovelace]\n  type: conference\n  links:\n"
              "    slides: talks/x.pdf\n    pdf: x.pdf\n    video: x.pdf\n"
              "  abstract: See [x](x.pdf), [x](x.pdf) and [talk](talks/x.pdf).\n"
              "- title: Two\n  authors: [Ada Lovelace]\n  type: conference\n  links:\n"
              "    folder: talks/x.pdf/\n")
    markdown = ("---\ntitle: Three\nauthors: [Ada Lovelace]\ntype: conference\nlinks:\n"
                "  pdf: y.pdf\n---\nThe [same](y.pdf) link.\n")
    root = project(make_project, {PUB: listed, "content/publications/z.md": markdown,
                                  "static/talks/x.pdf": "x"})
    for build in ("first", "with nothing changed"):
        assert build_ok(root).stderr.splitlines() == [
            f"content/publications/x.yml:6:10: warning: link 'x.pdf' {NOWHERE.format('x.pdf')}",
            f"content/publications/x.yml:7:12: warning: link 'x.pdf' {NOWHERE.format('x.pdf')}",
            f"content/publications/x.yml:8:21: warning: link 'x.pdf' {NOWHERE.format('x.pdf')}",
            f"content/publications/x.yml:8:33: warning: link 'x.pdf' {NOWHERE.format('x.pdf')}",
            f"content/publications/x.yml:13:13: warning: link 'talks/x.pdf/' "
            f"{NOWHERE.format('talks/x.pdf/index.html')}",
            f"content/publications/z.md:6:8: warning: link 'y.pdf' {NOWHERE.format('y.pdf')}",
            f"content/publications/z.md:8:12: warning: link 'y.pdf' {NOWHERE.format('y.pdf')}",
        ], build
    # `check` finds the same link broken, on the pages that show it.
    result = run_cli(root, "check", "--no-html")
    assert "broken link 'talks/x.pdf/': no such file in the site" in result.stderr


def test_links_to_an_id_the_home_page_lacks_are_warned_of(make_project):
    """Texts are written as for the home page: an id there is a section's, a theme's, a listed
    publication's key or one a text gives; a text's own ids, footnotes and #top need no other."""
    bio = ("---\ntitle: About\n---\nSee [it](#looms), [the list](#publication), [mail](#contact),"
           " [up](#top),\n[mine](#mine) and [a typo](#loom).\n\n## Mine {#mine}\n\nA note[^1].\n\n"
           "[^1]: Noted.\n")
    paper = GOOD + ("bibtex_key: looms\nabstract: |\n  Back to [the bio's](#mine), and [nowhere]"
                    "(#nowhere).\n")
    root = project(make_project, {"content/index.md": bio, PUB: paper})
    for build in ("first", "with nothing changed"):
        assert build_ok(root).stderr.splitlines() == [
            "content/index.md:5:28: warning: link '#loom' leads to no id of the home page "
            "(did you mean 'looms'?): an id there is a section's, a publication's BibTeX key, or "
            "one written in the bio or an abstract",
            "content/publications/x.yml:6:45: warning: link '#nowhere' leads to no id of the home "
            "page: an id there is a section's, a publication's BibTeX key, or one written in the "
            "bio or an abstract"], build
    page = (root / "_site" / "publications" / "a-paper" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../#mine"' in page and 'href="../../#nowhere"' in page  # the home page's


def test_links_to_pages_the_build_writes_are_fine_and_links_out_of_a_sub_path_site_are_warned_of(make_project):
    site = "title: Test Site\nurl: https://ada.github.io/lab/\nowner:\n  name: Ada Lovelace\n"
    links = ["publications/a-paper/", "publications/a-paper/index.html", "publications.bib",
             "./index.html", "/lab/feed.xml", "/lab", "/elsewhere/x.pdf", "../up.pdf", "?q=1", "#top",
             "../../x.pdf"]
    paper = GOOD + "links:\n" + "".join(f"  l{n}: \"{url}\"\n" for n, url in enumerate(links))
    root = project(make_project, {"site.yml": site, PUB: paper.replace("/elsewhere/x.pdf", "../elsewhere/x.pdf")
                                  .replace("../../x.pdf", "../x.pdf")})  # a page of the domain
    assert build_ok(root).stderr == ""
    write_files(root, {PUB: paper + "  gone: /lab/gone.pdf\n"})
    above = ("goes up above the root of the site's domain, where nothing is: write a file's path "
             "from the site's root (static/papers/x.pdf is papers/x.pdf), or an address in full")
    assert build_ok(root).stderr.splitlines() == [
        f"content/publications/x.yml:11:7: warning: link '/elsewhere/x.pdf' leads out of the site, "
        "which is at /lab/ (site.yml's url): write it without the leading '/' for a file of the "
        "site, or in full for one elsewhere",
        f"content/publications/x.yml:15:8: warning: link '../../x.pdf' {above}",
        f"content/publications/x.yml:{len(links) + 5}:9: warning: link '/lab/gone.pdf' {NOWHERE.format('gone.pdf')}"]
    # At the domain's root, '..' goes above it: the reviewer's '../site.yml'.
    write_files(root, {"site.yml": site.replace("lab/", ""), PUB: GOOD + "links:\n  a: ../site.yml\n"})
    assert build_ok(root).stderr.splitlines() == [f"content/publications/x.yml:5:6: warning: link '../site.yml' {above}"]


# ---------------------------------------------------------------------------------------------
# Templates: autoescaped, StrictUndefined, errors at the template's line.

INDEX_WITH = '{{% extends "base.html" %}}\n{{% block main %}}\n<p>Hello</p>\n{}\n{{% endblock %}}\n'
TEMPLATE_CASES = {
    "syntax error": (
        "templates/index.html", INDEX_WITH.format("{% if %}"),
        "templates/index.html:4: template error: Expected an expression, got 'end of statement block'"),
    "undefined variable": (
        "templates/index.html", INDEX_WITH.format("<p>{{ nosuch }}</p>"),
        "templates/index.html:4: template error: 'nosuch' is undefined"),
    "undefined attribute in a partial": (
        "templates/partials/publication.html", "<li>\n{{ pub.title }}\n{{ pub.colour }}\n</li>\n",
        "templates/partials/publication.html:3: template error: "
        "'scholarpage.model.Publication object' has no attribute 'colour'"),
    "unknown theme word": (
        "templates/index.html", INDEX_WITH.format("<p>{{ words.colour }}</p>"),
        "templates/index.html:4: template error: 'scholarpage.model.Words object' has no attribute 'colour'"),
    "missing include": (
        "templates/index.html", INDEX_WITH.format('{% include "nosuch.html" %}'),
        "templates/index.html:4: template not found: nosuch.html"),
}


# An undefined value given to one of the engine's filters or functions fails as where Jinja2
# uses it, whatever the filter would do with it.
UNDEFINED_GIVEN = {
    "to a filter of the renderer": ("{{ pb|bibtex_key }}", "'pb' is undefined"),
    "to a function of the renderer": ("{{ publication_url(pb) }}", "'pb' is undefined"),
    "as an option": ("{{ pub|abstract(root, level=nosuch) }}", "'nosuch' is undefined"),
    "to a filter of text": ("{{ pub.titel|title_html }}",
                            "'scholarpage.model.Publication object' has no attribute 'titel'"),
    "to json_ld": ("{{ owner.nme|json_ld }}", "'scholarpage.model.Owner object' has no attribute 'nme'"),
    "to a function": ("{{ citation_detail(pb) }}", "'pb' is undefined"),
    "no publication": ('{{ "x"|slug }}', "expected a publication (such as pub), got another value"),
}


@pytest.mark.parametrize("text, message", UNDEFINED_GIVEN.values(), ids=UNDEFINED_GIVEN.keys())
def test_an_undefined_value_given_to_a_filter_is_named_at_its_line(make_project, text, message):
    entry = "<li>\n{{ pub.title }}\n" + text + "\n</li>\n"
    assert errors_of(make_project, {PUB: GOOD, "templates/partials/publication.html": entry}) == [
        f"templates/partials/publication.html:3: template error: {message}"]


@pytest.mark.parametrize("path, text, problem", TEMPLATE_CASES.values(), ids=TEMPLATE_CASES.keys())
def test_template_errors_name_the_template_and_line(make_project, path, text, problem):
    assert errors_of(make_project, {PUB: GOOD, path: text}) == [problem]


@pytest.mark.parametrize("path, text, problem", TEMPLATE_CASES.values(), ids=TEMPLATE_CASES.keys())
def test_template_errors_among_many_publications_are_the_same(make_project, path, text, problem):
    """Enough publications that a build on several CPUs shares out reading them, its own
    process loading the templates meanwhile: a template's error is still found, once."""
    files = {f"content/publications/p{number:03}.yml": GOOD.replace("A Paper", f"Paper {number}")
             for number in range(150)}
    assert errors_of(make_project, {**files, path: text}) == [problem]


def test_every_template_that_fails_to_compile_is_reported_in_one_run(make_project):
    """Each template a build uses is compiled, also one no page reached before another failed
    (the home page fails before it places the list that would compile the entry's)."""
    root = project(make_project, {
        PUB: GOOD,
        "templates/index.html": INDEX_WITH.format("<p>{{ nosuch }}</p>\n{{ publication_entries(publications) }}"),
        "templates/partials/publication.html": "<li>\n{{ pub|nofilter }}\n</li>\n",
        "templates/404.html": INDEX_WITH.format("{% endif %}"),
        "templates/feed.xml": "{% if %}\n",  # the site has no url, so no feed: not compiled
    })
    for build in ("first", "from the cache"):
        assert failed_build(root) == [
            "templates/404.html:4: template error: Encountered unknown tag 'endif'. Jinja was "
            "looking for the following tags: 'endblock'. The innermost block that needs to be "
            "closed is 'block'.",
            "templates/partials/publication.html:2: template error: No filter named 'nofilter'.",
            "templates/index.html:4: template error: 'nosuch' is undefined",
        ], build


def test_a_character_a_template_cannot_hold_is_reported_at_its_column(make_project):
    index = INDEX_WITH.format("<p>ab {{ 'x }}").replace("\n", "\r\n")
    assert errors_of(make_project, {PUB: GOOD, "templates/index.html": index}) == [
        "templates/index.html:4:10: template error: unexpected char \"'\""]


ENTRIES_MISUSED = ("template error: publication_entries(...) must be written out as it is, "
                   "with no filter or operator")
# A publication list is put in after the template ran: whatever a template does to it, other
# than write it out, would not apply to the list. Each is an error at its line (4, or 5 when
# below a list written out).
MISUSED_LISTS = {
    "upper": "{{ publication_entries(publications)|upper }}",
    "indent": "{{ publication_entries(publications)|indent }}",
    "center": "{{ publication_entries(publications)|center(80) }}",
    "concatenated": "{{ publication_entries(publications) ~ '' }}",
    "string": "{{ publication_entries(publications)|string }}",
    "string, not escaped": "{% autoescape false %}{{ publication_entries(publications)|string }}"
                           "{% endautoescape %}",
    "marked safe, then indented": "{{ publication_entries(publications)|safe|indent(8) }}",
    "on the line below another": "{{ publication_entries(publications) }}\n"
                                 "{{ publication_entries(publications)|indent }}",
    "captured, then changed": "{% set all %}{{ publication_entries(publications) }}{% endset %}"
                              "{{ all|upper }}",
    "captured, then indented": "{% set all %}{{ publication_entries(publications) }}{% endset %}"
                               "{{ all|indent(4) }}",
    "captured, then a letter replaced": "{% set all %}{{ publication_entries(publications) }}"
                                        "{% endset %}{{ all|replace('e', 'E') }}",
}


@pytest.mark.parametrize("text", MISUSED_LISTS.values(), ids=MISUSED_LISTS.keys())
def test_anything_done_to_a_publication_list_is_an_error_at_its_line(make_project, text):
    root = project(make_project, {PUB: GOOD})
    build_ok(root)
    built = tree(root / "_site")
    (root / "templates").mkdir()
    (root / "templates" / "index.html").write_text(INDEX_WITH.format(text), encoding="utf-8")
    line = 4 + text.count("\n")
    assert failed_build(root) == [f"templates/index.html:{line}: {ENTRIES_MISUSED}"]
    assert tree(root / "_site") == built


@pytest.mark.parametrize("text", [
    "{% set all %}{{ publication_entries(publications) }}{% endset %}{{ all|upper }}",
    "{% set all %}{{ publication_entries(publications) }}{% endset %}",
], ids=["changed", "not written out"])
def test_a_misused_list_below_one_written_out_is_reported_at_its_own_line(make_project, text):
    index = INDEX_WITH.format("{{ publication_entries(publications) }}\n<p>More</p>\n" + text)
    assert errors_of(make_project, {PUB: GOOD, "templates/index.html": index}) == [
        f"templates/index.html:6: {ENTRIES_MISUSED}"]


def test_a_misused_list_in_a_base_template_is_reported_once_at_its_line(make_project):
    """Every page extends base.html: the list it misuses is reported there, once."""
    base = ('<!DOCTYPE html>\n<html lang="en">\n<title>{{ site.title }}</title>\n'
            "{% set empty %}{{ publication_entries([]) }}{% endset %}{{ empty|lower }}\n"
            "{% block main %}{% endblock %}\n</html>\n")
    assert errors_of(make_project, {PUB: GOOD, "templates/base.html": base}) == [
        f"templates/base.html:4: {ENTRIES_MISUSED}"]


def test_an_error_in_a_shared_template_is_reported_once(make_project):
    base = "<!DOCTYPE html>\n<title>x</title>\n{{ colour }}\n"
    assert errors_of(make_project, {PUB: GOOD, "templates/base.html": base}) == [
        "templates/base.html:3: template error: 'colour' is undefined"]


@pytest.mark.parametrize("path", ["templates/404.html", "themes/frontpage/templates/404.html"],
                         ids=["override", "theme"])
def test_a_template_that_cannot_be_read_is_named_as_a_content_file_is(make_project, monkeypatch,
                                                                      capsys, path):
    """Refused by the system (as root, no file is: the refusal is brought about here)."""
    from scholarpage import files

    root = project(make_project, {PUB: GOOD, "templates/404.html": "<p>Not here</p>\n"})
    refused = root / path

    def refusing(file, *args, **options):
        if Path(file) == refused:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return open(file, *args, **options)

    monkeypatch.setattr(files, "open", refusing, raising=False)
    assert failed_in_process(root, monkeypatch, capsys) == [f"{path}: cannot read: Permission denied"]


def test_a_templates_folder_that_cannot_be_read_is_named(make_project, monkeypatch, capsys):
    """Not taken for no folder: the overrides in it would be left out unseen (and no check of
    what it holds may crash). Refused here as the system refuses a user without permission to
    list it: it is there, but what it holds cannot be listed or looked at."""
    root = project(make_project, {PUB: GOOD, "templates/404.html": "<p>Not here</p>\n"})
    refused = root.resolve() / "templates"
    scandir, listdir, stat = os.scandir, os.listdir, os.stat

    def refusing(function):
        def called(path, *args, **options):
            if Path(path) == refused and function is not stat or Path(path).parent == refused:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return function(path, *args, **options)
        return called

    for name, function in (("scandir", scandir), ("listdir", listdir), ("stat", stat)):
        monkeypatch.setattr(os, name, refusing(function))
    assert failed_in_process(root, monkeypatch, capsys) == ["templates: cannot read: Permission denied"]


def test_a_template_that_is_not_utf8_is_reported_at_its_line_and_column(make_project):
    assert errors_of(make_project, {PUB: GOOD, "templates/404.html": b"\xff\xfe{{ x }}",
                                    "templates/base.html": "<p>\n{{ 'caf\xe9' }}\n".encode("latin-1")}) == [
        "templates/404.html:1:1: not UTF-8 text: unexpected byte 0xff (save the file as UTF-8)",
        "templates/base.html:2:8: not UTF-8 text: unexpected byte 0xe9 (save the file as UTF-8)"]


# ---------------------------------------------------------------------------------------------
# A publication's key is the id of its item on the home page, a section's id that of the section.

SECTIONS = ("title: Test Site\nowner:\n  name: Ada Lovelace\nsections:\n"
            "  - heading: Conferences\n    types: [conference]\n"
            "  - heading: Papers\n    id: journal\n    types: [journal]\n")
AS_A_SECTION = ("BibTeX key '{key}'{made} is also an id of the section '{heading}' ({where}) on "
                "the home page: give the section another 'id' in site.yml, or this publication "
                "{another} 'bibtex_key'")
MADE = ", made from the first author, year and title,"


def test_a_publication_keyed_as_a_section_is_an_error_at_its_key(make_project):
    root, built = built_site(make_project)
    write_files(root, {
        "site.yml": SECTIONS,
        PUB: GOOD + "bibtex_key: conferences\n",
        # No year, a title of a stop word, an organization: the key made is 'journal'.
        "content/publications/b.yml": "title: The\nauthors: ['{Journal}']\ntype: journal\n",
        "content/publications/c.md": "---\ntitle: C\nauthors: [Ada Lovelace]\ntype: conference\n"
                                     "bibtex_key:  conferences-heading\n---\nText.\n",
        "content/publications/d.yml": GOOD + "year: twenty\n",
        # Listed by no section: no item, no id on the home page.
        "content/publications/e.yml": "title: E\nauthors: [Ada]\ntype: talk\nbibtex_key: journal-heading\n",
    })
    assert failed_build(root) == [
        "content/publications/d.yml:4:7: 'year' must be a whole number, got 'twenty'",
        "content/publications/e.yml:3:7: warning: type 'talk' is not shown by any section in "
        "site.yml: add a section with types: [talk]",
        "content/publications/b.yml:1:1: " + AS_A_SECTION.format(
            key="journal", made=MADE, heading="Papers", where="site.yml:8:9",
            another="a"),
        "content/publications/c.md:5:14: " + AS_A_SECTION.format(
            key="conferences-heading", made="", heading="Conferences",
            where="site.yml:5:5", another="another"),
        f"{PUB}:4:13: " + AS_A_SECTION.format(
            key="conferences", made="", heading="Conferences",
            where="site.yml:5:5", another="another"),
    ]
    assert left_alone(root, built)


def test_publications_keyed_as_sections_are_reported_in_file_order(make_project):
    """Not newest first, as the page lists them: as every other problem of the files."""
    assert errors_of(make_project, {
        "site.yml": SECTIONS,
        "content/publications/a.yml": GOOD + "year: 2019\nbibtex_key: conferences\n",
        "content/publications/z.yml": GOOD.replace("conference", "journal") + "year: 2024\nbibtex_key: journal\n",
    }) == [
        "content/publications/a.yml:5:13: " + AS_A_SECTION.format(
            key="conferences", made="", heading="Conferences", where="site.yml:5:5", another="another"),
        "content/publications/z.yml:5:13: " + AS_A_SECTION.format(
            key="journal", made="", heading="Papers", where="site.yml:8:9", another="another"),
    ]


def test_a_publication_keyed_as_a_default_section_is_an_error_naming_it(make_project):
    site = "title: Test Site\nowner:\n  name: Ada Lovelace\nsections:\n"  # left empty: the defaults
    assert errors_of(make_project, {"site.yml": site, PUB: GOOD + "bibtex_key: conferences\n"}) == [
        f"{PUB}:4:13: BibTeX key 'conferences' is also an id of the section 'Conferences' on the "
        "home page (one of the sections shown when site.yml gives none): give this publication "
        "another 'bibtex_key', or write the sections in site.yml and give that one another 'id'"]


def test_a_publication_keyed_as_a_section_the_page_does_not_show_is_no_error(make_project):
    """The home page shows only the sections that list a publication: the default 'Patents'
    lists none here, so 'patents' is no id of the page."""
    site = "title: Test Site\nowner:\n  name: Ada Lovelace\n"
    root = make_project({"site.yml": site, PUB: GOOD + "bibtex_key: patents\n"})
    build_ok(root)
    assert 'id="patents"' in (root / "_site/index.html").read_text("utf-8")


def test_a_publication_keyed_as_an_id_of_the_theme_is_an_error_at_its_key(make_project):
    site = "title: Test Site\nowner:\n  name: Ada Lovelace\n"
    assert errors_of(make_project, {"site.yml": site, PUB: GOOD + "bibtex_key: contact\n"}) == [
        f"{PUB}:4:13: BibTeX key 'contact' is also an id the theme writes on the home page "
        "(themes/frontpage/templates/index.html:34): give this publication another 'bibtex_key'"]


def test_the_example_site_has_no_publication_keyed_as_a_section(example_project):
    assert "is also an id of" not in build_ok(example_project).stderr
    ids = re.findall(r' id="([^"]*)"', (example_project / "_site/index.html").read_text("utf-8"))
    assert len(ids) == len(set(ids))


# An id written in the bio or an abstract is one more id of the page that shows it.

def test_an_id_of_the_bio_that_the_home_page_has_is_an_error_at_its_place(make_project):
    bio = ("---\ntitle: About\n---\nHello.\n\n## Research {#publications-heading}\n\n"
           '<div id="contact">Write to me.</div>\n')
    theme = "an id the theme writes on the home page (themes/frontpage/templates/index.html:{})"
    assert errors_of(make_project, {"content/index.md": bio, PUB: GOOD}) == [
        f"content/index.md:6:15: id 'publications-heading' is also {theme.format(21)}: choose another",
        f"content/index.md:8:10: id 'contact' is also {theme.format(34)}: choose another"]


IDS_SITE = SECTIONS + "  - heading: Selected\n    selected: true\n"


ID_CLASHES = [
    "content/publications/a.yml:6:17: id 'journal-heading' is also an id of the section "
    "'Papers' (site.yml:8:9) on the home page: choose another",
    "content/publications/a.yml:6:57: id 'b2020' is also the id of the publication "
    "content/publications/b.yml:1 on the home page (its BibTeX key): choose another",
    "content/publications/a.yml:7:71: id 'twice' is given twice in this text (first at 7:46): "
    "choose another",
    "content/publications/a.yml:8:14: id '' is empty: give one, or no id",
    "content/publications/a.yml:8:32: id 'a b' holds a space: an id is one word",
    "content/publications/d.yml:3:7: warning: type 'talk' is not shown by any section in "
    "site.yml: add a section with types: [talk]",
    "content/publications/b.yml:6:18: id 'shared' is also given at "
    "content/publications/a.yml:7:16, on the same page: choose another",
    "content/publications/b.yml:6:50: id 'bio' is also given at content/index.md:6:8, on the "
    "same page: choose another",
    "content/publications/c.md:7:24: id 'own' would be on the home page twice: this abstract "
    "is shown in each section that lists its publication ('Conferences', 'Selected'), so it "
    "can give no id",
    "content/publications/c.md:7:54: id 'own2' would be on the home page twice: this abstract "
    "is shown in each section that lists its publication ('Conferences', 'Selected'), so it "
    "can give no id",
]


def test_an_id_of_an_abstract_is_checked_against_every_id_of_the_home_page(make_project):
    files = {
        "site.yml": IDS_SITE,
        "content/index.md": '---\ntitle: About\n---\nHello.\n\n<p id="bio">I study engines.</p>\n',
        "content/publications/a.yml": (
            "title: A\nauthors: [Ada Lovelace]\ntype: conference\nbibtex_key: a2020\nabstract: |\n"
            '  See <span id="journal-heading">this</span>, <span id="b2020">that</span>\n'
            "  and <span id=shared>both</span>, <span id=\"twice\">one</span> <b id='twice'>two</b>\n"
            '  and <i id="">none</i> <i id="a&#32;b">nor</i>.\n'),
        "content/publications/b.yml": (
            "title: B\nauthors: [Ada Lovelace]\ntype: journal\nbibtex_key: b2020\nabstract: |\n"
            '  Also <span id="shared">both</span> and <em id="bio">bio</em>.\n'),
        "content/publications/c.md": (
            "---\ntitle: C\nauthors: [Ada Lovelace]\ntype: conference\nselected: true\n---\n"
            'Shown twice: <span id="own">own</span> and <span id="own2">more</span>.\n'),
        # Listed by no section: shown on no page.
        "content/publications/d.yml": ("title: D\nauthors: [Ada Lovelace]\ntype: talk\n"
                                       'abstract: Not shown <span id="contact">anywhere</span>.\n'),
    }
    root = project(make_project, files)
    for build in ("first", "again: the files' records from the build cache"):
        assert failed_build(root) == ID_CLASHES, build


def test_footnotes_ids_are_each_texts_own_but_not_the_ids_written_like_them(make_project):
    note = "abstract: |\n  One[^1] and <span id=\"{}\">two</span>.\n\n  [^1]: Note.\n"
    root = make_project({
        "content/index.md": "---\ntitle: About\n---\nHello[^1] again[^1].\n\n[^1]: A note.\n",
        "content/publications/a.yml": GOOD + note.format("a-note"),
        "content/publications/b.yml": GOOD.replace("A Paper", "B") + note.format("b-note")})
    build_ok(root)
    ids = re.findall(r' id="([^"]*)"', (root / "_site/index.html").read_text("utf-8"))
    assert "~bio~fn:1" in ids and "a-note" in ids and len(ids) == len(set(ids))
    write_files(root, {"content/publications/c.yml": GOOD.replace("A Paper", "C") + (
        'abstract: |\n  See <span id="fn:1">this</span>[^1].\n\n  [^1]: Note.\n')})
    assert failed_build(root) == [
        "content/publications/c.yml:5:17: id 'fn:1' is given twice in this text: choose another "
        "(Markdown gives each footnote the ids fn:N and fnref:N)"]


# ---------------------------------------------------------------------------------------------
# Writing the output: a problem like any other, and the previous site stays as it was.


def built_site(make_project, files: dict[str, str] | None = None):
    """A project built once: (its folder, what its _site/ holds)."""
    root = project(make_project, {PUB: GOOD, **(files or {})})
    build_ok(root)
    return root, tree(root / "_site")


def failed_in_process(root, monkeypatch, capsys, *args: str) -> list[str]:
    """The problem lines of a build run by the command line's own function, in this process
    (for a failure a test brings about), checked as failed_build does."""
    from scholarpage import cli

    monkeypatch.chdir(root)
    assert cli.main(["build", "--no-cache", *args]) == 1
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and lines[-1] == FAILED.format(len(lines) - 1, "s" * (len(lines) != 2))
    return lines[:-1]


def left_alone(root, built: dict[str, bytes]) -> bool:
    """Whether _site/ holds what it held, with no folder of a build left beside it."""
    return tree(root / "_site") == built and not [
        name for name in os.listdir(root) if name.startswith("._site")]


def test_a_static_file_named_with_a_backslash_is_refused_at_its_name(make_project):
    root, built = built_site(make_project)
    (root / "static").mkdir()
    (root / "static" / "a\\b.txt").write_text("a\n", encoding="utf-8")
    assert failed_build(root) == [
        "static/a\\b.txt: a backslash in a name: browsers read it as '/' in an address, rename it"]
    assert left_alone(root, built)


def test_an_output_folder_under_a_file_is_a_problem(make_project):
    root, built = built_site(make_project)
    assert failed_build(root, "build", "--out", "site.yml/x") == [
        "site.yml/x: cannot write the output folder: site.yml: a file is where a folder must be"]
    assert left_alone(root, built)


def test_a_static_file_gone_before_it_is_read_is_a_problem(make_project, monkeypatch, capsys):
    from scholarpage import render

    root, built = built_site(make_project, {"static/notes.txt": "mine\n"})
    listed = render.static_files
    monkeypatch.setattr(render, "static_files", lambda project, site, problems=None: {
        **listed(project, site, problems), "gone.txt": project.root / "static" / "gone.txt"})
    assert failed_in_process(root, monkeypatch, capsys) == [
        "static/gone.txt: cannot read: No such file or directory"]
    assert left_alone(root, built)


def test_a_full_disk_is_a_problem_and_the_previous_site_stays(make_project, monkeypatch, capsys):
    root, built = built_site(make_project)
    (root / "content" / "index.md").write_text(BIO + "Edited.\n", encoding="utf-8")
    write_bytes = Path.write_bytes

    def full(path, data):
        if path.name == "index.html":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return write_bytes(path, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    assert failed_in_process(root, monkeypatch, capsys) == [
        "_site: cannot write index.html: No space left on device"]
    assert left_alone(root, built)


@pytest.mark.parametrize("moved", ["_site", "._site.new-"], ids=["old site", "new site"])
def test_a_folder_that_may_not_be_moved_is_a_problem(make_project, monkeypatch, capsys, moved):
    """Refused when the previous site is moved aside, or when the new one is moved in: then
    the previous one is put back."""
    root, built = built_site(make_project)
    (root / "content" / "index.md").write_text(BIO + "Edited.\n", encoding="utf-8")
    rename = os.rename

    def refused(source, target):
        if Path(source).name.startswith(moved):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(source), str(target))
        return rename(source, target)

    monkeypatch.setattr(os, "rename", refused)
    assert failed_in_process(root, monkeypatch, capsys) == [
        "_site: cannot write the output folder: Permission denied"]
    assert left_alone(root, built)


def test_the_first_site_not_written_leaves_nothing(make_project, monkeypatch, capsys):
    root = project(make_project, {PUB: GOOD})

    def refused(path, data):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(Path, "write_bytes", refused)
    assert failed_in_process(root, monkeypatch, capsys) == [
        "_site: cannot write .built-by-scholarpage: Permission denied"]
    assert [name for name in os.listdir(root) if "_site" in name] == []


# ---------------------------------------------------------------------------------------------
# YAML 1.1 surprises: where text is expected, the text the user wrote is kept.


def test_yaml_1_1_values_stay_the_text_written(make_project):
    root = project(make_project, {
        "content/coauthors.yml": "'NO': https://example.org/no\n",
        "content/publications/a.yml": "title: NO\nauthors: [Ada Lovelace, 'NO', On]\n"
                                      "type: conference\nvenue: 1.10\nnote: 2024-03-01\nyear: 2024\n",
        "content/publications/b.yml": "title: Off\nauthors: [Ada Lovelace]\ntype: conference\n"
                                      "venue: yes\nvenue_full: 0x1F\nyear: 2023\n",
    })
    build_ok(root)
    page = (root / "_site" / "index.html").read_text(encoding="utf-8")
    for shown in ("“NO”", '<a href="https://example.org/no">NO</a>, On</span>', "1.10 2024",
                  "2024-03-01", "“Off”", "<em>0x1F (yes)</em>, 2023"):
        assert shown in page


def test_files_that_cannot_be_read_are_named_among_many_read_at_once(make_project):
    """Enough publication files that a build on several CPUs shares out reading them: a file
    that is not UTF-8 is reported where it is, with the other files' problems, once each."""
    files = {f"content/publications/p{number:03}.yml": GOOD.replace("A Paper", f"Paper {number}")
             for number in range(150)}
    files["content/publications/p070.yml"] = "title: Caf\xe9\n".encode("latin-1")
    files["content/publications/p140.yml"] = "title: [\n"
    assert errors_of(make_project, files) == [
        "content/publications/p070.yml:1:11: not UTF-8 text: unexpected byte 0xe9 "
        "(save the file as UTF-8)",
        "content/publications/p140.yml:1:8: invalid YAML: a list in '[ ]' is never closed: "
        "add the closing ']'",
    ]
