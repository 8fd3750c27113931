"""Shared test helpers: small projects built from dicts of files in temp dirs."""
from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
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


def eventually(condition, seconds: float = 10.0) -> bool:
    """Whether `condition()` comes to hold within `seconds`: for what a process left running does."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@contextmanager
def held_back():
    """A function that waits until the `with` block ends (or 10 s have gone): called in a forked
    process, it holds that process there while the test looks."""
    held, release = os.pipe()
    try:
        yield lambda: select.select([held], [], [], 10)
    finally:
        os.write(release, b"x")
        os.close(release)
        os.close(held)


@pytest.fixture(autouse=True, scope="session")
def tests_own_user_cache(tmp_path_factory):
    """Builds keep compiled templates and a secret in the user's own cache folder: for the
    tests, a folder of theirs, not the one of whoever runs them (a run of the suite leaves
    tens of megabytes there). Processes the tests start inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        yield


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
    return copy_example(root)


def copy_example(root: Path) -> Path:
    """Copy the example site's files into the existing folder `root`."""
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


def build_ok(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run a build that must succeed; its messages are the assertion's explanation."""
    result = run_cli(root, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, {relative path: bytes}, to compare whole outputs."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------
# External tools: CI installs them (.ci/run), so there a missing tool fails the run.


def require_tool(path: Path | str | None, what: str) -> Path:
    """The tool at `path`; when it is missing, fail under CI and skip elsewhere."""
    if path and Path(path).exists():
        return Path(path)
    reason = f"{what} not found"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason}: .ci/run must install it")
    pytest.skip(f"{reason} (run .ci/run, or install it as it does)")


def vnu_jar() -> Path:
    """The Nu Html Checker: $VNU_JAR, or the npm package .ci/run installs."""
    java = shutil.which("java")
    require_tool(java, "java (needed by the Nu Html Checker)")
    default = REPO / ".ci" / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    jar = os.environ.get("VNU_JAR") or default
    return require_tool(jar, f"the Nu Html Checker ({jar})")


def chromium() -> Path:
    """Debian's Chromium, which .ci/run installs; never a downloaded browser."""
    return require_tool(shutil.which("chromium") or "/usr/bin/chromium", "chromium")


# ---------------------------------------------------------------------------------------------
# A small HTML tree, enough to read pages the way a person reads them.

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: "Element | None" = None
    children: list = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def iter(self, tag: str | None = None):
        """Descendant elements in document order."""
        for child in self.children:
            if isinstance(child, Element):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list["Element"]:
        return [e for e in self.iter(tag) if cls is None or cls in e.classes]

    def find(self, tag: str | None = None, cls: str | None = None) -> "Element | None":
        return next(iter(self.find_all(tag, cls)), None)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.raw_text() for c in self.children)

    def text(self) -> str:
        """The text a reader sees, whitespace collapsed."""
        return " ".join(self.raw_text().split())


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def _element(self, tag, attrs) -> Element:
        element = Element(tag, dict(attrs), self.stack[-1])
        self.stack[-1].children.append(element)
        return element

    def handle_starttag(self, tag, attrs):
        element = self._element(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    """The document's tree; end tags close the nearest open element of that name."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root
