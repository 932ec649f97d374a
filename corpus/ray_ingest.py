"""Ingest's per-file parse as Ray tasks: ``jiejian ingest --ray ADDRESS|auto|local``.

Reading a file and building its reports (``corpus.pipeline._prepare_chunk``) is pure: no
store, no shared state. ``RayPool`` has the interface of ``corpus.workers.BoundedPool`` and
maps it onto a Ray cluster's CPUs; results come back to this process in job order and are
written to the store (SQLite, or PostgreSQL for a cluster) by the usual single writer. The
per-file wall-clock bound stays (a task past it is cancelled and its files get the usual
"over the time limit" reason); the per-worker address-space cap does not carry over, since
Ray reuses its worker processes: a cluster relies on Ray's memory monitor instead, which
kills the task that pushes a node over its limit (reported here as a failed file).

Ray is optional (``pip install 'jiejian[ray]'``) and imported only when asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from corpus.workers import JobPool

log = logging.getLogger(__name__)

J = TypeVar("J")
R = TypeVar("R")


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RuntimeError("--ray needs Ray: pip install 'jiejian[ray]' (or 'ray')") from exc
    return ray


def connect(address: str) -> Any:
    """Join a Ray cluster once per process and return the ``ray`` module.

    ``auto``: the cluster ``ray start`` runs on this machine, or $RAY_ADDRESS; none running:
    a private one on this machine. ``local``: always a private one. Anything else is a
    cluster address (``ray://head:10001`` or ``head:6379``). A private cluster listens on
    127.0.0.1 only and needs no dashboard.
    """
    ray = _ray()
    if ray.is_initialized():
        return ray
    local = {
        "_node_ip_address": "127.0.0.1",
        "include_dashboard": False,
        "configure_logging": False,
        "log_to_driver": False,
    }
    if address == "local":
        ray.init(**local)
    elif address == "auto":
        try:
            ray.init(address="auto", configure_logging=False, log_to_driver=False)
        except (ConnectionError, RuntimeError):
            ray.init(**local)
    else:
        ray.init(address=address, configure_logging=False, log_to_driver=False)
    log.info("ray: %s", ray.cluster_resources())
    return ray


def cluster_cpus(ray: Any) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _call(fn: Callable[[Any], Any], job: Any) -> Any:
    return fn(job)


class RayPool(JobPool[J, R]):
    """``BoundedPool``'s interface over Ray tasks (see the module docstring).

    ``workers`` is ignored: the cluster's CPU count decides how many tasks run at once, and
    at most ``ahead`` (default: twice that) are in flight or waiting to be yielded.
    """

    def __init__(self, *args: Any, address: str = "auto", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ray = connect(address)
        self.ahead = self.ahead or 2 * cluster_cpus(self.ray)
        self._remote = self.ray.remote(max_retries=0)(_call)

    def imap(self, jobs: Iterable[J]) -> Iterator[R]:
        ray = self.ray
        todo = iter(jobs)
        window: list[tuple[Any, J]] = []  # (ref, job), in job order
        fn_ref = ray.put(self.fn)
        exhausted = False
        while True:
            while not exhausted and len(window) < self.ahead:
                try:
                    job = next(todo)
                except StopIteration:
                    exhausted = True
                    break
                ref = self._remote.remote(fn_ref, job)
                window.append((ref, job))
            if not window:
                return
            ref, job = window[0]
            # The clock starts when the task is the oldest one waited for: a queued task is
            # never charged for the files before it (a task may so run a little longer).
            ready, _ = ray.wait([ref], timeout=self.timeout_s)
            window.pop(0)
            if not ready:
                ray.cancel(ref, force=True)
                yield self.on_failure(job, self.timeout_reason())
                continue
            try:
                yield ray.get(ref)
            except Exception as exc:  # worker died, out of memory, cancelled, task error
                yield self.on_failure(job, f"the Ray task failed: {type(exc).__name__}: {exc}")


def ray_pool(address: str) -> Callable[..., RayPool[Any, Any]]:
    """A pool factory for ``corpus.pipeline.ingest(pool=...)`` bound to one cluster."""

    def make(*args: Any, **kwargs: Any) -> RayPool[Any, Any]:
        return RayPool(*args, **{**kwargs, "address": address})

    return make
