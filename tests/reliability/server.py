"""A real ``jiejian serve`` in its own process group on a loopback port, for the kill and
load tests (started, killed and restarted by them)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
KEY = "reliability-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, data: Path, port: int | None = None, workers: int = 1, **env: str):
        self.data = data
        self.port = port or free_port()
        self.workers = workers
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> Server:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p),
            JIEJIAN_API_KEY=KEY,
            JIEJIAN_RELOAD_INTERVAL="0.2",
            JIEJIAN_MAX_UPLOAD_MB="5",
            **self.env,
        )
        cmd = [sys.executable, "-m", "api.cli", "serve", "--data", str(self.data)]
        cmd += ["--port", str(self.port), "--workers", str(self.workers)]
        self.log = open(self.data.parent / f"server-{self.port}.log", "ab")  # noqa: SIM115
        # its own session: a kill of the group takes the server and its job process
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start (see {self.log.name})")
            time.sleep(0.1)

    def kill(self, group: bool = True) -> None:
        """kill -9: the whole group (server and job process) or the server alone."""
        assert self.proc is not None
        if group:
            os.killpg(self.proc.pid, signal.SIGKILL)
        else:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def health(self) -> dict:
        return httpx.get(self.url + "/api/health", timeout=10).json()
