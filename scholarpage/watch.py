"""The dev server's watcher: which files a build reads changed, named as the build reads them.

A rebuild reads again only the files named here, so none may be missed. inotify does not follow
symlinks (a change under a link's target reaches only a watch on the target), so the targets
are watched too and their events mapped back to paths through the link. When events were lost,
the project folder itself is named: everything is read again.

watchdog's threads call `on_any_event` and log what they lost; what they find is handed over
with IOLoop.add_callback, the one IOLoop method safe to call from another thread.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path, PurePath

from tornado.ioloop import IOLoop
from watchdog import events
from watchdog.observers import Observer

from .config import Project

# What a save, a deletion or a rename gives; no opens, closes or folder-modified noise.
EVENTS = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileMovedEvent,
          events.FileDeletedEvent, events.DirCreatedEvent, events.DirMovedEvent,
          events.DirDeletedEvent]
# Where watchdog logs its warnings and errors, each a sign that events were lost. watchdog 7
# tells of an inotify queue overflow only there; watchdog 6 (Python 3.10) is made to (see below).
WATCHDOG_LOGGER = "watchdog.observers"
OVERFLOWED = "Inotify queue overflowed; filesystem events were lost"  # as watchdog 7 says it


def tell_of_overflows() -> None:
    """Make watchdog 6 (the last for Python 3.10) log an inotify queue overflow as 7 does.

    It skips the kernel's notice of one (an event of no watch) without a word, so the changes
    lost with it would go unseen until the next. Its parser of the kernel's events is wrapped
    to log the notice where LostEvents hears it; the events themselves go on as before.
    """
    from watchdog import version
    from watchdog.utils import UnsupportedLibcError

    if int(version.VERSION_MAJOR) != 6 or not sys.platform.startswith("linux"):
        return
    try:
        from watchdog.observers import inotify_c
    except UnsupportedLibcError:  # no inotify: watchdog polls, which loses no events
        return

    parse = getattr(getattr(inotify_c, "Inotify", None), "_parse_event_buffer", None)
    if parse is None or getattr(parse, "tells_of_overflows", False):  # not 6.0's, or done
        return
    overflow = inotify_c.InotifyConstants.IN_Q_OVERFLOW
    logger = logging.getLogger(inotify_c.__name__)

    def parse_telling_of_overflows(event_buffer: bytes):
        for wd, mask, cookie, name in parse(event_buffer):
            if wd == -1 and mask & overflow:
                logger.warning(OVERFLOWED)
            yield wd, mask, cookie, name

    parse_telling_of_overflows.tells_of_overflows = True
    inotify_c.Inotify._parse_event_buffer = staticmethod(parse_telling_of_overflows)


def is_noise(relative: PurePath) -> bool:
    """Editor swap, backup and lock files, version control and caches: no build reads them."""
    name = relative.name
    return (name == "4913"  # vim's probe for a writable folder
            or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp"))
            or (name.startswith("#") and name.endswith("#"))
            or any(part.startswith(".") or part == "__pycache__" for part in relative.parts))


def symlinks(watched: list[Path]) -> list[tuple[str, str]]:
    """(target, link) of each symlink among or under the watched paths, targets searched too.

    Targets are resolved. Each real folder is searched once, so links in a loop end.
    """
    todo = [(str(path), os.path.realpath(path)) for path in watched]  # (as read, where it is)
    found = [(real, path) for path, real in todo if real != path]
    searched = set()
    while todo:
        path, real = todo.pop()
        if real in searched:
            continue
        searched.add(real)
        try:
            entries = list(os.scandir(real))
        except OSError:  # a file, or gone
            continue
        for entry in entries:
            link = entry.is_symlink()
            if (link or entry.is_dir(follow_symlinks=False)) and not is_noise(PurePath(entry.name)):
                inside = os.path.join(path, entry.name)
                target = os.path.realpath(entry.path) if link else entry.path
                if link:
                    found.append((target, inside))
                todo.append((inside, target))
    return found


def read_as(place: str, aliases) -> list[str]:
    """The paths a build reads the file at `place` by, one per (where, as read) alias over it."""
    return [path + place[len(real):] for real, path in aliases
            if place == real or place.startswith(real + os.sep)]


class LostEvents(logging.StreamHandler):
    """watchdog's warnings and errors: shown on stderr as before, and reported as lost events."""

    def __init__(self, lost) -> None:
        super().__init__()
        self.setLevel(logging.WARNING)
        self.lost = lost

    def emit(self, record: logging.LogRecord) -> None:
        super().emit(record)
        self.lost()


class Watcher(events.FileSystemEventHandler):
    """Hands the paths a build reads that changed to `changed`; the project folder when events
    were lost.

    The project folder itself is watched alone, for site.yml and for watched folders that
    appear, vanish or move (as `git checkout` may do); each watched folder recursively, and so
    the target of each symlink there (a file's folder alone).
    """

    def __init__(self, project: Project, io_loop: IOLoop, changed) -> None:
        self.project, self.io_loop, self.changed = project, io_loop, changed
        self.root = str(project.root)
        self.watched = project.watched()
        self.watches = {}  # (folder, recursive) -> its watchdog watch
        # Replaced whole by refresh, read on watchdog's thread:
        self.folders: tuple[str, ...] = ()  # what is watched
        self.aliases: tuple[tuple[str, str], ...] = ()  # (where, as the build reads it)
        self.links: frozenset[str] = frozenset()  # symlinks, as the build reads them
        self.observer = Observer()
        self.lost_events = LostEvents(self.lost)
        self.refresh()

    def refresh(self, moved: frozenset[str] = frozenset()) -> None:
        """Watch what the build reads now, and watch again the folders in `moved`: a watch
        goes with its folder. Once serving, on the IOLoop thread before the next rebuild."""
        links = symlinks(self.watched)
        wanted = {(self.root, False)}
        for place in [os.path.realpath(path) for path in self.watched] + [t for t, _ in links]:
            if os.path.isdir(place):
                wanted.add((place, True))
            elif os.path.exists(place):
                wanted.add((os.path.dirname(place), False))
        for key in [key for key in self.watches if key not in wanted or key[0] in moved]:
            self.observer.unschedule(self.watches.pop(key))
        for folder, recursive in wanted - self.watches.keys():
            try:
                self.watches[folder, recursive] = self.observer.schedule(
                    self, folder, recursive=recursive, event_filter=EVENTS)
            except (FileNotFoundError, NotADirectoryError):
                pass  # gone again already: its own event refreshes again
            except OSError as error:  # such as the system's limit of watches reached
                print(f"cannot watch {folder}: {error.strerror or error}; changes there are not "
                      "seen (on Linux, raise fs.inotify.max_user_watches and "
                      "max_user_instances)", file=sys.stderr)
        # Read by watchdog's thread meanwhile: `folders` last, so that an event from a folder
        # just watched finds how to read it, or else is not watched yet (lost: all rebuilt).
        self.links = frozenset(link for _, link in links)
        self.aliases = ((self.root, self.root), *links)
        self.folders = tuple(folder for folder, _ in self.watches)

    def relevant(self, path: Path) -> bool:
        inside = any(path == watched or path.is_relative_to(watched) for watched in self.watched)
        return inside and not is_noise(path.relative_to(self.project.root))

    def on_any_event(self, event) -> None:  # on watchdog's thread
        places = [os.fsdecode(p) for p in (event.src_path, event.dest_path) if p]
        if not places or not all(self.watching(place) for place in places):
            return self.lost()
        read = [path for place in places for path in read_as(place, self.aliases)]
        if self.reshapes(event, places, read):  # queued first, so done before the rebuild
            self.io_loop.add_callback(self.refresh, frozenset(places))
        paths = {path for path in map(Path, read) if self.relevant(path)}
        if paths:
            self.io_loop.add_callback(self.changed, paths)

    def watching(self, place: str) -> bool:
        return any(place == folder or place.startswith(folder + os.sep) for folder in self.folders)

    def reshapes(self, event, places: list[str], read: list[str]) -> bool:
        """Whether the event may add, remove or move a watched folder or a symlink."""
        if event.is_directory:
            return True
        return not isinstance(event, events.FileModifiedEvent) and (
            any(path in self.links for path in read) or any(map(os.path.islink, places)))

    def lost(self) -> None:  # on any thread
        """Events were dropped, or name no watched place: look again, read everything again."""
        self.io_loop.add_callback(self.refresh)
        self.io_loop.add_callback(self.changed, {self.project.root})

    def start(self) -> None:
        tell_of_overflows()
        logging.getLogger(WATCHDOG_LOGGER).addHandler(self.lost_events)
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join()
        logging.getLogger(WATCHDOG_LOGGER).removeHandler(self.lost_events)
