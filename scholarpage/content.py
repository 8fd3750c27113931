"""content/ -> the bio page, publications and co-authors: read, validated and ordered.

Each file is read by a pure function of its path and text (`read_publication_file`), so the dev
server can keep the results per file and re-read only what changed.
"""
from __future__ import annotations

import hashlib
import os
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from itertools import chain

import yaml

from . import bibtex, markup, metadata, model, works
from .config import SITE_FILE, Project, section_ids
from .files import files_under, left_alone, line_start, places_in, read_text, report_unreadable
from .memo import Memo
from .problems import Problem, Problems, did_you_mean
from .schema import Reader, into_the_site, one_line, read_record, read_value, unsafe_url_reason, valid
from .workers import fork_map
from .yamlfile import field_node, parse_yaml, split_front_matter, value_nodes

BIO_FILE = "index.md"
COAUTHORS_FILE = "coauthors.yml"
PUBLICATIONS_DIR = "publications"
PUBLICATION_SUFFIXES = (".yml", ".yaml", ".md")


@dataclass(frozen=True)
class Content:
    """Everything read from content/: the bio, the publications (newest first), the
    co-authors' homepages by name (see read_coauthors), and the publications' keys."""

    bio: model.Page
    publications: tuple[model.Publication, ...]
    coauthors: dict[str, str]
    keys: dict[int, str]  # each publication's BibTeX key, by id(): see bibtex.assign_keys
    # The co-authors' homepages that lead into the site, and the file they are written in.
    coauthor_links: tuple[model.SiteLink, ...] = ()
    coauthors_source: str = ""
    # (file, url, line, column) of the links into the site of the entries refused (FileResult).
    refused_links: tuple = ()


@dataclass(frozen=True)
class FileResult:
    """What one file gave: its records and its problems. Cached by the dev server."""

    records: tuple
    problems: tuple[Problem, ...]
    digest: str = ""  # text_digest of the file: what the result is kept under
    # Whether a record's text gives ids: the build looks at those records alone, and at no
    # record of a file that gives none, as nearly every file (see check_content_ids).
    gives_ids: bool = False
    # Of the entries refused for their other problems, so that one run tells all: (file, type,
    # line, column) of each that gives a type, checked too (see collect), and (file, url, line,
    # column) of their links into the site (see render.report_links_without_scheme).
    refused_types: tuple = ()
    refused_links: tuple = ()


def text_digest(shown: str, text: str) -> str:
    """What a file's result is cached under: its path as shown and its text."""
    return hashlib.blake2b(f"{shown}\0{text}".encode(errors="surrogateescape"),  # a name not in UTF-8
                           digest_size=16).hexdigest()


def _front_matter(text: str, shown: str, problems: Problems):
    """(YamlDoc or None, body, body's first line index) of a Markdown file."""
    front, front_line, body, body_line = split_front_matter(text)
    if front is None:
        if text.startswith("---"):
            problems.error(shown, 1, 1, "front matter starts with '---' but has no closing '---'")
        return None, text, 0
    return parse_yaml(front, shown, problems, line_offset=front_line), body, body_line


def read_publication_file(shown: str, text: str, digest: str | None = None) -> FileResult:
    """Publications of one file: a `.yml` mapping or list, or a `.md` whose body is the abstract.

    `digest` is text_digest(shown, text), if the caller has it already.
    """
    problems = Problems()
    records, refused_types, refused_links = [], [], []
    if shown.endswith(".md"):
        doc, body, body_line = _front_matter(text, shown, problems)
        if doc is not None and doc.root is None:
            problems.error(shown, 1, 1, "front matter is empty: it needs title, authors and type")
        elif doc is not None and text.startswith("---"):
            records = _read_entries(doc, [doc.root], Reader(doc, problems), text, refused_types, refused_links)
            if body.strip() and records:
                if records[0][0].abstract:
                    line, column = doc.where(field_node(doc.root, "abstract"))
                    problems.error(shown, line, column,
                                   "the abstract is given twice: in front matter and as the body")
                    records = []
                else:
                    pub, _, site_links = records[0]
                    records = [(replace(pub, abstract=body.strip()), _body_span(text, body_line),
                                site_links)]
            elif body.strip():  # the entry was refused: its body is checked all the same
                refused_links += [(shown, *link) for link in _markdown(
                    body.strip(), text, _body_span(text, body_line), shown, problems)[1]]
        elif doc is None and not problems:
            problems.error(shown, 1, 1, "a publication in Markdown starts with '---' front matter")
    else:
        doc = parse_yaml(text, shown, problems)
        nodes = (doc.root.value if isinstance(doc.root, yaml.SequenceNode) else [doc.root]) \
            if doc is not None and doc.root is not None else []
        if nodes:
            records = _read_entries(doc, nodes, Reader(doc, problems), text, refused_types, refused_links)
        elif doc is not None:
            problems.warn(shown, 0, 0, "is empty: no publication in it")
    digest = digest or text_digest(shown, text)
    records = [_completed(pub, *_markdown(pub.abstract, text, span, shown, problems),
                          site_links, f"{digest}.{index}")
               for index, (pub, span, site_links) in enumerate(records)]
    return FileResult(tuple(records), tuple(problems.items), digest,
                      any(pub.written_ids for pub in records), tuple(refused_types), tuple(refused_links))


def _completed(pub: model.Publication, abstract_html: str, abstract_links: tuple,
               abstract_ids: tuple, link_sites: tuple, digest: str) -> model.Publication:
    """A publication read from its file, with what the engine derives from it (its links into
    the site: those of `links`, then its abstract's)."""
    pub = _unbraced(pub)
    return replace(pub, abstract_html=abstract_html, site_links=link_sites + abstract_links,
                   written_ids=abstract_ids, digest=digest, made_key=bibtex.default_key(pub),
                   made_slug=metadata.default_slug(pub), work_keys=works.work_keys(pub))


def _unbraced(pub: model.Publication) -> model.Publication:
    """`pub` with its authors in braces, '{Google Research}', as shown and kept as organizations."""
    organizations = tuple(name for name in map(model.organization, pub.authors) if name)
    if not organizations:
        return pub
    authors = tuple(model.organization(author) or author for author in pub.authors)
    return replace(pub, authors=authors, organizations=organizations)


def _markdown(text: str, file_text: str, span: markup.Span, shown: str, problems: Problems):
    """(HTML, its links into the site as model.SiteLink, its ids as model.WrittenId) of
    Markdown written in `file_text` within `span`, rendered once per file read: each link and
    id found where the file has it, an unsafe link reported there, each URL made valid (see
    metadata.valid_url), and each id checked (see _written_ids)."""
    if markup.holds_refused(file_text[span[0]:span[2]]):  # in YAML, refused where it is read too
        _report_refused(file_text, span, shown, problems)
    rendered = markup.to_html(text)
    heads = list(markup.HEAD_ELEMENT.finditer(rendered)) if "<" in text else []  # raw HTML in it
    if heads:
        _report_head_elements(heads, file_text, span, shown, problems)
    links, ids = markup.links_and_ids(rendered)
    site_links, made_valid = [], []
    for start, end, url, line, column in markup.placed_links(rendered, file_text, span, links):
        reason = unsafe_url_reason(url)
        if reason:
            problems.error(shown, line, column, f"link '{one_line(url)}' {reason}")
            continue
        if into_the_site(url) or url.startswith("#"):  # '#x': see check_fragment_links
            site_links.append((url, line, column))
        valid = metadata.valid_url(url)
        if valid != url:
            made_valid.append((start, end, valid))
    html = markup.with_urls(rendered, made_valid) if made_valid else rendered
    ids = _written_ids(rendered, ids, file_text, span, shown, problems) if ids else ()
    return html, tuple(site_links), ids


def _report_refused(file_text: str, span: markup.Span, shown: str, problems: Problems) -> None:
    """Report each character no page may show (see markup.REFUSED_CHARACTER) in a text written
    in `file_text` within `span`, where the file has it."""
    place = places_in(file_text)
    for refused in markup.REFUSED_CHARACTER.finditer(file_text, span[0], span[2]):
        code = ord(refused[0])
        problems.error(shown, *place(refused.start()), f"holds the "
                       f"{markup.character_kind(code)} U+{code:04X}, which no page may show: remove it")


def _report_head_elements(heads: list, file_text: str, span: markup.Span, shown: str,
                          problems: Problems) -> None:
    """Report each element of a page's head in a text's HTML (see markup.HEAD_ELEMENT), where
    the file has it: not in a code span (`<meta ...>`), where it is text."""
    written = [found.start() for found in markup.HEAD_ELEMENT.finditer(file_text, span[0], span[2])
               if file_text.count("`", file_text.rfind("\n", 0, found.start()) + 1, found.start()) % 2 == 0]
    place = places_in(file_text)
    for number, head in enumerate(heads):
        where = place(written[number] if number < len(written) else span[0])
        problems.error(shown, *where, f"<{head[1].lower()}> belongs in a page's head, which the "
                                      "theme writes: remove it")


def _written_ids(rendered: str, ids: list, file_text: str, span: markup.Span, shown: str,
                 problems: Problems) -> tuple:
    """The ids of a text's HTML (model.WrittenId) that the page it is on must not have twice
    (see check_content_ids): all but those of its footnotes, which are the text's alone once
    placed (see markup.unique_footnotes). One that is no valid id, or that the text gives
    twice, is reported: at the second, or, for a footnote's, at the first (the one the owner
    wrote: Markdown's own are placed after it)."""
    kept, first = [], {}
    for (start, _, _), (value, line, column) in zip(ids, markup.placed_ids(rendered, ids, file_text, span)):
        footnotes = markup.is_footnote_id(rendered, start)
        if not value or any(space in value for space in "\t\n\f\r "):
            problems.error(shown, line, column, f"id '{one_line(value)}' " + (
                "holds a space: an id is one word" if value else "is empty: give one, or no id"))
        elif footnotes and (footnotes, value) in first:
            problems.error(shown, *first[footnotes, value], f"id '{value}' is given twice in "
                           "this text: choose another (Markdown gives each footnote the ids fn:N "
                           "and fnref:N)")
        elif (footnotes, value) in first:
            problems.error(shown, line, column, f"id '{value}' is given twice in this text "
                           "(first at {}:{}): choose another".format(*first[footnotes, value]))
        else:
            first[footnotes, value] = (line, column)
            if not footnotes:
                kept.append((value, line, column))
    return tuple(kept)


def _body_span(text: str, body_line: int) -> markup.Span:
    """Where the body of a Markdown file starts (its line `body_line`, from 0) and ends."""
    return line_start(text, body_line + 1), body_line + 1, len(text)


def _read_entries(doc, nodes, reader: Reader, text: str, refused_types: list,
                  refused_links: list) -> list[tuple]:
    """The valid publications of `nodes` in the file's `text`, each with its abstract's span and
    its links into the site (see _site_links). Of each other one, the fields that were right
    are checked all the same, its (file, type, line, column) go into `refused_types` if it
    gives a type, and (file, url, line, column) of its links into the site into `refused_links`."""
    records = []
    start = line_start(text, doc.line_offset + 1)  # of the YAML in the file (front matter's)
    for node in nodes:
        line, fields, given = doc.where(node)[0], {}, value_nodes(node)
        publication = read_record(model.Publication, node, reader, fields, source=doc.path, line=line,
                                  type_place=_field_place(doc, given.get("type"), line),
                                  key_place=_field_place(doc, given.get("bibtex_key"), line),
                                  slug_place=_field_place(doc, given.get("slug"), line))
        abstract = given.get("abstract") or node
        span = (start + abstract.start_mark.index, doc.where(abstract)[0], start + abstract.end_mark.index)
        if valid(publication) and _dates_agree(publication.date, publication.year,
                                               publication.month, doc, node, reader):
            publication = _venue_once(publication, doc, node, reader)
            records.append((publication, span, _site_links(publication.links, doc, given.get("links"))))
        else:
            if valid(publication):
                fields = {name: getattr(publication, name) for name in ("abstract", "links")}
            else:
                _dates_agree(fields.get("date"), fields.get("year"), fields.get("month"), doc, node, reader)
            links = _site_links(fields.get("links", ()), doc, given.get("links"))
            if fields.get("abstract"):
                links += _markdown(fields["abstract"], text, span, doc.path, reader.problems)[1]
            refused_links += [(doc.path, *link) for link in links]
            kind = given.get("type")  # one that is no type was told already
            if isinstance(kind, yaml.ScalarNode) and kind.tag.endswith(":str") \
                    and re.match(model.TYPE_PATTERN, kind.value):
                refused_types.append((doc.path, kind.value, *doc.where(kind)))
    return records


def _field_place(doc, value, line: int) -> tuple[int, int]:
    """(line, column) of the `value` node of an entry's field, or of the entry's `line` if it
    gives none (None): where a problem with the field, or with what is made in its place, is
    shown."""
    return doc.where(value) if value is not None else (line, 1)


def _site_links(links: tuple, doc, mapping) -> tuple:
    """Of a publication's `links` (read from the node `mapping`), those that lead into the site,
    with their places (model.SiteLink); 'arxiv: 2303.18232' is not one: it is made a link to
    arXiv."""
    urls = {link.url for link in links}
    return tuple((value.value, *doc.where(value)) for _, value in (
        mapping.value if isinstance(mapping, yaml.MappingNode) else ())
        if isinstance(value, yaml.ScalarNode) and value.value in urls and into_the_site(value.value))


def _dates_agree(date: str | None, given_year: int | None, given_month: int | None, doc, node,
                 reader: Reader) -> bool:
    """Whether `date` is a day of the calendar, of the year and month given if any."""
    if not date:
        return True
    import datetime  # PyYAML has imported it already

    year, month, day = (int(x) for x in date.split("-"))
    try:
        datetime.date(year, month, day)
    except ValueError as error:  # "month must be in 1..12", "day is out of range for month"
        reader.error(field_node(node, "date"), f"'date' {date} is not a day: {error}")
        return False
    if (given_year and given_year != year) or (given_month and given_month != month):
        reader.error(field_node(node, "date"), "'date' disagrees with 'year' or 'month': give one or the other")
        return False
    return True


def same_venue(one: str, other: str) -> bool:
    """Whether two venues are one name, whatever their case and spacing."""
    return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()


def _venue_once(publication: model.Publication, doc, node, reader: Reader) -> model.Publication:
    """`publication`, its venue named once: a `venue_full` that is its `venue` again would show
    as 'Nature (Nature)', so it is left out, with a warning at it."""
    if not (publication.venue and publication.venue_full
            and same_venue(publication.venue, publication.venue_full)):
        return publication
    line, column = doc.where(field_node(node, "venue_full"))
    reader.problems.warn(doc.path, line, column, "'venue_full' repeats 'venue': the page names "
                         "the venue once; keep one of them")
    return replace(publication, venue_full="")


def publication_files(project: Project, problems: Problems) -> list[str]:
    """Publication files in a stable order: sorted by path, hidden and editor files skipped,
    through symbolic links; a link that leads nowhere or in a loop is reported to `problems`,
    and so is a file where the folder should be: what it holds would be left out unseen."""
    folder = project.content / PUBLICATIONS_DIR
    found, broken = files_under(folder, left_alone)
    for path, error in broken:
        report_unreadable(path, project.relative(path), error, problems)
    if not found and folder.is_file():
        problems.error(project.relative(folder), 0, 0, "is a file, not a folder: publications are "
                       "the .yml and .md files in a folder of this name")
    files = [path for parts, path in found if parts[-1].endswith(PUBLICATION_SUFFIXES)]
    for parts, path in found if len(files) < len(found) else ():
        if not parts[-1].endswith(PUBLICATION_SUFFIXES):
            problems.warn(project.relative(path), 0, 0,
                          f"not read: a publication is a .yml or .md file {_KEEP_UNREAD}")
    return files


_KEEP_UNREAD = "(a name starting with '_' keeps a file here unread)"


def report_unread_content(project: Project, problems: Problems) -> None:
    """Warn of what content/ holds that the build never reads (a bio in content/bio.md, a
    folder of publications by another name): it would be left out unseen."""
    try:
        names = sorted(os.listdir(project.content))
    except OSError:  # no content/ folder: each file the build needs is reported missing
        return
    for name in names:
        if name not in (BIO_FILE, COAUTHORS_FILE, PUBLICATIONS_DIR) and not left_alone(name):
            problems.warn(project.relative(project.content / name), 0, 0,
                          f"not read: content/ holds {BIO_FILE} (the bio), {COAUTHORS_FILE} and "
                          f"{PUBLICATIONS_DIR}/ {_KEEP_UNREAD}")


def read_bio(project: Project, problems: Problems, parsed: Memo | None = None) -> model.Page:
    """The bio page; with `parsed`, taken from there when its text was read before."""
    path = project.content / BIO_FILE
    shown = project.relative(path)
    if not path.exists():
        problems.warn(shown, 0, 0, "not found: the page has no bio")
        return model.Page(source=shown)
    text = read_text(path, shown, problems)
    if text is None:
        return model.Page(source=shown)
    memo = parsed if parsed is not None else Memo()
    result = memo.make(text_digest(shown, text), lambda: read_bio_file(shown, text))
    problems.extend(list(result.problems))
    return result.records[0]


def read_bio_file(shown: str, text: str) -> FileResult:
    """The bio page of a file's text, as the one record of the result."""
    problems = Problems()
    doc, body, body_line = _front_matter(text, shown, problems)
    page = model.Page()
    if doc is not None and doc.root is not None:
        read = read_record(model.Page, doc.root, Reader(doc, problems))
        page = read if valid(read) else page
    html, site_links, ids = _markdown(body, text, _body_span(text, body_line), shown, problems)
    if not body.strip() and not problems.errors:
        problems.warn(shown, 0, 0, "is empty: the page has no bio")
    page = replace(page, body=body, html=html, source=shown, site_links=site_links, written_ids=ids)
    return FileResult((page,), tuple(problems.items), text_digest(shown, text))


def read_coauthors(project: Project, problems: Problems, publications=()) -> tuple[dict[str, str], tuple]:
    """(each co-author's homepage, by their name as names are compared (metadata.name_key);
    those homepages that lead into the site, with their places: model.SiteLink). A name that is
    no author of the `publications` but looks like one is warned of: a typo there hides a link."""
    path = project.content / COAUTHORS_FILE
    shown = project.relative(path)
    if not path.exists():
        return {}, ()
    text = read_text(path, shown, problems)
    doc = parse_yaml(text, shown, problems) if text is not None else None
    if doc is None or doc.root is None:
        return {}, ()
    homepages = read_value(model.NameMap(), doc.root, Reader(doc, problems), COAUTHORS_FILE) or {}
    _report_names_of_no_author(doc, homepages, publications, problems)
    urls = set(homepages.values())
    site_links = tuple((value.value, *doc.where(value)) for _, value in (
        doc.root.value if isinstance(doc.root, yaml.MappingNode) else ())
        if isinstance(value, yaml.ScalarNode) and value.value in urls and into_the_site(value.value))
    return {metadata.name_key(name): url for name, url in homepages.items()}, site_links


def _report_names_of_no_author(doc, homepages: dict[str, str], publications, problems: Problems) -> None:
    """Warn of a name of coauthors.yml that no publication's author has, as names are compared,
    when an author's is much like it ('Maria Garcia' for 'María García', 'Kate Saenk'): one like
    none may be there for papers to come. Names written as an author has them cost a set; an
    other is compared with the authors whose family name starts alike, not with all of them
    (a site of 10,000 publications has 20,000 names)."""
    authors = {author for pub in publications for author in pub.authors}
    unknown = [name for name in homepages if name not in authors]
    if not unknown:
        return
    alike = defaultdict(list)
    for author in authors:
        alike[_family_start(author)].append(author)
    places = {" ".join(key.value.split()): doc.where(key) for key, _ in doc.root.value
              if isinstance(key, yaml.ScalarNode)}  # the names as read (see NameMap)
    for name in unknown:
        near = alike.get(_family_start(name), [])
        key = metadata.name_key(name)
        if any(metadata.name_key(author) == key for author in near):  # linked: the same name
            continue
        folded = {metadata.fold(author): author for author in near}
        hint = did_you_mean(metadata.fold(name), folded, folded, cutoff=0.85)
        if hint:
            problems.warn(doc.path, *places.get(name, (0, 0)), f"'{name}' is the name of no "
                          f"author of a publication{hint}: its homepage is not linked")


def _family_start(name: str) -> str:
    """The first letters of a name's last word, as spelt (see metadata.fold)."""
    return metadata.fold(name.rsplit(None, 1)[-1][:4])[:3] if name.strip() else ""


def check_types(publications, site: model.Site, problems: Problems, refused=()) -> None:
    """Report entries no section lists (see Site.lists), at their `type`: they would silently
    vanish otherwise. A type no section names and the engine does not know is an error (a typo
    would take the entry off the site); a known one, say `talk`, only a warning. Of the
    entries `refused` for other problems ((source, type, line, column)), a type no section
    names and the engine does not know is reported too."""
    section_types = site.section_types
    for pub in publications:
        if site.lists(pub):
            continue
        if pub.type in section_types:  # only `selected` sections name it
            problems.warn(pub.source, *pub.type_place,
                          f"type '{pub.type}' is listed only by selected sections in site.yml, "
                          "and this entry is not selected: it is not shown (add selected: true, or a "
                          f"section with types: [{pub.type}])")
        elif pub.type in model.KNOWN_TYPES:
            problems.warn(pub.source, *pub.type_place,
                          f"type '{pub.type}' is not shown by any section in site.yml: "
                          f"add a section with types: [{pub.type}]")
        else:
            _unknown_type(pub.source, pub.type, pub.type_place, section_types, problems)
    for source, kind, line, column in refused:
        if kind not in section_types and kind not in model.KNOWN_TYPES:
            _unknown_type(source, kind, (line, column), section_types, problems)
    given = {pub.type for pub in publications} | {kind for _, kind, _, _ in refused}
    for section in site.sections:  # a typo there takes the section off the page, unseen
        for kind, place in zip(section.types, section.type_places):
            if kind not in given and kind not in model.KNOWN_TYPES:
                hint = did_you_mean(kind, given | set(model.KNOWN_TYPES))
                problems.warn(SITE_FILE, *place, f"section '{section.heading}' lists type '{kind}', "
                                                 f"which no publication gives and the engine does not know{hint}")


def _unknown_type(source: str, kind: str, place: tuple[int, int], section_types, problems: Problems) -> None:
    hint = did_you_mean(kind, section_types | set(model.KNOWN_TYPES))
    problems.error(source, *place, f"unknown publication type '{kind}'{hint}: give a type a "
                   f"section of site.yml lists, or add a section with types: [{kind}]")


def check_unique(publications, name: str, what: str, problems: Problems) -> None:
    """Report a given field value (a BibTeX key, a page slug) that two entries share, at the
    second's field (its `key_place`, `slug_place`), naming the first's."""
    first: dict[str, model.Publication] = {}
    place = {"bibtex_key": "key_place", "slug": "slug_place"}[name]
    for pub in publications:
        value = getattr(pub, name)
        if not value:
            continue
        if value in first:
            was = first[value]
            problems.error(pub.source, *getattr(pub, place),
                           f"{what} '{value}' is also used by {was.source}:{getattr(was, place)[0]}")
        else:
            first[value] = pub


def check_listed_once(publications, problems: Problems) -> None:
    """Warn of a publication that evidently is an earlier one listed again (see
    works.listed_twice), at its entry, naming the first. Only those sharing one of their
    work_keys are compared: for 10,000 publications, none alike, it takes a set of their keys
    (2 to 4 ms, about twice check_unique's time)."""
    keys = [pub.work_keys or works.work_keys(pub) for pub in publications]  # made when read, if read
    if len(set(chain.from_iterable(keys))) == sum(map(len, keys)):  # as nearly always: done
        return
    shared = {key for key, count in Counter(chain.from_iterable(keys)).items() if count > 1}
    earlier: dict[tuple, list] = defaultdict(list)  # by key shared: (entry, its keys) so far
    for pub, its_keys in zip(publications, keys):
        if shared.isdisjoint(its_keys):
            continue
        found = next(((was, why) for key in its_keys for was, was_keys in earlier.get(key, ())
                      if (why := works.listed_twice(was_keys, its_keys))), None)
        if found:
            was, why = found
            problems.warn(pub.source, pub.line, 1, f"same work as {was.source}:{was.line} ({why}): "
                                                   "listed twice")
        for key in shared.intersection(its_keys):
            earlier[key].append((pub, its_keys))


def check_home_page_ids(publications, keys: dict[int, str], site: model.Site,
                        problems: Problems) -> None:
    """Report a listed publication whose key, the id of its item on the home page, is an id
    the page has already: that of a section listing a publication (the home page shows no
    other, see config.section_ids), or one the theme's templates write (Site.theme_ids). The
    page would hold two elements of that id, and a link to it would lead to the first. At its
    `bibtex_key`, or if it gives none (a made key), at the entry; in file order."""
    sections = {made: section for section in site.sections for made in section_ids(section.id)}
    theme = dict(site.theme_ids)
    taken = sections.keys() | theme.keys()
    alike = {number for number, key in keys.items() if key in taken}  # ids of publications
    if not alike:  # as nearly always: done (which sections are shown takes 30 ms at 10,000)
        return
    listed, shown = _listed_and_shown(site, publications)
    sections = {made: section for made, section in sections.items() if section.id in shown}
    clashing = [pub for pub in listed if id(pub) in alike]
    for pub in sorted(clashing, key=lambda pub: (pub.source, pub.line)):
        key = keys[id(pub)]
        if key not in sections and key not in theme:
            continue
        made = "" if pub.bibtex_key else ", made from the first author, year and title,"
        other_key = f"this publication {'another' if pub.bibtex_key else 'a'} 'bibtex_key'"
        if key not in sections:
            message = f"is also an id the theme writes on the home page ({theme[key]}): give {other_key}"
        elif sections[key].place[0]:
            section = sections[key]
            message = (f"is also an id of the section '{section.heading}' ({SITE_FILE}:"
                       f"{section.place[0]}:{section.place[1]}) on the home page: give the "
                       f"section another 'id' in {SITE_FILE}, or {other_key}")
        else:
            message = (f"is also an id of the section '{sections[key].heading}' on the home page "
                       f"(one of the sections shown when {SITE_FILE} gives none): give "
                       f"{other_key}, or write the sections in {SITE_FILE} and give that one "
                       "another 'id'")
        problems.error(pub.source, *pub.key_place, f"BibTeX key '{key}'{made} {message}")


def check_content_ids(bio: model.Page, texts, publications, keys: dict[int, str],
                      site: model.Site, problems: Problems) -> None:
    """Report an id written in the bio or in the abstract of a listed publication (`texts`:
    the publications whose abstracts give ids, see _written_ids) that the home page, which
    shows them all, has already: that of a section shown, one the theme's templates write
    (Site.theme_ids), a publication's item's (its BibTeX key), or one written in a text before
    it; or one in an abstract the page shows twice (two sections list its publication). In
    file order."""
    if not bio.written_ids and not texts:  # as nearly always: done
        return
    listed = [pub for pub in publications if site.lists(pub)]
    sections = {id(pub): [section for section in site.sections if site.listed_in(section, pub)]
                for pub in listed}
    taken = _home_page_ids(site, {section.id for shown in sections.values() for section in shown})
    for pub in listed:
        taken.setdefault(keys[id(pub)], f"the id of the publication {pub.source}:{pub.line} on "
                                        "the home page (its BibTeX key)")
    texts = sorted((pub for pub in texts if id(pub) in sections), key=lambda pub: (pub.source, pub.line))
    for source, ids, shown in [(bio.source, bio.written_ids, ()),
                               *((pub.source, pub.written_ids, sections[id(pub)]) for pub in texts)]:
        times = "twice" if len(shown) == 2 else f"{len(shown)} times"
        headings = ", ".join(f"'{section.heading}'" for section in shown)
        for value, line, column in ids if len(shown) > 1 else ():
            problems.error(source, line, column, f"id '{value}' would be on the home page {times}: "
                           f"this abstract is shown in each section that lists its publication "
                           f"({headings}), so it can give no id")
        for value, line, column in ids:
            if value in taken:
                problems.error(source, line, column, f"id '{value}' is also {taken[value]}: choose another")
            else:
                taken[value] = f"given at {source}:{line}:{column}, on the same page"


# Where Markdown's footnote links lead: fn:1, and back to fnref:1 (fnref2:1 for a second use).
_FOOTNOTE_LINK = re.compile(r"fn(ref\d*)?:")


def check_fragment_links(bio: model.Page, publications, keys: dict[int, str], site: model.Site,
                         problems: Problems) -> None:
    """Warn of a link in the bio or an abstract to an id (`#x`) the home page does not have: a
    text is written as for the home page, where every text is placed (on a publication's page
    such a link leads there, see markup.rebase_links). An id of the text itself, a footnote's,
    and the page's top (`#top`) need no other."""
    texts = [text for text in (bio, *publications)
             if any(url.startswith("#") for url, _, _ in text.site_links)]
    if not texts:  # as nearly always: done
        return
    from urllib.parse import unquote

    listed, shown = _listed_and_shown(site, publications)
    ids = set(_home_page_ids(site, shown)) | {keys[id(pub)] for pub in listed}
    ids |= {value for text in (bio, *listed) for value, _, _ in text.written_ids}
    for text in texts:
        own = {value for value, _, _ in text.written_ids}
        for url, line, column in text.site_links:
            wanted = unquote(url[1:]) if url.startswith("#") else None
            if (wanted is None or wanted in ids or wanted in own or wanted.lower() in ("", "top")
                    or _FOOTNOTE_LINK.match(wanted)):  # a footnote's: the text's own
                continue
            problems.warn(text.source, line, column, f"link '{one_line(url)}' leads to no id of "
                          f"the home page{did_you_mean(wanted, ids)}: an id there is a section's, "
                          "a publication's BibTeX key, or one written in the bio or an abstract")


def _listed_and_shown(site: model.Site, publications) -> tuple[list, set[str]]:
    """(the publications some section lists, the ids of the sections listing one): what the
    home page shows (30 ms at 10,000: worked out only when a check needs it)."""
    listed = [pub for pub in publications if site.lists(pub)]
    return listed, {section.id for section in site.sections
                    if any(site.listed_in(section, pub) for pub in listed)}


def _home_page_ids(site: model.Site, shown: set[str]) -> dict[str, str]:
    """{id: what has it} for the ids of the home page that the sections (those of `shown`) and
    the theme's templates give."""
    taken = {}
    for section in site.sections:
        if section.id not in shown:
            continue
        where = (f"({SITE_FILE}:{section.place[0]}:{section.place[1]})" if section.place[0] else
                 f"(one of the sections shown when {SITE_FILE} gives none)")
        for made in section_ids(section.id):
            taken[made] = f"an id of the section '{section.heading}' {where} on the home page"
    for theme_id, where in site.theme_ids:
        taken.setdefault(theme_id, f"an id the theme writes on the home page ({where})")
    return taken


def publication_order(pub: model.Publication):
    """Newest first; undated after dated; ties by `order`, then file and position."""
    year, month, day = pub.sort_date
    return (year == 0, -year, -month, -day, pub.order, pub.source, pub.line)


def collect(results: list[FileResult], site: model.Site | None, problems: Problems):
    """Publications of all files, checked together and ordered; without a site (site.yml
    has errors), the types are not checked."""
    publications, refused = [], []
    for result in results:
        problems.extend(list(result.problems))
        publications.extend(result.records)
        refused += result.refused_types
    if site is not None:
        check_types(publications, site, problems, refused)
    check_unique(publications, "bibtex_key", "BibTeX key", problems)
    check_unique(publications, "slug", "slug", problems)
    check_listed_once(publications, problems)
    return tuple(sorted(publications, key=publication_order))


# A file changed this recently may change again within its timestamp's resolution (a second or
# two on some file systems) without its signature changing: it is read again next time. Its
# ctime says when it changed even if its mtime was set back (cp -p, tar, rsync -t do that).
SETTLED_NS = 2_000_000_000


def file_signature(path: str) -> tuple[int, int, int, int] | None:
    """What saving a file changes: size, times, and the inode for editors that replace it."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def _changed_at(signature: tuple[int, int, int, int]) -> int:
    """When a file last changed: its mtime, or its ctime if that is later."""
    return max(signature[1], signature[2])


def read_publications(project: Project, problems: Problems, cache: dict | None = None,
                      parsed: Memo | None = None, workers: int = 1,
                      signatures: dict | None = None, meanwhile=None) -> list[FileResult]:
    """Every publication file's result.

    With `cache` ({path as text: FileResult}, updated in place), a file read by an earlier call
    is not read again: the dev server keeps one between rebuilds and drops from it the files
    its watcher saw change (see memo.BuildCache.forget), so a rebuild reads only those.
    With `parsed` (results by text digest), a file whose text was parsed before is not parsed
    again, and with `signatures` ({path as text: (file_signature, digest)}, updated in place)
    a file whose signature is as noted is not even read: the build cache on disk keeps both.
    With `workers` above 1, many files are read and parsed by that many processes at once,
    while this one first does `meanwhile()` if given (see workers.fork_map).
    """
    memo = parsed if parsed is not None else Memo()
    now = time.time_ns()
    kept = []  # [path, its result (None: to be read), its signature]
    for path in publication_files(project, problems):
        result = cache.get(path) if cache else None
        noted = signatures.get(path) if signatures and result is None else None
        # A file to be read has its signature taken where it is read (shared out with it).
        signature = (file_signature(path) if signatures is not None
                     and (result is not None or noted is not None) else None)
        if noted and noted[0] == signature:
            result = memo.get(noted[1])
        kept.append([path, result, signature])
    unread = [entry for entry in kept if entry[1] is None]
    for entry, (result, read_problems, signature) in zip(unread, fork_map(
            lambda entry: _read_publication(project, entry[0], memo,
                                            signatures is not None and entry[2] is None),
            unread, workers, meanwhile)):
        entry[1] = memo.get(result) if isinstance(result, str) else result
        entry[2] = entry[2] or signature
        problems.extend(read_problems)
    kept = [entry for entry in kept if entry[1] is not None]  # a file that could not be read
    if parsed is not None:
        for _, result, _ in kept:
            memo.put(result.digest, result)
    if cache is not None:
        cache.clear()
        cache.update((path, result) for path, result, _ in kept)
    if signatures is not None:
        signatures.clear()
        signatures.update((path, (signature, result.digest)) for path, result, signature in kept
                          if signature is not None and _changed_at(signature) < now - SETTLED_NS)
    return [result for _, result, _ in kept]


def _read_publication(project: Project, path: str, memo: Memo,
                      signed: bool) -> tuple[FileResult | str | None, list, tuple | None]:
    """(a publication file's result, or its digest if `memo` has it, or None if it could not
    be read; the problems reading it; its file_signature, taken before reading it, if `signed`).
    Runs in forked processes when there are many files, so reading them is shared out too:
    one that finds the result in `memo` sends back only the digest, and the caller takes the
    result it has (a copy would be new to the cache, which would then write it again)."""
    shown, problems = project.relative(path), Problems()
    signature = file_signature(path) if signed else None
    text = read_text(path, shown, problems)
    if text is None:
        return None, problems.items, signature
    digest = text_digest(shown, text)
    if memo.get(digest) is not None:
        return digest, problems.items, signature
    return read_publication_file(shown, text, digest), problems.items, signature


def load_content(project: Project, site: model.Site | None, problems: Problems,
                 cache: dict | None = None, parsed: Memo | None = None,
                 workers: int = 1, signatures: dict | None = None, meanwhile=None) -> Content:
    """Everything in content/, read and checked; without a site (site.yml has errors), only
    what needs none. `cache`, `parsed`, `workers`, `signatures` and `meanwhile` are
    read_publications'."""
    report_unread_content(project, problems)
    bio_problems, publication_problems, read = Problems(), Problems(), []

    def reading_bio() -> None:  # while forked processes read the publications, if any
        read.append(read_bio(project, bio_problems, parsed))
        if meanwhile is not None:
            meanwhile()

    results = read_publications(project, publication_problems, cache, parsed, workers, signatures,
                                reading_bio)
    bio = read[0] if read else read_bio(project, bio_problems, parsed)
    problems.extend(bio_problems)  # the bio's first, as it comes first on the page
    problems.extend(publication_problems)
    publications = collect(results, site, problems)
    keys = bibtex.assign_keys(publications)
    if site is not None:
        check_home_page_ids(publications, keys, site, problems)
        texts = [pub for result in results if result.gives_ids for pub in result.records if pub.written_ids]
        check_content_ids(bio, texts, publications, keys, site, problems)
        check_fragment_links(bio, publications, keys, site, problems)
    coauthors, coauthor_links = read_coauthors(project, problems, publications)
    return Content(bio, publications, coauthors, keys, coauthor_links,
                   project.relative(project.content / COAUTHORS_FILE),
                   tuple(link for result in results for link in result.refused_links))
