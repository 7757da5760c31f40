"""The second core and the cyclic collector: the one place where a build spreads work over processes or
pauses the collector. The pipeline uses both at the edges of its stages; the stages stay plain functions.

One way to use the second core: `Shared(items, work)` forks a child that works through a list while this
process does something else, then this process joins in on what is left (`results`). A forked child starts
with the parent's memory (the whole site model) without pickling it, which is what makes this pay: sending
10,000 offers to a worker would cost more than the work. Fork is used only where it is cheap and safe
(`can_fork`); elsewhere this process does all of the work, with the same result.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
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


class Shared:
    """`Shared(items, work, fork)`: with `fork`, a child starts at once on `items` (work(item) -> result,
    picklable), taking them in chunks from a counter it shares with this process. `results()` then works
    through what the child has not taken, waits for it and returns every result in the order of `items`.
    Without `fork` everything happens in `results()`. A failure in either process is raised by `results()`;
    `cancel()` ends a child whose results are no longer wanted."""

    def __init__(self, items: Sequence[Any], work: Callable[[Any], Any], fork: bool) -> None:
        self._items, self._work = items, work
        self._shares: Iterable[int] = Shares(len(items)) if fork else range(len(items))
        self._job: Job | None = Job(self._take, fork=True) if fork else None

    def _take(self) -> list[tuple[int, Any]]:
        return [(i, self._work(self._items[i])) for i in self._shares]

    def results(self) -> list[Any]:
        try:
            done = self._take()
            if self._job is not None:
                done += self._job.result()
        finally:
            self.cancel()
        ordered: list[Any] = [None] * len(self._items)
        for i, result in done:
            ordered[i] = result
        return ordered

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    __del__ = cancel  # a child nobody will read from would wait on its pipe for as long as this process runs


@contextmanager
def paused_collector(freeze: bool = False) -> Iterator[None]:
    """The cyclic collector off while a stage makes many small acyclic objects (documents, values, tuples,
    pages): its full collections walk every live object, so a load of 10,000 offers spent about a third of
    its time in them and the search index 0.35 s (docs/performance.md); reference counting still frees
    everything as usual. With `freeze`, the survivors are frozen on the way out (moved out of the collector's
    reach): re-enabling alone would make the next young collection walk every object made meanwhile, half a
    second at 10,000 offers. `frozen()` around the build unfreezes them at its end, so a long-running
    preview does not keep them frozen."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Move every object alive now (the site model) out of the cyclic collector's reach while pages are
    rendered: its full collections would otherwise walk millions of objects that stay alive anyway. A
    forked child also copies fewer memory pages, as the collector no longer writes to their headers."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
