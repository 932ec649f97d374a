"""Searches under load and during an upload, against a real ``jiejian serve`` on loopback.

    python scripts/bench_reliability.py [--mb 16] [--seconds 15] [--data DIR]

Builds (or reuses, with ``--data``) a generated corpus of at least 20k passages (the
synthetic recombinations of scripts/bench_ingest.py), then prints two tables:

1. searches while an upload job runs vs. without it (p50/p95, errors), with a static file
   fetched alongside the searches in both phases;
2. closed-loop clients at concurrency 8 and 64 with ``--workers 1`` and ``--workers 2``:
   throughput, p50/p95/p99 of answered searches, and the share of 503s.

Clients are asyncio tasks in this one process on the same machine as the server, so the
figures include the load generator's own CPU use.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_ingest import generate  # noqa: E402

from corpus.store import CorpusStore  # noqa: E402
from tests.reliability.server import KEY, Server  # noqa: E402

QUERIES = [
    "送温暖",
    "工资集体协商",
    "农民工入会",
    "职工书屋",
    "安康杯竞赛",
    "困难职工帮扶",
    "工会经费收缴",
    "劳动争议调解",
    "新就业形态劳动者",
    "女职工权益保护",
    "存在问题",
    "下一步打算",
]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def clients(url: str, n: int, seconds: float, path: str = "/api/search") -> dict:
    """``n`` closed-loop clients for ``seconds``: latencies of 200s, counts of 503s/errors."""
    ok: list[float] = []
    busy = errors = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:

        async def one(i: int) -> None:
            nonlocal busy, errors
            k = i
            while time.monotonic() < stop:
                q = QUERIES[k % len(QUERIES)]
                k += 7
                t0 = time.perf_counter()
                try:
                    params = {"q": q, "k": 10} if path == "/api/search" else None
                    r = await http.get(path, params=params)
                except httpx.HTTPError:
                    errors += 1
                    continue
                dt = time.perf_counter() - t0
                if r.status_code == 200:
                    ok.append(dt)
                elif r.status_code == 503:
                    busy += 1
                    await asyncio.sleep(float(r.headers.get("retry-after", "1")) / 10)
                else:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        took = time.perf_counter() - t0
    total = len(ok) + busy + errors
    return {
        "n": total,
        "lat": ok,
        "busy": busy,
        "took": took,
        "ok": len(ok),
        "qps": len(ok) / took,
        "p50": pct(ok, 0.5) * 1000,
        "p95": pct(ok, 0.95) * 1000,
        "p99": pct(ok, 0.99) * 1000,
        "share_503": busy / total if total else 0.0,
        "errors": errors,
    }


def build(data: Path, mb: float) -> None:
    src = data.parent / "corpus"
    if not src.exists():
        generate(src, mb, seed=3)
    files = sorted(src.glob("*.txt"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "api.cli", "build", *map(str, files[:-40]), "--data", str(data)]
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)


async def during_upload(server: Server, upload: list[Path], n: int) -> tuple[dict, dict, float]:
    """Searches and static fetches while one upload job runs; returns both and job seconds."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        parts = [("files", (p.name, p.read_bytes(), "text/plain")) for p in upload]
        t0 = time.perf_counter()
        r = await http.post(
            "/api/documents", files=parts, headers={"Authorization": f"Bearer {KEY}"}
        )
        assert r.status_code == 202, r.text
        url = r.json()["url"]
        done = asyncio.Event()

        async def watch() -> None:
            while (await http.get(url)).json()["state"] not in ("done", "failed"):
                await asyncio.sleep(0.2)
            done.set()

        watcher = asyncio.create_task(watch())
        results = []
        while not done.is_set():
            results.append(
                await asyncio.gather(
                    clients(server.url, n, 3.0), clients(server.url, 1, 3.0, "/static/app.css")
                )
            )
        await watcher
        job_s = time.perf_counter() - t0
    merged = [merge([r[0] for r in results]), merge([r[1] for r in results])]
    return merged[0], merged[1], job_s


async def baseline(url: str, n: int, seconds: float) -> tuple[dict, dict]:
    search, static = await asyncio.gather(
        clients(url, n, seconds), clients(url, 1, seconds, "/static/app.css")
    )
    return search, static


def merge(parts: list[dict]) -> dict:
    """Windows of one phase as one sample: percentiles over all their latencies."""
    lat = [x for p in parts for x in p["lat"]]
    n = sum(p["n"] for p in parts)
    return {
        "n": n,
        "ok": len(lat),
        "errors": sum(p["errors"] for p in parts),
        "qps": len(lat) / max(1e-9, sum(p["took"] for p in parts)),
        "p50": pct(lat, 0.5) * 1000,
        "p95": pct(lat, 0.95) * 1000,
        "p99": pct(lat, 0.99) * 1000,
        "share_503": sum(p["busy"] for p in parts) / max(1, n),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=16.0)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--clients", type=int, default=4, help="search clients during the upload")
    ap.add_argument("--skip-concurrency", action="store_true")
    args = ap.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="jiejian-rel-")) / "data"
    if not (data / "index").exists():
        t0 = time.perf_counter()
        build(data, args.mb)
        print(f"built the corpus in {time.perf_counter() - t0:.0f} s")
    with CorpusStore(data) as store:
        counts = store.counts()
    print(f"corpus: {counts['reports']} reports, {counts['passages']} passages ({data})\n")
    # new reports for the upload: generated with a seed of this run, so never seen before
    fresh = Path(tempfile.mkdtemp(prefix="jiejian-upload-"))
    generate(fresh, 0.3, seed=time.time_ns() % 10**9)
    upload = sorted(fresh.glob("*.txt"))[:20]

    server = Server(data, workers=1).start()
    try:
        # both phases: searches and static fetches at the same time
        base, static = asyncio.run(baseline(server.url, args.clients, args.seconds))
        busy, busy_static, job_s = asyncio.run(during_upload(server, upload, args.clients))
    finally:
        server.stop()
    print(f"## searches during an upload ({len(upload)} files, job {job_s:.1f} s)\n")
    print("| phase | searches | p50 ms | p95 ms | errors | static p95 ms |")
    print("|---|---|---|---|---|---|")
    for name, r, s in (("no upload", base, static), ("during upload", busy, busy_static)):
        print(
            f"| {name} | {r['ok']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['errors']} | "
            f"{s['p95']:.0f} |"
        )
    print(f"\np95 during / without upload: {busy['p95'] / base['p95']:.2f}x\n")

    if args.skip_concurrency:
        return
    print("## concurrency\n")
    print("| workers | clients | req/s | p50 ms | p95 ms | p99 ms | 503 share | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for workers in (1, 2):
        server = Server(data, workers=workers).start()
        try:
            asyncio.run(clients(server.url, 4, 3.0))  # warm every worker
            for n in (8, 64):
                r = asyncio.run(clients(server.url, n, args.seconds))
                print(
                    f"| {workers} | {n} | {r['qps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
                    f"{r['p99']:.0f} | {r['share_503']:.1%} | {r['errors']} |",
                    flush=True,
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
