"""Worker processes that run one job at a time under a wall-clock timeout and a memory cap.

``multiprocessing.Pool`` cannot stop one task: a file that hangs a parser, or a worker killed
by the kernel, stalls or breaks the whole pool. Here each worker is a forked process with its
own pipe; a job past its deadline gets its worker killed and replaced, a worker that dies
takes only its current job with it, and the caller gets a failure result for that job with
the reason. Results come back in job order, with at most ``ahead`` jobs in flight or waiting
to be yielded, so memory stays bounded however long the job list is.

The memory cap is an address-space limit (RLIMIT_AS) set in the worker right after the fork,
counted on top of what the worker inherited: a forked child of a server that has a model
loaded already maps gigabytes it never touches.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

J = TypeVar("J")
R = TypeVar("R")


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cap_memory(extra_mb: int) -> None:
    """Limit this process's address space to what it maps now plus ``extra_mb``."""
    if extra_mb <= 0:
        return
    limit = _vm_bytes() + extra_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError) as exc:  # e.g. a hard limit already lower
        log.warning("could not cap worker memory: %s", exc)


def _worker_main(conn: Connection, fn: Callable[[Any], Any], memory_mb: int) -> None:
    # What the worker inherited (dictionaries, the gazetteer) lives as long as it does: the
    # cyclic collector need not walk it again on every collection of the job's objects.
    gc.freeze()
    cap_memory(memory_mb)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        idx, job = msg
        try:
            result: Any = ("ok", fn(job))
        except MemoryError:
            result = ("error", "over the memory limit (JIEJIAN_READ_MEMORY_MB)")
        except Exception as exc:  # fn should catch its own; this keeps the worker alive
            result = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send((idx, result))
        except MemoryError:
            conn.send((idx, ("error", "over the memory limit (JIEJIAN_READ_MEMORY_MB)")))


def _recv(conn: Connection) -> Any:
    """A worker's answer, unpickled with the cyclic collector paused: unpickling a file's
    reports makes thousands of objects, each batch of them set off a collection that walked
    the whole heap, and that cost three times the unpickling itself. Nothing unpickled is
    garbage yet; the collector sees it all once, at its next run."""
    if not gc.isenabled():
        return conn.recv()
    gc.disable()
    try:
        return conn.recv()
    finally:
        gc.enable()


class _Worker:
    def __init__(self, ctx: Any, fn: Callable[[Any], Any], memory_mb: int):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, fn, memory_mb), daemon=True)
        self.proc.start()
        child.close()
        self.job: int | None = None
        self.deadline = 0.0

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.proc.kill()
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


class JobPool(Generic[J, R]):
    """What every pool of ``corpus.pipeline`` takes and how it words a timeout; the local
    processes here (``BoundedPool``) and Ray tasks (``corpus.ray_ingest.RayPool``) differ
    only in where jobs run.

    ``on_failure(job, reason)`` makes the result for a job whose worker timed out or died;
    ``ahead`` bounds the jobs in flight or waiting to be yielded (0: the pool's default).
    """

    # Whether workers are forked when the pool starts, inheriting the parent's memory (what
    # the first ingest pass read is then handed to the second without copying).
    forks = False

    def __init__(
        self,
        fn: Callable[[J], R],
        on_failure: Callable[[J, str], R],
        workers: int = 1,
        timeout_s: float = 300.0,
        memory_mb: int = 0,
        ahead: int = 0,
    ):
        self.fn = fn
        self.on_failure = on_failure
        self.n = max(1, workers)
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.ahead = ahead

    def timeout_reason(self) -> str:
        return (
            f"over the time limit: took longer than {self.timeout_s:g} s (JIEJIAN_READ_TIMEOUT_S)"
        )

    def imap(self, jobs: Iterable[J]) -> Iterator[R]:
        raise NotImplementedError


class BoundedPool(JobPool[J, R]):
    """Run ``fn`` over jobs in ``workers`` processes; see the module docstring."""

    forks = True  # see JobPool.forks

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ahead = self.ahead or 8 * self.n
        self.ctx = multiprocessing.get_context("fork")

    def imap(self, jobs: Iterable[J]) -> Iterator[R]:
        todo = iter(jobs)
        pending: dict[int, J] = {}  # sent or waiting, by index
        done: dict[int, R] = {}
        next_out = next_in = 0
        exhausted = False
        idle: list[_Worker] = [_Worker(self.ctx, self.fn, self.memory_mb) for _ in range(self.n)]
        busy: list[_Worker] = []
        try:
            while True:
                # Hand out jobs while there is room in the window.
                while idle and not exhausted and next_in - next_out < self.ahead:
                    try:
                        job = next(todo)
                    except StopIteration:
                        exhausted = True
                        break
                    w = idle.pop()
                    pending[next_in] = job
                    w.job, w.deadline = next_in, time.monotonic() + self.timeout_s
                    w.conn.send((next_in, job))
                    busy.append(w)
                    next_in += 1
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
                if not busy:
                    if exhausted:
                        return
                    continue
                timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
                ready = wait(
                    [w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=timeout
                )
                now = time.monotonic()
                for w in list(busy):
                    failure: str | None = None
                    if w.conn in ready:
                        try:
                            idx, (status, value) = _recv(w.conn)
                        except (EOFError, OSError):
                            failure = self._death_reason(w)
                        else:
                            done[idx] = (
                                value if status == "ok" else self.on_failure(pending[idx], value)
                            )
                            pending.pop(idx)
                            busy.remove(w)
                            w.job = None
                            idle.append(w)
                            continue
                    elif w.proc.sentinel in ready:
                        failure = self._death_reason(w)
                    elif now >= w.deadline:
                        failure = self.timeout_reason()
                    if failure is None:
                        continue
                    assert w.job is not None
                    idx = w.job
                    done[idx] = self.on_failure(pending.pop(idx), failure)
                    busy.remove(w)
                    w.stop(kill=True)
                    idle.append(_Worker(self.ctx, self.fn, self.memory_mb))
        finally:
            for w in idle + busy:
                w.stop(kill=w in busy)

    def _death_reason(self, w: _Worker) -> str:
        w.proc.join(timeout=1)
        code = w.proc.exitcode
        if code is not None and code < 0:
            sig = -code
            hint = " (likely over the memory limit, JIEJIAN_READ_MEMORY_MB)" if sig == 9 else ""
            return f"the reader process was killed by signal {sig}{hint}"
        return f"the reader process exited with code {code}"
