"""`python build.py new site`: the example that comes with the repository becomes your own site.

The repository ships a real researcher's page as its example. `new site` writes a fresh
site.yml with your name (the default sections, hints for the rest), a placeholder bio and an
empty co-author list, and removes the example's publications and photo. Every other file stays:
publications you added, your photo, templates/.

Nothing of yours is lost without asking: each file it replaces or removes must still be as the
example shipped it, or `force` be given. "As shipped" is the file's digest (EXAMPLE_FILES), not
git's status: it holds for a download without git, and for an example whose edits were committed.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from string import Template

import yaml

from . import model
from .config import SITE_FILE, Project, missing_site_file
from .content import BIO_FILE, COAUTHORS_FILE, PUBLICATIONS_DIR
from .files import write_atomically
from .problems import Problems, plural
from .scaffold import ask_values
from .schema import Reader, read_record
from .yamlfile import parse_yaml

# The example's files as shipped, {path: digest(file)}. tests/test_new_site.py holds it to the
# repository's own files: after changing the example, copy the digests the test prints.
EXAMPLE_FILES = {
    "site.yml": "952851808ff8507060f2367ac789a9cc",
    "content/coauthors.yml": "f6da57b1c21fd3589e84f6e414a26828",
    "content/index.md": "0c769fea086a301b5c3cb3746d3f11ed",
    "content/publications/2018-sun-video-frame-inpainting.yml": "0fb962c61d70e0c4bed9aed8839a69da",
    "content/publications/2019-peng-domain-agnostic-learning.yml": "54d0185112e63fb3dbcd6d023f66ad6a",
    "content/publications/2019-szeto-video-frame-inpainting.yml": "0c0a67fa725cb70b9d5423cb68c546a5",
    "content/publications/2020-sun-adashare.yml": "fbf13ada5e27ad832d6c7883b49fa4c9",
    "content/publications/2020-sun-twostreamvan.yml": "191dd284d071ba8509b0e205b6b30dfe",
    "content/publications/2021-panda-adamml.yml": "dbe8c308e37cdc80003c6b988e2fcffb",
    "content/publications/2021-sun-dynamic-network-quantization.yml": "a47cb5b0a78383d8e128a6cb5ada6043",
    "content/publications/2022-sun-dualcoop.yml": "e53ef99f78fd7c018fd227db859fb5e6",
    "content/publications/2023-sun-dime-fm.yml": "1dfa18bfacdc0ddbf8d7ddf845385473",
    "content/publications/2024-hu-dualcoop-plus-plus.yml": "a6cd61316e640c77e377cd754803e1ff",
    "content/publications/2024-sun-all-at-once.yml": "6f19fa01e296c490e6621909f96a117f",
    "content/publications/2024-tan-koala.yml": "5176bde1a79da298f0d2f0aec5610915",
    "content/publications/undated-hu-compositional-feature-aggregation.yml": "e5044666ed4ea034a238663e4e19e28e",
    "content/publications/undated-panda-dynamic-network-quantization.yml": "1ee4fd43360b7a224091f9804cb49d67",
    "content/publications/undated-sun-label-budget-allocation.yml": "73acbfedc6d0c462916ba022a7819813",
    "content/publications/undated-teterwak-clamp.yml": "69dea58776ded5fc96660660bf32db5a",
    "content/publications/undated-xu-similarity-r-c3d.yml": "b9153f8e71daa3658b32966e3a8f6605",
    "static/images/ximeng-sun.svg": "3fe322a28eb2b434e878d25f8305c9ea",
}

BIO = f"content/{BIO_FILE}"
COAUTHORS = f"content/{COAUTHORS_FILE}"
PUBLICATIONS = f"content/{PUBLICATIONS_DIR}/"
WRITTEN = (SITE_FILE, BIO, COAUTHORS)  # written anew; the example's other files are removed
PROMPTS = (("name", "Your name"), ("affiliation", "Affiliation (optional)"),
           ("email", "Email, shown obfuscated (optional)"),
           ("url", "Address of the site, e.g. https://USER.github.io/ (optional)"))


def digest(path: Path) -> str:
    """A file's digest as EXAMPLE_FILES keeps it: of its bytes with CRLF line endings read as LF
    (git checks text out with CRLF on Windows, if so configured)."""
    return text_digest(path.read_bytes())


def text_digest(data: bytes) -> str:
    """See digest."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()[:32]


def changed_example_files(project: Project) -> list[str]:
    """The example's files that hold something of the user's: neither as the example shipped
    them nor as new site writes them (its placeholders may be written again). One that is gone
    holds nothing."""
    changed = []
    for relative, shipped in EXAMPLE_FILES.items():
        path = project.root / relative
        if not os.path.lexists(path):
            continue
        try:
            same = path.is_file() and not path.is_symlink() and digest(path) in (
                shipped, PLACEHOLDER_DIGESTS.get(relative))
        except OSError:  # unreadable: not known to be the example's
            same = False
        if not same:
            changed.append(relative)
    return changed


def own_files(project: Project) -> list[str]:
    """The files in content/ and static/ that are not the example's: the user's, kept."""
    found = []
    for folder in (project.content, project.override_static):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            relative = project.relative(path)
            if relative not in EXAMPLE_FILES and not path.is_dir():
                found.append(relative)
    return found


# ---------------------------------------------------------------------------------------------
# The new files.

SITE_TEMPLATE = Template("""\
# yaml-language-server: $$schema=schema/site.schema.json
#
# Site-wide settings. Edit the values after the colons; keep the indentation
# (2 spaces per level). Lines starting with "#" are comments and are ignored:
# to use a commented line below, remove its "# ".

# Shown in the browser tab and search results.
title: $title
# One sentence about you, used by search engines and link previews.
# description: Researcher in ..., working on ...
url: $url  # base URL of the deployed site, e.g. https://user.github.io/ or https://user.github.io/repo/ ("" while previewing locally)
language: en
# Look of the site: the name of a folder in themes/.
theme: frontpage
# Folder where the finished website is written.
output: _site

# About you: used in the header, the navbar and the contact block.
owner:
  name: $name
  # Other spellings of your name shown in bold in author lists (your name always is).
  # highlight: $highlight
  # Where you work, shown under your name.
$affiliation
  # Shown obfuscated: the plain address never appears in the HTML.
$email
  # Portrait, relative to static/: put your picture at static/images/me.jpg and write
  # photo: images/me.jpg
  # Profile links shown in the navbar, in this order. Each needs a label and a url.
  # links:
  #   - label: Google Scholar
  #     url: https://scholar.google.com/citations?user=YOUR-ID
  #   - label: GitHub
  #     url: https://github.com/YOUR-NAME
  #   - label: ORCID
  #     url: https://orcid.org/0000-0000-0000-0000
  #   - label: LinkedIn
  #     url: https://www.linkedin.com/in/YOUR-NAME/

# Publication sections, shown in this order. Each section lists the
# publications (files in content/publications/) whose "type" is in its "types".
# To add e.g. a Workshops section, add an entry:
#   - heading: Workshops
#     types: [workshop]
# and set "type: workshop" in the matching publication files.
sections:
$sections""")

BIO_TEXT = """\
---
title: About
---

**Placeholder, written by `python build.py new site`:** replace this paragraph with your bio,
in `content/index.md`: who you are, where you work, what you research. It is Markdown: a blank
line starts a new paragraph, `*word*` is emphasis and `[text](https://...)` a link.
"""

COAUTHORS_TEXT = """\
# yaml-language-server: $schema=../schema/coauthors.schema.json
#
# Co-author homepages: "Name as written in author lists: URL".
# Names listed here are shown as links in the publication lists, e.g.
# Charles Babbage: https://example.org/babbage
"""
PLACEHOLDERS = {BIO: BIO_TEXT, COAUTHORS: COAUTHORS_TEXT}  # written as they are
PLACEHOLDER_DIGESTS = {relative: text_digest(text.encode()) for relative, text in PLACEHOLDERS.items()}


def _scalar(value) -> str:
    """A value as YAML on one line: quoted only where YAML needs it."""
    if value == "":
        return '""'
    return yaml.safe_dump(value, allow_unicode=True, width=1 << 30,
                          default_flow_style=True).removesuffix("\n...\n").rstrip("\n")


def _initials(name: str) -> str:
    """'Ada King Lovelace' -> 'A. K. Lovelace': how author lists often write a name."""
    *given, family = name.split()
    return " ".join([*(f"{part[0]}." for part in given), family])


def site_text(values: dict) -> str:
    """The new site.yml, from the answers (`name` given; the others may be empty)."""
    name = values["name"]

    def owner_line(field: str, example: str) -> str:
        value = values.get(field)
        return f"  {field}: {_scalar(value)}" if value else f"  # {field}: {example}"

    sections = "".join(f"  - heading: {_scalar(section.heading)}\n"
                       f"    types: {_scalar(list(section.types))}\n"
                       for section in model.DEFAULT_SECTIONS)
    return SITE_TEMPLATE.substitute(
        title=_scalar(name), name=_scalar(name), url=_scalar(values.get("url") or ""),
        highlight=_scalar([_initials(name)]),
        affiliation=owner_line("affiliation", "University of Somewhere"),
        email=owner_line("email", "you@example.org"), sections=sections)


def site_problems(text: str) -> list[str]:
    """What is wrong with a site.yml's values, read as a build reads them."""
    problems = Problems()
    doc = parse_yaml(text, SITE_FILE, problems)
    if doc is not None:
        read_record(model.Site, doc.root, Reader(doc, problems))
    return [problem.message for problem in problems.errors]


# ---------------------------------------------------------------------------------------------
# `python build.py new site`.


def new_site(root, values: dict, ask=None, force: bool = False) -> tuple[list[str] | None, Problems]:
    """Make the example at `root` the user's site (asking for the values when `ask` is given);
    the lines saying what was done, or None when nothing was."""
    project = Project(Path(root).resolve())
    problems = Problems()
    missing = missing_site_file(project)
    if missing:
        problems.error(SITE_FILE, 0, 0, missing)
        return None, problems
    changed = changed_example_files(project)
    if changed and not force:
        for relative in changed:
            fate = "replacing" if relative in WRITTEN else "removing"
            problems.error(relative, 0, 0, f"is not the example's as shipped: new site would lose "
                                           f"your changes by {fate} it")
        which = "this file" if len(changed) == 1 else f"these {len(changed)} files"
        problems.error("new site", 0, 0, f"nothing was changed: keep a copy of what you need "
                                         f"from {which}, then run it again with --force")
        return None, problems
    if ask is not None:
        values = ask_values(values, ask, PROMPTS)
    values = {name: " ".join(value.split()) for name, value in values.items() if value}  # one line
    if not values.get("name"):
        problems.error("new site", 0, 0, "your name is needed: give it with --name "
                                         "(or run this in a terminal to be asked)")
        return None, problems
    text = site_text(values)
    for message in site_problems(text):
        problems.error("new site", 0, 0, message)
    if problems.errors:
        return None, problems
    kept = own_files(project)
    try:
        removed = _replace_example(project, text)
    except OSError as error:
        problems.error(project.relative(error.filename or project.root), 0, 0,
                       f"cannot be written or removed: {error.strerror or error}")
        return None, problems
    return _report(removed, kept), problems


def _replace_example(project: Project, site: str) -> list[str]:
    """Write the new files, remove the example's others; the paths removed."""
    for relative, text in {SITE_FILE: site, **PLACEHOLDERS}.items():
        _write(project.root / relative, text)
    removed = []
    for relative in EXAMPLE_FILES:
        path = project.root / relative
        if relative not in WRITTEN and os.path.lexists(path):
            path.unlink()
            removed.append(relative)
    keep = {project.content, project.content / PUBLICATIONS_DIR, project.override_static}
    for folder in sorted({(project.root / relative).parent for relative in removed}, reverse=True):
        if folder not in keep and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # static/images/, emptied of the example's photo
    return removed


def _write(path: Path, text: str) -> None:
    """Replace a file in one step, or make it."""
    if path.is_file():
        write_atomically(path, text.encode("utf-8"), mode=path.stat().st_mode & 0o7777)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as file:
            file.write(text)


def _report(removed: list[str], kept: list[str]) -> list[str]:
    """What was done, and what to do next, a line each."""
    publications = sum(1 for relative in removed if relative.startswith(PUBLICATIONS))
    others = [relative for relative in removed if not relative.startswith(PUBLICATIONS)]
    gone = ([plural(publications, "publication")] if publications else []) + others
    lines = [f"wrote {SITE_FILE} with your name, {BIO} (a placeholder bio) and {COAUTHORS}"]
    if gone:
        lines.append(f"removed the example's {_listed(gone)}")
    if kept:
        lines.append(f"kept {plural(len(kept), 'file')} of yours in content/ and static/")
    lines.append(f"next: write your bio in {BIO}, add publications (python build.py import "
                 "FILE.bib, or python build.py new publication), then python build.py serve")
    return lines


def _listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)
