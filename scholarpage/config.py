"""site.yml -> Site, with the checks that need the project's folders (theme, output, photo)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path, PureWindowsPath

import yaml

from . import model
from .files import places_in, read_text
from .metadata import host_and_port, is_domain_name, slugify
from .problems import Problems, did_you_mean
from .schema import Reader, one_line, read_record, report_required_unless, valid
from .yamlfile import YamlDoc, field_node, parse_yaml

SITE_FILE = "site.yml"


@dataclass(frozen=True)
class Project:
    """Where a project's parts live. Paths shown to users are relative to `root`."""

    root: Path

    @property
    def site_file(self) -> Path:
        return self.root / SITE_FILE

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def themes(self) -> Path:
        return self.root / "themes"

    @property
    def override_templates(self) -> Path:
        return self.root / "templates"

    @property
    def override_static(self) -> Path:
        return self.root / "static"

    def theme(self, name: str) -> Path:
        return self.themes / name

    def relative(self, path: Path | str) -> str:
        text, root = str(path), str(self.root)
        if text.startswith(root) and text[len(root):len(root) + 1] == os.sep:  # the common case, fast
            return text[len(root) + 1:].replace(os.sep, "/")
        path = Path(path)
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def watched(self) -> list[Path]:
        """Everything a build reads: what the dev server watches."""
        return [self.site_file, self.content, self.themes,
                self.override_templates, self.override_static]


def missing_site_file(project: Project) -> str:
    """Why the project has no site.yml to read, said the same by every command; '' if it has."""
    if project.site_file.exists():
        return ""
    if not project.root.is_dir():
        return f"not found: there is no folder {project.root}"
    return f"not found: run this in the folder that holds {SITE_FILE} (or give --root FOLDER)"


def load_site(project: Project, problems: Problems, replacing_output: bool = False) -> model.Site | None:
    """Read and check site.yml; None when it cannot be used."""
    path = project.relative(project.site_file)
    missing = missing_site_file(project)
    if missing:
        problems.error(path, 0, 0, missing)
        return None
    text = read_text(project.site_file, path, problems)
    doc = parse_yaml(text, path, problems) if text is not None else None
    if doc is None:
        return None
    if doc.root is None:
        problems.error(path, 1, 1, "is empty: it needs at least 'title' and 'owner'")
        return None
    reader = Reader(doc, problems)
    site = read_record(model.Site, doc.root, reader)
    if not valid(site):
        return None
    taken = theme_ids(project, site.theme)
    site = replace(site, sections=_sections_with_ids(site.sections, taken, doc, reader),
                   owner=replace(site.owner, links=_placed(site.owner.links, doc)),
                   theme_ids=tuple(taken.items()),
                   url_place=_place(doc, field_node(doc.root, "url")))
    for section, node in zip(site.sections, _section_nodes(doc)):  # the defaults need none
        report_required_unless(section, node, reader)
    _check_folders(site, project, doc, reader, replacing_output)
    _check_port(site, doc, problems)
    return site


def _place(doc: YamlDoc, node) -> tuple[int, int]:
    return doc.where(node) if node is not None else (0, 0)


def site_url(text: str) -> str:
    """`text` as site.yml's url must be, ending in '/' (GitHub Pages gives its address without
    one: https://user.github.io/my.site is a folder); '' stays ''. ValueError saying what a url
    must be, by site.yml's own rule, when it is not one."""
    url = text if not text or text.endswith("/") else text + "/"
    kind = next(field.metadata["kind"] for field in fields(model.Site) if field.name == "url")
    if not re.fullmatch(kind.pattern, url):
        raise ValueError(f"'{one_line(text)}' is not {kind.hint}")
    return url


def _placed(links, doc: YamlDoc) -> tuple:
    """The navbar's links, each with the place of its url in site.yml (read whole: one per node)."""
    nodes = field_node(doc.root, "owner", "links")
    return tuple(replace(link, place=doc.where(field_node(node, "url")))
                 for link, node in zip(links, nodes.value)) if links else links


def _check_port(site: model.Site, doc: YamlDoc, problems: Problems) -> None:
    """Warn of a port in the url of a site on a domain name: GitHub Pages serves sites on
    none, and the build writes no CNAME file for it. (A local address, localhost:8000, is fine.)"""
    host, port = host_and_port(site.url) if site.url else ("", "")
    if port and is_domain_name(host):
        problems.warn(doc.path, *site.url_place,
                      f"url '{site.url}' has a port (:{port}): GitHub Pages serves sites on "
                      "none, and no CNAME file is written for it")


# The home page's template, and what each section is given there: its id, and one made from it.
HOME_TEMPLATE = "index.html"
SECTION_IDS = ("{}", "{}-heading")
# Written out, not an expression; an attribute of its own (not data-id=).
_LITERAL_ID = re.compile(r"""(?<![\w-])id=["']([^"'{}]+)["']""")
_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)  # Jinja's: what it says is not written out
_USED_TEMPLATE = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")


def theme_ids(project: Project, theme: str) -> dict[str, str]:
    """The ids the home page's templates write out themselves ({id: where, as
    'themes/NAME/templates/index.html:34'}): those of HOME_TEMPLATE and of the templates it
    extends, includes or imports, each found as the theme's loader finds it (the project's
    templates/ first). Read from the templates, so a theme or an override declares its ids by
    writing them, and nowhere else."""
    ids: dict[str, str] = {}
    names, seen = [HOME_TEMPLATE], set()
    while names:
        name = names.pop()
        if name in seen:
            continue
        seen.add(name)
        for folder in (project.override_templates, project.theme(theme) / "templates"):
            try:
                text = (folder / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            text = _COMMENT.sub(lambda comment: "\n" * comment[0].count("\n"), text)  # lines kept
            place = places_in(text)
            for found in _LITERAL_ID.finditer(text):
                ids.setdefault(found[1], f"{project.relative(folder / name)}:{place(found.start(1))[0]}")
            names += templates_used_by(text)
            break
    return ids


def templates_used_by(text: str) -> list[str]:
    """The templates a template's `text` extends, includes or imports, by the names it writes
    out (`{% include "partials/x.html" %}`; none in a comment)."""
    return _USED_TEMPLATE.findall(_COMMENT.sub("", text))


def _section_nodes(doc: YamlDoc) -> list:
    """The nodes of site.yml's sections, one per section read; none for the default sections
    (`sections` not given, or left empty)."""
    nodes = field_node(doc.root, "sections")
    return nodes.value if isinstance(nodes, yaml.SequenceNode) else []


def _sections_with_ids(sections, taken: dict[str, str], doc: YamlDoc, reader: Reader):
    """Sections with their anchors and places: each its `id`, or one made from its heading
    that avoids the ids the theme's templates use (`taken`, see theme_ids); an `id` one uses
    is an error."""
    seen, result = set(), []
    nodes = _section_nodes(doc)
    for index, section in enumerate(sections):
        node = nodes[index] if nodes else doc.root
        place = doc.where(field_node(node, "id") if section.id else node) if nodes else (0, 0)
        section_id = section.id or slugify(section.heading) or f"section-{index + 1}"
        clash = _taken_id(section_id, taken)
        if clash and section.id:
            reader.error(field_node(node, "id") or node,
                         f"section id '{section_id}' gives the id '{clash}', which the theme "
                         f"writes itself ({taken[clash]}): choose another")
        elif clash:
            section_id += "-section"
        if section_id in seen:
            reader.error(node, f"two sections have the anchor '{section_id}': give one an 'id'")
        seen.add(section_id)
        result.append(replace(section, id=section_id, place=place,
                              type_places=_type_places(section, node, doc, reader) if nodes else ()))
    return tuple(result)


def _type_places(section: model.Section, node, doc: YamlDoc, reader: Reader) -> tuple:
    """(line, column) of each of a section's `types` in site.yml; a type listed twice is warned of."""
    items = field_node(node, "types")
    items = items.value if isinstance(items, yaml.SequenceNode) else [items] if items is not None else []
    places, first = [], {}
    for kind, item in zip(section.types, items):
        places.append(doc.where(item))
        if kind in first:
            reader.problems.warn(doc.path, *places[-1], f"type '{kind}' is listed twice in this "
                                                        f"section (first on line {first[kind]})")
        first.setdefault(kind, places[-1][0])
    return tuple(places)


def section_ids(section_id: str) -> tuple[str, ...]:
    """The ids a section with this anchor has on the home page (see SECTION_IDS)."""
    return tuple(form.format(section_id) for form in SECTION_IDS)


def _taken_id(section_id: str, taken: dict[str, str]) -> str:
    """The first id of a section with this anchor that is `taken`, or ''."""
    return next((made for made in section_ids(section_id) if made in taken), "")


NO_THEMES = ("no themes/ folder here: copy themes/ from the scholarpage repository, or run "
             "python build.py in your site's folder")


def _check_theme(site: model.Site, project: Project, doc: YamlDoc, reader: Reader) -> None:
    """The theme's templates are there; if not, say where themes come from, or which are there."""
    if (project.theme(site.theme) / "templates").is_dir():
        return
    named = field_node(doc.root, "theme")
    themes = project.themes
    if not themes.is_dir() and named is None:  # site.yml names none: a folder with no themes/
        reader.problems.error(doc.path, 0, 0, NO_THEMES)
    elif not themes.is_dir():
        reader.error(named, f"theme '{site.theme}' not found: {NO_THEMES}")
    else:
        available = sorted(p.name for p in themes.iterdir() if (p / "templates").is_dir())
        hint = did_you_mean(site.theme, available)
        given = "" if named else " (the default: site.yml names no 'theme')"
        reader.error(named or doc.root, f"theme '{site.theme}'{given} not found in themes/{hint} "
                                        f"(available: {', '.join(available) or 'none'})")


def _check_folders(site: model.Site, project: Project, doc: YamlDoc, reader: Reader,
                   replacing_output: bool) -> None:
    """Report a theme, output folder or photo that cannot be used, at its value in site.yml;
    a name the system refuses (too long for a file name) too, as any other problem there."""
    try:
        _check_theme(site, project, doc, reader)
    except OSError as error:
        reader.error(field_node(doc.root, "theme") or doc.root, _refused(site.theme, error))
    checks = {
        ("output",): (site.output, lambda: output_folder_problem(project, site.output, replacing_output)),
        ("owner", "photo"): (site.owner.photo, lambda: _photo_problem(project, site)),
    }
    for keys, (value, problem) in checks.items():
        try:
            reason = problem()
        except OSError as error:
            reason = _refused(value, error)
        if reason:
            reader.error(field_node(doc.root, *keys) or doc.root, reason)


def _refused(name: str, error: OSError) -> str:
    return f"'{name}' cannot be a file's name here: {error.strerror or error}"


def _photo_problem(project: Project, site: model.Site) -> str:
    """What is wrong with the photo's path, or '': it is a file of the site, in static/ or the
    theme's static/, where a link may lead (a file there may be a link to one elsewhere, as any
    static file may: it is copied as it is)."""
    photo = site.owner.photo
    if not photo:
        return ""
    if photo.startswith(("/", "\\")) or PureWindowsPath(photo).drive or ".." in re.split(
            r"[/\\]", photo):
        return (f"photo '{photo}' leads out of static/: give its path inside static/ "
                "('me.jpg' for static/me.jpg)")
    folders = (project.override_static, project.theme(site.theme) / "static")
    if not any((folder / photo).is_file() for folder in folders):
        return f"photo '{photo}' not found in static/ or the theme's static/"
    return ""


# Every build writes this file into its output folder: a folder holding it is an earlier
# build's, to be replaced whole. (Sites built before it was written hold all of EARLIER_BUILD.)
BUILT_MARK = ".built-by-scholarpage"
BUILT_MARK_TEXT = b"Written by python build.py, which replaces this whole folder on every build.\n"
EARLIER_BUILD = ("index.html", "404.html", "robots.txt", "publications.bib")


def output_folder_problem(project: Project, output: str, replaced: bool) -> str:
    """Why `output` cannot be the output folder ('' when it can): it is wiped on every build.

    So it must not hold the project's own folders; and when a build is about to replace it
    (`replaced`), it must not be a file, or a folder of files that no build wrote: it must be
    empty, or an earlier build's (holding BUILT_MARK).
    """
    out = (project.root / output).resolve()
    root = project.root.resolve()
    choose = "choose a folder like _site"
    if root.is_relative_to(out):
        return f"output folder '{output}' contains the project itself: {choose}"
    precious = [project.content, project.themes, project.override_templates,
                project.override_static, root / ".git"]
    for folder in precious:
        folder = folder.resolve()
        if folder.is_relative_to(out) or out.is_relative_to(folder):
            return (f"output folder '{output}' overlaps {project.relative(folder)}/, "
                    f"which holds your files: {choose}")
    if not replaced:
        return ""
    if out.exists() and not out.is_dir():
        return f"output folder '{output}' is a file: {choose}"
    if not out.is_dir() or (out / BUILT_MARK).is_file() or all(
            (out / name).is_file() for name in EARLIER_BUILD):
        return ""
    try:
        mine = sorted(os.listdir(out))
    except OSError as error:  # a folder that cannot be read cannot be replaced either
        return f"output folder '{output}' cannot be read ({error.strerror}): {choose}"
    if mine:
        return (f"output folder '{output}' holds files that no build wrote ({mine[0]}"
                f"{', ...' if len(mine) > 1 else ''}), and each build replaces it whole: "
                f"move them, or {choose}")
    return ""
