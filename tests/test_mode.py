"""Grad mode and anomaly mode belong to one thread or asyncio task: the bugs of a process-wide
flag, each as a test."""

from __future__ import annotations

import asyncio
import threading

import pytest

from autograd import Value, detect_anomaly, enable_grad, is_grad_enabled, no_grad
from autograd.anomaly import AnomalyError


def records() -> bool:
    return (Value(1.0) * 2.0).parents != ()


def in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_no_grad_in_one_thread_leaves_the_others_recording():
    inside, done = threading.Event(), threading.Event()
    seen = []

    def worker():
        with no_grad():
            inside.set()
            done.wait(5)
            seen.append(records())

    thread = in_thread(worker)
    inside.wait(5)
    assert records() and is_grad_enabled()  # the main thread records while worker is inside
    done.set()
    thread.join()
    assert seen == [False]


def test_threads_leaving_no_grad_in_interleaved_order_restore_their_own_modes():
    # Process-wide: A enters, B enters (saving A's False), A leaves, B leaves (restoring
    # A's False) — and recording stayed off for everyone, so backward gave zeros.
    steps = [threading.Event() for _ in range(4)]
    seen: dict[str, list[bool]] = {"a": [], "b": []}

    def a():
        with no_grad():  # outer mode: on
            steps[0].set()
            steps[1].wait(5)
        seen["a"].append(records())
        steps[2].set()

    def b():
        with no_grad():  # outer mode: off
            steps[0].wait(5)
            with enable_grad(), no_grad():
                steps[1].set()
                steps[2].wait(5)
            seen["b"].append(records())
        seen["b"].append(records())

    threads = [in_thread(a), in_thread(b)]
    for thread in threads:
        thread.join()
    assert seen == {"a": [True], "b": [False, True]}
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_one_no_grad_object_shared_by_threads_keeps_no_state_between_them():
    shared = no_grad()
    barrier = threading.Barrier(2)
    seen = []

    @shared
    def decorated():
        barrier.wait(5)
        return records()

    def worker():
        with shared:  # the same object as a context manager, entered in two threads
            barrier.wait(5)
            seen.append(records())
        seen.append(records())

    threads = [in_thread(worker), in_thread(worker)]
    for thread in threads:
        thread.join()
    assert sorted(seen) == [False, False, True, True]
    threads = [in_thread(lambda: seen.append(decorated())) for _ in range(2)]
    for thread in threads:
        thread.join()
    assert seen[4:] == [False, False] and records()


def test_asyncio_tasks_keep_their_own_modes():
    async def quiet():
        with no_grad():
            await asyncio.sleep(0.01)  # the other task runs meanwhile
            return records()

    async def loud():
        await asyncio.sleep(0.005)
        return records()

    @no_grad()
    async def decorated():
        await asyncio.sleep(0.005)
        return records()

    async def main():
        return await asyncio.gather(quiet(), loud(), decorated(), loud())

    assert asyncio.run(main()) == [False, True, False, True]
    assert records()


def test_a_decorated_generator_runs_its_body_without_grad_when_resumed_later():
    x = Value(2.0)

    @no_grad()
    def doubles():
        for _ in range(3):
            sent = yield x * 2.0
            assert sent is None or not is_grad_enabled()

    made = doubles()
    first = next(made)
    assert records()  # between resumes the consumer's own mode holds
    rest = [made.send(None), next(made)]
    assert all(v.parents == () for v in [first, *rest])
    with pytest.raises(StopIteration):
        next(made)


def test_a_decorated_generator_that_returns_at_once_and_one_closed_early():
    @no_grad()
    def empty():
        return
        yield  # pragma: no cover

    @enable_grad()
    def endless():
        while True:
            yield records()

    assert list(empty()) == []
    with no_grad():
        gen = endless()
        assert next(gen) is True and next(gen) is True
        gen.close()
        assert not is_grad_enabled()


def test_a_decorated_async_generator_runs_its_body_in_the_mode():
    @no_grad()
    async def values():
        for _ in range(2):
            await asyncio.sleep(0)
            yield records()

    async def main():
        return [v async for v in values()], records()

    assert asyncio.run(main()) == ([False, False], True)


def test_anomaly_mode_is_per_thread_too():
    inside, done = threading.Event(), threading.Event()

    def worker():
        with detect_anomaly():
            inside.set()
            done.wait(5)

    thread = in_thread(worker)
    inside.wait(5)
    inf = Value(float("inf"))
    (inf - inf).data  # noqa: B018 - the main thread is not in anomaly mode: no error
    done.set()
    thread.join()
    with pytest.raises(AnomalyError), detect_anomaly():
        inf - inf
