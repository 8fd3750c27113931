"""Writing publication files: new entries (`import`, `new`) and missing fields (`import --update`).

Every new file is written by `entry_text`: readable YAML in the model's field order, checked
by reading it back with the code a build uses. A user's file is never rewritten: missing fields
are inserted as text where a new file has them (see _line_for), so its formatting and comments
stay as they were, and a file name already taken gets a number instead of being overwritten.
"""
from __future__ import annotations

import dataclasses
import itertools
import re
from collections import defaultdict
from pathlib import Path

import yaml

from . import bibtex, model
from .config import Project, load_site
from .content import (PUBLICATIONS_DIR, Content, check_types, read_publication_file,
                      read_publications, same_venue)
from .files import BOM, read_text, write_atomically
from .metadata import slugify
from .problems import Problem, Problems
from .render import report_links_without_scheme
from .schema import LINK_EXPANSIONS, expanded
from .works import id_key, identity, other_work, preprint_of, same_work
from .yamlfile import field_node, parse_yaml, split_front_matter

SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/publication.schema.json"
FIELD_ORDER = [f.name for f in model.file_fields(model.Publication)]
DEFAULTS = {f.name: f.default for f in model.file_fields(model.Publication)}
PROMPTS = (("title", "Title"), ("authors", "Authors, separated by commas"), ("type", "Type"),
           ("venue", "Venue (short name, e.g. CVPR)"), ("year", "Year"))


class _Dumper(yaml.SafeDumper):
    """Block style, list items indented under their key, text with line breaks as `|` blocks."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def _yaml(mapping: dict, indent: int = 0) -> str:
    text = yaml.dump(mapping, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1 << 30)
    return "".join(" " * indent + line if line.strip() else line
                   for line in text.splitlines(keepends=True))


def fields_text(data: dict, indent: int = 0) -> str:
    """Publication fields as YAML lines in the model's order, `indent` spaces in."""
    return _yaml({name: data[name] for name in FIELD_ORDER if name in data}, indent)


def entry_text(data: dict) -> str:
    """The whole text of a new publication file."""
    return f"{SCHEMA_LINE}\n{fields_text(data)}"


def read_back(data: dict) -> tuple[model.Publication | None, list[tuple[tuple[str, ...], str]]]:
    """The publication `data` makes, read as a build would read its file; or the problems, each
    with the keys leading to the field it is about (`('links', 'doi')`), for `import` to say
    which field of the .bib gave it."""
    text = entry_text(data)
    result = read_publication_file("new.yml", text)
    errors = [(_keys_at(text, p.line), p.message) for p in result.problems if not p.warning]
    return (None if errors else result.records[0]), errors


def _keys_at(text: str, line: int) -> tuple[str, ...]:
    """The keys leading to what is on `line` (from 1) of a YAML mapping; () for none."""
    keys, node = (), yaml.compose(text)
    while isinstance(node, yaml.MappingNode):
        above = [(key, value) for key, value in node.value if key.start_mark.line < line]
        if not above:
            break
        keys, node = (*keys, above[-1][0].value), above[-1][1]
    return keys


# ---------------------------------------------------------------------------------------------
# The entries present, found by what identifies their work (see works.py).


def _alike(known: dict) -> list[tuple[str, str]]:
    """What an identity is found by: each id it gives, and its title. Two that same_work takes
    as one work share one of these (the id that decides, or else the title)."""
    ids = [(label, known[label]) for label in LINK_EXPANSIONS if known[label]]
    return [*ids, ("title", known["title"])]


class _Entries:
    """The entries present, in the order they are compared in (as read; one written or read
    again goes last), found by what they share with others (see _alike), their BibTeX key and
    their file. A publication is compared only with the entries sharing an id or its title:
    comparing it with all made an import of 3,000 entries spend a quarter of its time there."""

    def __init__(self, entries):
        self._entries: dict[int, tuple[model.Publication, dict]] = {}  # by number, in order
        self._numbers: dict[tuple[str, str], list[int]] = defaultdict(list)  # by what they share
        self._files: dict[str, list[int]] = defaultdict(list)
        self._count = itertools.count()
        for entry in entries:
            self.append(entry)

    def append(self, entry: model.Publication) -> None:
        number, known = next(self._count), identity(entry)
        self._entries[number] = entry, known
        for value in self._values(entry, known):
            self._numbers[value].append(number)
        self._files[entry.source].append(number)

    def remove_file(self, source: str) -> None:
        for number in self._files.pop(source, []):
            entry, known = self._entries.pop(number)
            for value in self._values(entry, known):
                self._numbers[value].remove(number)

    def first(self, wanted: dict, test=None) -> model.Publication | None:
        """The first entry whose identity `test`s true with the identity `wanted` (by default,
        works.same_work). Any such entry shares one of `_alike(wanted)` with it."""
        test = test or same_work
        numbers = sorted({number for value in _alike(wanted) for number in self._numbers.get(value, ())})
        return next((self._entries[n][0] for n in numbers if test(self._entries[n][1], wanted)), None)

    def key_owner(self, key: str) -> model.Publication | None:
        numbers = self._numbers.get(("bibtex_key", key))
        return self._entries[numbers[0]][0] if numbers else None

    @staticmethod
    def _values(entry: model.Publication, known: dict) -> list[tuple[str, str]]:
        return _alike(known) + ([("bibtex_key", entry.bibtex_key)] if entry.bibtex_key else [])


def url_key(url: str) -> str:
    """A url compared loosely: the address of a DOI or an arXiv id is its work's id, whatever
    its form (see works.id_key); of others, scheme, 'www.' and a closing '/' do not count."""
    for label in LINK_EXPANSIONS if "://" in url else ():
        key = id_key(label, url)
        if key:
            return f"{label}:{key}"
    return re.sub(r"^https?://(www\.)?|/$", "", url.strip().lower())


# ---------------------------------------------------------------------------------------------
# File names.


def file_stem(pub: model.Publication) -> str:
    """'YEAR-firstauthor-shorttitle': letters, digits and '-' only (see slugify)."""
    year = str(pub.shown_year or "undated")
    author = slugify(bibtex.first_family_name(pub)) or "anon"
    head, colon, _ = pub.title.partition(":")
    if colon and len(head.split()) <= 3:
        words = head.split()
    else:
        words = [w for w in pub.title.split() if w.lower() not in bibtex.STOP_WORDS][:3]
    short = slugify(" ".join(words).replace("+", " plus "))[:40].rstrip("-") or "untitled"
    return f"{year}-{author}-{short}"


class PublicationFolder:
    """content/publications/: the entries in it, and new files written beside them."""

    def __init__(self, project: Project, problems: Problems):
        self.project = project
        self.folder = project.content / PUBLICATIONS_DIR
        self.problems = problems
        unread = Problems()
        results = read_publications(project, unread)
        self.entries = _Entries(pub for result in results for pub in result.records)
        shown = project.relative(self.folder)
        about_folder = [p for p in unread.items if p.path == shown]  # not a folder, say
        problems.extend(about_folder)
        self.blocked = any(not p.warning for p in about_folder)  # no file can be written in it
        broken = {p.path for p in unread.items if p.path != shown} | {
            p.path for result in results for p in result.problems if not p.warning}
        for path in sorted(broken):
            problems.warn(path, 0, 0, "has errors, so it was not checked for entries already present")
        self._stems: set[str] | None = None  # the file names taken: found once, not per entry
        self._written: set[str] = set()  # the files written by this run, as shown

    def find(self, pub: model.Publication) -> model.Publication | None:
        """The entry already present that is the same work as `pub`, if any: the first that
        same_work finds, else the one whose `bibtex_key` is pub's, unless key_clash says why
        it is another work."""
        same = self.entries.first(identity(pub))
        owner = self.key_owner(pub.bibtex_key) if same is None and pub.bibtex_key else None
        return owner if owner is not None and not self.key_clash(owner, pub) else same

    def key_owner(self, key: str) -> model.Publication | None:
        return self.entries.key_owner(key)

    def preprint_of(self, pub: model.Publication) -> model.Publication | None:
        """The preprint in the folder of the paper `pub`, published since (see works.preprint_of)."""
        return self.entries.first(identity(pub), preprint_of)

    def key_clash(self, owner: model.Publication, pub: model.Publication) -> str:
        """Why `owner`, whose `bibtex_key` `pub` has, is another work than `pub`, or '' if it is
        the same. The file of an entry that was present may have been edited since it was
        imported, so only ids or years tell (see works.other_work); one this run wrote is as
        another entry of the .bib files has it, which same_work did not take for `pub`."""
        why = other_work(identity(owner), identity(pub))
        if not why and owner.source in self._written:
            why = "written just now from another entry of the files imported"
        return why

    def add(self, data: dict, pub: model.Publication) -> str:
        """Write `data` to a new file named after `pub`; returns its path as shown."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._stems is None:
            self._stems = {p.stem.lower() for p in self.folder.iterdir()}
        stem = name = file_stem(pub)
        number = 1
        while name in self._stems:
            number += 1
            name = f"{stem}-{number}"
        path = self.folder / f"{name}.yml"
        with open(path, "x", encoding="utf-8", newline="\n") as file:  # "x": never overwrite
            try:
                file.write(entry_text(data))
                file.flush()
            except BaseException:  # a full disk: no half file is left (this one made it)
                path.unlink(missing_ok=True)
                raise
        self._stems.add(name)
        shown = self.project.relative(path)
        self._written.add(shown)
        self.entries.append(dataclasses.replace(pub, source=shown))
        return shown

    def fill(self, existing: model.Publication, data: dict) -> list[str]:
        """Add to `existing`'s file the fields of `data` it lacks; returns what was added."""
        path = self.project.root / existing.source
        with open(path, encoding="utf-8", newline="") as file:  # "": its line endings as they are
            text = file.read()
        bom = BOM if text.startswith(BOM) else ""  # read as the build reads it, written back
        text = text.removeprefix(BOM)
        old_mac = "\r" in text and "\n" not in text  # lines end in CR alone: read them as LF
        text = text.replace("\r", "\n") if old_mac else text
        front, offset = _yaml_part(text, existing.source)
        node = _entry_node(front, _line_of(text, offset), existing)
        if node is None:  # the file changed since it was read
            what = "front matter" if front is None else "the entry"
            self.problems.error(existing.source, existing.line, 1,
                                f"{what} not found: fields from the .bib were not added")
            return []
        if node.flow_style:
            self.problems.warn(existing.source, existing.line, 1,
                               "is written in '{ }' style: fields from the .bib were not added")
            return []
        edits, added, links_left = self._edits(existing, node, data, front.splitlines())
        if links_left:  # `links: {pdf: ...}`, or `links:` with nothing: not edited in place
            mark = next(key for key, _ in node.value if key.value == "links").start_mark
            self.problems.warn(existing.source, mark.line + 1 + _line_of(text, offset), mark.column + 1,
                               f"'links' is written in '{{ }}' style or empty: links from the .bib "
                               f"were not added ({', '.join(links_left)})")
        if edits:
            new_text = text[:offset] + _insert(front, edits) + text[offset + len(front):]
            new_text = bom + (new_text.replace("\n", "\r") if old_mac else new_text)
            write_atomically(path, new_text.encode("utf-8"), mode=path.stat().st_mode & 0o7777)
            self._reread(existing.source)
        return added

    def _edits(self, existing, node: yaml.MappingNode, data: dict, front_lines: list[str]):
        """(line, text) insertions adding what `node` (of the YAML whose lines are `front_lines`)
        lacks, each field where a new file has it (see _line_for), the names of what they add,
        and the labels of the links that could not be added."""
        present = {key.value for key, _ in node.value}
        missing = {name: value for name, value in data.items() if self._lacks(existing, present, name, value)}
        extra = self._new_links(existing, data.get("links", {}))
        links_node = field_node(node, "links")
        edits, added_links, links_left = [], [], []
        if extra and "links" not in present:
            missing["links"] = extra
        elif extra and isinstance(links_node, yaml.MappingNode) and links_node.value \
                and not links_node.flow_style:
            edits.append((_end_line(links_node), _yaml(extra, _indent(links_node))))
            added_links = [f"link '{label}'" for label in extra]
        elif extra:
            links_left = list(extra)
        edits += [(_line_for(node, name, front_lines),
                   fields_text({name: missing[name]}, _indent(node)))
                  for name in FIELD_ORDER if name in missing]
        return edits, [name for name in FIELD_ORDER if name in missing] + added_links, links_left

    def _lacks(self, existing, present: set, name: str, value) -> bool:
        if name in present or name == "links" or getattr(existing, name) != DEFAULTS[name]:
            return False
        other = {"venue": existing.venue_full, "venue_full": existing.venue}.get(name)
        if other and same_venue(other, value):  # the file names that venue already
            return False
        dated = {"date": present & {"year", "month"}, "year": "date" in present, "month": "date" in present}
        if dated.get(name):  # a date, or a year and month: never both
            return False
        return not (name == "bibtex_key" and self.key_owner(value))

    @staticmethod
    def _new_links(existing, links: dict) -> dict:
        labels = {link.label.lower() for link in existing.links}
        urls = {url_key(link.url) for link in existing.links}
        return {label: target for label, target in links.items()
                if label.lower() not in labels and url_key(expanded(label, target)) not in urls}

    def _reread(self, source: str) -> None:
        text = read_text(self.project.root / source, source, self.problems)
        self.entries.remove_file(source)
        for entry in read_publication_file(source, text).records if text is not None else ():
            self.entries.append(entry)


def _yaml_part(text: str, source: str) -> tuple[str, int]:
    """The YAML of a publication file and where it starts: all of a .yml, a .md's front matter."""
    if not source.endswith(".md"):
        return text, 0
    front = split_front_matter(text)[0]
    return front, text.index("\n") + 1 if front is not None else 0


def _entry_node(front: str | None, line_offset: int, existing: model.Publication):
    """The YAML node of `existing` in its file's YAML `front`; None when it is not there."""
    doc = parse_yaml(front, existing.source, Problems(), line_offset=line_offset) \
        if front is not None else None
    if doc is None or doc.root is None:
        return None
    nodes = doc.root.value if isinstance(doc.root, yaml.SequenceNode) else [doc.root]
    return next((n for n in nodes if isinstance(n, yaml.MappingNode)
                 and doc.where(n)[0] == existing.line), None)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def _end_line(node: yaml.Node) -> int:
    """The line after a block mapping's last value: where a field can be added."""
    last = node
    while isinstance(last, (yaml.MappingNode, yaml.SequenceNode)) and last.value and not last.flow_style:
        last = last.value[-1][1] if isinstance(last, yaml.MappingNode) else last.value[-1]
    end = last.end_mark
    return end.line + (1 if end.column else 0)


def _line_for(node: yaml.MappingNode, name: str, lines: list[str]) -> int:
    """The line a field `name` that `node` lacks is added at: in the order a new file has its
    fields (FIELD_ORDER), before the first field present that comes after it there, and the
    comment lines right above that field (they are about it); after the last field when none
    does, or only the entry's first (a list item's `- ` starts its line)."""
    after = set(FIELD_ORDER[FIELD_ORDER.index(name) + 1:])
    pairs = node.value
    index = next((i for i, (key, _) in enumerate(pairs) if i and key.value in after), None)
    if index is None:
        return _end_line(node)
    line, above = pairs[index][0].start_mark.line, _end_line(pairs[index - 1][1])
    while line > above and lines[line - 1].lstrip().startswith("#"):
        line -= 1
    return line


def _indent(node: yaml.MappingNode) -> int:
    return node.value[0][0].start_mark.column


def _insert(text: str, edits: list[tuple[int, str]]) -> str:
    """`text` with each edit's lines inserted before its line; edits at one line in their order."""
    lines = text.splitlines(keepends=True)
    first = re.search(r"\r?\n", text)
    newline = first.group() if first else "\n"  # the file's own: CRLF stays CRLF
    if lines and lines[-1] == lines[-1].rstrip("\r\n"):
        lines[-1] += newline
    at_line: dict[int, str] = {}
    for line, addition in edits:
        at_line[line] = at_line.get(line, "") + addition.replace("\n", newline)
    for line in sorted(at_line, reverse=True):
        lines.insert(min(line, len(lines)), at_line[line])
    return "".join(lines)


# ---------------------------------------------------------------------------------------------
# `python build.py new publication`.


def ask_values(values: dict, ask, prompts=PROMPTS) -> dict:
    """`values` with each field of `prompts` asked for; `ask(question) -> answer`, empty keeps
    the default."""
    result = dict(values)
    for name, question in prompts:
        default = values.get(name)
        shown = ", ".join(default) if isinstance(default, list) else default
        try:
            answer = ask(f"{question}{f' [{shown}]' if shown else ''}: ").strip()
        except EOFError:
            answer = ""
        if answer and name == "authors":
            result[name] = [author.strip() for author in answer.split(",") if author.strip()]
        elif answer:
            result[name] = answer
    return result


def new_publication(root, values: dict, ask=None) -> tuple[str | None, Problems]:
    """Write a new entry from `values` (asking for them when `ask` is given); its path or None."""
    project = Project(Path(root).resolve())
    problems = Problems()
    site = load_site(project, problems)
    if site is None:
        return None, problems
    values = {"authors": [site.owner.name], "type": "conference",
              **{name: value for name, value in values.items() if value}}
    if ask is not None:
        values = ask_values(values, ask)
    data = {name: int(value) if name in ("year", "month") and str(value).isdigit() else value
            for name, value in values.items()}
    pub, errors = read_back(data)
    for _, message in errors:
        problems.error("new publication", 0, 0, message)
    if pub is None:
        return None, problems
    # A type or a link the build would refuse: refused here, before anything is written.
    refused = Problems()
    check_types([dataclasses.replace(pub, source="new publication", type_place=(0, 0))], site, refused)
    alone = dataclasses.replace(site, owner=dataclasses.replace(site.owner, links=()))  # its own links
    report_links_without_scheme(project, alone, Content(model.Page(), (pub,), {}, {}), refused)
    if refused.errors:
        problems.extend(Problem("new publication", 0, 0, problem.message) for problem in refused.errors)
        return None, problems
    folder = PublicationFolder(project, problems)
    if folder.blocked:
        return None, problems
    same = folder.find(pub)
    if same is not None:
        problems.error(same.source, same.line, 1,
                       f"already holds '{same.title}': no new file was written")
        return None, problems
    shown = folder.add(data, pub)
    check_types([dataclasses.replace(pub, source=shown)], site, problems)
    return shown, problems
