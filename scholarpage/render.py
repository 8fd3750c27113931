"""Site + content -> {output path: bytes}: the Jinja2 theme, its filters, static files, BibTeX.

Nothing here writes files; `output.py` does. Templates are looked up first in the project's
`templates/` folder, then in the theme's, so a user overrides one template by adding one file;
what is compiled is what read_templates read, and what the build's keys name.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import marshal
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from . import bibtex, markup, metadata, model, words
from .config import SITE_FILE, Project, templates_used_by
from .content import Content
from .files import files_under, left_alone, places_in, read_utf8_bytes, report_unreadable
from .memo import Memo
from .problems import Problems, did_you_mean
from .schema import SCHEME, into_the_site, one_line, with_scheme
from .workers import fork_map, worth_forking


ENTRY_TEMPLATE = "partials/publication.html"  # one publication in a list: `publication_entries`
# What the ids of the bio's footnotes start with (an abstract's: its key): with a '~', which no
# BibTeX key holds, so that no entry's are the same.
BIO_ANCHOR = "~bio"
# The level of the highest heading of the bio (below the page's h1, the owner's name), and of an
# abstract's unless its template says (the home page's items are in h3 sections).
BIO_LEVEL, ABSTRACT_LEVEL = 2, 4


def placed_markdown(html: str, anchor: str, level: int, root: str = "") -> str:
    """The owner's rendered Markdown as placed in a page `root` away: its footnotes' ids
    starting with `anchor`, its highest heading an h`level`, its relative links rebased."""
    html = markup.headings_from(markup.unique_footnotes(html, anchor), level)
    return markup.rebase_links(html, root)


@dataclass(frozen=True)
class SectionView:
    """A section of the home page with its publications, as templates see it."""

    section: model.Section
    publications: tuple[model.Publication, ...]


@functools.cache  # imported when first needed; an import statement costs 1 µs a call
def _markup():
    from markupsafe import Markup, escape

    return Markup, escape


def make_environment(templates: Templates, bytecode_cache=None):
    """The Jinja2 environment of a theme's `templates`: autoescaping, strict about undefined
    names.

    A `bytecode_cache` (a jinja2.BytecodeCache, or a function making one or None) spares
    recompiling unchanged templates.
    """
    import jinja2

    class Environment(jinja2.Environment):
        def make_globals(self, d):
            """A template's globals as a plain dict, not Jinja2's ChainMap over the
            environment's: each render copies them, key by key from a ChainMap (a fifth of an
            item's time). Globals are all set before the first template loads."""
            return {**self.globals, **(d or {})}

    class Loader(jinja2.BaseLoader):
        """The templates as read_templates read them, by name as Jinja2's FileSystemLoader
        takes one ('a/./b.html' is 'a/b.html'; '../x' none)."""

        def get_source(self, environment, name):
            path, text = templates.sources.get("/".join(jinja2.loaders.split_template_path(name)),
                                               (None, None))
            if path is None:
                raise jinja2.TemplateNotFound(name)
            if text is None:
                raise _UnreadableTemplate(path)
            return text, path, _unchanged

        def list_templates(self):
            return sorted(templates.sources)

    return Environment(
        loader=Loader(),
        autoescape=jinja2.select_autoescape(("html", "htm", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache() if callable(bytecode_cache) else bytecode_cache,
        auto_reload=False,  # one build's templates do not change while it runs
        cache_size=-1,  # a theme's templates, all kept: a dict, not an LRU cache's locked queue
        finalize=_written_out,
    )


def format_authors(pub: model.Publication, owner: model.Owner, coauthors: dict[str, str],
                   root: str = ""):
    """Authors as HTML, each as metadata.tidy_name shows it: the owner in <strong>,
    co-authors linked to their homepages (one of the site's, on a page `root` away). `coauthors`
    is keyed by metadata.name_key, as read_coauthors gives it, and names are compared so."""
    Markup, escape = _markup()
    names = {_shown_name(name)[1] for name in owner.names}
    parts = []  # text, escaped here once: Markup's own % and join escape again, slowly
    for author in pub.authors:
        name, key = _shown_name(author)
        if key in names:
            parts.append(f"<strong>{name}</strong>")
        elif key in coauthors:
            parts.append(f'<a href="{escape(site_link(coauthors[key], root))}">{name}</a>')
        else:
            parts.append(name)
    return Markup(", ".join(parts))


@functools.lru_cache(maxsize=4096)
def _shown_name(author: str) -> tuple[str, str]:
    """(an author's name as format_authors shows it, escaped; as names are compared): worked
    out once for a name, which recurs in a site's entries."""
    return str(_markup()[1](metadata.tidy_name(author))), metadata.name_key(author)


def obfuscated_email(address: str) -> dict[str, str]:
    """What the page shows for an email: readable text and an encoded mailto for the script.

    Neither holds the address as written, so harvesters scanning the HTML do not find it. The
    encoded one is its UTF-8 bytes reversed, in base64, which site.js decodes, whatever
    letters the address has.
    """
    user, _, domain = address.partition("@")
    shown = f"{user} [at] {domain.replace('.', ' [dot] ')}"
    encoded = base64.b64encode(address.encode("utf-8")[::-1]).decode()
    return {"text": shown, "encoded": encoded}


def fill(word: str, **values):
    """A theme word (see words.py) with its `{placeholders}` filled: `word|fill(name=...)`. The
    word and text values are escaped, markup values (a link) are kept."""
    Markup, escape = _markup()
    text = str(escape(word))  # text, escaped here once: Markup's own replace escapes again
    for name, value in values.items():
        text = text.replace("{%s}" % name, escape(value))
    return Markup(text)


def site_link(url: str, root: str) -> str:
    """A link written relative to the site root (site.yml, content/) as seen from a page `root`
    away, as a valid URL (see metadata.valid_url)."""
    url = metadata.valid_url(url)
    return url if SCHEME.match(url) or url.startswith("/") else root + url


def in_folder(path: str, folder: str) -> bool:
    """Whether a URL path leads into `folder` ('/lab/'): '/lab' and '/lab/x' do, '/labx' not."""
    return (path + "/").startswith(folder)


def output_file(path: str, page: str, base_path: str, is_folder) -> str | None:
    """The output file a link's URL path (decoded) reaches from the page at `page`, or None if
    it leads out of the site: a folder's index.html for a path ending in '/' or for a folder of
    the site (`is_folder(path from the site root)`)."""
    relative = path_in_site(path, page, base_path)
    if relative is not None and (not relative or path.endswith("/") or is_folder(relative)):
        relative = f"{relative}/index.html".lstrip("/")
    return relative


def path_in_site(path: str, page: str, base_path: str) -> str | None:
    """Where a link's URL path (decoded) leads from the page at `page` ('' for the site root):
    a path from the site root ('' for the root itself), or None if it leads out of the site
    (a path from the domain's root outside `base_path`, or '..' above the root)."""
    if path.startswith("/"):
        if not in_folder(path, base_path):
            return None
        path = path[len(base_path):]
    else:
        path = page.rpartition("/")[0] + "/" + path
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def relative_root(page_path: str) -> str:
    """The prefix that leads from a page back to the site root: '' or '../../'."""
    return "../" * page_path.count("/")


def static_files(project: Project, site: model.Site, problems: Problems) -> dict[str, Path]:
    """Output path -> source file of the theme's static files, overridden by `static/`; hidden
    files are left out, and a link that leads nowhere or in a loop is reported to `problems`."""
    files: dict[str, Path] = {}
    for folder in (project.theme(site.theme) / "static", project.override_static):
        found, broken = files_under(folder)
        for parts, path in found:
            files["/".join(parts)] = Path(path)
        for path, error in broken:
            report_unreadable(path, project.relative(path), error, problems)
    return files


def sections_of(site: model.Site, publications) -> tuple[SectionView, ...]:
    """Each section with its publications, in their order: one pass over the publications; a
    `selected` section takes the selected ones it lists (see Site.listed_in)."""
    lists = [[] for _ in site.sections]
    lists_of_type: dict[str, list] = {}
    for section, items in zip(site.sections, lists):
        for kind in dict.fromkeys(section.types if not section.selected else ()):
            lists_of_type.setdefault(kind, []).append(items)
    selected = [(section, items) for section, items in zip(site.sections, lists) if section.selected]
    for pub in publications:
        for items in lists_of_type.get(pub.type, ()):
            items.append(pub)
        for section, items in selected if pub.selected else ():
            if site.listed_in(section, pub):
                items.append(pub)
    return tuple(SectionView(section, tuple(items)) for section, items in zip(site.sections, lists))


# Jinja2's lexer's message for a character it cannot read: "unexpected char '?' at 59".
_AT_OFFSET = re.compile(r"(unexpected char .+) at (\d+)")


def _template_problem(error: Exception, project: Project, problems: Problems) -> None:
    """A template error at its template file and line."""
    import traceback

    import jinja2

    if isinstance(error, _UnreadableTemplate):
        return  # reported where it was read
    message = getattr(error, "message", None) or str(error)
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        line, column = error.lineno or 0, 0
        at = _AT_OFFSET.fullmatch(message)
        if at and error.source is not None:  # the lexer's, which gives its offset in the text
            from jinja2.lexer import newline_re

            text = "\n".join(newline_re.split(error.source)[::2])  # as the lexer counts it
            (line, column), message = places_in(text)(int(at[2])), at[1]
        problems.error(project.relative(Path(error.filename)), line, column,
                       f"template error: {message}")
        return
    if isinstance(error, jinja2.TemplateNotFound):
        message = f"template not found: {error.name}"
    else:
        message = f"template error: {message}"
    # The innermost template frame is the line that failed (an include or a bad expression).
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if f.filename.endswith((".html", ".xml", ".htm", ".txt", ".j2"))]
    if frames:
        frame = frames[-1]
        problems.error(project.relative(Path(frame.filename)), frame.lineno or 0, 0, message)
    else:  # the page's own template is missing
        problems.error(project.relative(project.themes), 0, 0, message)


# The templates of pages of their own (see _pages); any other template (a base, a partial) is
# used by them.
PAGE_TEMPLATES = frozenset(("index.html", "404.html", "publication.html", "robots.txt",
                            "sitemap.xml", "feed.xml"))


def _pages(site: model.Site, publications, page_path_of):
    """(output path, template, publication or None) of every rendered page."""
    pages = [("index.html", "index.html", None), ("404.html", "404.html", None)]
    if site.publication_pages:
        pages += [(page_path_of(pub), "publication.html", pub)
                  for pub in publications]
    pages.append(("robots.txt", "robots.txt", None))
    if site.url:  # both need absolute URLs
        pages += [("sitemap.xml", "sitemap.xml", None), ("feed.xml", "feed.xml", None)]
    return pages


def page_url(page_path: str) -> str:
    """The path a page is linked by: 'publications/x/' for 'publications/x/index.html'."""
    return page_path[: -len("index.html")] if page_path.endswith("index.html") else page_path


def _root_of(site: model.Site, page_path: str) -> str:
    # 404.html is served at any depth, so only site-absolute links work from it.
    return site.base_path if page_path == "404.html" else relative_root(page_path)


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Templates:
    """A theme's templates as its loader finds them, the project's templates/ first, each read
    once: what is compiled is what `digest` names (it changes with any of them)."""

    digest: str
    sources: dict[str, tuple[str, str | None]]  # name -> (path, text; None if it cannot be read)
    theme: frozenset[str]  # the names of the theme's own
    own: tuple[str, ...]  # the names of the project's (in templates/)


class _UnreadableTemplate(Exception):
    """A template that cannot be read, or is not UTF-8: read_templates reported it."""


def read_templates(project: Project, site: model.Site, problems: Problems) -> Templates:
    """Every template the theme's loader could find, as bytes for the digest and as text for
    Jinja2; one that cannot be read, is not UTF-8, or is a link leading nowhere is reported to
    `problems`, at its file, as a content file would be."""
    digest = hashlib.blake2b(digest_size=16)
    sources: dict[str, tuple[str, str | None]] = {}
    names = []
    for folder in (project.override_templates, project.theme(site.theme) / "templates"):
        found, broken = files_under(folder, skip=_no_template)
        for parts, path in found:
            shown = project.relative(path)
            data = read_utf8_bytes(path, shown, problems)
            digest.update(f"{shown}\0".encode() + (b"\1" if data is None else data + b"\0"))
            sources.setdefault("/".join(parts), (path, None if data is None else data.decode()))
        for path, error in broken:
            report_unreadable(path, project.relative(path), error, problems)
        if not found and os.path.isdir(folder):  # empty, or not to be read
            try:
                os.listdir(folder)
            except OSError as error:
                report_unreadable(folder, project.relative(folder), error, problems)
        names.append(["/".join(parts) for parts, _ in found])
    return Templates(digest.hexdigest(), sources, frozenset(names[1]), tuple(names[0]))


def templates_to_compile(templates: Templates, site: model.Site) -> list[str]:
    """The templates a build of `site` may load: the theme's (but the page templates of pages
    the site has not: see PAGE_TEMPLATES), and those of the project's own they extend, include
    or import."""
    unused = PAGE_TEMPLATES - {name for _, name, _ in _pages(site, [None], lambda pub: "")}
    names = [name for name in templates.theme if name not in unused]
    if set(templates.own) - templates.theme:  # a template of the user's own may be used
        names = [name for name in reached_templates(templates, names) if name in templates.sources]
    return sorted(names)


def report_overrides_of_nothing(project: Project, site: model.Site, templates: Templates,
                                problems: Problems) -> None:
    """Warn of what templates/ holds that no build uses, which would be left out unseen: a
    file at no path of the theme's templates (a misspelt name) that no template extends,
    includes or imports, a folder at a template's path, or templates/ itself a file. Names
    content/ leaves alone are left alone here too (see files.left_alone)."""
    folder = project.override_templates  # (os.path's tests: what cannot be read is reported)
    if not os.path.isdir(folder):
        if os.path.exists(folder):
            problems.warn(project.relative(folder), 0, 0, "is a file, not a folder: your versions "
                          f"of the theme's templates go in a folder of this name "
                          f"({folder.name}/index.html for index.html); none is used")
        return
    for name in sorted(templates.theme):
        if os.path.isdir(folder / name):
            problems.warn(project.relative(folder / name), 0, 0,
                          f"is a folder, not a template: the theme's {name} is used")
    extra = [name for name in templates.own if name not in templates.theme
             and not any(left_alone(part) for part in name.split("/"))]
    used = reached_templates(templates, templates.theme) if extra else set()
    for name in extra:
        if name not in used:
            problems.warn(project.relative(templates.sources[name][0]), 0, 0,
                          f"overrides no template of the theme '{site.theme}'"
                          + _template_meant(name, templates.theme))


def _template_meant(name: str, theme) -> str:
    """A hint naming the template of the `theme` that `name` may misspell: one in its folder
    named alike, the suffixes left out (a shared '.html' makes any two short names look
    alike), else one of its name in another folder."""
    folder, _, file = name.rpartition("/")
    in_folder, named_so = {}, []
    for theme_name in theme:
        theme_folder, _, theme_file = theme_name.rpartition("/")
        if theme_folder == folder:
            in_folder[_without_suffix(theme_file)] = theme_name
        if theme_file == file:
            named_so.append(theme_name)
    return did_you_mean(_without_suffix(file), in_folder, in_folder) or did_you_mean(name, named_so)


def _without_suffix(file: str) -> str:
    return file.rpartition(".")[0] or file


def reached_templates(templates: Templates, names) -> set[str]:
    """`names`, the templates they extend, include or import, those theirs do, and so on (by
    the names they write out: see config.templates_used_by)."""
    reached, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            text = templates.sources.get(name, ("", None))[1]
            todo += templates_used_by(text) if text else ()
    return reached


def _no_template(name: str) -> bool:
    """What a folder of templates may hold that is none: an editor's swap, lock or backup file
    (.index.html.swp, .#index.html, index.html~) and the system's (.DS_Store). A name starting
    with '_' is a template (a partial)."""
    return name.startswith((".", "#")) or name.endswith("~")


def _unchanged() -> bool:
    return True  # a template is read again by the next build, not while one runs


class _ByPublication(dict):
    """Values by id() of the site's publications. Asked for anything else (`"x"|slug` in a
    template), it says so, not a KeyError of a number."""

    def __missing__(self, key):
        raise TypeError("expected a publication (such as pub), got another value")


class SiteRenderer:
    """The theme's templates over one site's records, each piece rendered once and kept.

    A publication's home page item (see `entries`) and page see only what `shared` holds (the
    site, its owner and email, whether publications.bib is written), `root`, `page_path`,
    `pub`, an item's `listing` and the theme's `words` (made from the site), so their keys
    name all they depend on. Jinja2 is imported only when something has to be rendered.
    """

    def __init__(self, project: Project, site: model.Site, content: Content, templates: Templates,
                 pieces: Memo, bytecode_cache=None, environments: dict | None = None):
        self.project, self.site, self.content, self.pieces = project, site, content, pieces
        self.bytecode_cache, self.environments = bytecode_cache, environments
        self.templates, self.theme_templates = templates.digest, templates
        publications = content.publications
        self.keys = _ByPublication(content.keys)
        self.slugs = _ByPublication(metadata.assign_slugs(publications))
        # What a section lists has a page, a feed and a sitemap entry; what none lists (the
        # build warns of it: see content.check_types) has none (its page would link back to an
        # item the home page does not have), only its entry in publications.bib.
        self.published = tuple(pub for pub in publications if site.lists(pub))
        self.base = _digest(repr(site), repr(sorted(content.coauthors.items())), self.templates)
        self.shared = {"site": site, "owner": site.owner,  # all that every piece sees
                       "email": obfuscated_email(site.owner.email) if site.owner.email else None,
                       "bibliography": bool(publications)}  # publications.bib is written
        self.updated = _updated(publications)
        # What a publication's item and page depend on besides its record; the site's pages
        # depend on everything (a record is named by its digest).
        self.inputs = {id(pub): "\0".join((self.base, self.keys[id(pub)], self.slugs[id(pub)]))
                       for pub in publications}
        self.state = _digest(self.base, repr(content.bio), self.updated, *(
            f"{pub.digest} {self.inputs[id(pub)]}" for pub in publications
        )) if all(pub.digest for pub in publications) else None
        self._env = None
        self._lists: list[list] | None = None  # while a page's frame is made (see _frame)
        self._places: list[tuple[str, int]] = []  # where each of those lists was placed
        self._by_digest = {pub.digest: pub for pub in publications if pub.digest}
        self._frames: dict[str, tuple] = {}  # made ahead (see prerender), by page path
        self.root_url = metadata.site_root_url(site)  # in a BibTeX entry's key (see bibtex.entry)

    def _kept(self, key: str | None, make) -> bytes:
        """A piece's UTF-8, kept under `key`; `make()` makes it, as bytes or as text."""
        data = self.pieces.get(key) if key is not None else None
        if data is None:
            data = make()
            data = data.encode("utf-8") if isinstance(data, str) else data
            if key is not None:
                self.pieces.put(key, data)
        return data

    def key(self, pub: model.Publication, kind: str, page_path: str = "") -> str | None:
        """A piece's key: its publication's record, the piece, and what else it depends on."""
        if not pub.digest:
            return None
        if kind == "bib":  # its links to the site's files are in full (see bibtex.entry)
            return f"{pub.digest}.bib.{self.keys[id(pub)]}.{self.root_url}"
        return f"{pub.digest}.{kind}.{self.inputs[id(pub)]}.{page_path}"

    def _bib(self, pub: model.Publication) -> bytes:
        return self._kept(self.key(pub, "bib"), lambda: bibtex.entry(pub, self.keys[id(pub)], self.site))

    def bibtex(self, pub: model.Publication) -> str:
        return str(self._bib(pub), "utf-8", "replace")

    def bibliography(self) -> bytes:
        """publications.bib: every publication's entry."""
        return b"\n".join(map(self._bib, self.content.publications))

    def page(self, page_path: str, template_name: str, pub=None) -> bytes:
        """A publication's page, or a page of the whole site.

        What is kept is the page's frame: its text around the lists of publications it places
        (see `publication_entries`), each list as its publications' digests. A page is put
        together from its frame and the kept items, so a home page of thousands is never kept
        twice, and never decoded and encoded again.
        """
        texts, lists = (pub is None and self._frames.pop(page_path, None)
                        or self._made_frame(page_path, template_name, pub))
        data, listings = [texts[0]], {}  # how many lists of the page hold each publication
        for listed, text in zip(lists, texts[1:]):
            for pub in listed:  # joined once, with the page
                listings[id(pub)] = listing = listings.get(id(pub), 0) + 1
                data.append(self._entry(pub, page_path, listing))
            data.append(text)
        return b"".join(data)

    def _made_frame(self, page_path: str, template_name: str, pub=None):
        """(the page's UTF-8 around its lists, each list's publications): kept, or made now."""
        if pub is not None:
            key = self.key(pub, "page", page_path)
        else:
            key = f"site.{page_path}.{self.state}" if self.state else None
        return self._kept_frame(key) or self._frame(template_name, page_path, pub, key)

    def _frames_ahead(self, pages) -> None:
        """The frames of the site's `pages` ([(page path, template)]), for `page` to take: made
        while forked processes render the publications' pieces. A frame that fails is left for
        `page` to make again, where the failure is reported."""
        for page_path, template_name in pages:
            try:
                self._frames[page_path] = self._made_frame(page_path, template_name)
            except Exception:  # noqa: BLE001 - see the docstring
                pass

    def _kept_frame(self, key: str | None):
        """The frame kept under `key`, its lists as publications; None if there is none, or if
        it lists a publication there is no more (its key does not name the others)."""
        kept = self.pieces.get(key) if key is not None else None
        if kept is None:
            return None
        texts, lists = marshal.loads(kept)
        try:
            return texts, [[self._by_digest[digest] for digest in listed] for listed in lists]
        except KeyError:
            return None

    def _frame(self, template_name: str, page_path: str, pub, key: str | None):
        """(the page's UTF-8 around its lists, each list's publications), kept under `key`."""
        template, self._lists, self._places = self._template(template_name), [], []
        try:
            parts = template.render(self._context(page_path, pub)).split(_MARKER)
        finally:
            lists, self._lists = self._lists, None
        if len(parts) % 2 == 0 or parts[1::2] != [str(n) for n in range(len(lists))]:
            raise _misused_entries(parts, self._places, template)
        texts = [text.encode("utf-8") for text in parts[0::2]]
        if key is not None and all(p.digest for listed in lists for p in listed):
            self.pieces.put(key, marshal.dumps((texts, [[p.digest for p in listed] for listed in lists])))
        return texts, lists

    def entries(self, pubs, page_path: str) -> bytes:
        """Publications' items in a list, on the page at `page_path`."""
        return b"".join([self._entry(pub, page_path) for pub in pubs])

    def _entry(self, pub, page_path: str, listing: int = 1) -> bytes:
        """A publication's item in a list (ENTRY_TEMPLATE), on the page at `page_path`, in the
        `listing`th list of the page that holds it: a type two sections list is listed twice,
        and only the first item may carry the ids links lead to (the template sees `listing`)."""
        key = self.key(pub, "entry", page_path)
        key = f"{key}.{listing}" if key is not None and listing > 1 else key
        return self._kept(key, lambda: self._template(ENTRY_TEMPLATE).render(
            {**self._context(page_path, pub), "listing": listing}))

    def prerender(self, workers: int, site_pages=()) -> None:
        """Render the publications' pieces not kept from earlier builds, shared out to
        `workers` processes if many; meanwhile, this process makes the frames of the site's
        pages (`site_pages`: [(page path, template)], see `page`).

        Only a speed-up: if anything goes wrong here, the pieces are rendered one by one later,
        where a problem is reported as usual.
        """
        pubs = self.content.publications
        if not worth_forking(len(pubs), workers):  # before looking for what is kept: that costs
            return
        listed = self._listed()
        todo = [index for index, pub in enumerate(pubs) if pub.digest and not all([
            self.pieces.get(key) is not None for key in self._piece_keys(pub, id(pub) in listed)])]
        if not worth_forking(len(todo), workers):
            return
        try:
            self.environment().get_template(ENTRY_TEMPLATE)  # compiled once, before forking
            shares = fork_map(
                lambda index: self._render_pieces(pubs[index], id(pubs[index]) in listed), todo, workers,
                lambda: self._frames_ahead(site_pages))
        except Exception:  # noqa: BLE001 - see the docstring
            return
        for key, data in (item for share in shares for item in share):
            self.pieces.put(key, data)

    def _listed(self) -> set[int]:
        """The publications the home page lists, by id()."""
        return {id(pub) for pub in self.published}

    def _piece_keys(self, pub, listed: bool) -> list[str]:
        keys = [self.key(pub, "bib")]
        keys += [self.key(pub, "entry", "index.html")] if listed else []
        keys += [self.key(pub, "page", self._page_path(pub))] if listed and self.site.publication_pages else []
        return keys

    def _page_path(self, pub) -> str:
        return f"publications/{self.slugs[id(pub)]}/index.html"

    def _render_pieces(self, pub, listed: bool) -> list[tuple[str, bytes]]:
        """A publication's pieces, as prerender wants them: made aside, not kept (this runs in
        forked processes, and in the build's own for its share)."""
        kept, self.pieces = self.pieces, Memo()
        try:
            self.bibtex(pub)
            if listed:
                self._entry(pub, "index.html")
            if listed and self.site.publication_pages:
                self.page(self._page_path(pub), "publication.html", pub)
            return list(self.pieces.used.items())
        finally:
            self.pieces = kept

    def _template(self, name: str):
        return self.environment().get_template(name)

    def compile_templates(self, problems: Problems) -> None:
        """Compile every template this build may use, reporting each that fails: all in one
        run, not only those the pages reach before one fails (a build whose content has errors
        stops before its templates). Done once for the same templates and site (a mark kept
        in the cache under their digest, in a pack of its own: the content does not change
        what compiles), so a build with nothing to render imports no Jinja2, and one after an
        edit of a publication compiles only the templates it renders."""
        key = f"site.compiled.{self.base}"
        if self.pieces.get(key) is not None:
            return
        failed = False
        for name in templates_to_compile(self.theme_templates, self.site):
            try:
                self._template(name)
            except Exception as error:  # a user's template may fail in any way: report, don't crash
                _template_problem(error, self.project, problems)
                failed = True
        if not failed:
            self.pieces.put(key, b"")

    def _context(self, page_path: str, pub) -> dict:
        """What a template sees: a publication's piece, only what its key names."""
        context = {**self.shared, "root": _root_of(self.site, page_path), "page_path": page_path}
        if pub is not None:
            return {**context, "pub": pub}
        content = self.content
        return {**context, "bio": content.bio, "bio_html": self.markup(placed_markdown(content.bio.html, BIO_ANCHOR, BIO_LEVEL)),
                "sections": sections_of(self.site, content.publications),
                "publications": self.published, "updated": self.updated}

    def markup(self, text: str):
        return _markup()[0](text)

    def publication_url(self, pub) -> str:
        """A publication's page, or without pages its item on the home page."""
        if self.site.publication_pages:
            return page_url(self._page_path(pub))
        return f"#{self.keys[id(pub)]}"

    # What templates call (see `environment`): filters, then globals.
    def authors(self, pub, root: str = ""):
        return format_authors(pub, self.site.owner, self.content.coauthors, root)

    def abstract(self, pub, root: str = "", anchor: str = "", level: int = ABSTRACT_LEVEL):
        """A publication's abstract on a page `root` away, its footnotes' ids starting with
        `anchor` (by default its BibTeX key, the id of its item on the home page), its highest
        heading an h`level` (the template knows where it places the abstract)."""
        return self.markup(placed_markdown(pub.abstract_html, anchor or self.keys[id(pub)],
                                           level, root))

    def bibtex_key(self, pub) -> str:
        return self.keys[id(pub)]

    def slug(self, pub) -> str:
        return self.slugs[id(pub)]

    def citation_tags(self, pub):
        return metadata.citation_tags(pub, self.site)

    def absolute(self, path: str) -> str:
        return metadata.absolute(self.site, path)

    def person(self):
        return metadata.person(self.site)

    def scholarly_article(self, pub):
        return metadata.scholarly_article(
            pub, self.site, metadata.absolute(self.site, self.publication_url(pub)))

    def publication_entries(self, context, pubs):
        """A section's items, placed with one call: in a page, a marker for `page` to fill."""
        if self._lists is None:  # not in a page being made
            return self.markup(str(self.entries(pubs, context["page_path"]), "utf-8", "replace"))
        self._lists.append(list(pubs))
        self._places.append(_calling_template_line())
        return _PlacedEntries(f"{_MARKER}{len(self._lists) - 1}{_MARKER}")

    def environment(self):
        """The theme's Jinja2 environment, calling this renderer's filters and globals.

        With `environments`, the environment (and the templates it loaded) is kept there for
        the next build while the templates and site.yml stay the same (see environment_key),
        so the dev server's rebuilds of changed content load no template.
        """
        if self._env is not None:
            return self._env
        key = environment_key(self.project, self.site, self.templates)
        env, current = (self.environments or {}).get(key) or new_environment(
            self.theme_templates, self.site, self.bytecode_cache)
        if self.environments is not None:
            self.environments.clear()
            self.environments[key] = (env, current)
        current[0] = self
        self._env = env
        return env


def environment_key(project: Project, site: model.Site, templates: str):
    """What a kept environment depends on: the templates (Templates.digest) and the site.

    An imported template keeps what its top level computed, which may come from the site (never
    from a publication: none is in reach there). Templates keep what they looked up (an imported
    macro keeps its filters), so filters and globals call whichever renderer is current (see
    new_environment), never one bound to an old build.
    """
    return (str(project.override_templates), str(project.theme(site.theme)),
            _digest(repr(site), templates))


def new_environment(templates: Templates, site: model.Site, bytecode_cache=None):
    """(the environment of the theme's `templates` with the renderer's filters and globals, [the
    renderer they call]): a renderer puts itself in the list when it takes the environment."""
    import jinja2

    Markup = _markup()[0]
    env = make_environment(templates, bytecode_cache)
    current = [None]

    def calling(name: str):
        return lambda *args: getattr(current[0], name)(*args)

    def filtering(name: str):
        """A filter calling the renderer's method, taking the context so that Jinja2 never
        calls it while compiling: `"feed.xml"|absolute` would then be kept, made from the
        site.yml of that time, with the compiled template (which is kept while its text stays)."""
        return jinja2.pass_context(
            lambda context, *args, **options: getattr(current[0], name)(*args, **options))

    filters = {name: filtering(name) for name in _RENDERER_FILTERS}
    filters.update(site_link=site_link, file_url=metadata.file_url, fill=fill,
                   json_ld=lambda data: Markup(metadata.json_ld(data)),
                   title_html=lambda title: Markup(markup.title_html(title)),
                   title_text=markup.title_text)
    functions = {name: calling(name) for name in _RENDERER_GLOBALS}
    functions.update(
        publication_date=metadata.publication_date,
        citation_detail=metadata.citation_detail,
        atom_date=lambda pub: metadata.atom_date(pub.sort_date) if pub.sort_date[0] else "",
        page_url=page_url,
        publication_entries=jinja2.pass_context(calling("publication_entries")),
    )
    env.filters.update({name: _refusing_undefined(f, env.undefined) for name, f in filters.items()})
    env.globals.update({name: _refusing_undefined(f, env.undefined) for name, f in functions.items()})
    env.globals["words"] = words.theme_words(site)  # the environment is kept for one site.yml only
    return env, current


def _refusing_undefined(function, undefined: type):
    """`function` as templates call it: an `undefined` value given to it fails as it does
    where Jinja2 uses it ("'pb' is undefined"), not with the function's message about something
    else (a KeyError of an id(), 'got StrictUndefined'), nor unseen when the function leaves it
    unused (a typo is an error). Found by type, in C: about 0.5 µs a call, some 20 a
    publication. Jinja2's `pass_context` is kept."""
    from functools import wraps

    @wraps(function)
    def called(*args, **options):
        if undefined in map(type, args) or options and undefined in map(type, options.values()):
            next(value for value in (*args, *options.values())
                 if type(value) is undefined)._fail_with_undefined_error()
        return function(*args, **options)
    return called


def prepare_environment(project: Project, site: model.Site, bytecode_cache, environments: dict) -> None:
    """Import Jinja2 and load the theme's templates, keeping the environment in
    `environments` for the render that follows (see SiteRenderer.environment).

    For the build's own process to do while forked processes read the publications: then
    importing and compiling cost no time of its own, and the processes forked to render find
    every template compiled, also those that others extend, include or import (see
    templates_to_compile). Only a speed-up:
    anything that fails here (a template that does not load) is left for the render to meet
    and report.
    """
    try:
        templates = read_templates(project, site, Problems())  # the render reports its problems
        key = environment_key(project, site, templates.digest)
        if key in environments:
            return
        env, current = new_environment(templates, site, bytecode_cache)
        names = templates_to_compile(templates, site)
    except Exception:  # noqa: BLE001 - see the docstring
        return
    for name in names:
        try:
            env.get_template(name)
        except Exception:  # noqa: BLE001 - as above
            continue
    environments.clear()
    environments[key] = (env, current)


_ENTRIES_MISUSED = "publication_entries(...) must be written out as it is, with no filter or operator"


class _MisusedEntries(Exception):
    """A template did something to publication_entries(...) other than write it out."""


# Around a placed list's number in a page being made. No text of a site holds it (YAML allows
# no NUL). The same every time, so the same input always gives the same page or the same error;
# made for most filters of text to change it (any change of case, indenting, wrapping, tags
# stripped or escaped), so that one applied to captured text holding it is found. Trimming
# spaces does not change it: text captured with a list in it may be trimmed (the list is placed
# whole, its own first and last spaces kept).
_MARKER = "\0\n<a pLaCeD list>\n\0"


class _PlacedEntries:
    """What publication_entries(...) gives in a page being made: a marker for `page` to fill.

    A filter or an operator would work on the marker, not on the list that replaces it: on
    this object each fails at its template line. Writing it out, as `{{ ... }}` does (with
    autoescaping or without), is all it allows: that goes through `_written_out`. Text captured
    with the list in it (`{% set %}...{% endset %}`) is plain text: a filter there is found
    only if it changes the marker.
    """

    __slots__ = ("marker",)

    def __init__(self, marker: str):
        self.marker = marker

    def refuse(self, *args):
        raise _MisusedEntries(_ENTRIES_MISUSED)

    __str__ = __format__ = __add__ = __radd__ = __mul__ = __rmul__ = __mod__ = __rmod__ = refuse
    __len__ = __iter__ = __getitem__ = __contains__ = refuse


def _written_out(value):
    """What `{{ value }}` writes (Jinja2's finalize): a placed list's marker, as markup."""
    if type(value) is _PlacedEntries:
        return _markup()[0](value.marker)
    return value


def _calling_template_line() -> tuple[str, int]:
    """(template file, line) of the template code that called the caller of this function:
    the innermost frame of a compiled template (Jinja2 puts `__jinja_template__` in its
    globals), its Python line turned into the template's."""
    frame = sys._getframe(2)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and template.filename:
            return template.filename, template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return "", 0


def _misused_entries(parts: list[str], places: list[tuple[str, int]], template) -> Exception:
    """The error for a page whose lists did not all come back as placed (`parts`: the page
    split at the markers), at the template line that placed the first list missing from it or
    out of its place (`places`): a captured list changed, or a list placed but not written
    out. Failing that, at the page's `template`."""
    import jinja2

    found = parts[1::2]
    numbers = [str(n) for n in range(len(places))]
    missing = [n for n, number in enumerate(numbers) if number not in found]
    moved = [n for n, number in enumerate(numbers) if found[n:n + 1] != [number]]
    first = (missing or moved or [0])[0]
    filename, line = places[first] if first < len(places) else ("", 0)
    return jinja2.TemplateSyntaxError(_ENTRIES_MISUSED, line, None, filename or template.filename)


_RENDERER_FILTERS = ("authors", "abstract", "bibtex", "bibtex_key", "slug", "citation_tags",
                     "absolute")
_RENDERER_GLOBALS = ("person", "scholarly_article", "publication_url")


def render_site(project: Project, site: model.Site, content: Content, problems: Problems,
                bytecode_cache=None, fragments: Memo | None = None,
                workers: int = 1, environments: dict | None = None) -> dict[str, bytes]:
    """Every output file of the site, in memory.

    `fragments` (rendered pieces, as bytes) spares rendering again what is unchanged: a
    publication's BibTeX entry, home page item and page, or a page's frame (see `page`). A
    publication's pieces are keyed by its `digest` first (so the disk cache keeps them with
    its file), the site's pages by 'site'. With `workers` above 1, many pieces are rendered by
    forked processes.
    `environments` keeps the Jinja2 environment for the next call (see SiteRenderer.environment).
    """
    pieces = fragments if fragments is not None else Memo()
    templates = read_templates(project, site, problems)
    report_overrides_of_nothing(project, site, templates, problems)
    renderer = SiteRenderer(project, site, content, templates, pieces, bytecode_cache, environments)
    pages = _pages(site, renderer.published, renderer._page_path)
    renderer.compile_templates(problems)
    renderer.prerender(workers, [(page_path, name) for page_path, name, pub in pages if pub is None])
    publications = content.publications
    outputs: dict[str, bytes] = {}
    for page_path, template_name, pub in pages:
        try:
            outputs[page_path] = renderer.page(page_path, template_name, pub)
        except Exception as error:  # a user's template may fail in any way: report, don't crash
            _template_problem(error, project, problems)
    if publications:  # else there is nothing to export, and the footer does not link it
        outputs["publications.bib"] = renderer.bibliography()
    pieces.keep()
    domain = metadata.custom_domain(site)
    if domain:
        outputs["CNAME"] = f"{domain}\n".encode()
    made = outputs.keys() | {page_path for page_path, _, _ in pages}  # a page that failed too
    statics = static_files(project, site, problems)
    written = made | statics.keys()
    folders = _folders_of(written)  # each reported once: at the file where one must be
    for relative, source in statics.items():
        if relative in made:
            problems.warn(project.relative(source), 0, 0,
                          f"not copied: the build writes {relative} itself"
                          + (" (from site.yml's url)" if relative == "CNAME" else ""))
            continue
        clash = _clash(relative, made, written, folders)
        if clash:
            problems.error(project.relative(source), 0, 0, clash)
            continue
        if "\\" in relative:  # found here, at the file's own name (writing would refuse it too)
            problems.error(project.relative(source), 0, 0,
                           "a backslash in a name: browsers read it as '/' in an address, rename it")
            continue
        try:
            outputs[relative] = source.read_bytes()
        except OSError as error:  # gone since it was listed, or unreadable
            report_unreadable(source, project.relative(source), error, problems)
    report_links_to_nothing(site, content, outputs.keys(), folders, problems)
    return outputs


def _folders_of(paths) -> set[str]:
    """Every folder the paths are in: 'a' and 'a/b' for 'a/b/c'."""
    folders: set[str] = set()
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _clash(relative: str, made, written, folders: set[str]) -> str:
    """Why a static file cannot be written among the site's files (`written`, in `folders`),
    or '': it is where the site needs a folder, or in a folder the build `made` a file."""
    if relative in folders:
        first = min(path for path in written if path.startswith(f"{relative}/"))
        return f"a file where the site needs a folder, for {first}: rename it"
    parts = relative.split("/")
    for end in range(1, len(parts)):
        folder = "/".join(parts[:end])
        if folder in made:
            return f"in a folder '{folder}', which the build writes as a file: rename the folder"
    return ""


def report_links_without_scheme(project: Project, site: model.Site, content: Content,
                                problems: Problems) -> None:
    """Of the links report_links_to_nothing checks, report those that look like web addresses
    without their scheme, which are errors: for a build that fails before it renders, so
    that one run tells them too. Only the static files are known then: no page is one."""
    files = static_files(project, site, Problems()).keys()  # a broken one: told when it renders
    report_links_to_nothing(site, content, files, _folders_of(files), problems, errors_only=True)


def report_links_to_nothing(site: model.Site, content: Content, files, folders: set[str],
                            problems: Problems, errors_only: bool = False) -> None:
    """Warn of each link of the content into the site (a publication's, its abstract's, the
    bio's, the navbar's, a co-author's homepage) that leads to none of the site's `files` (in
    `folders`), a PDF not put in static/, or that leads out of the site: above the root of its
    domain ('../x.pdf' at /), or, written from the domain's root, out of a site at a sub-path
    ('/cv.pdf' at /repo/): at its place, found when its file was read (model.SiteLink).
    One that leads to no file and looks like a web address without its scheme
    ('orcid.org/0000-0002-1825-0097': see schema.with_scheme) is an error: the link is broken.
    With `errors_only`, only those are reported."""
    from urllib.parse import unquote, urlsplit

    def check(source: str, url: str, line: int, column: int) -> None:
        path = urlsplit(url).path
        if not path:
            return
        target = output_file(unquote(path), "", site.base_path,
                             lambda relative: relative not in files and relative in folders)
        if target is not None and target not in files and with_scheme(url):
            problems.error(source, line, column, f"link '{one_line(url)}' looks like a web address "
                           f"without its scheme: write '{one_line(with_scheme(url))}'")
        elif errors_only:
            return
        elif target is None and path.startswith("/"):
            problems.warn(source, line, column, f"link '{one_line(url)}' leads out of the site, "
                          f"which is at {site.base_path} (site.yml's url): write it without the "
                          "leading '/' for a file of the site, or in full for one elsewhere")
        elif target is None and path_in_site(site.base_path[1:] + unquote(path), "", "/") is None:
            # '../x' above the domain's root (at a sub-path, '../x' is a page of the domain)
            problems.warn(source, line, column, f"link '{one_line(url)}' goes up above the root of "
                          "the site's domain, where nothing is: write a file's path from the "
                          "site's root (static/papers/x.pdf is papers/x.pdf), or an address in full")
        elif target is not None and target not in files:
            problems.warn(source, line, column, f"link '{one_line(url)}' leads to no file of the "
                          f"site (add static/{target} to publish one there)")

    for pub in content.publications:
        for url, line, column in pub.site_links:  # most have none
            check(pub.source, url, line, column)
    for source, url, line, column in content.refused_links:
        check(source, url, line, column)
    for url, line, column in content.bio.site_links:
        check(content.bio.source, url, line, column)
    for link in site.owner.links:
        if into_the_site(link.url):
            check(SITE_FILE, link.url, *link.place)
    for url, line, column in content.coauthor_links:
        check(content.coauthors_source, url, line, column)


def _updated(publications) -> str:
    """The feed's 'updated' time: SOURCE_DATE_EPOCH when set, else the newest publication date.

    Never the clock, so the same input gives the same bytes.
    """
    import datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    dates = [p.sort_date for p in publications if p.sort_date[0]]
    return metadata.atom_date(max(dates) if dates else (1970, 1, 1))
