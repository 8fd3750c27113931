"""The build: site.yml -> content -> pages -> output folder.

Everything is read and rendered in memory first; the output folder is written only when no
stage found an error, so a failed build leaves the previous site exactly as it was.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import model
from .config import BUILT_MARK, BUILT_MARK_TEXT, Project, load_site, output_folder_problem
from .content import Content, load_content
from .memo import BuildCache
from .output import OutputError, write_site
from .problems import Problems, plural
from .render import prepare_environment, render_site, report_links_without_scheme
from .workers import aside, left_behind


@dataclass
class BuildResult:
    """What a build found and made: its problems, and the output files in memory."""

    problems: Problems
    site: model.Site | None = None
    content: Content | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    out: Path | None = None
    milliseconds: float = 0.0
    filled_in_url: str = ""  # the address built for, site.yml's url being empty (see render)

    @property
    def ok(self) -> bool:
        return not self.problems.errors

    def summary(self) -> str:
        pages = sum(1 for name in self.files if name.endswith(".html"))
        count = len(self.content.publications) if self.content else 0
        where = f" to {_shown(self.out)}/" if self.out else ""
        return (f"built {plural(pages, 'page')}, {plural(count, 'publication')}, "
                f"{len(self.files)} files{where} in {self.milliseconds:.0f} ms")


def _shown(folder: Path) -> str:
    """A folder as the user finds it from where they are (output: ../site is not 'site/')."""
    try:
        return Path(os.path.relpath(folder)).as_posix()
    except ValueError:  # on another drive
        return folder.as_posix()


def render(project: Project, problems: Problems, cache: BuildCache | None = None,
           replacing_output: bool = False, default_url: str = "") -> BuildResult:
    """Read and render the whole site in memory; nothing is written. With `replacing_output`,
    site.yml's output folder is checked for files that writing the site would lose.

    `default_url` (as config.site_url makes it) is the site's address for this build when
    site.yml's url is empty: where GitHub Pages serves it, which deploy and the workflow know.
    site.yml is not changed; what is kept between builds is keyed by the whole site, url too.
    """
    cache = cache or BuildCache()
    result = BuildResult(problems)
    site = load_site(project, problems, replacing_output)
    if site is None:
        if project.site_file.is_file():  # still check every content file, all in this one run
            load_content(project, None, problems, cache.publications, cache.parsed, cache.workers,
                         cache.signatures)
        return result
    if default_url and not site.url:
        site = replace(site, url=default_url)
        result.filled_in_url = default_url
    result.site = site
    result.content = load_content(  # while others read, this process readies the templates
        project, site, problems, cache.publications, cache.parsed, cache.workers, cache.signatures,
        lambda: prepare_environment(project, site, cache.templates, cache.environments))
    if cache.parsed is not None:
        cache.parsed.keep()
    if problems.errors:  # and those the render would find without rendering: one run tells all
        report_links_without_scheme(project, site, result.content, problems)
        return result
    result.files = render_site(project, site, result.content, problems, cache.templates,
                               cache.fragments, cache.workers, cache.environments)
    return result


def build(root: Path | str, out: Path | str | None = None, *, disk_cache: bool = False,
          in_background: bool = False, default_url: str = "") -> BuildResult:
    """Build the project at `root` into `out` (default: site.yml's output folder), for the
    address `default_url` if site.yml's url is empty (see render).

    With `disk_cache`, what is unchanged since the last build is taken from its cache (see
    cache.py); the output is the same byte for byte. A folder without site.yml is no project:
    its build fails, and leaves no cache there. A large build shares reading, parsing and
    rendering out to a process per CPU, and the cache is saved by another process while the
    site is written (a one-off build runs no threads, so it may fork).

    With `in_background` (for a command that ends with the build), what the site does not need
    is left to a process that nobody waits for (see workers.left_behind), started once the
    site is written: saving the cache (a tenth of a cold build of a thousand publications) and
    removing the folder of the previous site (for a thousand pages, as long as writing them).
    A build that starts meanwhile reads what is saved by then: each pack is replaced whole,
    and only saves time.
    """
    started = time.perf_counter()
    project = Project(Path(root).resolve())
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    later: list = []  # what the site does not wait for: done in the background if asked
    disk_cache = disk_cache and project.site_file.is_file()  # no cache in what is no project
    if disk_cache:
        from .cache import DiskCache

        disk = DiskCache(project)
        cache = disk.memory
        cache.workers = workers
    else:
        cache = BuildCache(publications=None, workers=workers)
    result = render(project, Problems(), cache, replacing_output=out is None,
                    default_url=default_url)
    if disk_cache:
        later.append(disk.changes())
    saved = None
    if later and not in_background:
        saved = aside(later.pop(), workers)  # saved by another process while the site is written
    try:
        if result.ok and out is not None:  # site.yml's output was checked when it was read
            reason = output_folder_problem(project, str(Path(out).resolve()), replaced=True)
            if reason:
                result.problems.error("--out", 0, 0, reason)
        if result.ok:
            result.out = Path(out) if out is not None else project.root / result.site.output
            try:
                write_site(result.out, {**result.files, BUILT_MARK: BUILT_MARK_TEXT},
                           later if in_background else None)
            except OutputError as error:  # a full disk, no permission: the old site stays
                result.problems.error(project.relative(result.out.resolve()), 0, 0, str(error))
    finally:
        if saved is not None:
            saved()
        if later:
            left_behind(lambda: _call_each(later), workers)
    result.milliseconds = (time.perf_counter() - started) * 1000
    return result


def _call_each(functions: list) -> None:
    for function in functions:
        function()
