"""The build: site.yml -> content -> pages -> output folder.

Everything is read and rendered in memory first; the output folder is written only when no
stage found an error, so a failed build leaves the previous site exactly as it was.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import model
from .config import Project, load_site
from .content import Content, load_content
from .output import write_site
from .problems import Problems
from .render import render_site


@dataclass
class BuildResult:
    problems: Problems
    site: model.Site | None = None
    content: Content | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    out: Path | None = None
    milliseconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems.errors

    def summary(self) -> str:
        pages = sum(1 for name in self.files if name.endswith(".html"))
        count = len(self.content.publications) if self.content else 0
        where = f" to {self.out.name}/" if self.out else ""
        return (f"built {pages} page{'s' * (pages != 1)}, {count} publications, "
                f"{len(self.files)} files{where} in {self.milliseconds:.0f} ms")


def render(project: Project, problems: Problems) -> BuildResult:
    """Read and render the whole site in memory; nothing is written."""
    result = BuildResult(problems)
    site = load_site(project, problems)
    if site is None:
        return result
    result.site = site
    result.content = load_content(project, site, problems)
    if problems.errors:
        return result
    result.files = render_site(project, site, result.content, problems)
    return result


def build(root: Path | str, out: Path | str | None = None) -> BuildResult:
    """Build the project at `root` into `out` (default: site.yml's output folder)."""
    started = time.perf_counter()
    project = Project(Path(root).resolve())
    result = render(project, Problems())
    if result.ok:
        result.out = Path(out) if out is not None else project.root / result.site.output
        write_site(result.out, result.files)
    result.milliseconds = (time.perf_counter() - started) * 1000
    return result
