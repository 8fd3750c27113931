"""Work shared out to forked processes, for a one-off build on several CPUs.

Forked processes start with everything the build has read and compiled so far, so only the
items' numbers go to them and only results come back. Never used by the dev server, whose
threads make forking unsafe: it renders with one worker.
"""
from __future__ import annotations

import os

# Below this many items (publications to parse or render), forking costs about what it saves:
# measured with bench/run.py on 2 CPUs, none at 1,000 publications, 25% at 10,000.
WORTH_FORKING = 2000
_job = None  # what the forked processes run: inherited, so it may be any function


def worth_forking(count: int, workers: int) -> bool:
    return workers > 1 and count >= WORTH_FORKING and hasattr(os, "fork")


def _run(share: list) -> list:
    return [_job(item) for item in share]


def fork_map(function, items: list, workers: int) -> list:
    """[function(item) for item in items], by `workers` forked processes if worth it."""
    global _job
    if not worth_forking(len(items), workers):
        return [function(item) for item in items]
    import multiprocessing

    _job = function
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            shares = pool.map(_run, [items[start::workers] for start in range(workers)])
    finally:
        _job = None
    results = [None] * len(items)
    for start, share in enumerate(shares):
        results[start::workers] = share
    return results
