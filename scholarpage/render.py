"""Site + content -> {output path: bytes}: the Jinja2 theme, its filters, static files, BibTeX.

Nothing here writes files; `output.py` does. Templates are looked up first in the project's
`templates/` folder, then in the theme's, so a user overrides one template by adding one file.
"""
from __future__ import annotations

import base64
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import bibtex, markup, metadata, model
from .config import Project
from .content import Content
from .problems import Problems


@dataclass(frozen=True)
class SectionView:
    section: model.Section
    publications: tuple[model.Publication, ...]


def _markup():
    from markupsafe import Markup, escape

    return Markup, escape


def make_environment(project: Project, site: model.Site, bytecode_cache=None):
    """The Jinja2 environment of a theme: autoescaping, strict about undefined names.

    A `bytecode_cache` (a jinja2.BytecodeCache) spares recompiling unchanged templates.
    """
    import jinja2

    loader = jinja2.FileSystemLoader(
        [str(project.override_templates), str(project.theme(site.theme) / "templates")]
    )
    return jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(("html", "htm", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
    )


def format_authors(pub: model.Publication, owner: model.Owner, coauthors: dict[str, str]):
    """Authors as HTML: the owner in <strong>, co-authors linked to their homepages."""
    Markup, escape = _markup()
    names = set(owner.names)
    parts = []
    for author in pub.authors:
        if author in names:
            parts.append(Markup("<strong>%s</strong>") % author)
        elif author in coauthors:
            parts.append(Markup('<a href="%s">%s</a>') % (coauthors[author], author))
        else:
            parts.append(escape(author))
    return Markup(", ").join(parts)


def obfuscated_email(address: str) -> dict[str, str]:
    """What the page shows for an email: readable text and an encoded mailto for the script.

    Neither holds the address as written, so harvesters scanning the HTML do not find it.
    """
    user, _, domain = address.partition("@")
    shown = f"{user} [at] {domain.replace('.', ' [dot] ')}"
    encoded = base64.b64encode(address[::-1].encode()).decode()
    return {"text": shown, "encoded": encoded}


def site_link(url: str, root: str) -> str:
    """A link written relative to the site root (site.yml, content/) as seen from a page `root` away."""
    from urllib.parse import urlsplit

    return url if urlsplit(url).scheme or url.startswith("/") else root + url


def relative_root(page_path: str) -> str:
    """The prefix that leads from a page back to the site root: '' or '../../'."""
    return "../" * page_path.count("/")


def static_files(project: Project, site: model.Site) -> dict[str, Path]:
    """Output path -> source file of the theme's static files, overridden by `static/`."""
    files: dict[str, Path] = {}
    for folder in (project.theme(site.theme) / "static", project.override_static):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                relative = path.relative_to(folder)
                if path.is_file() and not any(p.startswith(".") for p in relative.parts):
                    files[relative.as_posix()] = path
    return files


def sections_of(site: model.Site, publications) -> tuple[SectionView, ...]:
    return tuple(
        SectionView(section, tuple(p for p in publications if p.type in section.types))
        for section in site.sections
    )


def _template_problem(error: Exception, project: Project, problems: Problems) -> None:
    """A template error at its template file and line."""
    import jinja2

    message = getattr(error, "message", None) or str(error)
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        problems.error(project.relative(Path(error.filename)), error.lineno or 0, 0,
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


def _pages(site: model.Site, publications, slugs: dict[int, str]):
    """(output path, template, extra context) of every rendered page."""
    pages = [("index.html", "index.html", {}), ("404.html", "404.html", {})]
    pages += [(f"publications/{slugs[id(pub)]}/index.html", "publication.html", {"pub": pub})
              for pub in publications]
    pages.append(("robots.txt", "robots.txt", {}))
    if site.url:  # both need absolute URLs
        pages += [("sitemap.xml", "sitemap.xml", {}), ("feed.xml", "feed.xml", {})]
    return pages


def page_url(page_path: str) -> str:
    """The path a page is linked by: 'publications/x/' for 'publications/x/index.html'."""
    return page_path[: -len("index.html")] if page_path.endswith("index.html") else page_path


def _root_of(site: model.Site, page_path: str) -> str:
    # 404.html is served at any depth, so only site-absolute links work from it.
    return site.base_path if page_path == "404.html" else relative_root(page_path)


def render_site(project: Project, site: model.Site, content: Content, problems: Problems,
                bytecode_cache=None) -> dict[str, bytes]:
    """Every output file of the site, in memory."""
    Markup, _ = _markup()
    publications = content.publications
    keys = bibtex.assign_keys(publications)
    slugs = metadata.assign_slugs(publications)

    env = make_environment(project, site, bytecode_cache)
    env.filters.update(
        authors=lambda pub: format_authors(pub, site.owner, content.coauthors),
        abstract=lambda pub, root="": Markup(markup.rebase_links(pub.abstract_html, root)),
        bibtex=lambda pub: bibtex.entry(pub, keys[id(pub)]),
        bibtex_key=lambda pub: keys[id(pub)],
        slug=lambda pub: slugs[id(pub)],
        site_link=site_link,
        citation_tags=lambda pub: metadata.citation_tags(pub, site),
        absolute=lambda path: metadata.absolute(site, path),
        json_ld=lambda data: Markup(metadata.json_ld(data)),
    )
    env.globals.update(
        person=lambda: metadata.person(site),
        scholarly_article=lambda pub: metadata.scholarly_article(
            pub, site, metadata.absolute(site, f"publications/{slugs[id(pub)]}/")),
        publication_date=metadata.publication_date,
        atom_date=lambda pub: metadata.atom_date(pub.sort_date) if pub.sort_date[0] else "",
        page_url=page_url,
    )
    context = {
        "site": site,
        "owner": site.owner,
        "bio": content.bio,
        "bio_html": Markup(content.bio.html),
        "sections": sections_of(site, publications),
        "publications": publications,
        "email": obfuscated_email(site.owner.email) if site.owner.email else None,
        "updated": _updated(publications),
    }
    outputs: dict[str, bytes] = {}
    for page_path, template_name, extra in _pages(site, publications, slugs):
        try:
            text = env.get_template(template_name).render(
                context, root=_root_of(site, page_path), page_path=page_path, **extra)
        except Exception as error:  # a user's template may fail in any way: report, don't crash
            _template_problem(error, project, problems)
            continue
        outputs[page_path] = text.encode("utf-8")
    outputs["publications.bib"] = bibtex.bibliography(publications, keys).encode("utf-8")
    host = site.url.split("://", 1)[-1].split("/", 1)[0] if site.url else ""
    # A custom domain of its own; a sub-path site shares the domain of the user's site.
    if host and not host.endswith(".github.io") and site.base_path == "/":
        outputs["CNAME"] = f"{host}\n".encode()
    for relative, source in static_files(project, site).items():
        outputs.setdefault(relative, source.read_bytes())
    return outputs


def _updated(publications) -> str:
    """The feed's 'updated' time: SOURCE_DATE_EPOCH when set, else the newest publication date.

    Never the clock, so the same input gives the same bytes.
    """
    import datetime
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    dates = [p.sort_date for p in publications if p.sort_date[0]]
    return metadata.atom_date(max(dates) if dates else (1970, 1, 1))
