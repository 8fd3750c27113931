"""{output path: bytes} -> an output folder, all at once.

The only code that writes a site. It writes into a fresh folder beside the target and swaps
it in by renames, so the target is either the previous site or the new one, never half of each.
"""
from __future__ import annotations

import os
from functools import partial
from pathlib import Path, PurePosixPath


class OutputError(Exception):
    """Writing the output failed: the output path that could not be written ('' for the output
    folder itself) and why. A problem to report, not a crash (the callers make it one)."""

    def __init__(self, path: str, reason: str):
        super().__init__(path, reason)
        self.path, self.reason = path, reason

    def __str__(self) -> str:
        return f"cannot write {self.path or 'the output folder'}: {self.reason}"


class UnsafeOutputPath(OutputError, ValueError):
    """An output path that would land outside the output folder."""


def output_parts(relative: str) -> tuple[str, ...]:
    """The parts of an output file's path, refused if, as text, it could lead out of the folder
    it is written in (absolute, `..`, an empty part, a backslash)."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or not pure.parts or any(p in ("..", "") for p in pure.parts) or "\\" in relative:
        raise UnsafeOutputPath(relative, "browsers read a backslash in an address as '/': rename it"
                               if "\\" in relative else "it leads out of the output folder")
    return pure.parts


def safe_join(folder: Path, relative: str) -> Path:
    """`folder / relative`, refused unless it stays inside `folder` (compared as resolved paths:
    a symbolic link in the folder could lead out)."""
    path = folder.joinpath(*output_parts(relative))
    if not path.resolve().is_relative_to(folder.resolve()):
        raise UnsafeOutputPath(relative, "a symbolic link in the output folder leads out of it")
    return path


def _failed(error: OSError, relative: str = "", out: Path | None = None) -> OutputError:
    """An OSError met writing the output file `relative`, or the output folder `out`: then the
    path that failed is named, unless it is `out` or a folder of the build's beside it."""
    reason = error.strerror or str(error)
    if isinstance(error, (FileExistsError, NotADirectoryError)):
        reason = "a file is where a folder must be"
    failed = str(error.filename or "")
    if out is not None and failed and failed != str(out) and not failed.startswith(
            str(out.parent / f".{out.name}.")):
        reason = f"{failed}: {reason}"
    return OutputError(relative, reason)


def write_tree(folder: Path, files: dict[str, bytes], same: dict[str, Path] | None = None,
               fresh: bool = False) -> None:
    """Write `files` under an existing `folder`, in sorted order.

    A file that `same` ({relative path: path}) names a file holding its very bytes is
    hard-linked to that file instead of written (and written where links are not supported).
    A `fresh` folder, just made empty by this process, holds no link that could lead out: its
    paths are checked as text only (resolving each took half the time of writing a site of a
    thousand pages).
    """
    made: set[Path] = set()
    for relative in sorted(files):
        try:
            path = folder.joinpath(*output_parts(relative)) if fresh else safe_join(folder, relative)
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            if not _linked(same.get(relative) if same else None, path):
                path.write_bytes(files[relative])
        except OSError as error:  # a full disk, no permission, a file where a folder must be
            raise _failed(error, relative) from error


def _linked(existing: Path | None, path: Path) -> bool:
    try:
        if existing is None:
            return False
        os.link(existing, path)
    except OSError:
        return False
    return True


def _same(path: Path, data: bytes) -> bool:
    """Whether the file holds exactly `data` (read a block at a time: pages can be large;
    compared in place by startswith, a memoryview's comparison goes byte by byte)."""
    position = 0
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size != len(data):
            return False
        while block := file.read(1 << 20):
            if not data.startswith(block, position):
                return False
            position += len(block)
    return position == len(data)


def _files_in(folder: Path) -> dict[str, Path] | None:
    """{relative path: path} of the files under `folder`, or None if it holds anything else
    (a symbolic link, an empty folder, a special file) or cannot be read."""
    found, pending = {}, [(folder, "")]
    try:
        while pending:
            path, prefix = pending.pop()
            with os.scandir(path) as scan:
                entries = list(scan)
            if not entries:
                return None
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file(follow_symlinks=False):
                    found[prefix + entry.name] = Path(entry.path)
                else:
                    return None
    except OSError:
        return None
    return found


def _unchanged(files: dict[str, bytes], existing: dict[str, Path]) -> dict[str, Path]:
    """{relative path: path} of the files `existing` that hold exactly what `files` has there."""
    same = {}
    for relative, data in files.items():
        try:
            if relative in existing and _same(existing[relative], data):
                same[relative] = existing[relative]
        except OSError:  # unreadable: written again
            pass
    return same


def update_tree(folder: Path, old: dict[str, bytes], new: dict[str, bytes]) -> list[str]:
    """Bring `folder`, holding `old`, to `new` by writing only what differs; the paths written.

    Not atomic: for a folder nobody reads while this runs (the dev server serves and updates
    its preview folder on one thread), where rewriting a thousand unchanged pages would be slow.
    After an OutputError, `folder` holds neither all of `old` nor all of `new`.
    """
    for relative in old.keys() - new.keys():
        try:
            path = safe_join(folder, relative)
            path.unlink(missing_ok=True)
            for parent in path.parents:  # remove the folders that this left empty
                if parent == folder:
                    break
                if parent.is_dir():  # else removed already, by an update that then failed
                    if any(parent.iterdir()):
                        break
                    parent.rmdir()
        except OSError as error:
            raise _failed(error, relative) from error
    changed = {relative: data for relative, data in new.items() if old.get(relative) != data}
    write_tree(folder, changed)
    return sorted(changed)


def write_site(out: Path, files: dict[str, bytes], later: list | None = None) -> None:
    """Replace the folder `out` by exactly `files`; on any failure `out` is left as it was (an
    OSError is raised as an OutputError).

    A folder already holding exactly `files` is left alone; otherwise its unchanged files
    are hard-linked into the new folder rather than written again. The previous site is moved
    into a hidden folder beside it, then removed; with `later`, a function removing it is
    appended there instead, for the caller to call when it likes (for a site of a thousand
    pages, removing took about as long as writing), and the folder ignores itself for git.
    """
    out = Path(out)
    existing = _files_in(out) if out.is_dir() and not out.is_symlink() else None
    same = _unchanged(files, existing) if existing else {}
    if existing and existing.keys() == files.keys() == same.keys():
        return
    import shutil
    import tempfile  # imported here: a build that changes nothing needs neither

    staging = old = None
    try:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=_aside(out, "new"), dir=out.parent))
            write_tree(staging, files, same, fresh=True)
            os.chmod(staging, 0o755)  # mkdtemp makes it private; a site is meant to be read
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=_aside(out, "old"), dir=out.parent))
                if later is not None:  # it stays a while: a `git add -A` meanwhile must not take it
                    (old / ".gitignore").write_bytes(b"*\n")
                os.rename(out, old / "site")
            os.rename(staging, out)
            staging = None
        except OSError as error:
            raise _failed(error, out=out) from error
    finally:
        if staging is not None:  # failed: the new site goes, the previous one is put back
            shutil.rmtree(staging, ignore_errors=True)
            if old is not None and (old / "site").exists():
                try:
                    os.rename(old / "site", out)
                except OSError as error:  # then it is kept where it is, and said
                    raise OutputError("", f"the previous site is left in {old / 'site'}: "
                                          f"{error.strerror or error}") from error
        if old is not None:
            remove = partial(_remove_previous, old, out)
            if later is None or staging is not None:
                remove()
            else:
                later.append(remove)


# A folder a build moves the previous site into is removed right after, and one it writes the
# new site into is renamed or removed within the build; older ones were left by a build that was
# stopped, or that could not remove them then. These ages leave alone those of a build running
# meanwhile (one writing for an hour is not a site's).
LEFT_OLD_SECONDS = 60
LEFT_NEW_SECONDS = 3600


def _aside(out: Path, kind: str) -> str:
    """The start of the name of a folder beside `out` that write_site makes: 'new' for the
    site it writes, 'old' for the previous one (tempfile.mkdtemp adds 8 of [a-z0-9_])."""
    return f".{out.name}.{kind}-"


def _remove_previous(old: Path, out: Path) -> None:
    """Remove `old`, where the previous site of `out` was moved, and what earlier builds left
    beside `out` (see LEFT_OLD_SECONDS): else a stopped build would leave a copy of the site."""
    import re
    import shutil
    import time

    now = time.time()
    # Only names tempfile.mkdtemp makes (the prefix, then 8 of [a-z0-9_]): never a folder of
    # the user's that merely starts alike ('._site.old-backup'), nor another output's
    # ('._site.old-x.new-abcd1234', the folder a build of '_site.old-x' writes).
    ages = {"old": LEFT_OLD_SECONDS, "new": LEFT_NEW_SECONDS}
    made = re.compile("|".join(f"(?P<{kind}>{re.escape(_aside(out, kind))}[a-z0-9_]{{8}})" for kind in ages))
    left = []
    try:
        entries = [(entry, made.fullmatch(entry.name)) for entry in os.scandir(out.parent)]
    except OSError:  # the folder cannot be listed now: the next build tries again
        entries = []
    for entry, name in entries:
        try:
            if not name or not entry.is_dir(follow_symlinks=False) \
                    or entry.stat(follow_symlinks=False).st_mtime > now - ages[name.lastgroup]:
                continue
            # An old one holds only what write_site puts there: the previous site, .gitignore.
            if name.lastgroup == "old" and not set(os.listdir(entry.path)) <= {"site", ".gitignore"}:
                continue
        except OSError:  # gone meanwhile, or unreadable: left alone
            continue
        left.append(entry.path)
    for folder in (old, *left):
        shutil.rmtree(folder, ignore_errors=True)
