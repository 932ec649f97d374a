"""Ingest: files -> decoded text -> cleaned -> reports -> metadata, sections, passages -> store."""

from __future__ import annotations

import hashlib
import multiprocessing
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpus.boilerplate import MIN_FILES, line_key
from corpus.clean import boilerplate_keys, clean_text
from corpus.dedup import THRESHOLD, band_keys, signature, similarity
from corpus.gazetteer import Gazetteer, load_gazetteer
from corpus.linejoin import preload_segmenter
from corpus.metadata import extract_metadata
from corpus.models import PIPELINE_VERSION, DecodedFile, Report, SkippedFile
from corpus.passages import ChunkParams, make_passages
from corpus.practices import extract_practices
from corpus.readers import iter_paths, read_file
from corpus.script import to_simplified
from corpus.sections import parse_sections
from corpus.segment import preload as segment_preload
from corpus.split import is_title_line, split_reports
from corpus.store import CorpusStore

MIN_DEDUP_PASSAGE = 50
UPLOADS_DIR = "uploads"  # where the API keeps uploaded raw files, inside the data directory
_ID_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass
class IngestSummary:
    files_seen: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    reports_new: int = 0
    reports_duplicate: int = 0
    passages_new: int = 0
    passages_near_duplicate: int = 0
    bytes_text: int = 0
    seconds: float = 0.0
    noise: Counter[str] = field(default_factory=Counter)
    stage_seconds: Counter[str] = field(default_factory=Counter)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    # per file: {"path", "status": ok|skipped|unchanged, "reason", "added", "duplicates"}
    outcomes: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "files_seen": self.files_seen,
            "files_read": self.files_read,
            "files_unchanged": self.files_unchanged,
            "files_skipped": len(self.skipped),
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "reports_new": self.reports_new,
            "reports_duplicate": self.reports_duplicate,
            "passages_new": self.passages_new,
            "passages_near_duplicate": self.passages_near_duplicate,
            "bytes_text": self.bytes_text,
            "seconds": round(self.seconds, 3),
            "noise_removed": dict(self.noise),
            "warnings": [{"path": p, "message": m} for p, m in self.warnings],
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
        }


def report_id_for(simplified: str) -> str:
    """Content-derived: the same report text in either script gets the same id."""
    return hashlib.sha1(_ID_STRIP.sub("", simplified).encode()).hexdigest()[:16]


def build_reports(
    doc: DecodedFile,
    gaz: Gazetteer,
    params: ChunkParams,
    stats: Counter[str] | None = None,
    timings: Counter[str] | None = None,
    boilerplate: frozenset[int] = frozenset(),
) -> list[Report]:
    """Everything from decoded text to reports with passages; no store access."""
    timings = timings if timings is not None else Counter()
    t0 = time.perf_counter()
    cleaned = clean_text(doc.text, boilerplate)
    if stats is not None:
        stats.update(cleaned.stats)
    t1 = time.perf_counter()
    timings["clean"] += t1 - t0
    stem = Path(doc.path).stem
    has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in stem)
    fallback_title = doc.title_hint or (stem if has_cjk and is_title_line(stem) else None)
    reports: list[Report] = []
    section_time = 0.0
    for ordinal, seg in enumerate(split_reports(cleaned.text, fallback_title)):
        text = seg.text
        if seg.has_own_title:
            title, page_title, body_begin = seg.lines[0], False, len(seg.lines[0]) + 1
        else:
            title, body_begin = seg.marker_title or seg.page_title, 0
            page_title = seg.marker_title_is_page_title
        meta = extract_metadata(title, page_title, text[body_begin:], gaz)
        simplified = to_simplified(text)
        rid = report_id_for(simplified)
        t2 = time.perf_counter()
        sections = parse_sections(text, simplified, body_begin)
        passages = make_passages(rid, text, sections, params)
        practices = extract_practices(rid, text, sections, passages)
        section_time += time.perf_counter() - t2
        reports.append(
            Report(rid, doc.path, ordinal, text, simplified, meta, sections, passages, practices)
        )
    timings["sections+passages"] += section_time
    timings["split+metadata"] += time.perf_counter() - t1 - section_time
    return reports


def add_band_keys(report: Report) -> None:
    """MinHash band keys for the report and its passages (pure; done in the workers)."""
    report.band_keys = band_keys(signature(report.simplified))
    report.passage_band_keys = [
        band_keys(signature(report.simplified[p.start : p.end]))
        if p.end - p.start >= MIN_DEDUP_PASSAGE
        else []
        for p in report.passages
    ]


def _store_report(
    store: CorpusStore, report: Report, sha: str, summary: IngestSummary
) -> tuple[str, str]:
    """Store one report; returns ("added", id) or ("duplicate", id of the stored twin)."""
    if store.has_report(report.report_id):
        store.add_source(report.report_id, report.source, report.ordinal, sha, "exact", 1.0)
        summary.reports_duplicate += 1
        return "duplicate", report.report_id
    if not report.band_keys:
        add_band_keys(report)
    candidates = store.report_candidates(report.band_keys)
    if candidates:
        sig = signature(report.simplified)
        for cand in candidates:
            sim = similarity(sig, signature(store.report_simplified(cand)))
            if sim >= THRESHOLD:
                store.add_source(cand, report.source, report.ordinal, sha, "near", round(sim, 3))
                summary.reports_duplicate += 1
                return "duplicate", cand
    # The report's own passages are not stored yet, so every hit is from another report.
    by_band = store.passages_by_band(k for ks in report.passage_band_keys for k in ks)
    for p, pkeys in zip(report.passages, report.passage_band_keys, strict=True):
        candidates = list(dict.fromkeys(pid for k in pkeys for pid in by_band.get(k, ())))
        if not candidates:
            continue
        sig = signature(report.simplified[p.start : p.end])
        for cand in candidates:
            ctext, cgroup = store.passage_dup_info(cand)
            if similarity(sig, signature(to_simplified(ctext))) >= THRESHOLD:
                p.dup_group = cgroup or cand
                summary.passages_near_duplicate += 1
                break
    store.insert_report(report, report.band_keys)
    store.insert_passages(report.passages, report.passage_band_keys)
    store.insert_practices(report.practices)
    store.add_source(report.report_id, report.source, report.ordinal, sha, "original", None)
    summary.reports_new += 1
    summary.passages_new += len(report.passages)
    return "added", report.report_id


@dataclass
class _Prepared:
    """What a worker hands back for one file: its reports, or why it has none."""

    path: str
    doc: DecodedFile | SkippedFile
    text_bytes: int = 0
    reports: list[Report] = field(default_factory=list)
    error: str | None = None
    warning: str | None = None
    noise: Counter[str] = field(default_factory=Counter)
    timings: Counter[str] = field(default_factory=Counter)


def _prepare(job: tuple[str, ChunkParams, frozenset[int]]) -> _Prepared:
    """Read and build one file's reports; runs in a worker process, touches no store."""
    spath, params, boilerplate = job
    out = _Prepared(spath, SkippedFile(spath, ""))
    t0 = time.perf_counter()
    doc = read_file(spath)
    out.timings["read"] += time.perf_counter() - t0
    if isinstance(doc, SkippedFile):
        out.doc = doc
        return out
    out.text_bytes = len(doc.text.encode("utf-8"))
    replaced = doc.text.count("\ufffd")
    if replaced:
        out.warning = f"{replaced} undecodable byte sequences read as U+FFFD ({doc.encoding})"
    out.doc = replace(doc, text="")  # the text travels inside the reports, not twice
    try:
        out.reports = build_reports(
            doc, load_gazetteer(), params, out.noise, out.timings, boilerplate
        )
        t1 = time.perf_counter()
        for report in out.reports:
            add_band_keys(report)
        out.timings["minhash"] += time.perf_counter() - t1
    except Exception as exc:  # one bad file never stops a batch
        out.error = f"processing failed: {type(exc).__name__}: {exc}"
    return out


def _file_sha(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def ingest(
    sources: Iterable[str | Path],
    store: CorpusStore,
    params: ChunkParams | None = None,
    progress: Callable[[str], None] | None = None,
    paths: list[Path] | None = None,
    workers: int = 1,
) -> IngestSummary:
    """Ingest files and folders into ``store``.

    Reading and building reports runs in ``workers`` processes; the store is written by
    this process alone, each file inside its own savepoint, committed in batches.
    """
    params = params or ChunkParams()
    summary = IngestSummary()
    started = time.perf_counter()
    run_id = store.start_run()
    own_dir = store.data_dir.resolve()
    uploads = own_dir / UPLOADS_DIR  # kept raw uploads are ordinary sources
    jobs: list[tuple[str, ChunkParams, frozenset[int]]] = []
    for path in paths if paths is not None else iter_paths(sources):
        resolved = Path(path).resolve()
        if resolved.is_relative_to(own_dir) and not resolved.is_relative_to(uploads):
            continue  # never ingest the store's own files when SRC contains --data
        spath = str(resolved)
        summary.files_seen += 1
        known = store.file_sha(spath, PIPELINE_VERSION)
        if known is not None and known == _file_sha(spath):
            summary.files_unchanged += 1
            summary.outcomes.append(
                {
                    "path": spath,
                    "status": "unchanged",
                    "reason": None,
                    "added": [],
                    "duplicates": [],
                }
            )
            store.log(run_id, spath, "unchanged")
            if progress:
                progress(spath)
            continue
        jobs.append((spath, params, frozenset()))
    # Loaded before the pool forks, so every worker shares them instead of loading its own.
    load_gazetteer()
    preload_segmenter()
    segment_preload()
    if workers > 1 and len(jobs) >= 8:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers) as pool:
            jobs = _learn_boilerplate(store, jobs, pool.imap)
            _store_all(store, pool.imap(_prepare, jobs, chunksize=4), summary, run_id, progress)
    else:
        jobs = _learn_boilerplate(store, jobs, map)
        _store_all(store, map(_prepare, jobs), summary, run_id, progress)
    summary.seconds = time.perf_counter() - started
    store.finish_run(run_id, summary.seconds, summary.as_dict())
    return summary


COMMIT_EVERY = 200


def _edge_keys(spath: str) -> tuple[str, set[int]]:
    doc = read_file(spath)
    return spath, set() if isinstance(doc, SkippedFile) else boilerplate_keys(doc.text)


def _learn_boilerplate(
    store: CorpusStore,
    jobs: list[tuple[str, ChunkParams, frozenset[int]]],
    mapper: Callable[..., Iterator[tuple[str, set[int]]]],
) -> list[tuple[str, ChunkParams, frozenset[int]]]:
    """First pass over the files to ingest: record their edge lines, then hand every job
    the lines that recur at the edges of files across the corpus (corpus.boilerplate)."""
    if not jobs:
        return jobs
    with store.transaction():
        for spath, keys in mapper(_edge_keys, [j[0] for j in jobs]):
            store.add_edge_lines(line_key(spath), keys)
    known = store.recurring_edge_lines(MIN_FILES)
    return [(spath, params, known) for spath, params, _ in jobs]


def _store_all(
    store: CorpusStore,
    results: Iterator[_Prepared],
    summary: IngestSummary,
    run_id: int,
    progress: Callable[[str], None] | None,
) -> None:
    pending = True
    while pending:
        pending = False
        with store.transaction():
            for n, prepared in enumerate(results, start=1):
                _store_one(store, prepared, summary, run_id)
                if progress:
                    progress(prepared.path)
                if n >= COMMIT_EVERY:
                    pending = True
                    break


def _store_one(store: CorpusStore, prep: _Prepared, summary: IngestSummary, run_id: int) -> None:
    summary.noise.update(prep.noise)
    summary.stage_seconds.update(prep.timings)
    doc = prep.doc
    if isinstance(doc, SkippedFile):
        summary.skipped.append((prep.path, doc.reason))
        summary.outcomes.append(
            {
                "path": prep.path,
                "status": "skipped",
                "reason": doc.reason,
                "added": [],
                "duplicates": [],
            }
        )
        store.record_file(prep.path, None, None, None, None, "skipped", doc.reason, 0)
        store.log(run_id, prep.path, "skipped", doc.reason)
        return
    reason = prep.error
    added: list[str] = []
    duplicates: list[str] = []
    if reason is None:
        t0 = time.perf_counter()
        try:
            with store.savepoint():
                store.forget_file(doc.path)
                for report in prep.reports:
                    kind, rid = _store_report(store, report, doc.sha256, summary)
                    (added if kind == "added" else duplicates).append(rid)
                store.record_file(
                    doc.path,
                    doc.sha256,
                    doc.size,
                    doc.format,
                    doc.encoding,
                    "ok",
                    None,
                    len(prep.reports),
                    PIPELINE_VERSION,
                )
                store.log(run_id, doc.path, "ok", f"{len(prep.reports)} reports")
        except Exception as exc:  # the savepoint rolled this file back; the batch goes on
            reason = f"processing failed: {type(exc).__name__}: {exc}"
        summary.stage_seconds["dedup+store"] += time.perf_counter() - t0
    if reason is None and prep.warning:
        summary.warnings.append((doc.path, prep.warning))
        store.log(run_id, doc.path, "warning", prep.warning)
    if reason is None:
        summary.files_read += 1
        summary.bytes_text += prep.text_bytes
        summary.outcomes.append(
            {
                "path": doc.path,
                "status": "ok",
                "reason": None,
                "added": added,
                "duplicates": duplicates,
            }
        )
    else:
        summary.skipped.append((doc.path, reason))
        summary.outcomes.append(
            {"path": doc.path, "status": "skipped", "reason": reason, "added": [], "duplicates": []}
        )
        store.log(run_id, doc.path, "skipped", reason)


def backfill_practices(store: CorpusStore) -> int:
    """Extract practices for reports stored before practices existed (re-parses sections
    from the stored text; passages and ids are unchanged). Returns how many reports."""
    todo = store.reports_without_practices()
    for rid in todo:
        r = store.get_report(rid, with_text=True)
        if r is None or r.text is None or r.simplified is None:
            continue
        first = r.text.split("\n", 1)[0]
        begin = len(first) + 1 if r.title and r.title in first and "\n" in r.text else 0
        sections = parse_sections(r.text, r.simplified, begin)
        with store.transaction():
            store.insert_practices(extract_practices(rid, r.text, sections, store.passages_of(rid)))
    return len(todo)
