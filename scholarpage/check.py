"""`python build.py check`: is the built site whole? Links, sources, anchors, and valid HTML.

Internal links are resolved against the output folder (no server, no network); external ones
are listed, never fetched. HTML validity is the Nu Html Checker's verdict.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .markup import attribute_urls
from .problems import Problems
from .render import in_folder, output_file

VNU_HELP = ("the HTML was not validated: the Nu Html Checker was not found (install Java and run "
            "`npm install vnu-jar`, or set VNU_JAR to the path of vnu.jar; --no-html skips it "
            "without this warning)")


@dataclass
class PageLinks:
    """What one HTML page points to, and the ids it offers."""

    ids: set[str] = field(default_factory=set)
    targets: list[tuple[int, str]] = field(default_factory=list)  # (line, url)


class _LinkParser(HTMLParser):
    """The ids a page offers and the URLs its tags hold (those of markup.URL_ATTRIBUTES, the
    build's own list), each with its line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = PageLinks()

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        for name, value in attrs:
            if name in ("id", "name") and value and (name == "id" or tag == "a"):
                self.page.ids.add(value)
            elif value is not None:
                self.page.targets += [(line, url) for url in attribute_urls(tag, name, value)]


def read_links(html: str) -> PageLinks:
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    return parser.page


def _within(parts, own) -> bool:
    """Whether a link (split) leads into the site at the URL `own` (split)."""
    return ((parts.scheme, parts.netloc) == (own.scheme, own.netloc)
            and in_folder(parts.path, own.path.rstrip("/") + "/"))


def check_links(folder: Path, base_path: str = "/", site_url: str = "") -> tuple[Problems, list[str]]:
    """Problems with internal links, and the sorted external links, of a built site.

    A link to the site's own URL (`site_url`, as canonical and Open Graph URLs are) is checked
    as an internal one.
    """
    problems, external = Problems(), set()
    own = urlsplit(site_url) if site_url else None
    pages = {p.relative_to(folder).as_posix(): read_links(_page_text(p))
             for p in sorted(folder.rglob("*.html"))}
    for page, links in pages.items():
        for line, url in links.targets:
            parts = urlsplit(url)
            inside = own is not None and _within(parts, own)
            if parts.scheme in ("http", "https", "mailto") and not inside:
                external.add(url)
                continue
            if (parts.scheme or parts.netloc) and not inside:
                problems.error(page, line, 0, f"link '{url}' is not http(s), mailto or relative")
                continue
            target = page if not parts.path else output_file(
                unquote(parts.path), page, base_path, lambda relative: (folder / relative).is_dir())
            if target is None or not (folder / target).is_file():
                problems.error(page, line, 0, f"broken link '{url}': no such file in the site")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.endswith(".html") and fragment not in pages[target].ids:
                problems.error(page, line, 0, f"broken link '{url}': no id '{fragment}' in {target}")
    return problems, sorted(external)


def _page_text(path: Path) -> str:
    """A page's text: UTF-8, as the build writes; a page of the user's own in static/ may be
    older (ISO-8859-1, whose every byte is a character: its links come out right)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def find_vnu() -> list[str] | None:
    """The command that runs the Nu Html Checker here, or None."""
    jar = os.environ.get("VNU_JAR")
    if jar and Path(jar).is_file() and shutil.which("java"):
        return ["java", "-jar", jar]
    if shutil.which("vnu"):
        return ["vnu"]
    for folder in (Path.cwd(), *Path.cwd().parents):
        candidate = folder / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
        if candidate.is_file() and shutil.which("java"):
            return ["java", "-jar", str(candidate)]
    return None


_GNU_LINE = re.compile(r'^"?(?P<file>.+?)"?:(?P<line>\d+)(?:\.\d+)?(?:-\d+(?:\.\d+)?)?: (?P<kind>\w+): (?P<message>.*)$')


def check_html(folder: Path, vnu: list[str]) -> Problems:
    """Nu Html Checker errors in every page of a built site."""
    problems = Problems()
    files = [str(p) for p in sorted(folder.rglob("*.html"))]
    if not files:
        return problems
    result = subprocess.run([*vnu, "--errors-only", "--format", "gnu", *files],
                            capture_output=True, text=True)
    for raw in (result.stderr + result.stdout).splitlines():
        match = _GNU_LINE.match(raw)
        if match:
            page = Path(match["file"].removeprefix("file:")).resolve()
            shown = page.relative_to(folder.resolve()).as_posix() if page.is_relative_to(folder.resolve()) else match["file"]
            problems.error(shown, int(match["line"]), 0, f"invalid HTML: {match['message']}")
        elif raw.strip():
            problems.error("vnu", 0, 0, raw.strip())
    if result.returncode != 0 and not problems:
        problems.error("vnu", 0, 0, f"the Nu Html Checker failed (exit {result.returncode})")
    return problems
