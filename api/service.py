"""The application service behind both the CLI and the HTTP API.

``WriteService`` does every write (ingest, index, delete, repair) the same way for the
``jiejian`` commands and for the API's jobs. ``AppService`` is what a server process holds:
the lock-free read side (``retrieval.service.SearchService``), the job queue, and a watcher
that swaps to a newly published index (by a job, another process or the CLI) and keeps the
health status honest about reports that wait to be indexed.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from api.jobs import MAX_ATTEMPTS, PENDING, JobStore
from api.settings import Settings
from corpus.passages import ChunkParams
from corpus.pipeline import FileOutcome, IngestSummary, backfill_practices, ingest
from corpus.readers import iter_paths
from corpus.store import CorpusStore
from corpus.workers import BoundedPool
from index.builder import LINK, BuildReport, check_version, current_dir, refresh
from index.bundle import IndexBundle
from index.config import IndexConfig
from index.manifest import IndexMismatchError
from retrieval.service import NotFoundError, SearchService

log = logging.getLogger(__name__)

CHUNKING_KEY = "chunking"
# Where the API keeps uploaded raw files, inside the data directory: ingest treats them as
# ordinary sources (it skips everything else under --data).
UPLOADS_DIR = "uploads"
RUNNER_LOCK = "jobs.runner.lock"
Progress = Callable[..., None]


class ChunkingError(ValueError):
    """Settings ask for other passage sizes than the store was cut with."""


def _chunking(min_chars: int, max_chars: int) -> str:
    return f"{min_chars}-{max_chars}"


class WriteService:
    def __init__(self, settings: Settings):
        self.settings = settings

    def open_store(self) -> CorpusStore:
        return CorpusStore(self.settings.data, url=self.settings.store_url)

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded raw files are kept (ingest treats them as ordinary sources)."""
        return self.settings.data / UPLOADS_DIR

    # ----- chunking is a property of the store ---------------------------------------------

    def config(self, store: CorpusStore | None = None) -> IndexConfig:
        """The index configuration, with the chunking the store was cut with: the index
        compares against what the passages are, not what the settings would make."""
        cfg = self.settings.index_config()
        own = store is None
        store = store or self.open_store()
        try:
            recorded = store.get_meta(CHUNKING_KEY)
        finally:
            if own:
                store.close()
        if recorded is None:
            return cfg
        lo, hi = (int(x) for x in recorded.split("-"))
        return replace(cfg, chunk_min_chars=lo, chunk_max_chars=hi)

    def _check_chunking(self, store: CorpusStore) -> ChunkParams:
        s = self.settings
        wanted = _chunking(s.chunk_min_chars, s.chunk_max_chars)
        recorded = store.get_meta(CHUNKING_KEY)
        if recorded is None:
            store.set_meta(CHUNKING_KEY, wanted)
        elif recorded != wanted:
            raise ChunkingError(
                f"this store's passages are cut at {recorded} characters, the settings say "
                f"{wanted} (JIEJIAN_CHUNK_MIN_CHARS / JIEJIAN_CHUNK_MAX_CHARS): chunking is a "
                "property of the store. Set them back, or ingest the raw files into a new "
                "--data directory with the new sizes."
            )
        return ChunkParams(s.chunk_min_chars, s.chunk_max_chars)

    # ----- the writes --------------------------------------------------------------------

    def ingest(
        self,
        sources: list[Path],
        progress: Callable[[str], None] | None = None,
        paths: list[Path] | None = None,
        workers: int | None = None,
        ray: str | None = None,
    ) -> IngestSummary:
        """``ray``: parse the files as tasks on that Ray cluster (corpus.ray_ingest)."""
        pool: Any = BoundedPool
        if ray:
            from corpus.ray_ingest import ray_pool

            pool = ray_pool(ray)
        with self.open_store() as store:
            params = self._check_chunking(store)
            summary = ingest(
                sources,
                store,
                params,
                progress=progress,
                paths=paths if paths is not None else list(iter_paths(sources)),
                workers=workers or self.settings.ingest_workers,
                limits=self.settings.read_limits(),
                raw_dirs=(self.uploads_dir,),
                pool=pool,
            )
        log.info(
            "ingest: %d files read, %d unchanged, %d skipped; %d reports added, %d duplicates;"
            " %d passages; %.1f s",
            summary.files_read,
            summary.files_unchanged,
            len(summary.skipped),
            summary.reports_new,
            summary.reports_duplicate,
            summary.passages_new,
            summary.seconds,
        )
        return summary

    def index(
        self,
        rebuild: bool = False,
        progress: Callable[[str], None] | None = None,
        store: CorpusStore | None = None,
        ray: str | None = None,
    ) -> BuildReport:
        """Bring the index up to date; a damaged or inconsistent published version is
        detected (checksums, counts) and rebuilt. A store older than practices gets them
        first, by the corpus layer (once per store): the index layer only reads. ``ray``: embed
        on that Ray cluster."""
        if store is None:
            with self.open_store() as own:
                return self.index(rebuild, progress, own, ray)
        backfill_practices(store)
        config = replace(self.config(store), ray_address=ray)
        # In Milvus mode this fills the collections from the store (index/backends/sync.py).
        return refresh(store, config, progress=progress, rebuild=rebuild)

    def diagnose(self) -> list[str]:
        """Everything wrong with the published index and the store (empty when healthy)."""
        problems = []
        with self.open_store() as store:
            problems += store.check()
            config = self.config(store)
            current = current_dir(self.settings.data)
            if current is None:
                return [*problems, "no published index"]
            problems += check_version(current)
            if not problems:
                try:
                    bundle = IndexBundle.load(self.settings.data, config, current)
                except (IndexMismatchError, OSError, ValueError) as exc:
                    problems.append(str(exc))
                else:
                    missing = bundle.freshness(store)[0]
                    bundle.close()
                    if missing:
                        problems.append(f"{missing} stored reports are not in the index")
        return problems

    def repair(
        self, progress: Callable[[str], None] | None = None
    ) -> tuple[list[str], BuildReport]:
        """Check the index and rebuild it from the store when anything is wrong."""
        problems = self.diagnose()
        index_problems = [p for p in problems if not p.startswith("the store ")]
        damaged = any("not in the index" not in p for p in index_problems)
        report = self.index(rebuild=damaged, progress=progress)
        return problems, report

    def delete(
        self, report_id: str, progress: Callable[[str], None] | None = None
    ) -> BuildReport | None:
        """Remove a report from the store, then from the index (None: there is no index)."""
        with self.open_store() as store:
            if not store.delete_report(report_id):
                raise NotFoundError(f"no report {report_id!r}")
            if current_dir(self.settings.data) is None:
                return None
            return self.index(progress=progress, store=store)

    # ----- jobs ----------------------------------------------------------------------------

    def run(self, job: dict[str, Any], progress: Progress) -> None:
        """Run one job (in the job process): upload, delete or index."""

        def indexing(message: str) -> None:
            progress("indexing", message=message)

        if job["kind"] == "upload":
            files = job["files"]
            by_path = {str(Path(f["path"]).resolve()): f for f in files}
            done = [0]

            def reading(path: str) -> None:
                done[0] += 1
                progress("reading", done[0], len(files), Path(path).name)

            paths = [Path(f["path"]) for f in files]
            summary = self.ingest(paths, reading, paths=paths, workers=1)
            for o in summary.outcomes:
                f = by_path.get(str(o["path"]))
                if f is None:
                    continue
                f.update(
                    status=_file_status(o),
                    reason=o.get("reason"),
                    report_ids=list(o["added"]),
                    duplicate_ids=list(o["duplicates"]),
                )
        elif job["kind"] == "delete":
            progress("deleting", message=job["report_id"])
            with self.open_store() as store:
                if not store.delete_report(job["report_id"]):
                    raise NotFoundError(f"no report {job['report_id']!r}")
        built = self.index(progress=indexing)
        job["index"] = {
            "mode": built.mode,
            "added": built.added,
            "removed": built.removed,
            "passages": built.manifest.counts.get("passages", 0),
        }


def _file_status(outcome: FileOutcome) -> str:
    if outcome["status"] in ("skipped", "unchanged"):
        return str(outcome["status"])
    return "added" if outcome.get("added") else "duplicate"


class AppService(SearchService):
    """One server process's service: lock-free reads on the current index snapshot, the
    job queue, and the watcher that swaps snapshots when a new version is published."""

    def __init__(self, settings: Settings, background: bool = True):
        self.settings = settings
        self.writer = WriteService(settings)
        self.jobs = JobStore(settings.data)
        self.uploads_dir = self.writer.uploads_dir
        self._target: str | None = None
        self._fresh_key: tuple[Any, ...] | None = None
        self.waiting = 0  # stored reports the snapshot lacks
        self.stale = 0  # reports deleted from the store the snapshot still holds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._swap = threading.Lock()  # serialises swaps; readers never take it
        # Read before loading: a version published while this process loads (by a job of
        # a killed predecessor, say) then differs, and the watcher swaps to it.
        self._target = self._published(settings.data)
        super().__init__(
            settings.data,
            self.writer.config(),
            settings.synonyms,
            store_url=settings.store_url,
            store_pool=settings.store_pool,
            search_threads=settings.search_threads,
            search_processes=settings.server_workers,
        )
        self._update_freshness()
        if background:
            self._start()

    # ----- background threads ---------------------------------------------------------------

    def _start(self) -> None:
        self.jobs.prune()
        if (self.waiting or self.stale) and not self.jobs.pending():
            # Reports stored but not indexed (a writer killed before publishing): catch up.
            self.jobs.create(
                "index",
                progress={
                    "stage": "queued",
                    "done": 0,
                    "total": 0,
                    "message": "index catch-up at start",
                },
            )
        for target, name in ((self._watch, "index-watcher"), (self._run_jobs, "job-runner")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout=5)
        super().close()

    def _published(self, data_dir: Path | None = None) -> str | None:
        link = (data_dir or self.data_dir) / LINK
        return os.path.realpath(link) if link.exists() else None

    def check_index(self) -> None:
        """Swap to a newly published version (verified first); refresh the freshness."""
        with self._swap:  # the watcher and the job runner both call this
            target = self._published()
            if target != self._target:
                self._target = target
                if target is not None and self.reload(Path(target)):
                    log.info("serving index %s", Path(target).name)
                elif target is not None:
                    log.error("published index not loaded: %s", self.index_problem)
            self._update_freshness()

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.reload_interval):
            try:
                self.check_index()
            except Exception:  # the watcher must outlive any one bad check
                log.exception("index check failed")

    def _update_freshness(self) -> None:
        searcher = self.searcher
        row = self.store.db.execute("SELECT COUNT(*), MAX(seq) FROM reports").fetchone()
        key = (id(searcher), self.store.data_version(), row[0], row[1])
        if key == self._fresh_key:
            return
        if searcher is None:
            self.waiting, self.stale = len(self.store.indexable_report_ids()), 0
        else:
            self.waiting, self.stale = searcher.bundle.freshness(self.store)
        self._fresh_key = key

    def _run_jobs(self) -> None:
        spawns: dict[str, int] = {}
        while not self._stop.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._run_pending(spawns)
            except Exception:
                log.exception("job runner")

    def _run_pending(self, spawns: dict[str, int]) -> None:
        if not self.jobs.pending():
            return
        with open(self.data_dir / RUNNER_LOCK, "w") as fh:
            try:  # one runner among the server processes; the others serve reads
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            for job in self.jobs.pending():
                if self._stop.is_set():
                    return
                if spawns.get(job["id"], 0) >= MAX_ATTEMPTS or job["attempts"] >= MAX_ATTEMPTS:
                    job.update(
                        state="failed",
                        finished_at=time.time(),
                        error=f"the job process died {MAX_ATTEMPTS} times",
                    )
                    self.jobs.save(job)
                    continue
                spawns[job["id"]] = spawns.get(job["id"], 0) + 1
                self._spawn(job["id"])
                self.check_index()

    def _spawn(self, job_id: str) -> None:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        child = subprocess.Popen(
            [sys.executable, "-m", "api.jobs", job_id], stdin=subprocess.PIPE, env=env
        )
        assert child.stdin is not None
        child.stdin.write(self.settings.model_dump_json().encode())
        child.stdin.close()
        while child.poll() is None:
            if self._stop.wait(0.1):
                return  # shutting down: the child finishes its job on its own
        job = self.jobs.get(job_id)
        if child.returncode and job is not None and job["state"] in PENDING:
            log.error("job %s: process exited with %s", job_id, child.returncode)

    # ----- jobs as the routes see them ------------------------------------------------------

    def submit(self, kind: str, job_id: str | None = None, **fields: Any) -> dict[str, Any]:
        job = self.jobs.create(kind, job_id, **fields)
        self._wake.set()
        return job

    def job(self, job_id: str) -> dict[str, Any]:
        job = self.jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id!r}")
        return job

    def has_report(self, report_id: str) -> bool:
        return bool(self.store.has_report(report_id))

    # ----- health ---------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        # Freshness is measured now, not at the watcher's last tick: a job can store reports
        # and publish its index between two ticks, and "ok" must wait for the swap (cached
        # by snapshot and store state, so an unchanged corpus costs one small query).
        self._update_freshness()
        info = super().health()
        pending = self.jobs.pending()
        info["waiting_reports"] = self.waiting
        info["jobs_pending"] = len(pending)
        problems = []
        if self.index_problem:
            problems.append(self.index_problem)
        if self.waiting:
            how = "an indexing job is running" if pending else "run `jiejian index`"
            problems.append(f"{self.waiting} stored reports are not searchable yet ({how})")
        if self.stale:
            problems.append(f"{self.stale} deleted reports are still in the index")
        if info["status"] == "ok" and problems:
            info["status"] = "degraded"
        elif info["status"] == "no_index" and self._target is not None:
            info["status"] = "degraded"  # an index exists but cannot be served
        info["problem"] = "; ".join(problems) or None
        return info
