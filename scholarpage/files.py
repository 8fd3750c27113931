"""The project's own files as every stage finds them: the files under a folder.

One way for all: publications, static files and templates are found by the same walk, through
symbolic links as the template loader and the dev server's watcher go.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path

from .problems import Problems

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
