"""Work shared out to forked processes, for a one-off build on several CPUs.

A forked process starts with everything the build has read and compiled so far, so only the
items' numbers go to it and only results come back, pickled through a pipe as they are made.
The build's own process takes a share too. Items are taken a few at a time from a queue the
processes share, so one that gets slow items (or less of the CPU) takes fewer, and all finish
together.
Never used by the dev server, whose threads make forking unsafe: it renders with one worker.
"""
from __future__ import annotations

import os

# Each process gets at least this many items (publications to parse or render): below that,
# forking costs about what it saves (measured with bench/run.py on 2 CPUs).
ITEMS_PER_PROCESS = 50
WORTH_FORKING = 2 * ITEMS_PER_PROCESS
# Items are taken this many at a time; at most MAX_CHUNKS chunks, so that the queue (two
# bytes per chunk, written before any process reads) fits the smallest pipe (a 4 KiB page).
CHUNK = 10
MAX_CHUNKS = 2048


def worth_forking(count: int, workers: int) -> bool:
    return workers > 1 and count >= WORTH_FORKING and hasattr(os, "fork")


def fork_map(function, items: list, workers: int, meanwhile=None) -> list:
    """[function(item) for item in items], shared with forked processes if worth it: up to
    `workers` processes in all, each with ITEMS_PER_PROCESS items or more.

    `meanwhile()`, if given, is called by this process once the others are started, before it
    takes items (they take more of them meanwhile): work that is needed next and that forked
    processes could not hand back. Not called if no process is forked.

    Errors are as without processes: the exception raised for the first failing item is
    raised here, whichever process met it (one that cannot be sent across as it is comes as a
    RuntimeError naming it). Every forked process has ended when this returns or raises.
    """
    processes = min(workers, len(items) // ITEMS_PER_PROCESS) if worth_forking(len(items), workers) else 1
    if processes < 2:
        return [function(item) for item in items]
    size = max(CHUNK, -(-len(items) // MAX_CHUNKS))
    chunks = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    queue = _queue(len(chunks))
    children, done, failures = [], {}, []

    def keep(number: int, results: list) -> None:
        done[number] = results
        for child in children:  # what they sent so far, unpickled while they go on
            child.receive(done)

    try:
        for _ in range(1, processes):
            children.append(_fork(function, items, chunks, queue))
        if meanwhile is not None:
            meanwhile()
        _work(function, items, chunks, queue, keep, failures)
    except BaseException as raised:  # noqa: BLE001 - an interruption: raised once all have ended
        failures.append((-1, raised))
    finally:
        os.close(queue)
    for child in children:
        try:
            child.finish(done, failures)
        except BaseException as raised:  # noqa: BLE001 - as above
            failures.append((-1, raised))
    if failures:  # the same error whichever process met it
        error = min(failures, key=lambda failure: failure[0])[1]
        crossing = _portable(error)
        if crossing is error:
            raise error
        raise crossing from error
    if len(done) != len(chunks):
        raise RuntimeError("a worker process ended without its results")
    results = []
    for number in range(len(chunks)):
        results += done[number]
    return results


def aside(function, workers: int):
    """Start `function()` in a forked process while this one goes on; returns a function that
    waits for it to end, raising RuntimeError if it failed (its traceback is on stderr).

    For work whose result is only on disk (saving the build cache while the site is written).
    With one worker, or no fork, `function()` runs here, before this returns.
    """
    if workers < 2 or not hasattr(os, "fork"):
        function()
        return lambda: None
    pid = _forked(function)

    def wait() -> None:
        if os.waitpid(pid, 0)[1] != 0:
            raise RuntimeError(f"{getattr(function, '__qualname__', function)} failed in a forked process")
    return wait


def left_behind(function, workers: int) -> None:
    """Start `function()` in a forked process that nothing waits for, for a process about to
    end (`python build.py` once its site is written): `function()` may run on after it, and
    a failure is only told on stderr. Once this process has ended, the system reaps the
    other; until then it is this one's child. With one worker, or no fork, `function()` runs
    here, before this returns."""
    if workers < 2 or not hasattr(os, "fork"):
        function()
    else:
        _forked(function)
        _LEFT_BEHIND.append(function)


# What left_behind started with is kept here, in a process about to end: after the fork,
# freeing an object writes its memory page, which then costs a copy of the page (for the
# build cache of a thousand publications, 10 ms before `python build.py` could end). It is
# never freed: `python build.py` ends with os._exit (see cli.run), without a teardown.
_LEFT_BEHIND: list = []


def _forked(work) -> int:
    """The id of a forked process that runs `work()` and ends: with status 0, or 1 (and the
    traceback on stderr) if it raised."""
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        work()
        status = 0
    except BaseException:  # noqa: BLE001 - told on stderr, and by the status to the parent
        import traceback

        traceback.print_exc()
    finally:
        os._exit(status)  # never return into the build: no exit handlers, no buffers flushed twice


def _queue(count: int) -> int:
    """A pipe to read from holding the chunk numbers 0 to count - 1, two bytes each: a
    process takes a chunk by reading one (a pipe hands each byte to one reader only)."""
    reading, writing = os.pipe()
    try:
        os.write(writing, b"".join(number.to_bytes(2, "little") for number in range(count)))
    except BaseException:
        os.close(reading)
        raise
    finally:
        os.close(writing)
    return reading


def _work(function, items: list, chunks: list, queue: int, keep, failures: list) -> None:
    """Take chunks from the queue until it is empty, calling `keep(chunk number, results)`
    for each; a failing item's (index, exception) goes into `failures` (the other items are
    still done, so that the first failing item is known whatever the share each process took)."""
    while len(taken := os.read(queue, 2)) == 2:
        number = int.from_bytes(taken, "little")
        start, stop = chunks[number]
        results = []
        for index in range(start, stop):
            try:
                results.append(function(items[index]))
            except Exception as error:  # noqa: BLE001 - raised by fork_map, see its docstring
                failures.append((index, error))
                results.append(None)
        keep(number, results)


def _fork(function, items: list, chunks: list, queue: int) -> _Child:
    """A process taking chunks from `queue`. It sends each chunk's (number, results) as soon as
    it is done, then the list of its failures [(item index, exception)], and ends.

    Each is sent as a frame: its pickle's length in 4 bytes, then the pickle. Pickling is part
    of the work the queue shares out, and unpickling part of this process's (see fork_map).
    A frame the pipe cannot take now waits here, so that this process never waits for the
    build's own, which reads between its chunks."""
    def send() -> None:
        import pickle  # here: the build's own process imports it meanwhile, when it unpickles

        os.close(reading)
        os.set_blocking(writing, False)
        outbox: list = []  # frames (bytes), or what is left of one

        def put(value) -> None:
            data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
            outbox.append(len(data).to_bytes(4, "little") + data)
            try:
                _write(writing, outbox)
            except BlockingIOError:  # the pipe is full: sent with the next frame, or at the end
                pass

        failures: list = []
        try:
            _work(function, items, chunks, queue, lambda number, results: put((number, results)),
                  failures)
        except BaseException as error:  # noqa: BLE001 - an interruption: sent, raised there
            failures.append((-1, error))
        put([(index, _portable(error)) for index, error in failures])
        os.set_blocking(writing, True)
        _write(writing, outbox)
        os.close(writing)

    reading, writing = os.pipe()
    try:
        pid = _forked(send)
    except BaseException:
        os.close(reading)
        raise
    finally:
        os.close(writing)
    return _Child(pid, reading)


def _write(pipe: int, outbox: list) -> None:
    """Write the frames in `outbox` into `pipe`, taking out what is written; a pipe that
    does not block raises BlockingIOError when full, leaving in the rest."""
    while outbox:
        written = os.write(pipe, outbox[0])
        outbox[0] = memoryview(outbox[0])[written:]  # the rest of a frame, not a copy of it
        if not outbox[0]:
            del outbox[0]


class _Child:
    """A process forked by `_fork`, and what has come from it so far."""

    def __init__(self, pid: int, pipe: int):
        self.pid, self.pipe, self.data, self.failures = pid, pipe, bytearray(), None
        os.set_blocking(pipe, False)

    def receive(self, done: dict) -> None:
        """Read what it has sent (without waiting, until `finish`), and unpickle each whole
        frame into `done`."""
        try:
            while data := os.read(self.pipe, 1 << 20):
                self.data += data
        except BlockingIOError:  # nothing more for now
            pass
        self._unpickle(done)

    def finish(self, done: dict, failures: list) -> None:
        """Read the rest, to the end, and add it to `done` and `failures`; the process has ended
        when this returns (waited for once what it sent is unpickled: it ends meanwhile)."""
        try:
            os.set_blocking(self.pipe, True)
            self.receive(done)
        finally:
            os.close(self.pipe)
            os.waitpid(self.pid, 0)
        if self.failures is None or self.data:  # nothing, or half of it, came
            raise RuntimeError("a worker process ended without its results")
        failures += self.failures

    def _unpickle(self, done: dict) -> None:
        import pickle

        start = 0
        while len(self.data) - start >= 4:
            end = start + 4 + int.from_bytes(self.data[start:start + 4], "little")
            if end > len(self.data):
                break
            value = pickle.loads(self.data[start + 4:end])
            if isinstance(value, list):  # the last frame: its failures
                self.failures = value
            else:
                done[value[0]] = value[1]
            start = end
        del self.data[:start]


def _portable(error: BaseException) -> BaseException:
    """`error` if it comes back from pickling as it was, else a RuntimeError naming it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error, pickle.HIGHEST_PROTOCOL))
        return error
    except Exception:  # noqa: BLE001 - any way of failing to cross
        return RuntimeError(f"{type(error).__name__}: {error}")
