"""The corpus store on SQLite vs PostgreSQL, and ingest with and without Ray.

    python scripts/bench_store.py --mb 8 [--workers 2] [--no-ray] [--fast-pg]

Generates a corpus with bench_ingest's generator (synthetic recombinations of the demo
reports), starts a throw-away PostgreSQL server on 127.0.0.1 (tests/pgserver.py; default
durability unless --fast-pg), and prints:

1. ingest MB/s into each store, with local worker processes (the default) and with
   ``--ray`` (a private Ray cluster on this machine, started before the clock runs; its start
   time is printed apart). On one small machine Ray can only add overhead: its gain is more
   machines' cores, which this benchmark cannot show.
2. search latency p50/p95 over one index, with each store behind the searcher (search reads
   passages, reports and sources from the store), without and with a filter.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_ingest import generate  # noqa: E402

from corpus.pipeline import IngestSummary, ingest  # noqa: E402
from corpus.store import CorpusStore  # noqa: E402
from corpus.workers import BoundedPool  # noqa: E402
from tests import pgserver  # noqa: E402

QUERIES = [
    "送温暖", "工会经费收缴", "农民工入会", "职工之家建设", "困难职工帮扶", "劳模创新工作室",
    "集体协商", "新就业形态劳动者", "职工书屋", "技能竞赛", "存在问题", "下一步打算",
    "会员实名制", "金秋助学", "法律援助", "安康杯", "女职工权益", "基层工会规范化建设",
    "户外劳动者驿站", "工资集体协商",
]  # fmt: skip


def _ingest(src: Path, data: Path, url: str | None, workers: int, pool: Any) -> IngestSummary:
    shutil.rmtree(data, ignore_errors=True)
    with CorpusStore(data, url=url) as store:
        return ingest([src], store, workers=workers, pool=pool)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=8.0)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--fast-pg", action="store_true", help="fsync and synchronous_commit off")
    ap.add_argument("--rounds", type=int, default=3, help="search rounds over the queries")
    ap.add_argument(
        "--search-passages",
        type=int,
        default=0,
        help="only the search comparison, on this many generated passages (bench_search.py's "
        "generator, the corpus of bench_backends.py), copied to PostgreSQL by migrate",
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jiejian-bench-store-"))
    if args.search_passages:
        _search_only(work, args.search_passages, args.rounds, durable=not args.fast_pg)
        return
    src = work / "corpus"
    files, nbytes = generate(src, args.mb)
    print(f"generated {files} files, {nbytes / 1e6:.1f} MB UTF-8 text (synthetic)")
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    server = pgserver.PgServer(durable=not args.fast_pg).start()
    rows: list[tuple[str, str, IngestSummary]] = []
    try:
        variants: list[tuple[str, str, Any]] = [
            ("sqlite", "processes", BoundedPool),
            ("postgresql", "processes", BoundedPool),
        ]
        if not args.no_ray:
            from corpus.ray_ingest import connect, ray_pool

            t0 = time.perf_counter()
            connect("local")
            print(f"Ray: private cluster started in {time.perf_counter() - t0:.1f} s")
            variants += [
                ("sqlite", "ray local", ray_pool("local")),
                ("postgresql", "ray local", ray_pool("local")),
            ]
        for n, (engine, how, pool) in enumerate(variants):
            url = server.create_database(f"bench{n}") if engine == "postgresql" else None
            summary = _ingest(src, work / f"data{n}", url, args.workers, pool)
            rows.append((engine, how, summary))
        print()
        print(
            "| store | parse in | files | text MB | reports | passages | wall s | MB/s "
            "| dedup+store s |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for engine, how, s in rows:
            mb = s.bytes_text / 1e6
            print(
                f"| {engine} | {how} | {s.files_read} | {mb:.2f} | {s.reports_new} | "
                f"{s.passages_new} | {s.seconds:.1f} | {mb / s.seconds:.2f} | "
                f"{s.stage_seconds.get('dedup+store', 0.0):.1f} |"
            )
        _search(work, server, args.rounds)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def _search_only(work: Path, n_passages: int, rounds: int, durable: bool) -> None:
    """Served search over a SQLite store and its PostgreSQL copy (``jiejian migrate``'s
    copy), with one index: what moving the store costs a query."""
    from bench_search import generate_store

    from corpus.store_migrate import copy_store

    server = pgserver.PgServer(durable=durable).start()
    try:
        with CorpusStore(work / "data0") as lite:
            generate_store(lite, n_passages)
            print(f"generated {n_passages} passages into SQLite")
            with CorpusStore(work / "data1", url=server.create_database("bench1")) as post:
                t0 = time.perf_counter()
                copy_store(lite, post)
                print(f"copied to PostgreSQL in {time.perf_counter() - t0:.1f} s")
        _search(work, server, rounds)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def _search(work: Path, server: pgserver.PgServer, rounds: int) -> None:
    from index.builder import refresh
    from index.bundle import IndexBundle
    from index.config import IndexConfig
    from retrieval.filters import make_filters
    from retrieval.searcher import Searcher, SearchOptions

    lite = CorpusStore(work / "data0")
    post = CorpusStore(work / "data1", url=server.url("bench1"))
    t0 = time.perf_counter()
    refresh(lite, IndexConfig())
    print(f"\nindex built from the SQLite store in {time.perf_counter() - t0:.1f} s")
    bundle = IndexBundle.load(lite.data_dir, IndexConfig())
    print()
    print("| store behind the searcher | filter | queries | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|---|---|")
    for name, store in (("sqlite", lite), ("postgresql", post)):
        searcher = Searcher(bundle, store)
        for label, filters in (("none", {}), ("江苏省 + year ≥ 2018", {
            "jurisdiction": "江苏省", "year_from": 2018})):  # fmt: skip
            opts = SearchOptions(k=10, filters=make_filters(**filters))
            for q in QUERIES:  # warm: tokenizer, caches, connections
                searcher.search(q, opts)
            times = []
            for _ in range(rounds):
                for q in QUERIES:
                    t = time.perf_counter()
                    searcher.search(q, opts)
                    times.append((time.perf_counter() - t) * 1000)
            print(
                f"| {name} | {label} | {len(times)} | {_pct(times, 0.5):.1f} | "
                f"{_pct(times, 0.95):.1f} | {statistics.mean(times):.1f} |"
            )
    lite.close()
    post.close()


if __name__ == "__main__":
    main()
