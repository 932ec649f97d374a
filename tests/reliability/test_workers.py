"""`jiejian serve --workers 2`: every process swaps to a version published by the CLI
without a restart, and uploads are served by whichever process the kernel picks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import DEMO
from tests.reliability.server import KEY, REPO, Server
from tests.reliability.test_publish import NEW


def test_every_worker_swaps_to_a_version_published_by_the_cli(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cli = [sys.executable, "-m", "api.cli"]
    files = [str(DEMO / "sanhe.txt"), str(DEMO / "liangzhu.txt")]
    subprocess.run(
        [*cli, "build", *files, "--data", str(data)], check=True, env=env, capture_output=True
    )
    server = Server(data, workers=2).start()
    try:
        before = server.health()["indexed_passages"]
        (tmp_path / "new.txt").write_text(NEW, "utf-8")
        subprocess.run(
            [*cli, "build", str(tmp_path / "new.txt"), "--data", str(data)],
            check=True,
            env=env,
            capture_output=True,
        )
        deadline = time.monotonic() + 60
        while True:
            # fresh connections, so both processes answer some of them
            seen = {
                httpx.get(server.url + "/api/health", timeout=10).json()["indexed_passages"]
                for _ in range(20)
            }
            if seen == {max(seen)} and max(seen) > before:
                break
            assert time.monotonic() < deadline, f"workers did not all swap: {seen}"
            time.sleep(0.3)
        for _ in range(10):
            r = httpx.get(server.url + "/api/search", params={"q": "天目湖职工驿站"}, timeout=10)
            assert r.json()["results"][0]["report"]["jurisdiction"] == "溧阳市"
        r = httpx.post(
            server.url + "/api/documents",
            files={"files": ("again.txt", (DEMO / "xian.txt").read_bytes(), "text/plain")},
            headers={"Authorization": f"Bearer {KEY}"},
            timeout=30,
        )
        assert r.status_code == 202
        url = server.url + r.json()["url"]
        while httpx.get(url, timeout=10).json()["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline + 120
            time.sleep(0.3)
        assert httpx.get(url, timeout=10).json()["state"] == "done"
    finally:
        server.stop()
