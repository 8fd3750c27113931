"""content/ -> the bio page, publications and co-authors: read, validated and ordered.

Each file is read by a pure function of its path and text (`read_publication_file`), so the dev
server can keep the results per file and re-read only what changed.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from . import markup, model
from .config import Project, field_node
from .problems import Problem, Problems, did_you_mean
from .schema import Reader, read_record, read_value, valid
from .yamlfile import parse_yaml, split_front_matter

BIO_FILE = "index.md"
COAUTHORS_FILE = "coauthors.yml"
PUBLICATIONS_DIR = "publications"
PUBLICATION_SUFFIXES = (".yml", ".yaml", ".md")


@dataclass(frozen=True)
class Content:
    bio: model.Page
    publications: tuple[model.Publication, ...]
    coauthors: dict[str, str]


@dataclass(frozen=True)
class FileResult:
    """What one file gave: its records and its problems. Cached by the dev server."""

    records: tuple
    problems: tuple[Problem, ...]


def read_text(path: Path, shown: str, problems: Problems) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problems.error(shown, 0, 0, f"is not UTF-8 text (byte {error.start})")
    except OSError as error:
        problems.error(shown, 0, 0, f"cannot read: {error.strerror}")
    return None


def _front_matter(text: str, shown: str, problems: Problems):
    """(YamlDoc or None, body, body's first line index) of a Markdown file."""
    front, front_line, body, body_line = split_front_matter(text)
    if front is None:
        if text.startswith("---"):
            problems.error(shown, 1, 1, "front matter starts with '---' but has no closing '---'")
        return None, text, 0
    return parse_yaml(front, shown, problems, line_offset=front_line), body, body_line


def read_publication_file(shown: str, text: str) -> FileResult:
    """Publications of one file: a `.yml` mapping or list, or a `.md` whose body is the abstract."""
    problems = Problems()
    records = []
    if shown.endswith(".md"):
        doc, body, _ = _front_matter(text, shown, problems)
        if doc is not None and doc.root is None:
            problems.error(shown, 1, 1, "front matter is empty: it needs title, authors and type")
        elif doc is not None and text.startswith("---"):
            records = _read_entries(doc, [doc.root], Reader(doc, problems), shown)
            if body.strip() and records:
                if records[0].abstract:
                    line, column = doc.where(field_node(doc.root, "abstract"))
                    problems.error(shown, line, column,
                                   "the abstract is given twice: in front matter and as the body")
                    records = []
                else:
                    records = [replace(records[0], abstract=body.strip())]
        elif doc is None and not problems:
            problems.error(shown, 1, 1, "a publication in Markdown starts with '---' front matter")
    else:
        doc = parse_yaml(text, shown, problems)
        if doc is not None and doc.root is not None:
            nodes = doc.root.value if isinstance(doc.root, yaml.SequenceNode) else [doc.root]
            records = _read_entries(doc, nodes, Reader(doc, problems), shown)
        elif doc is not None:
            problems.warn(shown, 0, 0, "is empty: no publication in it")
    records = [replace(pub, abstract_html=_markdown(pub.abstract, text, shown, problems))
               for pub in records]
    return FileResult(tuple(records), tuple(problems.items))


def _markdown(text: str, file_text: str, shown: str, problems: Problems) -> str:
    """Render Markdown once per file read, its unsafe links reported where the file has them."""
    rendered = markup.to_html(text)
    markup.check_links(rendered, file_text, shown, problems)
    return rendered


def _read_entries(doc, nodes, reader: Reader, shown: str) -> list[model.Publication]:
    records = []
    for node in nodes:
        line = doc.where(node)[0]
        publication = read_record(model.Publication, node, reader, source=shown, line=line)
        if valid(publication) and _dates_agree(publication, doc, node, reader):
            records.append(publication)
    return records


def _dates_agree(publication: model.Publication, doc, node, reader: Reader) -> bool:
    if not publication.date:
        return True
    year, month, _ = (int(x) for x in publication.date.split("-"))
    if (publication.year and publication.year != year) or (publication.month and publication.month != month):
        reader.error(field_node(node, "date"), "'date' disagrees with 'year' or 'month': give one or the other")
        return False
    return True


def publication_files(project: Project) -> list[Path]:
    """Publication files in a stable order: sorted by path, hidden and editor files skipped."""
    folder = project.content / PUBLICATIONS_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*")
        if p.suffix in PUBLICATION_SUFFIXES and p.is_file()
        and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
    )


def read_bio(project: Project, problems: Problems) -> model.Page:
    path = project.content / BIO_FILE
    shown = project.relative(path)
    if not path.exists():
        problems.warn(shown, 0, 0, "not found: the page has no bio")
        return model.Page(source=shown)
    text = read_text(path, shown, problems)
    if text is None:
        return model.Page(source=shown)
    doc, body, _ = _front_matter(text, shown, problems)
    page = model.Page()
    if doc is not None and doc.root is not None:
        read = read_record(model.Page, doc.root, Reader(doc, problems))
        page = read if valid(read) else page
    return replace(page, body=body, html=_markdown(body, text, shown, problems), source=shown)


def read_coauthors(project: Project, problems: Problems) -> dict[str, str]:
    path = project.content / COAUTHORS_FILE
    shown = project.relative(path)
    if not path.exists():
        return {}
    text = read_text(path, shown, problems)
    doc = parse_yaml(text, shown, problems) if text is not None else None
    if doc is None or doc.root is None:
        return {}
    return read_value(model.NameMap(), doc.root, Reader(doc, problems), COAUTHORS_FILE) or {}


def check_types(publications, site: model.Site, problems: Problems) -> None:
    """Warn about entries no section will show: they would silently vanish otherwise."""
    shown_types = {t for section in site.sections for t in section.types}
    for pub in publications:
        if pub.type in shown_types:
            continue
        if pub.type in model.KNOWN_TYPES:
            problems.warn(pub.source, pub.line, 1,
                          f"type '{pub.type}' is not shown by any section in site.yml: "
                          f"add a section with types: [{pub.type}]")
        else:
            hint = did_you_mean(pub.type, shown_types | set(model.KNOWN_TYPES))
            problems.warn(pub.source, pub.line, 1,
                          f"unknown publication type '{pub.type}'{hint}; it is not shown")


def check_unique(publications, name: str, what: str, problems: Problems) -> None:
    """Report a given field value (a BibTeX key, a page slug) that two entries share."""
    first: dict[str, model.Publication] = {}
    for pub in publications:
        value = getattr(pub, name)
        if not value:
            continue
        if value in first:
            was = first[value]
            problems.error(pub.source, pub.line, 1,
                           f"{what} '{value}' is also used by {was.source}:{was.line}")
        else:
            first[value] = pub


def publication_order(pub: model.Publication):
    """Newest first; undated after dated; ties by `order`, then file and position."""
    year, month, day = pub.sort_date
    return (year == 0, -year, -month, -day, pub.order, pub.source, pub.line)


def collect(results: list[FileResult], site: model.Site, problems: Problems):
    """Publications of all files, checked together and ordered."""
    publications = []
    for result in results:
        problems.extend(list(result.problems))
        publications.extend(result.records)
    check_types(publications, site, problems)
    check_unique(publications, "bibtex_key", "BibTeX key", problems)
    check_unique(publications, "slug", "slug", problems)
    return tuple(sorted(publications, key=publication_order))


def file_signature(path: Path) -> tuple[int, ...] | None:
    """What saving a file changes: size, times, and the inode for editors that replace it."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def read_publications(project: Project, problems: Problems, cache: dict | None = None) -> list[FileResult]:
    """Every publication file's result.

    With `cache` ({path: (signature, FileResult)}, updated in place), a file whose signature is
    unchanged since the last call is not read again: the dev server keeps one between rebuilds.
    """
    known = cache if cache is not None else {}
    kept = {}
    for path in publication_files(project):
        signature = file_signature(path)
        entry = known.get(path)
        if entry is None or signature is None or entry[0] != signature:
            shown = project.relative(path)
            text = read_text(path, shown, problems)
            if text is None:
                continue
            entry = (signature, read_publication_file(shown, text))
        kept[path] = entry
    known.clear()
    known.update(kept)
    return [result for _, result in kept.values()]


def load_content(project: Project, site: model.Site, problems: Problems,
                 cache: dict | None = None) -> Content:
    """`cache` is read_publications' cache of per-file results."""
    return Content(
        bio=read_bio(project, problems),
        publications=collect(read_publications(project, problems, cache), site, problems),
        coauthors=read_coauthors(project, problems),
    )
