"""The build cache on disk, so `python build.py` redoes only what changed since the last build.

It keeps a `memo.BuildCache` between runs under `.cache/scholarpage/` in the project (which
holds a `.gitignore` of its own, so the cache is never committed): each publication file's
parsed records and problems, found by a digest of the file's path and text, and the pieces
rendered from them (see render.py), found by digests of all they depend on.

The cache is data, never code: marshal's tuples, text, numbers and bytes. A cloned project may
ship any `.cache/`, so each file is sealed with a MAC by a secret of this user's (kept in their
own cache folder) and read only if the MAC holds: whatever this user's engine did not write here
is ignored and rebuilt, never executed, never a failed build; links, pipes and devices in it are
never read or written through. (Compiled templates are code, so they are kept in the user's own
cache folder instead.) Everything is tied to this engine's exact source, the Python running it
(marshal's format is its own) and the versions of the libraries whose output it keeps, so
changing any of them starts afresh. The cache only ever saves time, never changes a byte.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import marshal
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from stat import S_ISREG

from . import __version__, model
from .config import Project
from .files import write_atomically
from .content import FileResult
from .memo import BuildCache, Memo
from .problems import Problem

FOLDER = Path(".cache") / "scholarpage"
PACK = ".pack"  # a pack file's suffix
IGNORE_ALL = b"*\n"  # its .gitignore


# The libraries whose output the cache keeps (records parsed by PyYAML, Markdown's HTML, pieces
# rendered by Jinja2 and escaped by MarkupSafe), as the metadata folders installers leave on
# sys.path name them: `jinja2-3.1.6.dist-info`, `PyYAML-5.4.1-py3.9.egg-info`.
_INSTALLED = re.compile(
    r"(pyyaml|markdown|jinja2|markupsafe)-([^-]+?)(?:-py[^-]*)?\.(?:dist|egg)-info", re.IGNORECASE)


def library_versions() -> list[str]:
    """The installed versions of the libraries whose output the cache keeps.

    Read from folder names, as importlib.metadata finds them (the first on sys.path), without
    importing it or the libraries: that would cost a no-change build a fifth of its time. (A
    library copied in without its metadata folder is not seen, nor are its upgrades.)
    """
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:  # a zip file, or gone
            continue
        for name in names:
            installed = _INSTALLED.fullmatch(name) if name.endswith("-info") else None
            if installed:
                found.setdefault(installed[1].lower(), installed[2])
    return sorted(f"{name}-{version}" for name, version in found.items())


def engine_key() -> str:
    """Changes with the engine's version, its source, the Python that runs it and the libraries
    whose output is kept."""
    digest = hashlib.sha256(f"{__version__} {sys.version} {library_versions()}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def user_folder() -> Path | None:
    """This user's own cache folder ($XDG_CACHE_HOME, or ~/.cache), or None if there is none.

    What is kept there (compiled templates, the secret sealing the caches) never comes with a
    project, which may come from anyone.
    """
    try:
        configured = os.environ.get("XDG_CACHE_HOME", "")  # a relative one is to be ignored
        base = Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"
        folder = base / "scholarpage"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # no home folder, or one that cannot be written
        return None
    return folder


SECRET_SIZE = 32


def user_secret() -> bytes | None:
    """This user's key to the caches they write, made on first use; None if it cannot be kept.

    Two first builds at once may each make one: the last kept wins, the other's cache is rebuilt.
    """
    folder = user_folder()
    if folder is None:
        return None
    try:
        secret = _read_file(folder / "secret")
    except OSError:  # none yet, or not a file
        secret = b""
    if len(secret) != SECRET_SIZE:
        secret = os.urandom(SECRET_SIZE)
        try:
            write_atomically(folder / "secret", secret)  # readable by this user alone
        except OSError:
            return None
    return secret


# Compiled templates of an engine not run for this long are removed (see compiled_templates).
UNUSED_SECONDS = 30 * 24 * 3600


def compiled_templates(engine: str):
    """Jinja2's cache of compiled templates, in the user's own cache folder, or None.

    Compiled templates are code, so they are never kept in (or read from) the project. They
    depend on how the engine sets Jinja2 up, so each engine (`engine_key()`) has its own
    folder; the folders of engines not run for a month are removed.
    """
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

    base = user_folder()
    if base is None:
        return None
    folder = base / f"templates-{engine}"
    try:
        if folder.is_dir():
            os.utime(folder)  # run now: see UNUSED_SECONDS
        else:
            folder.mkdir(mode=0o700)
            unused_since = time.time() - UNUSED_SECONDS
            for old in base.glob("templates-*"):
                if old.is_dir() and not old.is_symlink() and old.stat().st_mtime < unused_since:
                    import shutil

                    shutil.rmtree(old, ignore_errors=True)
    except OSError:
        return None
    return Templates(str(folder))


# ---------------------------------------------------------------------------------------------
# Results as plain data (marshal's: tuples, text, numbers) and back: a record is the tuple of
# its fields' values in field order, a link a (label, URL) pair. The MAC of the file they come
# in (see below) vouches that this engine wrote them, so they are taken as they are.

RECORDS = {kind.__name__: kind for kind in (model.Publication, model.Page)}
_SHAPES: dict[type, tuple[tuple[str, ...], list[int]]] = {}


def _shape(kind: type) -> tuple[tuple[str, ...], list[int]]:
    """(field names, indexes of the fields holding links) of a record type."""
    if kind not in _SHAPES:
        fields = dataclasses.fields(kind)
        _SHAPES[kind] = (tuple(field.name for field in fields),
                         [index for index, field in enumerate(fields) if field.type == "tuple[Link, ...]"])
    return _SHAPES[kind]


def encode_record(record) -> tuple:
    names, links = _shape(type(record))
    values = [getattr(record, name) for name in names]
    for index in links:
        values[index] = tuple((link.label, link.url) for link in values[index])
    return tuple(values)


def decode_record(kind: type, values: tuple):
    """The record of these field values, made as pickle makes one (its fields set at once): a
    frozen dataclass's __init__ sets them one by one, the most of reading a cache."""
    names, links = _shape(kind)
    if len(values) != len(names):
        raise ValueError(f"not the fields of a {kind.__name__}")
    if links:
        values = list(values)
        for index in links:
            values[index] = tuple(model.Link(label, url) for label, url in values[index])
    record = object.__new__(kind)
    record.__dict__.update(zip(names, values))
    return record


def encode_result(result: FileResult) -> tuple:
    kind = type(result.records[0]).__name__ if result.records else "Publication"
    return (kind, tuple(map(encode_record, result.records)),
            tuple(map(encode_record, result.problems)), result.gives_ids, result.refused_types,
            result.refused_links)


def decode_result(digest: str, data: tuple) -> FileResult:
    kind, records, problems, gives_ids, refused_types, refused_links = data
    records = tuple(decode_record(RECORDS[kind], values) for values in records)
    if kind == "Publication" and any(not pub.digest.startswith(f"{digest}.") for pub in records):
        raise ValueError("records of another file")
    return FileResult(records, tuple(decode_record(Problem, values) for values in problems), digest,
                      gives_ids, refused_types, refused_links)


# ---------------------------------------------------------------------------------------------
# Packs: what the cache holds, in a few files. Results and pieces of a publication file go in
# the pack named by the first character of its digest, so a build rewrites only the packs it
# changed; the site's pages go in a pack named by the state they were made from, read only by
# a build that asks for that state.
#
# Each cache file starts with a line holding its MAC (see _mac_line), then its data in marshal's
# format (fast to read and write; never read unless the MAC says this user's engine wrote it): a
# pack holds ({digest: result}, {key: piece's bytes}), the signatures file {path: signature}.

_MAC_LINE = 65  # HMAC-SHA256 in hexadecimal, and a newline


def _mac_line(secret: bytes, path: Path, data: bytes) -> bytes:
    """A cache file's first line: the HMAC-SHA256, by the user's secret, of the file's place (its
    engine's folder and its name: a file moved from another engine's folder is not taken) and
    of the bytes after that line.

    SHA-256 rather than keyed BLAKE2b: processors with SHA instructions hash a pack twice as fast.
    """
    mac = hmac.new(secret, f"{path.parent.name}/{path.name}\0".encode(), "sha256")
    mac.update(data)
    return mac.hexdigest().encode() + b"\n"


# Opening refuses a link and does not wait for a pipe's writer (Windows has neither flag).
_READ_ONLY_FILE = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _open_file(path: Path):
    """A regular file, opened to read; a symbolic link, a pipe or a device raises OSError (it
    could lead out of the cache, or never end)."""
    file = open(os.open(path, _READ_ONLY_FILE), "rb")
    if not S_ISREG(os.fstat(file.fileno()).st_mode):
        file.close()
        raise OSError(f"not a regular file: {path}")
    return file


def _read_file(path: Path) -> bytes:
    with _open_file(path) as file:
        return file.read()


def _read_sealed(path: Path, secret: bytes):
    """The data of a cache file; raises unless this user's engine wrote it."""
    with _open_file(path) as file:
        mac, data = file.read(_MAC_LINE), file.read()
    if not hmac.compare_digest(mac, _mac_line(secret, path, data)):
        raise ValueError("not written by this user's engine, or damaged")
    return marshal.loads(data)


def _write_sealed(path: Path, secret: bytes, data) -> None:
    """Write `data` into `path` after its MAC line, by an atomic rename."""
    data = marshal.dumps(data)
    write_atomically(path, _mac_line(secret, path, data), data)


def _pack_of(key: str) -> str:
    """The pack of a result's digest or of a piece's key (see render.SiteRenderer)."""
    return f"site-{key.rsplit('.', 1)[1]}" if key.startswith("site.") else key[0]


def _read_pack(path: Path, secret: bytes) -> tuple[dict, dict]:
    """({digest: FileResult}, {key: bytes}) of a pack file; empty if it is not one."""
    try:
        results, pieces = _read_sealed(path, secret)
        results = {digest: decode_result(digest, result) for digest, result in results.items()}
        name = path.stem
        if any(_pack_of(key) != name for key in [*results, *pieces]):
            raise ValueError("a result or piece in the wrong pack")
        return results, pieces
    except Exception:  # missing, unreadable, damaged, or not ours: as if it were not there
        return {}, {}


def _write_pack(path: Path, secret: bytes, results: dict, pieces: dict) -> None:
    """Write a pack (see above)."""
    _write_sealed(path, secret, ({digest: encode_result(result) for digest, result in results.items()},
                                 pieces))


# Signatures: {path: [size, mtime_ns, ctime_ns, inode, digest]} of the publication files last
# read, so an unchanged file is not read again (see content.read_publications).
SIGNATURES = "signatures"


def _read_signatures(path: Path, secret: bytes) -> dict[str, tuple[tuple[int, ...], str]]:
    try:
        return {name: (tuple(signature), digest)
                for name, (*signature, digest) in _read_sealed(path, secret).items()}
    except Exception:  # missing, unreadable, damaged, or not ours: as if it were not there
        return {}


class _Pieces(dict):
    """Pieces by key; the site's pages of a state are read from their pack when asked for.

    `packs` ({name: (results, pieces)}) notes each pack read; `read(name)` reads one.
    """

    def __init__(self, read, packs: dict):
        super().__init__((key, data) for _, pieces in packs.values() for key, data in pieces.items())
        self.read, self.packs = read, packs

    def get(self, key, default=None):
        if key.startswith("site.") and _pack_of(key) not in self.packs:
            pack = _pack_of(key)
            self.packs[pack] = self.read(pack)
            self.update(self.packs[pack][1])
        return super().get(key, default)


class DiskCache:
    """A BuildCache loaded from the project's cache folder, saved back after the build."""

    def __init__(self, project: Project):
        self.root = project.root / FOLDER
        self.folder = self.root / engine_key()
        self.secret = user_secret()
        self.packs: dict[str, tuple[dict, dict]] = {}
        # A cache folder that leads elsewhere (a project may come with a symbolic link there)
        # is never read or written: saving removes files. Without a secret, none is trusted.
        self.usable = self.secret is not None and os.path.realpath(self.folder) == os.path.join(
            os.path.realpath(project.root), FOLDER, self.folder.name)
        if self.usable and self.folder.is_dir():
            for path in self.folder.glob(f"*{PACK}"):
                if not path.stem.startswith("site-"):
                    self.packs[path.stem] = self._read_pack(path.stem)
        parsed = {digest: result for results, _ in self.packs.values()
                  for digest, result in results.items()}
        self.signatures = (_read_signatures(self.folder / SIGNATURES, self.secret)
                           if self.usable else {})
        self.memory = BuildCache(
            publications=None, templates=lambda: compiled_templates(self.folder.name),
            parsed=Memo(parsed), signatures=dict(self.signatures),
            fragments=Memo(_Pieces(self._read_pack, self.packs)))

    def _read_pack(self, name: str) -> tuple[dict, dict]:
        """A pack of this cache (see _read_pack); none from a cache that is not usable."""
        return _read_pack(self.folder / f"{name}{PACK}", self.secret) if self.usable else ({}, {})

    def changes(self):
        """A function that writes the packs whose content changed since the cache was loaded,
        each by an atomic rename, and removes the rest. What changed is worked out now.

        The build works it out, then has a forked process call the function while it writes the
        site: in a forked process, each object looked at costs a copy of its memory page, so the
        function looks only at what it writes. A cache that cannot be written only costs the
        next build time: it is left as it was.
        """
        if not self.usable:
            return lambda: None
        packs: dict[str, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
        for digest, result in self.memory.parsed.store.items():
            packs[_pack_of(digest)][0][digest] = result
        for key, data in self.memory.fragments.store.items():
            packs[_pack_of(key)][1][key] = data
        changed = {name: pack for name, pack in packs.items()
                   if _outline(*pack) != _outline(*self.packs.get(name, ({}, {})))}
        signatures = {path: (*signature, digest)
                      for path, (signature, digest) in self.memory.signatures.items()
                      } if self.memory.signatures != self.signatures else None

        def write() -> None:
            try:
                self._prepare()
                for name, (results, pieces) in changed.items():
                    _write_pack(self.folder / f"{name}{PACK}", self.secret, results, pieces)
                for path in self.folder.glob(f"*{PACK}"):
                    if path.stem not in packs:
                        path.unlink(missing_ok=True)
                if signatures is not None:
                    _write_sealed(self.folder / SIGNATURES, self.secret, signatures)
            except OSError:
                pass
        return write

    def _prepare(self) -> None:
        """The cache folder, git-ignored, with what older engines left in it removed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        try:
            kept = _read_file(ignore)
        except OSError:  # none yet, or a link (which may lead anywhere): replaced, not followed
            kept = b""
        if kept != IGNORE_ALL:
            write_atomically(ignore, IGNORE_ALL)
        for old in self.root.iterdir():
            if old.name not in (".gitignore", self.folder.name):
                if old.is_dir() and not old.is_symlink():
                    import shutil

                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)


def _outline(results: dict, pieces: dict) -> tuple:
    """What tells two packs apart: results are kept objects, pieces' keys name their bytes."""
    return {digest: id(result) for digest, result in results.items()}, pieces.keys()
