"""Work shared out to forked processes: the same results, in order, and the same errors."""
from __future__ import annotations

import os
import signal
import time

import pytest

from conftest import eventually, held_back
from scholarpage import workers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() here")


@pytest.fixture(autouse=True)
def forked(monkeypatch) -> list[int]:
    """Forking from 2 items on, 1 per process, taken one at a time; the ids of the processes
    forked."""
    monkeypatch.setattr(workers, "ITEMS_PER_PROCESS", 1)
    monkeypatch.setattr(workers, "WORTH_FORKING", 2)
    monkeypatch.setattr(workers, "CHUNK", 1)
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
def test_results_come_back_in_order(count, processes, forked):
    assert workers.fork_map(lambda item: item * item, list(range(count)), processes) == [
        item * item for item in range(count)]
    assert len(forked) == min(count, processes) - 1 and all_ended(forked)


@pytest.mark.parametrize("chunk", [1, 10])
def test_every_process_takes_items(chunk, monkeypatch, forked):
    monkeypatch.setattr(workers, "CHUNK", chunk)

    def job(item):
        time.sleep(0.005)  # slow enough that no process takes every item before the others start
        return os.getpid()

    assert len(set(workers.fork_map(job, list(range(60)), 3))) == 3
    assert all_ended(forked)


def test_a_slower_process_takes_fewer_items(forked):
    """Items are taken a few at a time as each process is ready, not dealt out beforehand."""
    def job(item):
        time.sleep(0.02 if os.getpid() == here else 0.002)
        return os.getpid()

    here = os.getpid()
    pids = workers.fork_map(job, list(range(100)), 2)
    assert pids.count(here) < 25 and all_ended(forked)


def test_work_meanwhile_is_done_here_while_the_others_take_items(forked):
    """`meanwhile` runs once, in this process, before it takes any item; the others go on."""
    here, done = os.getpid(), []

    def meanwhile():
        time.sleep(0.3)  # the other process needs 0.08 s for all 40 items
        done.append(os.getpid())

    pids = workers.fork_map(lambda item: (time.sleep(0.002), os.getpid())[1], list(range(40)), 2,
                            meanwhile)
    assert done == [here] and all_ended(forked)
    assert pids.count(here) < 10  # while it slept, the other process took most items


ARRIVED: list[int] = []  # results unpickled in this process


class Arrival(int):
    """A result that notes its arrival where it is unpickled."""

    def __reduce__(self):
        return _arrived, (int(self),)


def _arrived(item: int) -> Arrival:
    ARRIVED.append(item)
    return Arrival(item)


def test_results_arrive_while_the_other_processes_still_work(tmp_path, forked):
    """What another process sends is unpickled here between this process's items, not once it
    has ended: here, after its first item, it waits until this process has received it."""
    ARRIVED.clear()
    here, released, taken = os.getpid(), tmp_path / "released", []

    def job(item):
        if os.getpid() != here:
            if taken and not eventually(released.exists):
                raise TimeoutError(f"item {item}: nothing came while this process worked")
            taken.append(item)
        if os.getpid() == here and ARRIVED and not released.exists():
            released.write_text(str(ARRIVED[0]))
        time.sleep(0.005)
        return Arrival(item)

    assert workers.fork_map(job, list(range(60)), 2) == list(range(60))
    assert all_ended(forked) and int(released.read_text()) in ARRIVED


def test_results_larger_than_a_pipe_holds_come_whole(forked):
    """A process sending more than the pipe holds while this one is busy goes on working."""
    def meanwhile():
        time.sleep(0.3)

    results = workers.fork_map(lambda item: bytes([item]) * 100_000, list(range(40)), 2, meanwhile)
    assert results == [bytes([item]) * 100_000 for item in range(40)] and all_ended(forked)


def test_no_work_meanwhile_when_nothing_is_forked(forked):
    done = []
    assert workers.fork_map(lambda item: item, [1, 2, 3], 1, lambda: done.append(1)) == [1, 2, 3]
    assert workers.fork_map(lambda item: item, [1], 2, lambda: done.append(1)) == [1]
    assert done == [] and forked == []


def test_a_large_count_of_items_fits_the_queue(monkeypatch, forked):
    monkeypatch.setattr(workers, "CHUNK", 1)
    count = 3 * workers.MAX_CHUNKS + 1
    assert workers.fork_map(lambda item: -item, list(range(count)), 2) == [-item for item in range(count)]
    assert all_ended(forked)


def test_below_the_threshold_nothing_is_forked(forked):
    assert workers.fork_map(lambda item: os.getpid(), [1], 2) == [os.getpid()]
    assert workers.fork_map(lambda item: os.getpid(), [1, 2, 3], 1) == [os.getpid()] * 3
    assert forked == []


def test_each_process_gets_its_share_of_items_or_none_is_forked(monkeypatch, forked):
    monkeypatch.setattr(workers, "ITEMS_PER_PROCESS", 50)
    monkeypatch.setattr(workers, "WORTH_FORKING", 100)
    assert workers.fork_map(lambda item: item, list(range(120)), 64) == list(range(120))
    assert len(forked) == 1 and all_ended(forked)


@pytest.mark.parametrize("failing", [0, 1, 2, 8])
def test_the_first_failing_items_error_is_raised_and_every_process_has_ended(failing, forked):
    def job(item):
        if item >= failing:
            raise KeyError(f"item {item}")
        time.sleep(0.002)
        return b"x" * 200_000  # more than a pipe holds: a process left unread would wait forever

    with pytest.raises(KeyError, match=f"item {failing}"):
        workers.fork_map(job, list(range(9)), 3)
    assert len(forked) == 2 and all_ended(forked)


def test_the_same_error_whichever_process_met_it(forked):
    def job(item):
        time.sleep(0.002)
        raise KeyError(f"item {item}, here" if os.getpid() == here else f"item {item}, there")

    here = os.getpid()
    with pytest.raises(KeyError, match="item 0, "):
        workers.fork_map(job, list(range(6)), 3)
    assert all_ended(forked)


class TwoArguments(Exception):
    def __init__(self, first, second):  # pickled with one: cannot be made again as it was
        super().__init__(f"{first} and {second}")


@pytest.mark.parametrize("failing", [0, 5])
def test_an_error_that_cannot_cross_comes_as_one_naming_it(failing, forked):
    def job(item):
        time.sleep(0.002)
        if item == failing:
            raise TwoArguments("a", "b")
        return item

    with pytest.raises(RuntimeError, match="TwoArguments: a and b"):
        workers.fork_map(job, list(range(6)), 2)
    assert all_ended(forked)


def test_a_process_that_dies_is_an_error_not_missing_results(forked):
    def job(item):
        if os.getpid() != here:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.005)
        return item

    here = os.getpid()
    with pytest.raises(RuntimeError, match="ended without its results"):
        workers.fork_map(job, list(range(20)), 2)
    assert all_ended(forked)


def test_work_aside_runs_in_another_process_and_is_waited_for(tmp_path, forked):
    def save():
        time.sleep(0.05)
        (tmp_path / "saved").write_text(str(os.getpid()))

    wait = workers.aside(save, 2)
    assert not (tmp_path / "saved").exists()  # this process went on
    wait()
    assert int((tmp_path / "saved").read_text()) != os.getpid()
    assert len(forked) == 1 and all_ended(forked)


def test_work_aside_with_one_worker_is_done_at_once_here(tmp_path, forked):
    wait = workers.aside(lambda: (tmp_path / "saved").write_text(str(os.getpid())), 1)
    assert int((tmp_path / "saved").read_text()) == os.getpid()
    wait()
    assert forked == []


def test_work_left_behind_is_not_waited_for(tmp_path, forked):
    def save():
        (tmp_path / "saving").write_text(str(os.getpid()))
        (tmp_path / "saving").rename(tmp_path / "saved")

    with held_back() as wait_for_the_test:
        workers.left_behind(lambda: (wait_for_the_test(), save()), 2)  # returns while held back
        assert len(forked) == 1 and not (tmp_path / "saved").exists()
    assert eventually((tmp_path / "saved").exists)
    assert int((tmp_path / "saved").read_text()) == forked[0]
    os.waitpid(forked[0], 0)  # what the system does once a command has ended


def test_work_left_behind_with_one_worker_is_done_at_once_here(tmp_path, forked):
    workers.left_behind(lambda: (tmp_path / "saved").write_text(str(os.getpid())), 1)
    assert int((tmp_path / "saved").read_text()) == os.getpid()
    assert forked == []


def test_work_left_behind_that_fails_tells_it_on_stderr(capfd, forked):
    def save():
        raise OSError("disk full")

    workers.left_behind(save, 2)  # not an error here: nothing waits for it
    err = []

    def told() -> bool:
        err.append(capfd.readouterr().err)
        return "OSError: disk full" in "".join(err)

    assert eventually(told)
    os.waitpid(forked[0], 0)


def test_work_aside_that_fails_is_an_error_when_waited_for(capfd, forked):
    def save():
        raise OSError("disk full")

    wait = workers.aside(save, 2)
    with pytest.raises(RuntimeError, match="save failed in a forked process"):
        wait()
    assert "OSError: disk full" in capfd.readouterr().err
    assert all_ended(forked)
