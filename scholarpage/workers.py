"""Work shared out to forked processes, for a one-off build on several CPUs.

A forked process starts with everything the build has read and compiled so far, so only the
items' numbers go to it and only results come back, pickled through a pipe. The build's own
process takes a share too. Never used by the dev server, whose threads make forking unsafe:
it renders with one worker.
"""
from __future__ import annotations

import os

# Each process gets at least this many items (publications to parse or render): below that,
# forking costs about what it saves (measured with bench/run.py on 2 CPUs).
ITEMS_PER_PROCESS = 50
WORTH_FORKING = 2 * ITEMS_PER_PROCESS


def worth_forking(count: int, workers: int) -> bool:
    return workers > 1 and count >= WORTH_FORKING and hasattr(os, "fork")


def fork_map(function, items: list, workers: int) -> list:
    """[function(item) for item in items], shared with forked processes if worth it: up to
    `workers` processes in all, each with ITEMS_PER_PROCESS items or more.

    An exception raised for an item is raised here (this process's own first); one that
    cannot be sent across as it is comes as a RuntimeError naming it. Every forked process
    has ended when this returns or raises.
    """
    processes = min(workers, len(items) // ITEMS_PER_PROCESS) if worth_forking(len(items), workers) else 1
    if processes < 2:
        return [function(item) for item in items]
    results, children, error = [None] * len(items), [], None
    try:
        for start in range(1, processes):
            children.append(_fork(function, items[start::processes]))
        results[0::processes] = [function(item) for item in items[0::processes]]
    except BaseException as raised:  # noqa: BLE001 - raised below, once the others have ended
        error = raised
    for start, child in enumerate(children, start=1):
        try:
            results[start::processes] = _collect(*child)
        except BaseException as raised:  # noqa: BLE001 - as above
            error = error or raised
    if error is not None:
        raise error
    return results


def _fork(function, share: list) -> tuple[int, int]:
    """(process id, pipe to read) of a process working out `share`; it sends
    ("ok", results) or ("error", exception) and ends."""
    import pickle

    reading, writing = os.pipe()
    try:
        pid = os.fork()
    except BaseException:
        os.close(reading)
        os.close(writing)
        raise
    if pid:
        os.close(writing)
        return pid, reading
    os.close(reading)
    status = 0
    try:
        try:
            message = ("ok", [function(item) for item in share])
        except BaseException as error:  # noqa: BLE001 - sent to the build's process, raised there
            message = ("error", _portable(error))
        with os.fdopen(writing, "wb") as pipe:
            pickle.dump(message, pipe, pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 - nothing can be sent: the parent sees no results
        status = 1
    finally:
        os._exit(status)  # never return into the build: no exit handlers, no buffers flushed twice


def _portable(error: BaseException) -> BaseException:
    """`error` if it comes back from pickling as it was, else a RuntimeError naming it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error, pickle.HIGHEST_PROTOCOL))
        return error
    except Exception:  # noqa: BLE001 - any way of failing to cross
        return RuntimeError(f"{type(error).__name__}: {error}")


def _collect(pid: int, reading: int) -> list:
    """The results of a forked process, once it has ended."""
    import pickle

    try:
        with os.fdopen(reading, "rb") as pipe:
            data = pipe.read()
    finally:
        os.waitpid(pid, 0)
    try:
        kind, value = pickle.loads(data)
    except Exception as error:  # noqa: BLE001 - nothing, or half of it, came
        raise RuntimeError("a worker process ended without its results") from error
    if kind == "error":
        raise value
    return value
