"""`python build.py check`: the built site's links, sources, anchors and HTML are checked."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_cli, vnu_jar, write_files
from scholarpage.check import VNU_HELP, check_links

PASSED_LINKS = "check passed: every internal link, source and anchor resolves"
PASSED = PASSED_LINKS + "; the HTML is valid"

PUBLICATION = "title: On Looms\nauthors: [Ada Lovelace]\ntype: journal\nyear: 2020\n"
SLUG_PAGE = "_site/publications/2020-on-looms/index.html"

# Replaces the theme's publication page through the project's own templates/ folder.
BROKEN_TEMPLATE = """\
{% extends "base.html" %}
{% block main %}
<h1>{{ pub.title }}</h1>
<p><a href="{{ root }}missing/">gone</a> <a href="{{ root }}#nowhere">nowhere</a> <a href="#here">here</a></p>
<p id="here"><img src="{{ root }}images/none.png" alt=""> <a href="{{ root }}#contact">contact</a></p>
<p><a href="https://unreachable.invalid/paper">far away</a></p>
{% endblock %}
"""


@pytest.fixture
def with_vnu(monkeypatch) -> Path:
    """VNU_JAR set for the command; skipped here without Java or the jar, a failure in CI."""
    jar = vnu_jar()
    monkeypatch.setenv("VNU_JAR", str(jar))
    return jar


@pytest.fixture
def without_vnu(monkeypatch, tmp_path):
    """No Java, no vnu and no VNU_JAR to be found by the command."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("VNU_JAR", raising=False)


def small_project(make_project, **files: str) -> Path:
    return make_project({
        "site.yml": "title: T\nowner:\n  name: Ada Lovelace\n  email: ada@example.org\n",
        "content/index.md": "Bio.\n",
        "content/publications/looms.yml": PUBLICATION,
        **files,
    })


def line_of(path: Path, text: str) -> int:
    """The line of the built page that holds `text` (exactly one does)."""
    lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    assert len(lines) == 1, (text, lines)
    return lines[0]


def test_the_example_site_passes(example_project, with_vnu):
    result = run_cli(example_project, "check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == PASSED
    assert re.fullmatch(r"\d+ external links \(listed, not fetched\):", lines[1])
    assert "  https://github.com/sunxm2357" in lines
    assert "Traceback" not in result.stderr


def test_the_example_site_passes_under_a_sub_path(example_project, with_vnu):
    site = example_project / "site.yml"
    text, count = re.subn(r'^url: "".*$', "url: https://user.github.io/repo/",
                          site.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert count == 1
    site.write_text(text, encoding="utf-8")
    result = run_cli(example_project, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == PASSED
    # The canonical and Open Graph URLs are the site's own: checked, not listed as external.
    assert not [line for line in result.stdout.splitlines() if "user.github.io" in line]
    not_found = (example_project / "_site" / "404.html").read_text(encoding="utf-8")
    assert 'href="/repo/css/style.css"' in not_found


def test_broken_links_and_anchors_are_reported_as_page_and_line(make_project, without_vnu):
    root = small_project(make_project, **{"templates/publication.html": BROKEN_TEMPLATE})
    result = run_cli(root, "check", "--no-html")
    assert result.returncode == 1
    page = root / SLUG_PAGE
    first, second = line_of(page, "missing/"), line_of(page, "images/none.png")
    assert result.stderr.splitlines() == [
        f"{SLUG_PAGE}:{first}: broken link '../../missing/': no such file in the site",
        f"{SLUG_PAGE}:{first}: broken link '../../#nowhere': no id 'nowhere' in index.html",
        f"{SLUG_PAGE}:{second}: broken link '../../images/none.png': no such file in the site",
        "check failed: 3 problems",
    ]
    assert result.stdout.splitlines()[1:] == [
        "1 external link (listed, not fetched):",
        "  https://unreachable.invalid/paper",
    ]


def test_links_to_the_sites_own_url_are_checked_as_internal(make_project, without_vnu):
    template = BROKEN_TEMPLATE.replace(
        '<a href="https://unreachable.invalid/paper">far away</a>',
        '<a href="https://ada.example.org/lab/">home</a> <a href="https://ada.example.org/lab/gone/">'
        'gone</a> <a href="https://ada.example.org/other/">elsewhere</a>')
    template = re.sub(r"<p><a href=\"\{\{ root \}\}missing/.*?</p>\n<p id=\"here\">.*?</p>\n", "",
                      template, flags=re.DOTALL)
    site = "title: T\nurl: https://ada.example.org/lab/\nowner:\n  name: Ada Lovelace\n"
    root = small_project(make_project, **{"site.yml": site, "templates/publication.html": template})
    result = run_cli(root, "check", "--no-html")
    line = line_of(root / SLUG_PAGE, "/lab/gone/")
    assert result.stderr.splitlines() == [
        f"{SLUG_PAGE}:{line}: broken link 'https://ada.example.org/lab/gone/': no such file in the site",
        "check failed: 1 problem"]
    assert result.stdout.splitlines()[1:] == ["1 external link (listed, not fetched):",
                                              "  https://ada.example.org/other/"]


def test_every_attribute_holding_a_url_is_checked(tmp_path):
    """The build's own list (markup.URL_ATTRIBUTES): the same links are refused in content."""
    site = write_files(tmp_path / "_site", {"index.html": (
        '<form action="javascript:alert(1)"><button formaction="gone.html">Go</button></form>\n'
        '<video poster="data:image/png,x" src="index.html"></video>\n'
        '<object data="javascript:x"></object> <div data="javascript:no-link"></div>\n'
        '<blockquote cite="nowhere.html"></blockquote> <q cite="index.html#top">q</q>\n'
        '<img alt="" srcset="data:image/png;base64,AAAA 1x, b,c.png 2x, index.html 3x">\n'
        '<svg><a xlink:href="lost.svg#x"><text>x</text></a></svg>\n')})
    problems, external = check_links(site)
    assert [str(problem) for problem in problems.items] == [
        "index.html:1: link 'javascript:alert(1)' is not http(s), mailto or relative",
        "index.html:1: broken link 'gone.html': no such file in the site",
        "index.html:2: link 'data:image/png,x' is not http(s), mailto or relative",
        "index.html:3: link 'javascript:x' is not http(s), mailto or relative",
        "index.html:4: broken link 'nowhere.html': no such file in the site",
        "index.html:4: broken link 'index.html#top': no id 'top' in index.html",
        "index.html:5: link 'data:image/png;base64,AAAA' is not http(s), mailto or relative",
        "index.html:5: broken link 'b,c.png': no such file in the site",
        "index.html:6: broken link 'lost.svg#x': no such file in the site"]
    assert external == []


def test_the_sites_own_url_without_its_last_slash_is_internal(tmp_path):
    site = write_files(tmp_path / "_site", {"index.html": (
        '<p id="top">Ada</p>\n'
        '<a href="https://x.org/lab">home</a>\n'
        '<a href="https://x.org/lab?x=1">query</a> <a href="https://x.org/lab#top">top</a>\n'
        '<a href="https://x.org/lab#nowhere">nowhere</a>\n'
        '<a href="https://x.org/labx">a neighbour</a> <a href="https://x.org/labx/">its home</a>\n')})
    problems, external = check_links(site, "/lab/", "https://x.org/lab/")
    assert [str(problem) for problem in problems.items] == [
        "index.html:4: broken link 'https://x.org/lab#nowhere': no id 'nowhere' in index.html"]
    assert external == ["https://x.org/labx", "https://x.org/labx/"]


def test_an_old_page_that_is_not_utf8_is_checked_too(tmp_path):
    """A page of the user's own in static/, from before UTF-8: ISO-8859-1."""
    site = write_files(tmp_path / "_site", {
        "index.html": '<a href="caf\u00e9.html#men\u00fc">caf\u00e9</a>\n',
        "caf\u00e9.html": ('<meta charset="iso-8859-1"><p id="men\u00fc">Men\u00fc</p>\n'
                           '<a href="gone.html">Zur\u00fcck</a>\n').encode("latin-1")})
    problems, _ = check_links(site)
    assert [str(problem) for problem in problems.items] == [
        "caf\u00e9.html:2: broken link 'gone.html': no such file in the site"]


def test_a_sound_site_passes_without_the_validator_when_told_to(make_project, without_vnu):
    root = small_project(make_project)
    result = run_cli(root, "check", "--no-html")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[1:] == ["0 external links (listed, not fetched):", PASSED_LINKS]


def test_a_missing_validator_is_warned_of_with_what_to_do(make_project, without_vnu):
    """Links are still checked: a site is not failed for want of Java, nor said to be valid."""
    root = small_project(make_project)
    result = run_cli(root, "check")
    assert (result.returncode, result.stderr.splitlines()) == (0, [f"check: warning: {VNU_HELP}"])
    assert result.stdout.splitlines()[-1] == PASSED_LINKS + " (the HTML was not validated)"
    broken = small_project(make_project, **{"templates/publication.html": BROKEN_TEMPLATE})
    result = run_cli(broken, "check")
    assert result.returncode == 1 and f"check: warning: {VNU_HELP}" in result.stderr.splitlines()


def test_invalid_html_is_reported_by_the_validator(make_project, with_vnu):
    template = BROKEN_TEMPLATE
    for broken, sound in (('<p id="here">', '<p id="main">'), ('href="#here"', 'href="#main"'),
                          ("{{ root }}missing/", "{{ root }}"), ("#nowhere", "#contact"),
                          ("images/none.png", "favicon.svg")):
        template = template.replace(broken, sound)
    root = small_project(make_project, **{"templates/publication.html": template})
    assert run_cli(root, "check", "--no-html").returncode == 0  # every link is fine
    result = run_cli(root, "check")
    assert result.returncode == 1
    line = line_of(root / SLUG_PAGE, '<p id="main">')
    assert result.stderr.splitlines() == [
        f"{SLUG_PAGE}:{line}: invalid HTML: Duplicate ID “main”.",
        "check failed: 1 problem",
    ]


def test_a_build_error_stops_the_check(make_project, without_vnu):
    root = small_project(make_project, **{"content/publications/bad.yml": "title: X\n"})
    result = run_cli(root, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "build failed: 2 errors; the output folder was not changed"
    assert not (root / "_site").exists()


SPACED_SITE = """\
title: T
url: https://ada.example/
owner:
  name: Ada Lovelace
  photo: images/my photo.svg
  links:
    - label: CV
      url: CV 2024.pdf
    - label: Again
      url: CV%202024.pdf#page 2
    - label: Full
      url: 100%.pdf
"""
SPACED_PUBLICATION = """\
title: On Looms
authors: [Ada Lovelace, Charles Babbage]
type: journal
year: 2020
links:
  pdf: papers/my talk.pdf
abstract: |
  See [the talk](<papers/my talk.pdf>), [again](papers/my%20talk.pdf)
  and <a href="papers/my talk.pdf">once more</a>.
"""


def test_links_to_files_with_spaces_are_valid_urls_that_reach_them(make_project, with_vnu):
    root = make_project({
        "site.yml": SPACED_SITE,
        "content/index.md": "My [CV](<CV 2024.pdf>).\n",
        "content/coauthors.yml": "Charles Babbage: https://babbage.example/my page/\n",
        "content/publications/looms.yml": SPACED_PUBLICATION,
        "static/CV 2024.pdf": b"%PDF-1.4\n",
        "static/100%.pdf": b"%PDF-1.4\n",
        "static/papers/my talk.pdf": b"%PDF-1.4\n",
        "static/images/my photo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    })
    result = run_cli(root, "check")
    assert (result.returncode, result.stderr) == (0, ""), result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == PASSED
    home = (root / "_site/index.html").read_text(encoding="utf-8")
    page = (root / SLUG_PAGE).read_text(encoding="utf-8")
    hrefs = re.findall(r'(?:href|src|content)="([^"]*(?:CV|100|my|page)[^"]*)"', home + page)
    assert hrefs == [
        "https://ada.example/images/my%20photo.svg",
        "CV%202024.pdf", "CV%202024.pdf#page%202", "100%25.pdf",
        "CV%202024.pdf",
        "images/my%20photo.svg",
        "https://babbage.example/my%20page/",
        "papers/my%20talk.pdf", "papers/my%20talk.pdf", "papers/my%20talk.pdf", "papers/my%20talk.pdf",
        "https://ada.example/images/my%20photo.svg",
        "https://ada.example/papers/my%20talk.pdf",  # citation_pdf_url
        "../../CV%202024.pdf", "../../CV%202024.pdf#page%202", "../../100%25.pdf",
        "https://babbage.example/my%20page/",
        "../../papers/my%20talk.pdf", "../../papers/my%20talk.pdf", "../../papers/my%20talk.pdf",
        "../../papers/my%20talk.pdf",
    ]
    assert '"image": "https://ada.example/images/my%20photo.svg"' in home
