"""The build cache on disk, so `python build.py` redoes only what changed since the last build.

It keeps the dev server's in-memory cache (`pipeline.BuildCache`) between runs under
`.cache/scholarpage/` in the project: each publication file's parsed records (with their
rendered abstracts) and Jinja2's compiled templates. Everything in it is tied to this engine's
exact source, so editing or upgrading the engine starts afresh. A cache that cannot be read is
ignored and rewritten: it only ever saves time, never changes an output byte or fails a build.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path

from . import __version__
from .config import Project
from .pipeline import BuildCache

FOLDER = Path(".cache") / "scholarpage"
PUBLICATIONS_FILE = "publications.pickle"


def engine_key() -> str:
    """Changes with the engine's version, its source and the Python that runs it."""
    digest = hashlib.sha256(f"{__version__} {sys.version}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def _bytecode_cache(folder: Path):
    """Jinja2's compiled templates, refused quietly when a cache file is broken."""
    import jinja2

    class Templates(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # a broken cache file: compile the template again
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:  # a folder that cannot be written: the next build compiles again
                pass

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return Templates(str(folder))


def _read_publications(path: Path, key: str) -> dict:
    try:
        with open(path, "rb") as file:
            saved = pickle.load(file)
    except Exception:  # missing, truncated or from another engine: start afresh
        return {}
    if not isinstance(saved, dict) or saved.get("engine") != key:
        return {}
    publications = saved.get("publications")
    return publications if isinstance(publications, dict) else {}


class DiskCache:
    """A BuildCache loaded from the project's cache folder, saved back after the build."""

    def __init__(self, project: Project):
        self.folder, self.key = project.root / FOLDER, engine_key()
        if self.folder.is_dir():  # older engines' compiled templates are of no further use
            for old in self.folder.glob("templates-*"):
                if old.name != f"templates-{self.key}":
                    shutil.rmtree(old, ignore_errors=True)
        self.memory = BuildCache(_read_publications(self.folder / PUBLICATIONS_FILE, self.key),
                                 _bytecode_cache(self.folder / f"templates-{self.key}"))
        self._loaded = dict(self.memory.publications)

    def save(self) -> None:
        """Write what this build read, if it differs from what was loaded, by an atomic rename.

        A cache that cannot be written only costs the next build time: it is left as it was.
        """
        if self._loaded == self.memory.publications:
            return
        data = {"engine": self.key, "publications": self.memory.publications}
        temporary = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".publications-", dir=self.folder)
            with os.fdopen(handle, "wb") as file:
                pickle.dump(data, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.folder / PUBLICATIONS_FILE)
        except OSError:
            if temporary:
                Path(temporary).unlink(missing_ok=True)
