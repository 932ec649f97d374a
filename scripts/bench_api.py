"""Request latency of /api/search under concurrent clients, on loopback.

    python scripts/bench_api.py [--clients 8] [--requests 60] [--data DIR]

Builds the demo corpus into a temporary data directory (unless --data is given), serves it
with uvicorn on 127.0.0.1, and has each client send a bounded number of search requests
(dev-set queries, some with filters) one after another. Prints p50/p95/p99 and throughput.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from corpus.pipeline import ingest  # noqa: E402
from corpus.store import CorpusStore  # noqa: E402
from index.builder import refresh  # noqa: E402
from index.config import IndexConfig  # noqa: E402
from retrieval.evaluation import DEFAULT_DEVSET, load_devset  # noqa: E402

WARMUP = 3
FILTERS = [{}, {}, {"level": "township"}, {"jurisdiction": "浙江"}, {"year_from": 2019}]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=60, help="per client")
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="jiejian-api-bench-")) / "data"
    if not (data / "index").exists():
        with CorpusStore(data) as store:
            ingest([REPO / "demo" / "corpus"], store)
            refresh(store, IndexConfig())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The server runs in its own process, as in production: clients and server do not
    # share one interpreter lock.
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from api.cli import main; main()",
            "serve",
            "--data",
            str(data),
            "--port",
            str(port),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.time() > deadline or server.poll() is not None:
            raise SystemExit("the server did not start")
        time.sleep(0.2)
    base = f"http://127.0.0.1:{port}"
    queries = [q.query for q in load_devset(DEFAULT_DEVSET)]
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(n: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=30) as c:
            for i in range(-WARMUP, args.requests):
                q = queries[(n * 7 + i) % len(queries)]
                params = {"q": q, "k": 10, **FILTERS[i % len(FILTERS)]}
                t0 = time.perf_counter()
                r = c.get("/api/search", params=params)
                dt = (time.perf_counter() - t0) * 1000
                if i < 0:
                    if i == -1:
                        ready.wait()  # everyone warmed up: the measured part starts together
                    continue  # warm-up: client setup and connections are not measured
                with lock:
                    latencies.append(dt)
                    errors += r.status_code != 200

    with httpx.Client(base_url=base) as warm:
        for q in queries[:5]:
            warm.get("/api/search", params={"q": q})
    ready = threading.Barrier(args.clients + 1)
    workers = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for w in workers:
        w.start()
    ready.wait()
    t0 = time.perf_counter()
    for w in workers:
        w.join()
    wall = time.perf_counter() - t0
    server.terminate()
    server.wait(timeout=20)
    lat = sorted(latencies)
    if args.verbose:
        print("slowest:", [round(x) for x in lat[-12:]])

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, round(p * (len(lat) - 1)))]

    with CorpusStore(data) as store:
        n = store.counts()["passages"]
    print(
        f"/api/search on the demo corpus ({n} passages), {args.clients} concurrent clients × "
        f"{args.requests} requests, `jiejian serve` (1 uvicorn process) on loopback, 2 CPU cores\n"
    )
    print("| requests | errors | p50 ms | p95 ms | p99 ms | mean ms | requests/s |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {len(lat)} | {errors} | {statistics.median(lat):.1f} | {pct(0.95):.1f} | "
        f"{pct(0.99):.1f} | {statistics.fmean(lat):.1f} | {len(lat) / wall:.0f} |"
    )


if __name__ == "__main__":
    main()
