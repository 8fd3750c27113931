"""What builds keep for the next: results under keys that name everything they depend on.

The build keeps parsed files by their text (content.py) and rendered pieces by their inputs
(render.py) in Memos, gathered in a BuildCache; the dev server keeps it in memory, `cache.py`
on disk. A key that names all of a value's inputs makes reuse safe: a changed input is a
different key.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field


class Memo:
    """Values by key. `store` holds what earlier builds made; `keep()`, after a build, leaves
    only what that build asked for or made, so nothing stale piles up."""

    def __init__(self, store: dict | None = None):
        self.store = store if store is not None else {}
        self.used: dict = {}

    def get(self, key):
        """The value kept under `key`, or None."""
        value = self.used.get(key)
        if value is None:
            value = self.store.get(key)
            if value is not None:
                self.used[key] = value
        return value

    def put(self, key, value):
        self.used[key] = value
        return value

    def make(self, key, make):
        """The value under `key`, made by `make()` when there is none (always, for key None)."""
        if key is None:
            return make()
        value = self.get(key)
        return self.put(key, make()) if value is None else value

    def keep(self) -> None:
        self.store, self.used = self.used, {}


@dataclass
class BuildCache:
    """Work a long-running caller (the dev server) keeps so a rebuild redoes only what changed.

    Each publication file's result is reused until `forget()` names the file (the dev server
    names each path its watcher saw change), and compiled templates while their source does
    (`templates` is a jinja2.BytecodeCache, or a function making one when the first template
    is compiled).
    `parsed` (results by file text), `signatures` (files known unchanged, see
    content.read_publications) and `fragments` (rendered pieces, see render.render_site) are
    what the build cache on disk keeps between builds;
    `workers` processes share out a large build; `environments` keeps the loaded templates.
    """

    publications: dict[str, content.FileResult] | None = field(default_factory=dict)  # None: none
    templates: object | None = None
    parsed: Memo | None = None
    signatures: dict | None = None
    fragments: Memo = field(default_factory=Memo)
    workers: int = 1
    environments: dict = field(default_factory=dict)

    def forget(self, paths) -> None:
        """Drop what was read from these files or folders, so the next render reads them again."""
        gone = {str(path) for path in paths}
        inside = tuple(os.path.join(path, "") for path in gone)
        for path in [path for path in self.publications if path in gone or path.startswith(inside)]:
            del self.publications[path]
