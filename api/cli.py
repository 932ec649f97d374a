"""The ``jiejian`` command line."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api.settings import Settings
from retrieval.defaults import DEFAULT_DEVSET, DEFAULT_K, MAX_K, SERVER_WORKERS_RANGE

if TYPE_CHECKING:
    from rich.table import Table

    from corpus.pipeline import IngestSummary
    from corpus.store import CorpusStore
    from index.builder import BuildReport
    from retrieval.searcher import Searcher

# Commands import what they use when they run: `jiejian --help` and the settings must not
# pay for torch, FAISS, tantivy or jieba (README: "where things live").

app = typer.Typer(
    add_completion=False, help="借鉴 jiejian: search Chinese trade-union work reports"
)
console = Console(stderr=True, soft_wrap=True)  # error lines stay whole


@app.callback()
def _global_options(
    log_level: Annotated[
        str | None,
        typer.Option(
            "--log-level",
            help="DEBUG, INFO, WARNING or ERROR for the jiejian loggers (default: "
            "$JIEJIAN_LOG_LEVEL or INFO)",
        ),
    ] = None,
) -> None:
    """借鉴 jiejian: search Chinese trade-union work reports."""
    import os

    from api.logs import configure_logging

    if log_level is not None:
        os.environ["JIEJIAN_LOG_LEVEL"] = log_level  # commands and server workers read it
    with _errors_exit(ValueError):
        settings = Settings()
    configure_logging(settings.log_level, settings.log_json)


RayOpt = Annotated[
    str | None,
    typer.Option(
        "--ray",
        help="run on a Ray cluster: its address (ray://head:10001 or head:6379), auto (the "
        "cluster running here, else a private one) or local (a private one on 127.0.0.1); "
        "needs pip install 'jiejian[ray]'",
    ),
]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="data directory (default: $JIEJIAN_DATA or .jiejian/data)"),
]


def _settings(data: Path | None) -> Settings:
    settings = Settings()
    if data is not None:
        settings = settings.model_copy(update={"data": data})
    return settings


def _open_store(settings: Settings) -> CorpusStore:
    from corpus.store import CorpusStore, StoreError

    with _errors_exit(StoreError):
        return CorpusStore(settings.data, url=settings.store_url)


@contextlib.contextmanager
def _errors_exit(*errors: type[Exception]) -> Iterator[None]:
    """An expected error of a command: its message, and exit status 2 (not a traceback)."""
    try:
        yield
    except errors as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _where(settings: Settings) -> str:
    """The store's place, for messages (a URL without its password)."""
    from corpus.store_sql import redact

    if settings.store_url and "://" in settings.store_url:
        return redact(settings.store_url)
    return str(settings.store_url or settings.data)


def _require_corpus(settings: Settings) -> None:
    from corpus.store import CorpusStore

    if not CorpusStore.exists(settings.data, settings.store_url):
        console.print(
            f"[red]error:[/red] no corpus in {_where(settings)}: run `jiejian ingest` first"
        )
        raise typer.Exit(2)


def _summary_table(s: IngestSummary) -> Table:
    from rich.table import Table

    t = Table(title="ingest summary", show_header=False)
    t.add_column("", style="bold")
    t.add_column("", justify="right")
    t.add_row("files seen", str(s.files_seen))
    t.add_row("files read", str(s.files_read))
    t.add_row("files unchanged (already ingested)", str(s.files_unchanged))
    t.add_row("files skipped", str(len(s.skipped)))
    t.add_row("reports added", str(s.reports_new))
    t.add_row("duplicate reports collapsed", str(s.reports_duplicate))
    t.add_row("passages added", str(s.passages_new))
    t.add_row("near-duplicate passages grouped", str(s.passages_near_duplicate))
    t.add_row("text read (MB)", f"{s.bytes_text / 1e6:.2f}")
    t.add_row("seconds", f"{s.seconds:.2f}")
    return t


def _write_report(path: Path, summary: IngestSummary) -> None:
    """Per-file outcomes as JSON Lines, written under a temporary name and renamed."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for outcome in summary.outcomes:
            f.write(json.dumps(outcome, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@app.command("ingest")
def ingest_cmd(
    src: Annotated[list[Path], typer.Argument(help="files or folders of reports")],
    data: DataOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="processes (default: CPU count)")
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="write per-file outcomes as JSON Lines: path, status (ok|skipped|unchanged), "
            "reason, added and duplicates (report ids)",
        ),
    ] = None,
    ray: RayOpt = None,
) -> None:
    """Read report files into the store: clean, split, annotate, chunk, de-duplicate."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table

    from api.service import ChunkingError, WriteService
    from corpus.readers import iter_paths

    settings = _settings(data)
    if workers is not None:
        settings = settings.model_copy(update={"ingest_workers": workers})
    missing = [str(p) for p in src if not p.exists()]
    if missing:
        console.print(f"[red]error:[/red] no such file or folder: {', '.join(missing)}")
        raise typer.Exit(2)
    if report is not None and not report.parent.is_dir():
        console.print(f"[red]error:[/red] no folder for the report file: {report.parent}")
        raise typer.Exit(2)
    paths = list(iter_paths(src))
    sizes: dict[str, int] = {}
    for p in paths:
        with contextlib.suppress(OSError):
            sizes[str(p.resolve())] = p.stat().st_size
    _open_store(settings).close()
    progress = Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[rate]}"),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with progress:
        task = progress.add_task("", total=len(paths), rate="")
        started = time.perf_counter()
        done_bytes = 0

        def step(path: str) -> None:
            nonlocal done_bytes
            done_bytes += sizes.get(path, 0)
            seconds = max(time.perf_counter() - started, 1e-6)
            files = progress.tasks[0].completed + 1
            rate = f"{files / seconds:.1f} files/s {done_bytes / 1e6 / seconds:.2f} MB/s"
            progress.update(task, advance=1, description=Path(path).name[:40], rate=rate)

        with _errors_exit(ChunkingError, RuntimeError):
            summary = WriteService(settings).ingest(
                src, progress=step, paths=paths, workers=settings.ingest_workers, ray=ray
            )
    if report is not None:
        _write_report(report, summary)
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        return
    out = Console()
    out.print(_summary_table(summary))
    if summary.skipped:
        skipped = Table(title="skipped files")
        skipped.add_column("file")
        skipped.add_column("reason")
        for path, reason in summary.skipped:
            skipped.add_row(path, reason)
        out.print(skipped)
    if any(summary.noise.values()):
        removed = Table(title="noise removed, by class")
        removed.add_column("class")
        removed.add_column("count", justify="right")
        for name, count in sorted(summary.noise.items(), key=lambda kv: -kv[1]):
            if count:
                removed.add_row(name, str(count))
        out.print(removed)
    for path, message in summary.warnings:
        out.print(f"[yellow]warning:[/yellow] {path}: {message}")


@app.command("export")
def export_cmd(
    data: DataOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="output file (default: stdout)")] = None,
) -> None:
    """Write every report with its passages as JSON Lines."""
    from corpus.export import export_jsonl

    settings = _settings(data)
    _require_corpus(settings)
    with _open_store(settings) as store:
        if out is None:
            n = export_jsonl(store, sys.stdout)
        else:
            tmp = out.with_name(out.name + ".tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                n = export_jsonl(store, fh)
            tmp.replace(out)
    console.print(f"exported {n} reports")


@app.command("migrate")
def migrate_cmd(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="the target store: postgresql://user:password@host:5432/db, or a SQLite file "
            "path; it must hold no corpus yet",
        ),
    ],
    data: DataOpt = None,
) -> None:
    """Copy the corpus store ($JIEJIAN_STORE_URL, default DATA/corpus.sqlite3) into another
    engine, SQLite to PostgreSQL or back, and verify every table's row count."""
    from rich.table import Table

    from corpus.store import StoreError
    from corpus.store_migrate import copy_store

    settings = _settings(data)
    _require_corpus(settings)
    if to == (settings.store_url or ""):
        console.print("[red]error:[/red] --to names the store being copied")
        raise typer.Exit(2)
    target = settings.model_copy(update={"store_url": to})
    with _open_store(settings) as src, _open_store(target) as dst, _errors_exit(StoreError):
        report = copy_store(src, dst, progress=_index_progress)
    t = Table(title=f"migrated to {_where(target)}")
    t.add_column("table")
    t.add_column("rows there", justify="right")
    t.add_column("rows here", justify="right")
    for table, (a, b) in report.counts.items():
        t.add_row(table, str(a), str(b))
    Console().print(t)
    console.print(
        "counts verified. Serve from it with JIEJIAN_STORE_URL set to the target; the index "
        "under --data holds the same passages and ids, and `jiejian index --rebuild` makes a "
        "new one from the target (needed for another --data or index backend)."
    )


def _index_progress(msg: str) -> None:
    console.print(f"[dim]{msg}[/dim]")


def _run_index(
    settings: Settings, rebuild: bool, repair: bool = False, ray: str | None = None
) -> None:
    from api.service import WriteService
    from index.manifest import IndexMismatchError

    _open_store(settings).close()
    writer = WriteService(settings)
    try:
        if repair:
            problems, report = writer.repair(progress=_index_progress)
            for p in problems:
                console.print(f"[yellow]found:[/yellow] {p}")
            if not problems:
                console.print("index verified: files match their checksums, counts agree")
        else:
            report = writer.index(rebuild=rebuild, progress=_index_progress, ray=ray)
    except (IndexMismatchError, FileNotFoundError, ValueError, RuntimeError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    _print_build(report)


def _print_build(report: BuildReport) -> None:
    from rich.table import Table

    m = report.manifest
    t = Table(title=f"index {report.mode}", show_header=False)
    t.add_column("", style="bold")
    t.add_column("", justify="right")
    t.add_row("passages indexed", str(m.counts.get("passages", 0)))
    t.add_row("reports", str(m.counts.get("reports", 0)))
    t.add_row("added / removed", f"{report.added} / {report.removed}")
    t.add_row("embedder", f"{m.embedder_model_id} ({m.embedder_dim} dims)")
    t.add_row("vector index", m.vector_index)
    t.add_row("tokenizer", m.tokenizer)
    t.add_row("seconds", f"{report.seconds:.2f}")
    Console().print(t)


@app.command("index")
def index_cmd(
    data: DataOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="rebuild from scratch")] = False,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="verify the published index (checksums, counts, missing reports) and the "
            "store; rebuild the index when anything is wrong",
        ),
    ] = False,
    ray: RayOpt = None,
) -> None:
    """Build or refresh the BM25 and vector indexes from the store. A damaged or
    inconsistent published index is detected and rebuilt; a running server swaps to the
    new version by itself."""
    settings = _settings(data)
    _require_corpus(settings)
    _run_index(settings, rebuild, repair, ray)


@app.command("build")
def build_cmd(
    src: Annotated[list[Path], typer.Argument(help="files or folders of reports")],
    data: DataOpt = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1)] = None,
    ray: RayOpt = None,
) -> None:
    """Ingest SRC and bring the indexes up to date (ingest + index). ``--ray`` runs both
    steps on that cluster: files parsed as Ray tasks, passages embedded in Ray actors."""
    ingest_cmd(src, data, as_json=False, workers=workers, ray=ray)
    _run_index(_settings(data), rebuild=False, ray=ray)


@app.command("delete")
def delete_cmd(
    report_id: Annotated[str, typer.Argument(help="the report to remove")],
    data: DataOpt = None,
) -> None:
    """Remove a report from the store and the indexes together."""
    from api.service import WriteService
    from retrieval.service import NotFoundError

    settings = _settings(data)
    _open_store(settings).close()
    try:
        report = WriteService(settings).delete(report_id, progress=_index_progress)
    except NotFoundError as exc:
        console.print(f"[red]error:[/red] no report {report_id!r} in {settings.data}")
        raise typer.Exit(2) from exc
    console.print(f"deleted report {report_id}")
    if report is not None:
        _print_build(report)


def _searcher(settings: Settings) -> tuple[CorpusStore, Searcher]:
    from api.service import WriteService
    from index.bundle import IndexBundle
    from index.manifest import IndexMismatchError
    from retrieval.searcher import Searcher
    from retrieval.synonyms import SynonymLexicon

    store = _open_store(settings)
    try:
        bundle = IndexBundle.load(settings.data, WriteService(settings).config())
    except (IndexMismatchError, FileNotFoundError) as exc:
        store.close()
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    return store, Searcher(bundle, store, SynonymLexicon.load(settings.synonyms))


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="what to look for, in either script")],
    data: DataOpt = None,
    k: Annotated[int, typer.Option("-k", min=1, max=MAX_K)] = DEFAULT_K,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    mode: Annotated[str, typer.Option("--mode", help="hybrid | bm25 | dense")] = "hybrid",
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction")] = None,
    exclude_jurisdiction: Annotated[str | None, typer.Option("--exclude-jurisdiction")] = None,
    level: Annotated[str | None, typer.Option("--level")] = None,
    year_from: Annotated[int | None, typer.Option("--year-from")] = None,
    year_to: Annotated[int | None, typer.Option("--year-to")] = None,
    doc_type: Annotated[str | None, typer.Option("--doc-type")] = None,
    section_role: Annotated[str | None, typer.Option("--section-role")] = None,
) -> None:
    """Quick look: search the index from the command line."""
    from index.filters import FilterError
    from retrieval.filters import make_filters
    from retrieval.query import QueryError
    from retrieval.searcher import SearchOptions

    settings = _settings(data)
    store, searcher = _searcher(settings)
    with store, _errors_exit(QueryError, FilterError):
        filters = make_filters(
            jurisdiction, exclude_jurisdiction, level, year_from, year_to, doc_type, section_role
        )
        result = searcher.search(query, SearchOptions(k=k, mode=mode, filters=filters))  # type: ignore[arg-type]
    if as_json:
        from api.convert import search_response  # the same JSON shape as GET /api/search

        typer.echo(search_response(result).model_dump_json(indent=2))
        return
    out = Console()
    out.print(f"[bold]{result.total}[/bold] results for {result.query!r} ({result.took_ms} ms)")
    for rule, terms in result.expansions:
        out.print(f"[dim]  {rule} → {', '.join(terms)}[/dim]")
    if result.absent:
        out.print(f"[yellow]  no passage uses: {', '.join(result.absent)}[/yellow]")
    for i, h in enumerate(result.hits, start=1):
        r = h.report
        where = " › ".join(r.jurisdiction_path or ([r.jurisdiction] if r.jurisdiction else []))
        out.print(
            f"\n[bold]{i}. {r.title}[/bold]  {where or '—'}  {r.year or ''} "
            f"{r.doc_type or ''}  [dim]{h.passage.section_role} · "
            f"{' / '.join(h.passage.section_path)}[/dim]"
        )
        out.print(h.passage.text[:300].replace("\n", " "), markup=False)
        out.print(f"[dim]{json.dumps(h.explain, ensure_ascii=False)}[/dim]")


@app.command("eval")
def eval_cmd(
    data: DataOpt = None,
    devset: Annotated[Path, typer.Option("--devset")] = DEFAULT_DEVSET,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Score what is served (the per-report cap and the relevance floor included): nDCG@10,
    recall@10, MRR and the share of queries answered with nothing, per half and per kind;
    the no-answer kind counts the share of unanswerable queries that came back empty."""
    from rich.table import Table

    from retrieval.evaluation import evaluate, load_devset

    settings = _settings(data)
    store, searcher = _searcher(settings)
    with store, _errors_exit(ValueError, FileNotFoundError):
        report = evaluate(searcher, load_devset(devset))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    out = Console()
    for title, rows in report["tables"].items():
        t = Table(title=title)
        t.add_column("system")
        ranked = any("ndcg@10" in row for row in rows.values())
        cols = (
            ("nDCG@10", "recall@10", "MRR", "empty", "queries") if ranked else ("empty", "queries")
        )
        for col in cols:
            t.add_column(col, justify="right")
        for name, row in rows.items():
            cells = [f"{row['empty']:.0%}", str(row["n"])]
            if ranked:
                cells = [
                    f"{row['ndcg@10']:.3f}",
                    f"{row['recall@10']:.3f}",
                    f"{row['mrr']:.3f}",
                    *cells,
                ]
            t.add_row(name, *cells)
        out.print(t)


@app.command("eval-corpus")
def eval_corpus_cmd(
    labels: Annotated[Path, typer.Argument(help="labels.jsonl (file paths relative to it)")],
    data: DataOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    misses: Annotated[int, typer.Option("--misses", help="misses to list")] = 40,
) -> None:
    """Accuracy of stored metadata against hand-read labels, invented places, noise left in
    passages and prose lost, for all labelled files and their tune (odd) / check (even) halves.
    """
    from rich.table import Table

    from corpus.fidelity import FIELDS, HALVES, evaluate_corpus

    settings = _settings(data)
    store = _open_store(settings)
    with store, _errors_exit(ValueError, OSError):
        result = evaluate_corpus(store, labels)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    out = Console()
    t = Table(title=f"corpus fidelity: {labels}")
    t.add_column("measure")
    for half in HALVES:
        t.add_column(f"{half} ({result.halves[half].files} files)", justify="right")
    for f in FIELDS:
        cells = []
        for half in HALVES:
            tally = result.halves[half].fields[f]
            cells.append(f"{tally.accuracy:.1%} ({tally.right}/{tally.total})")
        t.add_row(f, *cells)
    rows = (
        ("invented places", lambda h: str(h.invented_places)),
        ("report-count errors", lambda h: str(h.split_errors)),
        ("passages with furniture", lambda h: f"{h.noisy_passages}/{h.passages}"),
        ("prose sentences lost", lambda h: f"{h.prose_lost}/{h.prose_sentences}"),
    )
    for name, cell in rows:
        t.add_row(name, *(cell(result.halves[h]) for h in HALVES))
    out.print(t)
    noise = result.halves["all"].noise
    if noise:
        out.print("furniture left, by class: " + ", ".join(f"{k} {v}" for k, v in noise.items()))
    for m in result.misses[:misses]:
        out.print(f"miss {m['file']} {m['field']}: expected {m['expected']!r}, got {m['got']!r}")
    for ex in result.noise_examples[:10]:
        out.print(f"noise {ex['file']} {ex['classes']}: {ex['passage'][:80]!r}")
    for ex in result.lost_examples[:10]:
        out.print(f"lost {ex['file']}: {ex['sentence'][:60]}")


@app.command("serve")
def serve_cmd(
    data: DataOpt = None,
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=SERVER_WORKERS_RANGE[0],
            max=SERVER_WORKERS_RANGE[1],
            help="server processes sharing the on-disk index; each swaps to a newly "
            "published version by itself",
        ),
    ] = 1,
) -> None:
    """Serve the JSON API and the web UI (open http://HOST:PORT/)."""
    import os

    import uvicorn

    from api.app import create_app

    settings = _settings(data)
    updates = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = settings.model_copy(update=updates)
    _open_store(settings).close()  # a store this jiejian cannot read: say so before serving
    console.print(
        f"jiejian serving {settings.data} at http://{settings.host}:{settings.port}/ "
        f"({workers} worker{'s' if workers > 1 else ''})"
    )
    # jiejian's access log (api/logs.py) replaces uvicorn's own.
    log_level = settings.log_level.lower()
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level=log_level,
            access_log=False,
        )
        return
    # Worker processes build their app from the environment: pass the options through it.
    # Each also learns how many processes share the machine's cores (retrieval/parallel.py).
    os.environ["JIEJIAN_DATA"] = str(settings.data.resolve())
    os.environ["JIEJIAN_SERVER_WORKERS"] = str(workers)
    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        # A worker loads and verifies the whole index before it answers the supervisor's
        # readiness ping, and a busy worker answers late: the 5 s default killed them.
        timeout_worker_healthcheck=120,
        log_level=log_level,
        access_log=False,
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
