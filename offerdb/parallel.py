"""The second core: run one part of a build in a forked child while the parent does another.

A forked child starts with the parent's memory (the whole site model) without pickling it, which is what
makes this pay: sending 10,000 offers to a worker would cost more than the work. Fork is used only where it
is cheap and safe (`can_fork`); elsewhere the job runs in the parent, with the same result.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def can_fork() -> bool:
    """Linux, and no other thread that could hold a lock the child inherits (the live preview runs threads,
    and its rebuilds are incremental anyway). "spawn" would import the caller's main module again."""
    return sys.platform == "linux" and threading.active_count() == 1 and (os.cpu_count() or 1) > 1


class Job:
    """`job = Job(fn, fork=True)` starts fn() in a child; `job.result()` waits and returns its value or
    raises its exception. Without fork, fn runs inside `result()`."""

    def __init__(self, fn: Callable[[], Any], fork: bool) -> None:
        self._fn = fn
        self._pid = 0
        self._read = -1
        if fork:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: never return into the parent's code, whatever happens here
                try:
                    os.close(read)
                    try:
                        payload = pickle.dumps((True, fn()))
                    except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
                        try:
                            payload = pickle.dumps((False, error))
                        except Exception:
                            payload = pickle.dumps((False, RuntimeError(repr(error))))
                    with os.fdopen(write, "wb") as pipe:
                        pipe.write(payload)  # fails (EPIPE) once the parent has gone or cancelled the job
                finally:
                    os._exit(0)  # no atexit handlers, no flushing of the parent's buffers a second time
            os.close(write)
            self._pid, self._read = pid, read

    def result(self) -> Any:
        if not self._pid:
            return self._fn()
        with os.fdopen(self._read, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if not payload:
            raise RuntimeError(f"Ein Hilfsprozess des Baus ist abgebrochen (Status {status}).")
        ok, value = pickle.loads(payload)
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop a child whose result is no longer wanted (the parent's part failed)."""
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            os.close(self._read)
            self._pid = 0


class Shares:
    """Hands out 0 … n-1 in chunks to whichever process asks next, so a parent and its forked child share
    a list of work and finish together however the work is spread over the list. Create it before the fork:
    the counter lives in shared memory with its own lock."""

    def __init__(self, n: int, chunk: int = 16) -> None:
        self._n, self._chunk = n, chunk
        self._next = multiprocessing.get_context("fork").Value("q", 0)

    def __iter__(self) -> Iterator[int]:
        while True:
            with self._next.get_lock():
                start = self._next.value
                self._next.value = start + self._chunk
            if start >= self._n:
                return
            yield from range(start, min(self._n, start + self._chunk))


@contextmanager
def paused_collector() -> Iterator[None]:
    """The cyclic collector off while only acyclic objects (tuples, lists, strings, frozen dataclasses) are
    made: its full collections would walk every object of the site model (0.35 s of a cold build at
    10,000 offers in the search index alone). Reference counting frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen_gc() -> Iterator[None]:
    """Move every object alive now (the site model) out of the cyclic collector's reach while pages are
    rendered: its full collections would otherwise walk millions of objects that stay alive anyway. A
    forked child also copies fewer memory pages, as the collector no longer writes to their headers."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
