"""Results kept between builds under keys that name everything they depend on.

The build keeps parsed files by their text (content.py) and rendered pieces by their inputs
(render.py) in Memos; the dev server keeps them in memory, `cache.py` on disk. A key that names
all of a value's inputs makes reuse safe: a changed input is a different key.
"""
from __future__ import annotations


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
