"""Work shared out to forked processes, for a one-off build on several CPUs.

A forked process starts with everything the build has read and compiled so far, so only the
items' numbers go to it and only results come back, pickled through a pipe. The build's own
process takes a share too. Never used by the dev server, whose threads make forking unsafe:
it renders with one worker.
"""
from __future__ import annotations

import os

# Below this many items (publications to parse or render), forking costs about what it saves:
# measured with bench/run.py on 2 CPUs.
WORTH_FORKING = 100


def worth_forking(count: int, workers: int) -> bool:
    return workers > 1 and count >= WORTH_FORKING and hasattr(os, "fork")


def fork_map(function, items: list, workers: int) -> list:
    """[function(item) for item in items], shared with `workers - 1` forked processes if worth it.

    An exception raised for an item is raised here, as it would be without forking.
    """
    if not worth_forking(len(items), workers):
        return [function(item) for item in items]
    children = [_fork(function, items[start::workers]) for start in range(1, workers)]
    results = [None] * len(items)
    try:
        results[0::workers] = [function(item) for item in items[0::workers]]
    finally:
        shares = [_collect(*child) for child in children]
    for start, share in enumerate(shares, start=1):
        results[start::workers] = share
    return results


def _fork(function, share: list) -> tuple[int, int]:
    """(process id, pipe to read) of a process working out `share`; it sends
    ("ok", results) or ("error", exception) and ends."""
    import pickle

    reading, writing = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writing)
        return pid, reading
    os.close(reading)
    status = 0
    try:
        try:
            message = pickle.dumps(("ok", [function(item) for item in share]), pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # noqa: BLE001 - sent to the build's process, raised there
            message = pickle.dumps(("error", error), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(message)
    except BaseException:  # noqa: BLE001 - nothing can be sent: the parent sees no results
        status = 1
    finally:
        os._exit(status)  # never return into the build: no exit handlers, no buffers flushed twice


def _collect(pid: int, reading: int) -> list:
    import pickle

    with os.fdopen(reading, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("a worker process ended without its results")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise value
    return value
