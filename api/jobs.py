"""Write jobs (uploads, deletions, index catch-up) recorded on disk and run one at a time.

A job is a JSON file under ``DATA/jobs/``, written atomically, so every server process (and
``jiejian serve --workers N``) sees the same queue and a restart finds what was accepted
but not finished. Each job runs in its own child process (``python -m api.jobs``): CPU-heavy
ingest and indexing never hold the server's interpreter lock, and a job killed mid-way is
simply run again (ingest skips files already stored; the index refresh is idempotent).
The child holds ``DATA/jobs.lock`` while it works, so jobs run in order, one at a time,
even when an orphaned child outlives a killed server.
"""

from __future__ import annotations

import fcntl
import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corpus.files import write_text

log = logging.getLogger(__name__)

JOBS_DIR = "jobs"
LOCK = "jobs.lock"
PENDING = ("queued", "running")
MAX_ATTEMPTS = 3  # a job whose process dies this many times is marked failed
JOB_ID = re.compile(r"^[0-9]{20}-[0-9a-f]{16}$")
PROGRESS_EVERY = 0.25  # seconds between progress writes
KEEP_FINISHED_S = 30 * 86400  # finished job records are kept a month


@contextmanager
def job_lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class JobStore:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.root = data_dir / JOBS_DIR
        self.root.mkdir(parents=True, exist_ok=True)

    def new_id(self) -> str:
        # Time-ordered (the queue order) and unguessable (job pages show file names).
        return f"{time.time_ns():020d}-{secrets.token_hex(8)}"

    def create(self, kind: str, job_id: str | None = None, **fields: Any) -> dict[str, Any]:
        job: dict[str, Any] = {
            "id": job_id or self.new_id(),
            "kind": kind,
            "state": "queued",
            "created_at": time.time(),
            "started_at": None,
            "finished_at": None,
            "attempts": 0,
            "progress": {"stage": "queued", "done": 0, "total": 0, "message": None},
            "files": [],
            "report_id": None,
            "index": None,
            "error": None,
        }
        job.update(fields)
        self.save(job)
        return job

    def path(self, job_id: str) -> Path:
        return self.root / f"{job_id}.json"

    def get(self, job_id: str) -> dict[str, Any] | None:
        if not JOB_ID.match(job_id):
            return None
        try:
            return json.loads(self.path(job_id).read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def save(self, job: dict[str, Any]) -> None:
        write_text(self.path(job["id"]), json.dumps(job, ensure_ascii=False))

    def prune(self, older_than_s: float = KEEP_FINISHED_S) -> int:
        """Forget finished jobs older than ``older_than_s`` (their raw files stay)."""
        cutoff, n = time.time() - older_than_s, 0
        for p in self.root.glob("*.json"):
            job = self.get(p.stem)
            if job and job["state"] not in PENDING and (job["finished_at"] or 0) < cutoff:
                p.unlink(missing_ok=True)
                n += 1
        return n

    def pending(self) -> list[dict[str, Any]]:
        """Jobs accepted but not finished, oldest first."""
        out = []
        for p in sorted(self.root.glob("*.json")):
            job = self.get(p.stem)
            if job is not None and job["state"] in PENDING:
                out.append(job)
        return out


def run_job(settings_json: str, job_id: str) -> int:
    """Body of the job process: take the job lock, run the job, record the outcome."""
    from api.service import WriteService
    from api.settings import Settings

    settings = Settings.model_validate_json(settings_json)
    jobs = JobStore(settings.data)
    with job_lock(settings.data):
        job = jobs.get(job_id)
        if job is None or job["state"] not in PENDING:
            return 0  # done meanwhile (by an orphaned process of a killed server)
        job.update(state="running", started_at=time.time(), attempts=job["attempts"] + 1)
        jobs.save(job)
        last = [0.0]

        def progress(stage: str, done: int = 0, total: int = 0, message: str | None = None) -> None:
            job["progress"] = {"stage": stage, "done": done, "total": total, "message": message}
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                jobs.save(job)

        try:
            WriteService(settings).run(job, progress)
        except Exception as exc:  # the job fails with its reason; the server stays up
            log.exception("job %s failed", job_id)
            job.update(state="failed", error=f"{type(exc).__name__}: {exc}")
        else:
            job["state"] = "done"
        job["finished_at"] = time.time()
        job["progress"] = {**job["progress"], "stage": job["state"]}
        jobs.save(job)
    return 0


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s job %(levelname)s %(message)s")
    settings_json = sys.stdin.read()
    sys.exit(run_job(settings_json, sys.argv[1]))


if __name__ == "__main__":
    main()
