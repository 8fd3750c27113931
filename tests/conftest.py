"""Shared test helpers: small projects built from dicts of files in temp dirs."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed" / "frontpage.html"

MINIMAL_SITE = """\
title: Test Site
owner:
  name: Ada Lovelace
"""


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text} under root; text is dedented so tests can indent it."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data), encoding="utf-8")
    return root


@pytest.fixture
def make_project(tmp_path):
    """make_project({path: text}) -> a project folder with the frontpage theme and those files.

    site.yml defaults to a minimal valid one unless given.
    """

    def make(files: dict[str, str | bytes] | None = None, *, theme: bool = True) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        if theme:
            shutil.copytree(REPO / "themes", root / "themes", dirs_exist_ok=True)
        files = dict(files or {})
        files.setdefault("site.yml", MINIMAL_SITE)
        return write_files(root, files)

    return make


@pytest.fixture
def example_project(tmp_path) -> Path:
    """A copy of the example site shipped in the repository."""
    root = tmp_path / "example"
    root.mkdir()
    for name in ("site.yml",):
        shutil.copy2(REPO / name, root / name)
    for name in ("content", "themes", "static", "schema"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, root / name)
    return root


def run_cli(root: Path, *args: str, input: str | None = None, timeout: float = 120):
    """Run `python build.py ARGS` in `root` as a user would; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=root, capture_output=True, text=True, input=input, timeout=timeout,
    )
