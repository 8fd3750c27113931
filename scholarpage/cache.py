"""The build cache on disk, so `python build.py` redoes only what changed since the last build.

It keeps a `pipeline.BuildCache` between runs under `.cache/scholarpage/` in the project (which
holds a `.gitignore` of its own, so the cache is never committed): each publication file's
parsed records and problems, found by a digest of the file's path and text, and the pieces
rendered from them (see render.py), found by digests of all they depend on.

The cache is data, never code: JSON read back by decoders that accept exactly the records'
fields with their types. A cloned project may ship any `.cache/`; whatever this engine did not
write is ignored and rebuilt, never executed, never a failed build. (Compiled templates are
code, so they are kept in the user's own cache folder instead.) Everything is tied to this
engine's exact source, so editing or upgrading the engine starts afresh. The cache only ever
saves time, never changes a byte.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sys
import tempfile
import zlib
from pathlib import Path

from . import __version__, model
from .config import Project
from .content import FileResult
from .memo import Memo
from .pipeline import BuildCache
from .problems import Problem

FOLDER = Path(".cache") / "scholarpage"


def engine_key() -> str:
    """Changes with the engine's version, its source and the Python that runs it."""
    digest = hashlib.sha256(f"{__version__} {sys.version}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def compiled_templates():
    """Jinja2's cache of compiled templates, in the user's own cache folder, or None.

    Compiled templates are code, so they are never kept in (or read from) the project, which
    may come from anyone; the user's cache folder ($XDG_CACHE_HOME, or ~/.cache) is theirs.
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

    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        folder = base / "scholarpage" / f"templates-{sys.version_info[0]}.{sys.version_info[1]}"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # no home folder, or one that cannot be written
        return None
    return Templates(str(folder))


# ---------------------------------------------------------------------------------------------
# Results as JSON data and back: a record is the list of its fields' values, in field order.
# Decoding raises on anything but what encoding gives.


def _typed(value, kind: type):
    if type(value) is not kind:
        raise ValueError(f"expected {kind.__name__}")
    return value


def _texts(value) -> tuple[str, ...]:
    if type(value) is not list or not all(type(item) is str for item in value):
        raise ValueError("expected a list of text")
    return tuple(value)


def _link(pair) -> model.Link:
    label, url = _texts(pair)
    return model.Link(label, url)


# A field's annotation -> the JSON types its value may have, or how it becomes the value.
_PLAIN_TYPES = {"str": (str,), "int": (int,), "int | None": (int, type(None)), "bool": (bool,)}
_CONVERTERS = {
    "tuple[str, ...]": _texts,
    "tuple[Link, ...]": lambda value: tuple(map(_link, _typed(value, list))),
}
RECORDS = {kind.__name__: kind for kind in (model.Publication, model.Page)}
_SHAPES: dict[type, tuple] = {}


def _shape(kind: type) -> tuple:
    """([field name], [(index, JSON types)], [(index, converter)]) of a record type."""
    if kind not in _SHAPES:
        fields = list(enumerate(dataclasses.fields(kind)))
        _SHAPES[kind] = ([f.name for _, f in fields],
                         [(n, _PLAIN_TYPES[f.type]) for n, f in fields if f.type in _PLAIN_TYPES],
                         [(n, _CONVERTERS[f.type]) for n, f in fields if f.type not in _PLAIN_TYPES])
    return _SHAPES[kind]


def encode_record(record) -> list:
    names, _, converted = _shape(type(record))
    values = [getattr(record, name) for name in names]
    for index, _ in converted:  # tuples, of text or of links
        values[index] = [[item.label, item.url] if isinstance(item, model.Link) else item
                         for item in values[index]]
    return values


def decode_record(kind: type, data):
    names, plain, converted = _shape(kind)
    if len(_typed(data, list)) != len(names):
        raise ValueError(f"not the fields of a {kind.__name__}")
    for index, types in plain:
        if type(data[index]) not in types:
            raise ValueError(f"a {kind.__name__} field of the wrong type")
    values = list(data)
    for index, convert in converted:
        values[index] = convert(values[index])
    return kind(*values)


def encode_result(result: FileResult) -> list:
    kind = type(result.records[0]).__name__ if result.records else "Publication"
    return [kind, [encode_record(record) for record in result.records],
            [encode_record(problem) for problem in result.problems]]


def decode_result(digest: str, data) -> FileResult:
    kind, records, problems = _typed(data, list)
    records = tuple(decode_record(RECORDS[_typed(kind, str)], item) for item in _typed(records, list))
    if kind == "Publication" and any(not pub.digest.startswith(f"{digest}.") for pub in records):
        raise ValueError("records of another file")
    return FileResult(records, tuple(decode_record(Problem, item) for item in _typed(problems, list)),
                      digest)


# ---------------------------------------------------------------------------------------------
# Packs: what the cache holds, in a few files. Results and pieces of a publication file go in
# the pack named by the first character of its digest, so a build rewrites only the packs it
# changed; the site's pages go in a pack named by the state they were made from, read only by
# a build that asks for that state.
#
# A pack is a line of JSON, {"crc": CRC-32 of the rest, "results": {digest: result},
# "pieces": {key: [start, end]}}, then the pieces' bytes one after the other.


def _pack_of(key: str) -> str:
    """The pack of a result's digest or of a piece's key (see render.SiteRenderer)."""
    return f"site-{key.rsplit('.', 1)[1]}" if key.startswith("site.") else key[0]


def _read_pack(path: Path) -> tuple[dict, dict]:
    """({digest: FileResult}, {key: bytes}) of a pack file; empty if it is not one."""
    try:
        with open(path, "rb") as file:  # two reads: the header is not kept once read
            header, blob = _typed(json.loads(file.readline()), dict), memoryview(file.read())
        if header.keys() != {"crc", "results", "pieces"} or zlib.crc32(blob) != header["crc"]:
            raise ValueError("not a pack, or a damaged one")
        results = {digest: decode_result(digest, result)
                   for digest, result in _typed(header["results"], dict).items()}
        pieces, size = {}, len(blob)
        for key, (start, end) in _typed(header["pieces"], dict).items():
            if type(start) is not int or type(end) is not int or not 0 <= start <= end <= size:
                raise ValueError("a piece outside the pack")
            pieces[key] = blob[start:end]
        name = path.stem
        if any(_pack_of(key) != name for key in [*results, *pieces]):
            raise ValueError("a result or piece in the wrong pack")
        return results, pieces
    except Exception:  # missing, unreadable, damaged, or not ours: as if it were not there
        return {}, {}


def _write_pack(path: Path, results: dict, pieces: dict) -> None:
    """Write a pack (see above) by an atomic rename."""
    spans, length, crc = {}, 0, 0
    for key, data in pieces.items():
        spans[key] = [length, length + len(data)]
        length += len(data)
        crc = zlib.crc32(data, crc)
    header = {"crc": crc, "pieces": spans,
              "results": {digest: encode_result(result) for digest, result in results.items()}}
    _write_atomically(path, json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"), b"\n", *pieces.values())


def _write_atomically(path: Path, *parts: bytes) -> None:
    """Write `parts` one after the other into `path`, replacing it by a rename."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb", buffering=1 << 20) as file:  # pieces are many and small
            for data in parts:
                file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Signatures: {path: [size, mtime_ns, ctime_ns, inode, digest]} of the publication files last
# read, so an unchanged file is not read again (see content.read_publications).
SIGNATURES = "signatures"


def _read_signatures(path: Path) -> dict[str, tuple[tuple[int, ...], str]]:
    try:
        data = _typed(json.loads(path.read_bytes()), dict)
        signatures = {}
        for name, (*signature, digest) in data.items():
            if len(signature) != 4 or any(type(n) is not int for n in signature):
                raise ValueError("not a signature")
            signatures[_typed(name, str)] = (tuple(signature), _typed(digest, str))
        return signatures
    except Exception:  # missing, unreadable, damaged, or not ours: as if it were not there
        return {}


class _Pieces(dict):
    """Pieces by key; the site's pages of a state are read from their pack when asked for.

    `packs` ({name: (results, pieces)}) notes each pack read.
    """

    def __init__(self, folder: Path, packs: dict):
        super().__init__((key, data) for _, pieces in packs.values() for key, data in pieces.items())
        self.folder, self.packs = folder, packs

    def get(self, key, default=None):
        if key.startswith("site.") and _pack_of(key) not in self.packs:
            pack = _pack_of(key)
            self.packs[pack] = _read_pack(self.folder / f"{pack}.json")
            self.update(self.packs[pack][1])
        return super().get(key, default)


class DiskCache:
    """A BuildCache loaded from the project's cache folder, saved back after the build."""

    def __init__(self, project: Project):
        self.root = project.root / FOLDER
        self.folder = self.root / engine_key()
        self.packs: dict[str, tuple[dict, dict]] = {}
        # A cache folder that leads elsewhere (a project may come with a symbolic link there)
        # is never read or written: saving removes files.
        self.usable = os.path.realpath(self.folder) == os.path.join(
            os.path.realpath(project.root), FOLDER, self.folder.name)
        if self.usable and self.folder.is_dir():
            for path in self.folder.glob("*.json"):
                if not path.stem.startswith("site-"):
                    self.packs[path.stem] = _read_pack(path)
        parsed = {digest: result for results, _ in self.packs.values()
                  for digest, result in results.items()}
        self.signatures = _read_signatures(self.folder / SIGNATURES) if self.usable else {}
        self.memory = BuildCache(publications=None, templates=compiled_templates,
                                 parsed=Memo(parsed), signatures=dict(self.signatures),
                                 fragments=Memo(_Pieces(self.folder, self.packs)))

    def save(self) -> None:
        """Write the packs whose content changed, each by an atomic rename; remove the rest.

        A cache that cannot be written only costs the next build time: it is left as it was.
        """
        if not self.usable:
            return
        packs: dict[str, tuple[dict, dict]] = {}
        for digest, result in self.memory.parsed.store.items():
            packs.setdefault(_pack_of(digest), ({}, {}))[0][digest] = result
        for key, data in self.memory.fragments.store.items():  # text: see SiteRenderer._text
            packs.setdefault(_pack_of(key), ({}, {}))[1][key] = (
                data.encode("utf-8") if isinstance(data, str) else data)
        try:
            self._prepare()
            for name, (results, pieces) in packs.items():
                if _outline(results, pieces) != _outline(*self.packs.get(name, ({}, {}))):
                    _write_pack(self.folder / f"{name}.json", results, pieces)
            for path in self.folder.glob("*.json"):
                if path.stem not in packs:
                    path.unlink(missing_ok=True)
            if self.memory.signatures != self.signatures:
                _write_atomically(self.folder / SIGNATURES, json.dumps(
                    {path: [*signature, digest] for path, (signature, digest)
                     in self.memory.signatures.items()}, separators=(",", ":")).encode("utf-8"))
        except OSError:
            pass

    def _prepare(self) -> None:
        """The cache folder, git-ignored, with what older engines left in it removed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.is_file():
            ignore.write_text("*\n", encoding="utf-8")
        for old in self.root.iterdir():
            if old.name not in (".gitignore", self.folder.name):
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)


def _outline(results: dict, pieces: dict) -> tuple:
    """What tells two packs apart: results are kept objects, pieces' keys name their bytes."""
    return {digest: id(result) for digest, result in results.items()}, pieces.keys()
