"""Memory of one API server process: the local index against Milvus mode, same corpus.

For each corpus size, generated passages (scripts/bench_search.generate_store) are indexed
twice from one SQLite store: the local default (tantivy + FAISS + doc table in the data
directory) and Milvus mode against a milvus-lite *server* in its own process
(``python -m milvus_lite server``), which stands in for a Milvus cluster: the worker then
holds what a worker holds in production. A fresh process per mode loads the search
service, answers dev queries (the first five also with a filter), and reports its RSS (after
imports, after loading the index, after the queries; and the peak, VmHWM). The milvus-lite
server's RSS is reported beside it: that memory lives on the cluster's query nodes.

    python scripts/bench_worker_rss.py --sizes 5000,20000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILTERED = 5
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def _status(pid: int | str = "self") -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def worker(mode: str, data: str, store: str, uri: str, collection: str, n_queries: str) -> None:
    """One server process's life: load, serve the queries, report memory as JSON."""
    from index.config import IndexConfig
    from retrieval.evaluation import DEFAULT_DEVSET, load_devset
    from retrieval.filters import make_filters
    from retrieval.searcher import SearchOptions
    from retrieval.service import SearchService

    if mode == "milvus":
        import pymilvus  # noqa: F401  (imported by the service anyway; counted in "imports")
    queries = [q.query for q in load_devset(DEFAULT_DEVSET)][: int(n_queries)]
    imports = _status()["VmRSS"]
    config = IndexConfig(index_backend=mode, milvus_uri=uri, milvus_collection=collection)
    t0 = time.perf_counter()
    service = SearchService(Path(data), config, store_url=store)
    assert service.searcher is not None, service.index_problem
    loaded = _status()["VmRSS"]
    load_s = time.perf_counter() - t0
    narrow = make_filters(jurisdiction="江苏省", year_from=2018)
    t0 = time.perf_counter()
    hits = 0
    # every query unfiltered, the first FILTERED with the filter too: milvus-lite 3.x
    # evaluates an array filter row by row in Python (~1 minute a query at 100k passages)
    for n, q in enumerate(queries):
        for f in (None, narrow) if n < FILTERED else (None,):
            hits += len(service.search(q, SearchOptions(k=10, filters=f)).hits)
    query_s = time.perf_counter() - t0
    after = _status()
    table = service.searcher.bundle.table
    print(
        json.dumps(
            {
                "imports": imports,
                "loaded": loaded,
                "served": after["VmRSS"],
                "peak": after["VmHWM"],
                "load_s": load_s,
                "queries": len(queries) + min(FILTERED, len(queries)),
                "query_s": query_s,
                "hits": hits,
                "rows_held": len(table),
            }
        )
    )


def build_milvus(data: str, store_path: str, uri: str, collection: str) -> None:
    from corpus.store import CorpusStore
    from index.builder import refresh
    from index.config import IndexConfig

    cfg = IndexConfig(index_backend="milvus", milvus_uri=uri, milvus_collection=collection)
    with CorpusStore(Path(data), url=store_path) as store:
        refresh(store, cfg)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float = 120.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"milvus-lite server did not listen on {port}")


def _run_worker(
    mode: str, data: Path, store: Path, uri: str, collection: str, queries: int
) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            mode,
            str(data),
            str(store),
            uri,
            collection,
            str(queries),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5000,20000", help="generated passages, comma-separated")
    ap.add_argument("--queries", type=int, default=20, help="dev queries")
    ap.add_argument("--worker", nargs=6, help=argparse.SUPPRESS)
    ap.add_argument("--build-milvus", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    if args.build_milvus:
        build_milvus(*args.build_milvus)
        return

    from bench_search import generate_store

    from corpus.store import CorpusStore
    from index.builder import refresh
    from index.config import IndexConfig

    work = Path(tempfile.mkdtemp(prefix="jj-rss-"))
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "milvus_lite",
            "server",
            "--data-dir",
            str(work / "milvus"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    uri = f"http://127.0.0.1:{port}"
    rows = []
    try:
        _wait_port(port)
        for n in (int(x) for x in args.sizes.split(",")):
            local = work / f"n{n}" / "local"
            with CorpusStore(local) as store:
                generate_store(store, n)
                path = store.path
                t0 = time.perf_counter()
                refresh(store, IndexConfig())
                build_local = time.perf_counter() - t0
            mdata = work / f"n{n}" / "milvus"
            collection = f"rss{n}"
            # In a process of its own: a pymilvus connection left idle through the local
            # build is closed by milvus-lite's server (gRPC "too_many_pings").
            t0 = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--build-milvus",
                    str(mdata),
                    str(path),
                    uri,
                    collection,
                ],
                check=True,
            )
            milvus_s = time.perf_counter() - t0
            for mode, data, build in (
                ("local", local, build_local),
                ("milvus", mdata, milvus_s),
            ):
                got = _run_worker(mode, data, path, uri, collection, args.queries)
                got.update(n=n, mode=mode, build_s=build, server=_status(server.pid)["VmRSS"])
                disk = sum(p.stat().st_size for p in (data / "indexes").rglob("*") if p.is_file())
                got["index_mb_on_disk"] = disk / 1e6
                rows.append(got)
                print(json.dumps(got), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{os.cpu_count()} CPU cores; load average {os.getloadavg()}")
    print(
        "| passages | mode | build s | worker RSS after imports MB | after load MB | after "
        "queries MB | peak MB | rows held | version on disk MB | milvus-lite server RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        server_rss = f"{r['server']:.0f}" if r["mode"] == "milvus" else "-"
        print(
            f"| {r['n']:,} | {r['mode']} | {r['build_s']:.1f} | {r['imports']:.0f} | "
            f"{r['loaded']:.0f} | {r['served']:.0f} | {r['peak']:.0f} | {r['rows_held']:,} | "
            f"{r['index_mb_on_disk']:.1f} | {server_rss} |"
        )


if __name__ == "__main__":
    main()
