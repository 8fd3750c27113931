"""The project's own files as every stage reads them: text, and the files under a folder.

One way for all: site.yml and content/ are read as the same UTF-8 text, and publications,
static files and templates are found by the same walk, through symbolic links as the template
loader and the dev server's watcher go.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path

from .problems import Problems

BOM = "\ufeff"  # what some editors (Notepad) write at the start of a UTF-8 file


def read_text(path: Path | str, shown: str, problems: Problems) -> str | None:
    """A file's text as UTF-8, its newlines as '\\n' and without a byte-order mark; None, with
    the problem reported, when it cannot be read."""
    try:
        with open(path, encoding="utf-8-sig") as file:
            return file.read()
    except UnicodeDecodeError:
        _not_utf8(path, shown, problems)
    except OSError as error:
        report_unreadable(path, shown, error, problems)
    return None


def read_utf8_bytes(path: Path | str, shown: str, problems: Problems) -> bytes | None:
    """A file's bytes, as they are, once they are known to be UTF-8 text (a template, whose
    bytes are also its cache key); None, with the problem reported as read_text reports it."""
    try:
        with open(path, "rb") as file:
            data = file.read()
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        _not_utf8(path, shown, problems)
    except OSError as error:
        report_unreadable(path, shown, error, problems)
    return None


def write_atomically(path: Path, *parts: bytes, mode: int | None = None) -> None:
    """Replace `path` by `parts` written one after the other, in one step (a rename): a failure
    leaves the file as it was and no other behind, and a link there is replaced, never written
    through. The file is readable by this user alone unless `mode` says otherwise."""
    # Made new (O_EXCL) under a random name, as tempfile would, without its import: a first
    # build writes the user's cache secret so, before it shares its work out.
    temporary = path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    handle = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(handle, "wb", buffering=1 << 20) as file:  # a cache's pieces are many
            for data in parts:
                file.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def places_in(text: str):
    """A function giving the (line, column) of `text[index]`, counted from 1 as an editor counts
    them. The lines are found once, so a file of many places (a .bib file of thousands of
    entries) is not counted again from its start for each."""
    from bisect import bisect_right

    starts = [0]
    start = text.find("\n")
    while start >= 0:
        starts.append(start + 1)
        start = text.find("\n", start + 1)

    def place(index: int) -> tuple[int, int]:
        line = bisect_right(starts, index)
        return line, index - starts[line - 1] + 1
    return place


def line_start(text: str, line: int) -> int:
    """The index in `text` where its line `line` (counted from 1) starts; its end if it has
    fewer lines."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if not start:
            return len(text)
    return start


def _not_utf8(path: Path | str, shown: str, problems: Problems) -> None:
    """Report the first byte that is not UTF-8 at its line and column, as an editor counts
    them. The text decoder's own offset counts from the chunk it was given, not the file."""
    try:
        with open(path, "rb") as file:
            data = file.read()
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[:error.start].decode("utf-8").removeprefix(BOM)
        before = before.replace("\r\n", "\n").replace("\r", "\n")
        problems.error(shown, *places_in(before)(len(before)),
                       f"not UTF-8 text: unexpected byte 0x{data[error.start]:02x} "
                       "(save the file as UTF-8)")
        return
    except OSError as error:
        report_unreadable(path, shown, error, problems)
        return
    problems.error(shown, 0, 0, "not UTF-8 text (save the file as UTF-8)")  # changed meanwhile


def report_unreadable(path: Path | str, shown: str, error: OSError, problems: Problems) -> None:
    """A file that cannot be read: a link that leads nowhere is a warning (it is skipped),
    anything else an error."""
    if error.errno == errno.ENOENT and os.path.islink(path):
        try:
            target = f" '{os.readlink(path)}'"
        except OSError:
            target = ""
        problems.warn(shown, 0, 0, f"symbolic link to{target}, which does not exist: skipped")
    elif error.errno == errno.ELOOP:
        problems.error(shown, 0, 0, "symbolic link loop: the link never reaches a file "
                                    "(point it at one, or remove it)")
    else:
        problems.error(shown, 0, 0, f"cannot read: {error.strerror}")


def left_alone(name: str) -> bool:
    """Files and folders content/ and templates/ may hold without the build reading them or
    warning of them: hidden ones, those starting with '_' (drafts, notes), and the backup or
    lock files an editor keeps beside the file it edits (x.yml~, #x.yml#)."""
    return name.startswith((".", "_", "#")) or name.endswith("~")


def hidden(name: str) -> bool:
    return name.startswith(".")


def files_under(folder: Path | str, skip=hidden) -> tuple[list, list]:
    """([(path inside `folder` as parts, path as text)] sorted, [(path as text, OSError)]):
    the files under `folder` and the links among them that lead nowhere or in a loop.

    Symbolic links are followed, but not one back to a folder above it (a loop); two links to
    one folder give its files twice, as the template loader finds them. Names for which
    `skip(name)` holds are left out, with all they hold. Paths are text: the dev server lists
    a thousand publication files on every rebuild, and text is cheap.
    """
    found, broken = [], []
    todo = [(str(folder), (), frozenset())]
    while todo:
        path, parts, above = todo.pop()
        try:
            status = os.stat(path)
            entries = list(os.scandir(path))
        except OSError as error:
            if parts or os.path.islink(path):  # else no such folder: nothing under it
                broken.append((path, error))
            continue
        here = (status.st_dev, status.st_ino)
        if here in above:  # a link back to a folder above: following it would never end
            continue
        above = above | {here}
        for entry in entries:
            if skip(entry.name):
                continue
            try:
                if entry.is_dir():
                    todo.append((entry.path, (*parts, entry.name), above))
                elif entry.is_file():
                    found.append(((*parts, entry.name), entry.path))
                elif entry.is_symlink():
                    os.stat(entry.path)  # raises for a link leading nowhere or in a loop
            except OSError as error:
                broken.append((entry.path, error))
    found.sort()
    broken.sort(key=lambda item: item[0])
    return found, broken
