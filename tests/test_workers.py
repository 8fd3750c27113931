"""Work shared out to forked processes: the same results, in order, and the same errors."""
from __future__ import annotations

import os
import signal

import pytest

from scholarpage import workers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() here")


@pytest.fixture(autouse=True)
def forked(monkeypatch) -> list[int]:
    """Forking from 2 items on, 1 per process; the ids of the processes forked."""
    monkeypatch.setattr(workers, "ITEMS_PER_PROCESS", 1)
    monkeypatch.setattr(workers, "WORTH_FORKING", 2)
    pids, fork = [], os.fork

    def noting_fork():
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", noting_fork)
    return pids


def all_ended(pids: list[int]) -> bool:
    """Whether every one of these processes has ended and been waited for."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # waited for already
            continue
        return False
    return True


@pytest.mark.parametrize("count", [2, 3, 10, 1001])
@pytest.mark.parametrize("processes", [2, 3])
def test_results_come_back_in_order_from_every_process(count, processes, forked):
    results = workers.fork_map(lambda item: (item * item, os.getpid()), list(range(count)), processes)
    assert [square for square, _ in results] == [item * item for item in range(count)]
    assert len({pid for _, pid in results}) == min(count, processes)
    assert len(forked) == min(count, processes) - 1 and all_ended(forked)


def test_below_the_threshold_nothing_is_forked(forked):
    assert workers.fork_map(lambda item: os.getpid(), [1], 2) == [os.getpid()]
    assert workers.fork_map(lambda item: os.getpid(), [1, 2, 3], 1) == [os.getpid()] * 3
    assert forked == []


def test_each_process_gets_its_share_of_items_or_none_is_forked(monkeypatch, forked):
    monkeypatch.setattr(workers, "ITEMS_PER_PROCESS", 50)
    monkeypatch.setattr(workers, "WORTH_FORKING", 100)
    assert len({pid for pid in workers.fork_map(lambda item: os.getpid(), list(range(120)), 64)}) == 2
    assert len(forked) == 1 and all_ended(forked)


@pytest.mark.parametrize("failing", [0, 1, 2])  # in this process's share, in another's
def test_an_error_is_raised_here_and_every_process_has_ended(failing, forked):
    def job(item):
        if item == failing:
            raise KeyError(f"item {item}")
        return b"x" * 200_000  # more than a pipe holds: a process left unread would wait forever

    with pytest.raises(KeyError, match=f"item {failing}"):
        workers.fork_map(job, list(range(9)), 3)
    assert len(forked) == 2 and all_ended(forked)


def test_this_processs_own_error_comes_first(forked):
    def job(item):
        raise KeyError("here" if os.getpid() == here else "there")

    here = os.getpid()
    with pytest.raises(KeyError, match="here"):
        workers.fork_map(job, list(range(6)), 3)
    assert all_ended(forked)


class TwoArguments(Exception):
    def __init__(self, first, second):  # pickled with one: cannot be made again as it was
        super().__init__(f"{first} and {second}")


def test_an_error_that_cannot_cross_comes_as_one_naming_it(forked):
    def job(item):
        if item == 1:
            raise TwoArguments("a", "b")
        return item

    with pytest.raises(RuntimeError, match="TwoArguments: a and b"):
        workers.fork_map(job, list(range(6)), 2)
    assert all_ended(forked)


def test_a_process_that_dies_is_an_error_not_missing_results(forked):
    def job(item):
        if item == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return item

    with pytest.raises(RuntimeError, match="ended without its results"):
        workers.fork_map(job, list(range(6)), 2)
    assert all_ended(forked)
