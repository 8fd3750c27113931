"""Site + content -> {output path: bytes}: the Jinja2 theme, its filters, static files, BibTeX.

Nothing here writes files; `output.py` does. Templates are looked up first in the project's
`templates/` folder, then in the theme's, so a user overrides one template by adding one file.
"""
from __future__ import annotations

import base64
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import bibtex, markup, model
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


def make_environment(project: Project, site: model.Site):
    """The Jinja2 environment of a theme: autoescaping, strict about undefined names."""
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
        problems.error(project.relative(project.theme("")), 0, 0, f"template not found: {error.name}")
        return
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if f.filename.endswith((".html", ".xml", ".htm", ".txt", ".j2"))]
    if frames:
        frame = frames[-1]
        problems.error(project.relative(Path(frame.filename)), frame.lineno or 0, 0,
                       f"template error: {message}")
    else:
        problems.error("templates", 0, 0, f"template error: {type(error).__name__}: {message}")


def render_site(project: Project, site: model.Site, content: Content, problems: Problems) -> dict[str, bytes]:
    """Every output file of the site, in memory."""
    Markup, _ = _markup()
    keys = bibtex.assign_keys(content.publications)
    bio_html = markup.to_html(content.bio.body)
    markup.check_links(bio_html, content.bio.body, content.bio.source, 0, problems)
    abstracts = {}
    for pub in content.publications:
        abstracts[id(pub)] = rendered = markup.to_html(pub.abstract)
        if rendered:
            markup.check_links(rendered, pub.abstract, pub.source, pub.line - 1, problems)

    env = make_environment(project, site)
    env.filters["authors"] = lambda pub: format_authors(pub, site.owner, content.coauthors)
    env.filters["abstract"] = lambda pub: Markup(abstracts[id(pub)])
    env.filters["bibtex"] = lambda pub: bibtex.entry(pub, keys[id(pub)])
    env.filters["bibtex_key"] = lambda pub: keys[id(pub)]
    outputs: dict[str, bytes] = {}
    context = {
        "site": site,
        "owner": site.owner,
        "bio": content.bio,
        "bio_html": Markup(bio_html),
        "sections": sections_of(site, content.publications),
        "publications": content.publications,
        "email": obfuscated_email(site.owner.email) if site.owner.email else None,
    }
    for page_path, template_name in (("index.html", "index.html"),):
        try:
            template = env.get_template(template_name)
            html = template.render(context, root=relative_root(page_path), page_path=page_path)
        except Exception as error:  # a user's template may fail in any way: report, don't crash
            _template_problem(error, project, problems)
            continue
        outputs[page_path] = html.encode("utf-8")
    outputs["publications.bib"] = bibtex.bibliography(content.publications, keys).encode("utf-8")
    for relative, source in static_files(project, site).items():
        outputs.setdefault(relative, source.read_bytes())
    return outputs
