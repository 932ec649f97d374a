"""Query latency, index size and memory for lexical, dense and hybrid search.

    python scripts/bench_search.py --seeds ../shared/corpus/seeds
    python scripts/bench_search.py --passages 100000 [--work DIR] [--baselines bm25s,rank_bm25]
    python scripts/bench_search.py --passages 1000000 --baselines bm25s

Generated corpora are synthetic: passages recombined from the demo reports' sentences with
other places, years and figures, written straight into a store (ingest is benchmarked by
bench_ingest.py). Queries are the development-set queries. Each engine's latency covers
what it does per query: tokenising or encoding the query plus the engine search for the top
100 candidates; "hybrid (ids)" is both engines plus fusion; "hybrid (ranked ids)" is what the
served search ranks before touching a page: every list (BM25, dense, coverage, section) at
the served depth, fusion, the relevance floor and the section prior; "hybrid (page)" is the whole
served search (SearchService.search, as the API calls it): fusion, the relevance floor (texts
of the candidates from SQLite, coverage), SQLite hydration, duplicate collapse, diversity,
facets and highlights (its engine searches side by side on the service's search threads;
"hybrid (page, one thread)" runs them in sequence); "hybrid (page, no floor)" is the same
without the floor and the coverage list; "tantivy BM25 (page)" is the served page of BM25
alone (mode=bm25: the same code, floor, hydration, facets, highlights and cap), so that
"hybrid (page) / tantivy BM25 (page)" compares like with like. All are interleaved in the
same run. Unfiltered latencies are also given apart for the queries that name a section
(存在的问题), which search BM25 a second time within that section (the section list), and
for the others.
bm25s and rank_bm25 run on exactly the same tokens as tantivy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.models import Passage, Report, ReportMeta  # noqa: E402
from corpus.pipeline import ingest  # noqa: E402
from corpus.store import CorpusStore  # noqa: E402
from demo.reports_a import REPORTS_A  # noqa: E402
from demo.reports_b import REPORTS_B  # noqa: E402
from demo.reports_c import REPORTS_C  # noqa: E402
from index.builder import refresh  # noqa: E402
from index.bundle import IndexBundle  # noqa: E402
from index.config import IndexConfig  # noqa: E402
from retrieval.evaluation import DEFAULT_DEVSET, load_devset  # noqa: E402
from retrieval.filters import make_filters  # noqa: E402
from retrieval.floor import NO_FLOOR  # noqa: E402
from retrieval.fusion import rrf  # noqa: E402
from retrieval.searcher import Searcher, SearchOptions  # noqa: E402
from retrieval.service import SearchService  # noqa: E402

DEPTH = 100
PLACES = [
    (["浙江省", "杭州市", "余杭区", "良渚街道"], "street"),
    (["江苏省", "苏州市", "昆山市", "周市镇"], "township"),
    (["广东省", "佛山市", "南海区", "狮山镇"], "township"),
    (["四川省", "成都市", "郫都区"], "county"),
    (["湖南省", "长沙市"], "city"),
    (["山东省", "青岛市", "黄岛区"], "county"),
    (["河北省", "保定市", "涿州市"], "county"),
    (["福建省", "厦门市", "思明区", "鹭江街道"], "street"),
    (["贵州省", "遵义市", "湄潭县"], "county"),
    (["河南省", "郑州市", "中原区"], "county"),
    (["江西省", "赣州市", "南康区"], "county"),
    (["辽宁省", "大连市", "金州区"], "county"),
    (["陕西省", "西安市"], "city"),
    (["吉林省", "长春市"], "city"),
    (["广东省", "深圳市"], "city"),
    (["浙江省"], "province"),
    (["云南省", "大理白族自治州", "大理市"], "county"),
    (["山东省", "潍坊市", "寿光市"], "county"),
    (["江苏省", "无锡市", "江阴市"], "county"),
    (["海南省", "琼海市", "博鳌镇"], "township"),
]
ROLES = ["基本情况", "主要做法", "主要做法", "主要做法", "工作成效", "存在问题", "下一步打算"]
NUM = re.compile(r"\d+(?:\.\d+)?")


def _sentences() -> list[str]:
    out = []
    for r in REPORTS_A + REPORTS_B + REPORTS_C:
        out += [s + "。" for s in re.split(r"[。\n]", r["text"]) if len(s) > 12]
    return out


def generate_store(store: CorpusStore, n_passages: int, seed: int = 11) -> None:
    """Synthetic reports of 4-8 passages written directly into the store."""
    rng = random.Random(seed)
    sents = _sentences()
    made = 0
    k = 0
    store.db.execute("BEGIN")
    while made < n_passages:
        path, level = rng.choice(PLACES)
        year = rng.randint(2012, 2024)
        rid = f"gen{k:08d}"
        passages: list[Passage] = []
        text_parts: list[str] = []
        offset = 0
        for i in range(min(rng.randint(4, 8), n_passages - made)):
            chosen = rng.sample(sents, rng.randint(2, 5))
            body = "".join(
                NUM.sub(lambda m: str(int(float(m.group()) * rng.uniform(0.3, 3)) + 1), s)
                for s in chosen
            ).replace("工会", path[-1][:2] + "工会", 1)
            passages.append(
                Passage(
                    passage_id=f"{rid}p{i:02d}",
                    report_id=rid,
                    ordinal=i,
                    text=body,
                    section_path=[f"{'一二三四五六七八'[i]}、工作"],
                    section_role=rng.choice(ROLES),
                    start=offset,
                    end=offset + len(body),
                )
            )
            text_parts.append(body)
            offset += len(body) + 1
        text = "\n".join(text_parts)
        meta = ReportMeta(
            f"{path[-1]}工会{year}年工作总结",
            path[-1],
            path,
            level,
            "总工会",
            year,
            rng.choice(["工作总结", "工作报告", "自查报告"]),
            "simplified",
        )
        report = Report(rid, f"generated/{rid}.txt", 0, text, text, meta, [], passages)
        store.insert_report(report, [])
        store.insert_passages(passages, [[] for _ in passages])
        store.add_source(rid, report.source, 0, None, "original")
        made += len(passages)
        k += 1
        if k % 5000 == 0:
            store.db.execute("COMMIT")
            store.db.execute("BEGIN")
    store.db.execute("COMMIT")
    store._bump_version()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def pct(values: list[float]) -> tuple[float, float]:
    v = sorted(values)
    return statistics.median(v), v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]


def timed(fn, queries, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    for q in queries[:5]:
        fn(q)  # warm-up
    out = []
    for _ in range(repeat):
        for q in queries:
            t0 = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def interleaved(fns, queries, repeat: int):  # type: ignore[no-untyped-def]
    """Latencies (ms) of each function, run in turn on every query, rotating the order, and
    the CPU time (ms) of this process for each call: on a shared machine the wall clock
    also counts other processes' turns, the CPU time only the query's own work."""
    for q in queries[:5]:
        for fn in fns:
            fn(q)  # warm-up
    out: list[list[float]] = [[] for _ in fns]
    cpu: list[list[float]] = [[] for _ in fns]
    turn = 0
    for _ in range(repeat):
        for q in queries:
            for j in range(len(fns)):
                i = (j + turn) % len(fns)
                c0, t0 = time.process_time(), time.perf_counter()
                fns[i](q)
                out[i].append((time.perf_counter() - t0) * 1000)
                cpu[i].append((time.process_time() - c0) * 1000)
            turn += 1
    return out, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=0)
    ap.add_argument("--seeds", type=Path, default=None)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--baselines", default="bm25s,rank_bm25")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--vector-index", default="auto")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument(
        "--no-refresh",
        action="store_true",
        help="measure the published index of --work as it is (no freshness check, no build)",
    )
    ap.add_argument("--measure-load", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument(
        "--devset", type=Path, default=DEFAULT_DEVSET, help="queries (a dev set's file)"
    )
    args = ap.parse_args()
    if args.measure_load:
        # In a fresh process: resident memory added by loading the index and answering.
        cfg = IndexConfig(vector_index=args.vector_index)
        store = CorpusStore(args.measure_load)
        import faiss  # noqa: F401  - libraries count as the process, not as the index
        import sentence_transformers  # noqa: F401
        import tantivy  # noqa: F401

        before = rss_mb()
        bundle = IndexBundle.load(args.measure_load, cfg)
        Searcher(bundle, store).search("工会经费收缴")
        print(json.dumps({"before": before, "after": rss_mb()}))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="jiejian-search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    store = CorpusStore(work / "data")
    label = ""
    if store.counts()["passages"] == 0:
        t0 = time.perf_counter()
        if args.seeds:
            ingest([args.seeds], store)
            label = "seed reports"
        else:
            generate_store(store, args.passages)
            label = f"generated corpus ({args.passages:,} passages)"
        print(f"corpus ready in {time.perf_counter() - t0:.1f} s: {label}")
    n = store.counts()["passages"]
    cfg = IndexConfig(vector_index=args.vector_index)
    if not args.no_refresh:
        t0 = time.perf_counter()
        built = refresh(store, cfg)
        print(
            f"index {built.mode} in {time.perf_counter() - t0:.1f} s "
            f"({built.manifest.vector_index}, {built.manifest.embedder_dim} dims)"
        )
    probe = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure-load",
            str(store.data_dir),
            "--vector-index",
            args.vector_index,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    mem = json.loads(probe.stdout.strip().splitlines()[-1])
    rss0, rss1 = mem["before"], mem["after"]
    # The served read side, as the API builds it (its own read-only store connection).
    service = SearchService(store.data_dir, cfg)
    assert service.searcher is not None, service.index_problem
    searcher = service.searcher
    bundle = searcher.bundle
    queries = [q.query for q in load_devset(args.devset)]
    parsed = {q: searcher.parse(q) for q in queries}
    filt = make_filters(level="township")
    narrow = make_filters(jurisdiction="江苏省", year_from=2018)

    def lexical(q: str, f=None):  # type: ignore[no-untyped-def]
        pq = searcher.parse(q)
        return bundle.lexical_search(pq.lexical_terms(), DEPTH, f)

    def dense(q: str, f=None):  # type: ignore[no-untyped-def]
        return bundle.dense_search(bundle.encode_query(parsed[q].dense_text()), DEPTH, f)

    def hybrid_ids(q: str, f=None):  # type: ignore[no-untyped-def]
        pq = searcher.parse(q)
        return rrf(
            {
                "bm25": bundle.lexical_search(pq.lexical_terms(), DEPTH, f),
                "dense": bundle.dense_search(bundle.encode_query(pq.dense_text()), DEPTH, f),
            }
        )

    def ranked_ids(q: str, f=None):  # type: ignore[no-untyped-def]
        return searcher.candidates(searcher.parse(q), SearchOptions(k=10, filters=f))

    def page(q: str, f=None):  # type: ignore[no-untyped-def]
        return service.search(q, SearchOptions(k=10, filters=f))

    def lexical_page(q: str, f=None):  # type: ignore[no-untyped-def]
        return service.search(q, SearchOptions(k=10, filters=f, mode="bm25"))

    # The same page with every engine search in the calling thread (JIEJIAN_SEARCH_THREADS=0):
    # what running them side by side saves in wall time (CPU time is not saved).
    one_thread = Searcher(bundle, searcher.store, searcher.lexicon)

    def page_one_thread(q: str, f=None):  # type: ignore[no-untyped-def]
        return one_thread.search(q, SearchOptions(k=10, filters=f))

    def page_unfloored(q: str, f=None):  # type: ignore[no-untyped-def]
        # The served page without the relevance floor and the coverage list: what they cost.
        opts = SearchOptions(k=10, filters=f, floor=NO_FLOOR, role_prior={})
        opts.weights.pop("cover", None)
        return service.search(q, opts)

    variants = [
        ("tantivy BM25", lexical),
        ("tantivy BM25 (page)", lexical_page),
        ("dense", dense),
        ("hybrid (ids)", hybrid_ids),
        ("hybrid (ranked ids)", ranked_ids),
        ("hybrid (page)", page),
        ("hybrid (page, one thread)", page_one_thread),
        ("hybrid (page, no floor)", page_unfloored),
    ]
    rows = []
    # Queries naming a section (存在的问题) search BM25 a second time, within that section
    # (the section list): their latencies are also given apart, unfiltered.
    intent = [searcher.intent(parsed[q]) is not None for q in queries] * args.repeat
    split_rows = []
    measured = [
        ("none", None),
        ("level=township", filt),
        ("jurisdiction=江苏省, year≥2018", narrow),
    ]
    for fname, f in measured:
        # Variants interleaved query by query (order rotated), so that load from other
        # processes on a shared machine falls on all of them alike.
        lat, cpu = interleaved(
            [lambda q, fn=fn, f=f: fn(q, f) for _, fn in variants], queries, args.repeat
        )
        rows += [
            (name, fname, *pct(v), *pct(c))
            for (name, _), v, c in zip(variants, lat, cpu, strict=True)
        ]
        if f is None:
            for part, named in (("naming a section", True), ("naming none", False)):
                split_rows += [
                    (
                        name,
                        f"{part} ({intent.count(named)})",
                        *pct([x for x, i in zip(v, intent, strict=True) if i == named]),
                        *pct([x for x, i in zip(c, intent, strict=True) if i == named]),
                    )
                    for (name, _), v, c in zip(variants, lat, cpu, strict=True)
                    if name
                    in (
                        "tantivy BM25",
                        "tantivy BM25 (page)",
                        "hybrid (page)",
                        "hybrid (page, one thread)",
                    )
                ]
    enc = timed(lambda q: bundle.encode_query(q), queries, args.repeat)
    rows.append(("query encoding (corpus-static)", "none", *pct(enc), *pct(enc)))

    baseline_rows = []
    wanted = {b.strip() for b in args.baselines.split(",") if b.strip()}
    if wanted:
        docs = [bundle.tokenizer.tokenize(p.text) for p in store.iter_passages()]
        qtoks = [[t for t, _ in parsed[q].lexical_terms()] for q in queries]
        if "bm25s" in wanted:
            import bm25s

            t0 = time.perf_counter()
            retriever = bm25s.BM25()
            retriever.index(docs, show_progress=False)
            build_s = time.perf_counter() - t0

            def bm25s_q(i: int) -> object:
                return retriever.retrieve([qtoks[i]], k=min(DEPTH, n), show_progress=False)

            lat = timed(bm25s_q, list(range(len(queries))), args.repeat)
            baseline_rows.append(("bm25s", build_s, *pct(lat)))
        if "rank_bm25" in wanted:
            from rank_bm25 import BM25Okapi

            t0 = time.perf_counter()
            okapi = BM25Okapi(docs)
            build_s = time.perf_counter() - t0

            def okapi_q(i: int) -> object:
                scores = okapi.get_scores(qtoks[i])
                return np.argpartition(-scores, min(DEPTH, n - 1))[:DEPTH]

            lat = timed(okapi_q, list(range(len(queries))), 1)
            baseline_rows.append(("rank_bm25", build_s, *pct(lat)))
        del docs

    d = bundle.directory
    sizes = {
        "BM25 (tantivy)": du_mb(d / "bm25"),
        "vectors": du_mb(d / "vectors"),
        "doc table": sum(f.stat().st_size for f in d.glob("doctable.*")) / 1e6,
        "embedding model": du_mb(d / "model") if (d / "model").exists() else 0.0,
    }
    print(
        f"\n{label or 'existing corpus'}: {n:,} passages, {len(queries)} dev queries × "
        f"{args.repeat}, top-{DEPTH} candidates per engine, "
        f"{os.cpu_count()} CPU cores, vector index {bundle.manifest.vector_index}\n"
    )
    print("| system | filter | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms |")
    print("|---|---|---|---|---|---|")
    for name, fname, p50, p95, c50, c95 in rows:
        print(f"| {name} | {fname} | {p50:.2f} | {p95:.2f} | {c50:.2f} | {c95:.2f} |")
    print(
        "\n| system, unfiltered | queries (searches) | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms |"
    )
    print("|---|---|---|---|---|---|")
    for name, part, p50, p95, c50, c95 in split_rows:
        print(f"| {name} | {part} | {p50:.2f} | {p95:.2f} | {c50:.2f} | {c95:.2f} |")
    for part in dict.fromkeys(r[1] for r in split_rows):
        got = {r[0]: r for r in split_rows if r[1] == part}
        for name in ("hybrid (page)", "hybrid (page, one thread)"):
            for ref in ("tantivy BM25", "tantivy BM25 (page)"):
                row, lex = got[name], got[ref]
                print(
                    f"unfiltered, {part}: {name} p95 / {ref} p95 = "
                    f"{row[3] / lex[3]:.2f}× wall, {row[5] / lex[5]:.2f}× CPU"
                )
    for fname, _ in measured:
        got = {r[0]: r for r in rows if r[1] == fname}
        for name, ref in (
            ("hybrid (ids)", "tantivy BM25"),
            ("hybrid (ranked ids)", "tantivy BM25"),
            ("hybrid (page)", "tantivy BM25"),
            ("hybrid (page)", "tantivy BM25 (page)"),
            ("hybrid (page, one thread)", "tantivy BM25"),
        ):
            row, lex = got[name], got[ref]
            print(
                f"filter {fname}: {name} p95 / {ref} p95 = {row[3] / lex[3]:.2f}× wall, "
                f"{row[5] / lex[5]:.2f}× CPU (target ≤ 2×)"
            )
    if baseline_rows:
        print("\n| baseline (same tokens) | build s | p50 ms | p95 ms |")
        print("|---|---|---|---|")
        for name, b, p50, p95 in baseline_rows:
            print(f"| {name} | {b:.1f} | {p50:.2f} | {p95:.2f} |")
    total = sum(sizes.values())
    print("\n| index part | MB on disk | bytes per passage |")
    print("|---|---|---|")
    for part, mb in sizes.items():
        print(f"| {part} | {mb:.1f} | {mb * 1e6 / n:.0f} |")
    print(f"| total | {total:.1f} | {total * 1e6 / n:.0f} |")
    print(
        f"\nresident memory added by loading the index and answering one query, in a fresh "
        f"process: {rss1 - rss0:.0f} MB ({(rss1 - rss0) * 1e6 / n:.0f} bytes per passage; "
        f"process RSS {rss0:.0f} MB before, {rss1:.0f} MB after)"
    )
    print(
        json.dumps(
            {
                "passages": n,
                "rows": rows,
                "baselines": baseline_rows,
                "sizes_mb": sizes,
                "rss_delta_mb": rss1 - rss0,
            },
            ensure_ascii=False,
        )
    )
    service.close()
    if not args.keep and args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
