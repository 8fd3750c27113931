"""Work shared out to forked processes: the same results, in order, and the same errors."""
from __future__ import annotations

import os
import signal

import pytest

from scholarpage import workers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() here")


@pytest.fixture(autouse=True)
def worth_forking_from_two(monkeypatch):
    monkeypatch.setattr(workers, "WORTH_FORKING", 2)


def children_left() -> bool:
    try:
        return os.waitpid(-1, os.WNOHANG) != (0, 0)
    except ChildProcessError:  # none at all
        return False


@pytest.mark.parametrize("count", [2, 3, 10, 1001])
@pytest.mark.parametrize("processes", [2, 3])
def test_results_come_back_in_order_from_every_process(count, processes):
    results = workers.fork_map(lambda item: (item * item, os.getpid()), list(range(count)), processes)
    assert [square for square, _ in results] == [item * item for item in range(count)]
    assert len({pid for _, pid in results}) == min(count, processes)
    assert not children_left()


def test_below_the_threshold_nothing_is_forked():
    assert workers.fork_map(lambda item: os.getpid(), [1], 2) == [os.getpid()]
    assert workers.fork_map(lambda item: os.getpid(), [1, 2, 3], 1) == [os.getpid()] * 3


@pytest.mark.parametrize("failing", [0, 1])  # in this process's share, in the other's
def test_an_error_is_raised_here_as_without_forking(failing):
    def job(item):
        if item == failing:
            raise KeyError(f"item {item}")
        return item

    with pytest.raises(KeyError, match=f"item {failing}"):
        workers.fork_map(job, list(range(6)), 2)
    assert not children_left()


def test_a_process_that_dies_is_an_error_not_missing_results():
    def job(item):
        if item == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return item

    with pytest.raises(RuntimeError, match="ended without its results"):
        workers.fork_map(job, list(range(6)), 2)
    assert not children_left()
