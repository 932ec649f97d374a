"""Index backends side by side: build time, hybrid latency with and without filters, and
top-10 overlap with the local backend, on a generated corpus (bench_search.py's generator).

    python scripts/bench_backends.py --passages 100000 --work /tmp/jj-bb
    PYTHONPATH=/path/to/milvus-lite-2.5:$PYTHONPATH python scripts/bench_backends.py ...

"hybrid" is what one query costs in the engines: tokenising and encoding the query, BM25
(for Milvus: one search per weight group and field, summed here) and dense search for the
top 100 candidates each, and RRF fusion. The page work on top (floor, hydration, collapse)
is the same jiejian code for every backend and is measured by bench_search.py. The Milvus
build time is encoding the passages with the index's embedder plus the upserts; the local
build is ``jiejian index`` (corpus model, encoding, tantivy, FAISS). Each filtered or
unfiltered row stops after ``--budget-s`` seconds of queries (milvus-lite 3.x is a
pure-Python stand-in and takes seconds per filtered query): ``n`` says how many ran.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_search import generate_store, pct  # noqa: E402

from corpus.store import CorpusStore  # noqa: E402
from index.backends.base import IndexBackend  # noqa: E402
from index.backends.sync import index_docs  # noqa: E402
from index.builder import _rows, refresh  # noqa: E402
from index.bundle import IndexBundle  # noqa: E402
from index.config import IndexConfig  # noqa: E402
from index.filters import Filters  # noqa: E402
from retrieval.evaluation import DEFAULT_DEVSET, load_devset  # noqa: E402
from retrieval.filters import make_filters  # noqa: E402
from retrieval.fusion import rrf  # noqa: E402
from retrieval.query import ParsedQuery  # noqa: E402

DEPTH = 100
K = 10


def hybrid(
    engine: IndexBackend, bundle: IndexBundle, q: ParsedQuery, f: Filters | None
) -> list[int]:
    fused = rrf(
        {
            "bm25": engine.lexical_search(q.lexical_terms(), DEPTH, f),
            "dense": engine.dense_search(bundle.encode_query(q.dense_text()), DEPTH, f),
        }
    )
    return [x.doc_id for x in fused[:K]]


def run(
    fn: Callable[[str], list[int]], queries: list[str], budget_s: float
) -> tuple[list[float], dict[str, list[int]]]:
    fn(queries[0])  # warm-up
    lat, out = [], {}
    start = time.perf_counter()
    for q in queries:
        t0 = time.perf_counter()
        out[q] = fn(q)
        lat.append((time.perf_counter() - t0) * 1000)
        if time.perf_counter() - start > budget_s:
            break
    return lat, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--budget-s", type=float, default=120.0)
    ap.add_argument("--backends", default="local,milvus")
    ap.add_argument("--milvus-uri", default="", help="default: a fresh milvus-lite file")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="jiejian-backends-"))
    work.mkdir(parents=True, exist_ok=True)
    store = CorpusStore(work / "data")
    if store.counts()["passages"] == 0:
        t0 = time.perf_counter()
        generate_store(store, args.passages)
        print(f"generated {args.passages:,} passages in {time.perf_counter() - t0:.1f} s")
    n = store.counts()["passages"]
    config = IndexConfig()
    t0 = time.perf_counter()
    built = refresh(store, config)
    local_build = time.perf_counter() - t0
    print(f"local index {built.mode} in {local_build:.1f} s")
    bundle = IndexBundle.load(store.data_dir, config)
    from retrieval.searcher import Searcher

    searcher = Searcher(bundle, store)
    queries = [q.query for q in load_devset(DEFAULT_DEVSET)][: args.queries]
    parsed = {q: searcher.parse(q) for q in queries}
    narrow = make_filters(jurisdiction="江苏省", year_from=2018)
    engines: dict[str, tuple[IndexBackend, str]] = {}
    wanted = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "local" in wanted:
        note = f"{built.mode}" + ("" if built.mode == "built" else " (no build timed)")
        engines["local"] = (bundle.backend, f"{local_build:.1f} s {note}")
    if "milvus" in wanted:
        from importlib import metadata

        from index.backends.milvus import MilvusBackend

        lite = metadata.version("milvus-lite") if not args.milvus_uri else "server"
        uri = args.milvus_uri or str(work / f"milvus-{lite}-{os.getpid()}.db")
        engine = MilvusBackend(uri, f"bench_{os.getpid()}", bundle.embedder.dim)
        t0 = time.perf_counter()
        rows = list(_rows(store))
        docs = index_docs(rows, bundle.tokenizer, bundle.embedder, config)
        # the local doc table's ids, so that overlaps compare the same documents
        ids = {pid: bundle.table.doc_id(pid) for pid in (d.passage_id for d in docs)}
        docs = [dataclasses.replace(d, doc_id=int(ids[d.passage_id] or 0)) for d in docs]
        encode_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        engine.upsert(docs)
        engine.flush()
        upsert_s = time.perf_counter() - t0
        del docs, rows
        held = engine.count()
        label = f"milvus-lite {lite}" if not args.milvus_uri else "milvus server"
        engines[label] = (
            engine,
            f"{encode_s + upsert_s:.1f} s (encode {encode_s:.1f} + upsert {upsert_s:.1f}; "
            f"holds {held:,})",
        )
    reference: dict[str, dict[str, list[int]]] = {}
    table = []
    for name, (engine, build) in engines.items():
        for fname, f in (("none", None), ("江苏省 + year ≥ 2018", narrow)):
            lat, out = run(
                lambda q, engine=engine, f=f: hybrid(engine, bundle, parsed[q], f),
                queries,
                args.budget_s,
            )
            if name == "local":
                reference[fname] = out
            ref = reference.get(fname, {})
            overlaps = [
                len(set(ids) & set(ref[q])) / max(1, min(K, len(ref[q])))
                for q, ids in out.items()
                if ref.get(q)
            ]
            overlap = sum(overlaps) / len(overlaps) if overlaps else float("nan")
            p50, p95 = pct(lat)
            table.append((name, build, fname, len(lat), p50, p95, overlap))
    print(
        f"\n{n:,} generated passages, {len(queries)} dev queries, top-{DEPTH} per engine, "
        f"{os.cpu_count()} CPU cores, local vector index {bundle.manifest.vector_index}\n"
    )
    print("| backend | build | filter | n | hybrid p50 ms | hybrid p95 ms | top-10 overlap |")
    print("|---|---|---|---|---|---|---|")
    for name, build, fname, count, p50, p95, overlap in table:
        print(f"| {name} | {build} | {fname} | {count} | {p50:.1f} | {p95:.1f} | {overlap:.2f} |")


if __name__ == "__main__":
    main()
