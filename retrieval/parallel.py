"""Threads that run one query's engine searches side by side, while cores are idle.

tantivy and FAISS release the GIL while they search, so a query's searches (the main BM25
search, the dense search, a section query's second BM25 list) can overlap: at 1M passages a
section query's two BM25 searches took 12.0 ms in sequence and 6.4 ms side by side on an
idle machine. They save wall time, not CPU time: when every core is already busy with other
requests, handing work to another thread only adds its cost (8 clients on 2 cores served
66-69 requests/s with every query's searches handed over against 71-75 with none). So a
query hands its searches over only while fewer queries than cores are being answered, and
runs them itself otherwise; a task no thread has picked up by the time the query needs it
is taken back too. Results are the same either way.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
# How a query starts one engine search: ``start(fn, *args)`` returns the call that gives
# ``fn(*args)``'s result.
Starter = Callable[..., Callable[[], Any]]


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity: a container's cpuset or ``taskset``),
    not every CPU of the machine."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform
        return os.cpu_count() or 1


class SearchThreads:
    """``cores``: the cores this process's queries may count as theirs, by default the
    usable cores shared out among the ``processes`` server processes answering queries on
    this machine (``jiejian serve --workers``): each process sees only its own queries, so
    several of them hand work over only within their share."""

    def __init__(self, threads: int, cores: int | None = None, processes: int = 1):
        if threads < 1:
            raise ValueError("SearchThreads needs at least one thread")
        self.cores = cores or max(1, usable_cores() // max(1, processes))
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="jiejian-search")
        self._lock = threading.Lock()
        self._active = 0  # queries inside ``query()`` now

    @contextmanager
    def query(self) -> Iterator[Starter]:
        """Count this query as being answered while inside; yields :meth:`start` when a core
        is idle for its searches, else a starter that runs them in the calling thread."""
        with self._lock:
            self._active += 1
            spare = self._active < self.cores
        try:
            yield self.start if spare else inline
        finally:
            with self._lock:
                self._active -= 1

    def start(self, fn: Callable[..., T], *args: Any) -> Callable[[], T]:
        """Start ``fn(*args)`` on a thread; the returned call waits for its result, or runs
        it itself when no thread has picked it up yet (or the threads are shut down: a
        query still running while its service closes)."""
        try:
            future: Future[T] = self._pool.submit(fn, *args)
        except RuntimeError:  # shut down
            return inline(fn, *args)

        def result() -> T:
            return fn(*args) if future.cancel() else future.result()

        return result

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


def inline(fn: Callable[..., T], *args: Any) -> Callable[[], T]:
    """:meth:`SearchThreads.start` without threads: the call runs ``fn`` when asked."""
    return lambda: fn(*args)
