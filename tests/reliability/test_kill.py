"""kill -9 at random moments of upload jobs and of index refreshes: after a restart every
acknowledged (202) report is searchable, health never says ok while a report waits, and
the published index always loads.

CI runs ``JIEJIAN_KILL_TRIALS`` trials (default 2); the full trial count runs with
``JIEJIAN_KILL_TRIALS=25 pytest tests/reliability -m soak`` (see README)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from corpus.store import CorpusStore
from index.builder import check_version, current_dir
from index.bundle import IndexBundle
from index.config import IndexConfig
from tests.reliability.conftest import REPO, generate_corpus
from tests.reliability.server import KEY, Server

TRIALS = int(os.environ.get("JIEJIAN_KILL_TRIALS", "2"))
AUTH = {"Authorization": f"Bearer {KEY}"}


def _wait(check, timeout: float = 300.0, why=lambda: "") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"condition not reached in time: {why()}"
        time.sleep(0.2)


def _upload(server: Server, files: list[Path]) -> str:
    parts = [("files", (p.name, p.read_bytes(), "text/plain")) for p in files]
    r = httpx.post(server.url + "/api/documents", files=parts, headers=AUTH, timeout=60)
    assert r.status_code == 202, r.text
    return str(r.json()["job_id"])


def _check_after_restart(server: Server, acknowledged: list[str]) -> None:
    """Jobs finish, health is ok only when nothing waits, every report is in the index."""

    def settled() -> bool:
        h = server.health()
        assert h["status"] != "ok" or h["waiting_reports"] == 0, h  # never ok while one waits
        jobs = [httpx.get(f"{server.url}/api/jobs/{j}", timeout=10).json() for j in acknowledged]
        return h["status"] == "ok" and all(j["state"] == "done" for j in jobs)

    def why() -> str:
        jobs = [httpx.get(f"{server.url}/api/jobs/{j}", timeout=10).json() for j in acknowledged]
        states = [(j["job_id"][-6:], j["state"], j["attempts"], j["error"]) for j in jobs]
        return f"health {server.health()}; jobs {states}"

    _wait(settled, why=why)
    bundle = IndexBundle.load(server.data, IndexConfig())  # verified: checksums and counts
    indexed = set(
        bundle.table.report_ids[i] for i in range(len(bundle.table)) if bundle.table.alive[i]
    )
    for job_id in acknowledged:
        job = httpx.get(f"{server.url}/api/jobs/{job_id}", timeout=10).json()
        for f in job["files"]:
            ids = f["report_ids"] + f["duplicate_ids"]
            assert f["status"] in ("added", "duplicate", "unchanged"), f
            assert set(ids) <= indexed, (job_id, f)
    with CorpusStore(server.data) as store:
        assert store.indexable_report_ids() == indexed


def _published_is_whole(data: Path) -> None:
    published = current_dir(data)
    assert published is not None and check_version(published) == []


def _kill_a_rebuild(server: Server, data: Path, rng: random.Random) -> None:
    """kill -9 of `jiejian index --rebuild` while the server serves."""
    cli = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "index", "--rebuild", "--data", str(data)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(rng.uniform(0.2, 4.0))
    cli.kill()
    cli.wait()
    _published_is_whole(data)
    IndexBundle.load(data, IndexConfig())
    assert server.health()["status"] in ("ok", "degraded")


def _kill_and_restart(server: Server, data: Path, group: bool) -> Server:
    server.kill(group=group)
    _published_is_whole(data)
    return Server(data, port=server.port).start()


@pytest.mark.soak
def test_kill_9_during_upload_jobs_and_refreshes(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("JIEJIAN_KILL_SEED", "9")))
    src = tmp_path / "gen"
    generate_corpus(src, 0.4 + 0.02 * TRIALS, seed=11)
    files = sorted(src.glob("*.txt"))
    data = tmp_path / "data"
    base = sorted(files[:40])
    subprocess.run(
        [sys.executable, "-m", "api.cli", "build", *map(str, base), "--data", str(data)],
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
    )
    pool = files[40:]
    acknowledged: list[str] = []
    server = Server(data).start()
    try:
        for trial in range(TRIALS):
            # every third trial kills a rebuild; the others kill the server during a job
            if trial % 3 == 2:
                _kill_a_rebuild(server, data, rng)
                continue
            batch, pool = pool[: rng.randint(1, 3)], pool[3:]
            acknowledged.append(_upload(server, batch))
            time.sleep(rng.uniform(0.0, 6.0))
            server = _kill_and_restart(server, data, group=trial % 2 == 0)
            _check_after_restart(server, acknowledged)
    finally:
        server.stop()
        shutil.rmtree(tmp_path / "gen", ignore_errors=True)
