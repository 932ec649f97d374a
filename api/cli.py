"""The ``jiejian`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.settings import Settings
from corpus.export import export_jsonl
from corpus.passages import ChunkParams
from corpus.pipeline import IngestSummary, ingest
from corpus.readers import iter_paths
from corpus.store import CorpusStore, StoreError

app = typer.Typer(
    add_completion=False, help="借鉴 jiejian: search Chinese trade-union work reports"
)
console = Console(stderr=True)

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
    try:
        return CorpusStore(settings.data)
    except StoreError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _summary_table(s: IngestSummary) -> Table:
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


@app.command("ingest")
def ingest_cmd(
    src: Annotated[list[Path], typer.Argument(help="files or folders of reports")],
    data: DataOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="processes (default: CPU count)")
    ] = None,
) -> None:
    """Read report files into the store: clean, split, annotate, chunk, de-duplicate."""
    settings = _settings(data)
    if workers is not None:
        settings = settings.model_copy(update={"ingest_workers": workers})
    missing = [str(p) for p in src if not p.exists()]
    if missing:
        console.print(f"[red]error:[/red] no such file or folder: {', '.join(missing)}")
        raise typer.Exit(2)
    params = ChunkParams(settings.chunk_min_chars, settings.chunk_max_chars)
    paths = list(iter_paths(src))
    with _open_store(settings) as store:
        progress = Progress(
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        with progress:
            task = progress.add_task("", total=len(paths))

            def step(path: str) -> None:
                progress.update(task, advance=1, description=Path(path).name[:40])

            summary = ingest(
                src, store, params, progress=step, paths=paths, workers=settings.ingest_workers
            )
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


@app.command("export")
def export_cmd(
    data: DataOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="output file (default: stdout)")] = None,
) -> None:
    """Write every report with its passages as JSON Lines."""
    settings = _settings(data)
    if not (settings.data / "corpus.sqlite3").exists():
        console.print(f"[red]error:[/red] no corpus in {settings.data}: run `jiejian ingest` first")
        raise typer.Exit(2)
    with _open_store(settings) as store:
        if out is None:
            n = export_jsonl(store, sys.stdout)
        else:
            tmp = out.with_name(out.name + ".tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                n = export_jsonl(store, fh)
            tmp.replace(out)
    console.print(f"exported {n} reports")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
