"""Ingest: files -> decoded text -> cleaned -> reports -> metadata, sections, passages -> store."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypedDict

from corpus.boilerplate import MIN_FILES, line_key
from corpus.clean import Normalized, boilerplate_keys, clean_text, normalize
from corpus.dedup import (
    THRESHOLD,
    band_keys_of,
    signature_values,
    signatures_with_parts,
    values_similarity,
)
from corpus.gazetteer import Gazetteer, load_gazetteer
from corpus.jurisdiction import preload as jurisdiction_preload
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from corpus.linejoin import preload_segmenter
from corpus.metadata import extract_metadata
from corpus.models import PIPELINE_VERSION, DecodedFile, Report, SkippedFile
from corpus.ocr_marks import mark_ocr_passages
from corpus.passages import ChunkParams, make_passages
from corpus.practices import extract_practices
from corpus.readers import EXTENSIONS, iter_paths, read_documents
from corpus.readers_archive import ARCHIVE_FORMATS
from corpus.script import to_simplified
from corpus.sections import parse_sections
from corpus.segment import preload as segment_preload
from corpus.split import is_title_line, split_reports
from corpus.store import CorpusStore
from corpus.workers import BoundedPool

log = logging.getLogger(__name__)
MIN_DEDUP_PASSAGE = 50
_ID_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
# Stage times are CPU seconds of the process that ran the stage: on a machine shared with
# other work, wall-clock stage times measure the neighbours as much as the stage.
_cpu = time.process_time


class FileOutcome(TypedDict):
    """What became of one file (or archive member) in an ingest."""

    path: str
    status: str  # ok | skipped | unchanged
    reason: str | None
    added: list[str]  # report ids
    duplicates: list[str]  # report ids of reports already stored


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
    stage_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    outcomes: list[FileOutcome] = field(default_factory=list)  # one per file

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
    timings: defaultdict[str, float] | None = None,
    boilerplate: frozenset[int] = frozenset(),
    normalized: Normalized | None = None,
) -> list[Report]:
    """Everything from decoded text to reports with passages; no store access.
    ``boilerplate``: line fingerprints the corpus has shown to recur at file edges;
    ``normalized``: ``corpus.clean.normalize(doc.text)`` if the caller has it."""
    timings = timings if timings is not None else defaultdict(float)
    t0 = _cpu()
    cleaned = clean_text(doc.text, boilerplate, normalized)
    if stats is not None:
        stats.update(cleaned.stats)
    t1 = _cpu()
    timings["clean"] += t1 - t0
    stem = Path(doc.path).stem
    has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in stem)
    fallback_title = doc.title_hint or (stem if has_cjk and is_title_line(stem) else None)
    reports: list[Report] = []
    section_time = 0.0
    for ordinal, seg in enumerate(split_reports(cleaned.text, fallback_title)):
        text = seg.text
        title: str | None
        if seg.has_own_title:
            title, page_title, body_begin = seg.lines[0], False, len(seg.lines[0]) + 1
        else:
            title, body_begin = seg.marker_title or seg.page_title, 0
            page_title = seg.marker_title_is_page_title
        meta = extract_metadata(title, page_title, text[body_begin:], gaz)
        simplified = to_simplified(text)
        rid = report_id_for(simplified)
        t2 = _cpu()
        sections = parse_sections(text, simplified, body_begin)
        passages = make_passages(rid, text, sections, params)
        mark_ocr_passages(passages, text, doc.ocr_text)
        practices = extract_practices(rid, text, sections, passages)
        section_time += _cpu() - t2
        reports.append(
            Report(rid, doc.path, ordinal, text, simplified, meta, sections, passages, practices)
        )
    timings["sections+passages"] += section_time
    timings["split+metadata"] += _cpu() - t1 - section_time
    return reports


def add_band_keys(report: Report) -> None:
    """MinHash values and band keys for the report and its passages (pure; done in the
    workers)."""
    long = [p for p in report.passages if p.end - p.start >= MIN_DEDUP_PASSAGE]
    values, parts = signatures_with_parts(report.simplified, [(p.start, p.end) for p in long])
    report.signature = values.tobytes()
    report.band_keys = band_keys_of(values)
    by_id = {id(p): v for p, v in zip(long, parts, strict=True)}
    report.passage_band_keys, report.passage_signatures = [], []
    for p in report.passages:
        if (v := by_id.get(id(p))) is not None:
            report.passage_band_keys.append(band_keys_of(v))
            report.passage_signatures.append(v.tobytes())
        else:
            report.passage_band_keys.append([])
            report.passage_signatures.append(b"")


def _store_report(
    store: CorpusStore, report: Report, sha: str, summary: IngestSummary
) -> tuple[str, str]:
    """Store one report; returns ("added", id) or ("duplicate", id of the stored twin)."""
    if not report.band_keys:
        add_band_keys(report)
    exact, candidates = store.report_candidates(report.report_id, report.band_keys)
    if exact:
        store.add_source(report.report_id, report.source, report.ordinal, sha, "exact", 1.0)
        summary.reports_duplicate += 1
        return "duplicate", report.report_id
    if candidates:
        sigs = store.signatures_of(candidates)
        for cand in candidates:
            sig = sigs.get(cand) or signature_values(store.report_simplified(cand)).tobytes()
            sim = values_similarity(report.signature, sig)
            if sim >= THRESHOLD:
                store.add_source(cand, report.source, report.ordinal, sha, "near", round(sim, 3))
                summary.reports_duplicate += 1
                return "duplicate", cand
    # The report's own passages are not stored yet, so every hit is from another report.
    by_band = store.passages_by_band(k for ks in report.passage_band_keys for k in ks)
    found = [
        list(dict.fromkeys(pid for k in pkeys for pid in by_band.get(k, ())))
        for pkeys in report.passage_band_keys
    ]
    wanted = list({pid for cands in found for pid in cands})
    sigs = store.signatures_of(wanted) if wanted else {}
    groups = store.dup_groups_of(wanted) if wanted else {}
    for p, psig, cands in zip(report.passages, report.passage_signatures, found, strict=True):
        for cand in cands:
            csig = sigs.get(cand)
            if csig is None:  # stored before signatures were kept
                ctext, _ = store.passage_dup_info(cand)
                csig = signature_values(to_simplified(ctext)).tobytes()
            if values_similarity(psig, csig) >= THRESHOLD:
                p.dup_group = groups.get(cand) or cand
                summary.passages_near_duplicate += 1
                break
    store.insert_report(report, report.band_keys)
    store.insert_passages(report.passages, report.passage_band_keys, report.passage_signatures)
    store.insert_practices(report.practices)
    store.add_source(report.report_id, report.source, report.ordinal, sha, "original", None)
    summary.reports_new += 1
    summary.passages_new += len(report.passages)
    return "added", report.report_id


@dataclass
class _Prepared:
    """What a worker hands back for one file: its reports, or why it has none.

    An archive is one file with many documents: ``skipped`` lists the documents (members)
    that were not read, with the reason; for a plain file it holds the file itself.
    """

    path: str
    sha256: str | None = None
    size: int | None = None
    format: str | None = None
    encoding: str | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)
    text_bytes: int = 0
    reports: list[Report] = field(default_factory=list)
    error: str | None = None
    warning: str | None = None
    noise: Counter[str] = field(default_factory=Counter)
    timings: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))


# Documents the first pass read, kept by the writer for the second pass: its workers are
# forked after the first pass ends, so they find them here without any copying, and a file is
# read and decoded once instead of twice (a .docx parsed once; on 8 MB of .txt reports the
# second pass's read stage went from ~0.55 to ~0.1 CPU-s, for ~0.1 more in the writer, which
# receives the text). Keyed by (path, limits) and checked against the file's size, times and
# inode; a pool that does not fork (Ray) finds it empty and reads the file again.
_PREREAD_MAX_CHARS = 32 << 20  # what the writer holds at most (characters: text and lines)
# (size, modification time, inode, status-change time; ns): a file rewritten with its size
# and mtime put back (cp -p, rsync -t, tar x) still changes inode or ctime, which no user
# can set.
_Stamp = tuple[int, int, int, int]
# (stamp, sha256, documents, each document's normalized lines: None for a skipped one)
_Preread = tuple[_Stamp, str | None, list[DecodedFile | SkippedFile], list[Normalized | None]]
_Read = tuple[str | None, list[DecodedFile | SkippedFile], list[Normalized | None] | None]
_preread: dict[tuple[str, ReadLimits], _Preread] = {}


def _stamp(spath: str) -> _Stamp | None:
    try:
        st = os.stat(spath)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


def _read(spath: str, limits: ReadLimits) -> _Read:
    """``read_documents``, or what the first pass read and normalized of the unchanged
    file."""
    got = _preread.get((spath, limits))
    if got is not None and got[0] == _stamp(spath):
        return got[1], got[2], got[3]
    sha, docs = read_documents(spath, limits)
    return sha, docs, None


def _prepare(job: Job) -> _Prepared:
    """Read and build one file's reports; runs in a worker process, touches no store."""
    spath, params, limits, boilerplate = job
    out = _Prepared(spath)
    t0 = _cpu()
    sha, docs, normalized = _read(spath, limits)
    lines_of = normalized if normalized is not None else [None] * len(docs)
    out.timings["read"] += _cpu() - t0
    out.sha256 = sha
    pairs = [(d, n) for d, n in zip(docs, lines_of, strict=True) if isinstance(d, DecodedFile)]
    read = [d for d, _ in pairs]
    out.skipped = [(d.path, d.reason) for d in docs if isinstance(d, SkippedFile)]
    if not read:
        if len(docs) > 1 or (docs and docs[0].path != spath):  # an archive with no report
            out.error = f"no readable document among {len(docs)} archive members"
        return out
    archive = len(docs) > 1 or read[0].path != spath
    out.size = sum(d.size for d in read) if not archive else Path(spath).stat().st_size
    out.format = _archive_format(spath) if archive else read[0].format
    out.encoding = None if archive else read[0].encoding
    try:
        replaced = sum(doc.text.count("\ufffd") for doc in read)
        if replaced:
            encodings = ", ".join(sorted({d.encoding or d.format for d in read}))
            out.warning = f"{replaced} undecodable byte sequences read as U+FFFD ({encodings})"
        for doc, lines in pairs:
            out.text_bytes += len(doc.text.encode("utf-8"))
            out.reports += build_reports(
                doc, load_gazetteer(), params, out.noise, out.timings, boilerplate, lines
            )
        t1 = _cpu()
        for report in out.reports:
            add_band_keys(report)
            _slim(report)
        out.timings["minhash"] += _cpu() - t1
    except Exception as exc:  # one bad file never stops a batch
        out.reports = []
        out.error = f"processing failed: {type(exc).__name__}: {exc}"
    return out


def _archive_format(spath: str) -> str:
    fmt = EXTENSIONS.get(Path(spath).suffix.lower(), "zip")
    return fmt if fmt in ARCHIVE_FORMATS else "zip"


def _slim(report: Report) -> None:
    """Drop what the writer does not need or can re-slice before the report crosses the pipe:
    unpickling the writer's input is a good part of the single writer's time."""
    report.sections = []
    for item in (*report.passages, *report.practices):
        if report.text[item.start : item.end] == item.text:
            item.text = ""


def _unslim(report: Report) -> None:
    for item in (*report.passages, *report.practices):
        if not item.text:
            item.text = report.text[item.start : item.end]


def _failed(job: Job, reason: str) -> _Prepared:
    """The result for a file whose worker ran out of time or memory, or died."""
    return _Prepared(job[0], skipped=[(job[0], reason)])


# Makes the pool files are read in: BoundedPool (local processes) or, for `ingest --ray`,
# corpus.ray_ingest.ray_pool(address) (Ray tasks); both take BoundedPool's arguments.
PoolFactory = Callable[..., Any]
# (path, chunking, read limits, fingerprints of boilerplate lines)
Job = tuple[str, ChunkParams, ReadLimits, frozenset[int]]
# Small text-like files travel to the workers in chunks: one pipe round trip per file cost
# about a quarter of the CPU of ingesting a folder of small reports. Formats that can be slow
# (PDF, OCR, converters, archives) go alone, so a chunk's timeout is not shared with them.
CHUNK_FILES = 16
CHUNK_BYTES = 1 << 20
_LIGHT = {".txt", ".text", ".html", ".htm", ".xhtml", ".mht", ".mhtml", ".docx"}


def _is_light(spath: str) -> bool:
    # os.path, not pathlib: the writer asks this of every file twice, and a Path per call
    # was a good part of its own CPU on folders of small reports.
    return os.path.splitext(spath)[1].lower() in _LIGHT


def chunk_jobs(jobs: list[Job], alone: Collection[str] = ()) -> list[list[Job]]:
    """Consecutive small light files grouped, everything else (and ``alone``) alone; order
    kept."""
    out: list[list[Job]] = []
    cur: list[Job] = []
    size = 0
    for job in jobs:
        try:
            n = os.stat(job[0]).st_size
        except OSError:
            n = 0
        light = _is_light(job[0]) and n <= CHUNK_BYTES // 4 and job[0] not in alone
        if cur and (not light or len(cur) >= CHUNK_FILES or size + n > CHUNK_BYTES):
            out.append(cur)
            cur, size = [], 0
        if light:
            cur.append(job)
            size += n
        else:
            out.append([job])
    if cur:
        out.append(cur)
    return out


@dataclass
class _Retry:
    """A chunk whose worker timed out, ran out of memory or died: its files are run again
    one by one, so only the file that caused it is skipped."""

    jobs: list[Job]


def _prepare_chunk(chunk: list[Job]) -> list[_Prepared]:
    return [_prepare(job) for job in chunk]


def _chunk_failed(chunk: list[Job], reason: str) -> list[_Prepared] | _Retry:
    return _Retry(chunk) if len(chunk) > 1 else [_failed(chunk[0], reason)]


def _prepare_all(
    jobs: list[Job],
    workers: int,
    limits: ReadLimits,
    pool_cls: PoolFactory = BoundedPool,
    alone: Collection[str] = (),
) -> Iterator[_Prepared]:
    """Prepared files in job order, from bounded worker processes (``alone``: files that
    are not chunked)."""
    pool: BoundedPool[list[Job], list[_Prepared] | _Retry] = pool_cls(
        _prepare_chunk,
        _chunk_failed,
        workers=workers,
        timeout_s=limits.timeout_s,
        memory_mb=limits.memory_mb,
    )
    for got in pool.imap(chunk_jobs(jobs, alone)):
        if isinstance(got, _Retry):
            single: BoundedPool[Job, _Prepared] = pool_cls(
                _prepare, _failed, workers=1, timeout_s=limits.timeout_s, memory_mb=limits.memory_mb
            )
            yield from single.imap(got.jobs)
        else:
            yield from got


def _file_sha(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


class PathResolver:
    """``str(Path(p).resolve())`` for the many files of a few folders: each folder is
    resolved once, and a file only needs a check that it is not itself a link. (A resolve
    per file walks every component of its path; on a folder of small reports it was the
    writer's largest cost after the store.)"""

    def __init__(self) -> None:
        self._dirs: dict[str, str] = {}

    def __call__(self, path: str | os.PathLike[str]) -> str:
        p = os.fspath(path)
        head, name = os.path.split(p)
        if name in ("", ".", "..") or os.path.islink(p):
            return str(Path(p).resolve())
        folder = self._dirs.get(head)
        if folder is None:
            folder = self._dirs[head] = str(Path(head or ".").resolve())
        return os.path.join(folder, name)


def _under(folder: Path) -> Callable[[str], bool]:
    """Whether a resolved path string is ``folder`` or inside it (``Path.is_relative_to``
    without making a Path)."""
    top = str(folder)
    prefix = top if top.endswith(os.sep) else top + os.sep
    return lambda spath: spath == top or spath.startswith(prefix)


def ingest(
    sources: Iterable[str | Path],
    store: CorpusStore,
    params: ChunkParams | None = None,
    progress: Callable[[str], None] | None = None,
    paths: list[Path] | None = None,
    workers: int = 1,
    limits: ReadLimits | None = None,
    raw_dirs: Iterable[Path] = (),
    pool: PoolFactory = BoundedPool,
) -> IngestSummary:
    """Ingest files and folders into ``store``.

    Files inside the store's own data directory are never ingested (a SRC that contains
    ``--data``), except under ``raw_dirs``: folders there that hold raw files (the API keeps
    its uploads in one; it says which). Reports stored before practices existed get theirs
    here too (``backfill_practices``): ingest is the only writer of practices.

    Reading and building reports runs in ``workers`` processes, each file under the time and
    memory bounds of ``limits``; the store is written by this process alone, each file inside
    its own savepoint, committed in batches.
    """
    params = params or ChunkParams()
    limits = limits or DEFAULT_LIMITS
    summary = IngestSummary()
    started = time.perf_counter()
    run_id = store.start_run()
    own_dir = _under(store.data_dir.resolve())
    raw = tuple(_under(Path(d).resolve()) for d in raw_dirs)  # kept raw files are sources
    resolve = PathResolver()
    backfill_practices(store)
    jobs: list[Job] = []
    recorded = store.source_paths()
    shas = store.file_shas(PIPELINE_VERSION)  # one query, not one per file
    fresh: set[str] = set()  # never seen: nothing of theirs to forget before storing
    for path in paths if paths is not None else iter_paths(sources):
        spath = resolve(path)
        if own_dir(spath) and not any(inside(spath) for inside in raw):
            continue  # never ingest the store's own files when SRC contains --data
        summary.files_seen += 1
        known = shas.get(spath)
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
        if spath not in recorded:
            fresh.add(spath)
        jobs.append((spath, params, limits, frozenset()))
    # Loaded before the pool forks, so every worker shares them instead of loading its own.
    t0 = _cpu()
    jurisdiction_preload(load_gazetteer())
    preload_segmenter()
    segment_preload()
    summary.stage_seconds["load dictionaries"] += _cpu() - t0
    n_workers = min(workers, max(1, len(jobs)))
    try:
        jobs, alone = _learn_boilerplate(
            store, jobs, n_workers, limits, pool, summary.stage_seconds
        )
        # Every file is read in a worker process, even with one worker: a parser that hangs
        # or blows up is killed there and the batch goes on.
        results = _prepare_all(jobs, n_workers, limits, pool, alone)
        _store_all(store, results, summary, run_id, progress, fresh)
    finally:
        _preread.clear()
    summary.seconds = time.perf_counter() - started
    store.finish_run(run_id, summary.seconds, summary.as_dict())
    return summary


COMMIT_EVERY = 200


def _edge_keys_chunk(chunk: list[Job], keep: bool = True) -> _Edges:
    """Fingerprints of the edge lines of each document the jobs' files hold, the CPU
    seconds it took, and (``keep``) what was read and normalized of each file (for
    ``_preread``)."""
    t0 = _cpu()
    out: list[tuple[str, set[int] | None]] = []
    kept: list[tuple[str, ReadLimits, _Preread]] = []
    for spath, _, limits, _ in chunk:
        stamp = _stamp(spath)
        sha, docs = read_documents(spath, limits)
        normalized = [normalize(d.text) if isinstance(d, DecodedFile) else None for d in docs]
        out += [
            (d.path, boilerplate_keys(n))
            for d, n in zip(docs, normalized, strict=True)
            if isinstance(d, DecodedFile) and n is not None
        ]
        if keep and stamp is not None:  # the first pass reads light files only
            kept.append((spath, limits, (stamp, sha, docs, normalized)))
    return out, _cpu() - t0, kept


# (document path, edge-line fingerprints) of a chunk's documents, its CPU seconds, and what
# was read of each file (path, limits, _Preread); a chunk whose worker timed out or died
# gives (file path, None) for each of its files and nothing read.
_Edges = tuple[list[tuple[str, set[int] | None]], float, list[tuple[str, ReadLimits, _Preread]]]


def _edge_failed(chunk: list[Job], reason: str) -> _Edges:
    # The second pass skips the culprit with its reason. Its chunk's files travel alone
    # there: chunked again, the culprit would cost a timeout for the chunk and another on
    # its own (a hanging file: three timeouts in all instead of two).
    return [(job[0], None) for job in chunk], 0.0, []


def _learn_boilerplate(
    store: CorpusStore,
    jobs: list[Job],
    workers: int,
    limits: ReadLimits,
    pool_cls: PoolFactory = BoundedPool,
    timings: defaultdict[str, float] | None = None,
) -> tuple[list[Job], set[str]]:
    """First pass over the files to ingest, in the same bounded workers: record the edge
    lines of every document, then hand every job the lines that recur at the edges of files
    across the corpus (corpus.boilerplate). Also returns the files of chunks whose worker
    timed out or died, which the second pass reads one at a time."""
    # Only text-like formats are read twice: wrappers are a trait of scraped pages and text
    # archives, and a second OCR or converter run would cost more than the whole ingest.
    light = [j for j in jobs if _is_light(j[0])]
    suspects: set[str] = set()
    if not light:
        return jobs, suspects
    # What the first pass read serves the second only in workers forked after it: a pool
    # that does not fork (Ray) reads again, so nothing is shipped back for it.
    keep = getattr(pool_cls, "forks", False)
    pool: BoundedPool[list[Job], _Edges] = pool_cls(
        _edge_keys_chunk if keep else partial(_edge_keys_chunk, keep=False),
        _edge_failed,
        workers=workers,
        timeout_s=limits.timeout_s,
        memory_mb=limits.memory_mb,
    )
    held = 0  # characters kept in _preread
    with store.batch():
        for got, seconds, read in pool.imap(chunk_jobs(light)):
            if timings is not None:
                timings["boilerplate pass"] += seconds
            t0 = _cpu()
            for spath, lim, pre in read:
                # The text and its normalized lines: about twice the text.
                chars = 2 * sum(len(d.text) for d in pre[2] if isinstance(d, DecodedFile))
                if held + chars <= _PREREAD_MAX_CHARS:
                    _preread[(spath, lim)] = pre
                    held += chars
            edges: dict[int, set[int]] = {}
            for path, keys in got:
                if keys is None:
                    suspects.add(path)
                else:
                    edges[line_key(path)] = keys
            store.add_edge_lines_of(edges)
            if timings is not None:
                timings["boilerplate pass"] += _cpu() - t0
    known = store.recurring_edge_lines(MIN_FILES)
    return [(spath, params, lim, known) for spath, params, lim, _ in jobs], suspects


def _store_all(
    store: CorpusStore,
    results: Iterator[_Prepared],
    summary: IngestSummary,
    run_id: int,
    progress: Callable[[str], None] | None,
    fresh: set[str] | None = None,
) -> None:
    fresh = fresh or set()
    pending = True
    store.start_run_memo()  # into an empty store: de-duplication look-ups from memory
    try:
        while pending:
            pending = False
            with store.batch():
                for n, prepared in enumerate(results, start=1):
                    _store_one(store, prepared, summary, run_id, prepared.path in fresh)
                    if progress:
                        progress(prepared.path)
                    if n >= COMMIT_EVERY:
                        pending = True
                        break
    finally:
        store.stop_run_memo()


def _outcome(
    path: str,
    status: str,
    reason: str | None,
    added: Iterable[str] = (),
    duplicates: Iterable[str] = (),
) -> FileOutcome:
    return {
        "path": path,
        "status": status,
        "reason": reason,
        "added": list(added),
        "duplicates": list(duplicates),
    }


def _store_one(
    store: CorpusStore, prep: _Prepared, summary: IngestSummary, run_id: int, fresh: bool = False
) -> None:
    summary.noise.update(prep.noise)
    for stage, seconds in prep.timings.items():
        summary.stage_seconds[stage] += seconds
    archive = prep.format in ARCHIVE_FORMATS or any(p != prep.path for p, _ in prep.skipped)
    reason: str | None  # why a document or the file was skipped; None: stored
    for path, reason in prep.skipped:  # documents not read: the file itself or members
        log.warning("skipped %s: %s", path, reason)
        summary.skipped.append((path, reason))
        summary.outcomes.append(_outcome(path, "skipped", reason))
        store.log(run_id, path, "skipped", reason)
    if not prep.reports and prep.error is None:
        if not archive:
            reason = prep.skipped[0][1] if prep.skipped else "no text content"
            store.record_file(prep.path, None, None, None, None, "skipped", reason, 0)
        return
    reason = prep.error
    added: list[str] = []
    duplicates: list[str] = []
    if reason is None:
        t0 = _cpu()
        try:
            with store.savepoint():
                if not fresh:
                    store.forget_file(prep.path, with_members=archive)
                for report in prep.reports:
                    _unslim(report)
                    kind, rid = _store_report(store, report, prep.sha256 or "", summary)
                    (added if kind == "added" else duplicates).append(rid)
                store.record_file(
                    prep.path,
                    prep.sha256,
                    prep.size,
                    prep.format,
                    prep.encoding,
                    "ok",
                    None,
                    len(prep.reports),
                    PIPELINE_VERSION,
                )
                store.log(run_id, prep.path, "ok", f"{len(prep.reports)} reports")
        except Exception as exc:  # the savepoint rolled this file back; the batch goes on
            reason = f"processing failed: {type(exc).__name__}: {exc}"
        summary.stage_seconds["dedup+store"] += _cpu() - t0
    if reason is None and prep.warning:
        log.warning("%s: %s", prep.path, prep.warning)
        summary.warnings.append((prep.path, prep.warning))
        store.log(run_id, prep.path, "warning", prep.warning)
    if reason is None:
        summary.files_read += 1
        summary.bytes_text += prep.text_bytes
        summary.outcomes.append(_outcome(prep.path, "ok", None, added, duplicates))
    else:
        log.warning("skipped %s: %s", prep.path, reason)
        summary.skipped.append((prep.path, reason))
        summary.outcomes.append(_outcome(prep.path, "skipped", reason))
        store.log(run_id, prep.path, "skipped", reason)


PRACTICES_BACKFILLED = "practices_backfilled"


def backfill_practices(store: CorpusStore) -> int:
    """Extract practices for reports stored before practices existed (re-parses sections
    from the stored text; passages and ids are unchanged). Returns how many reports. Done
    once per store (recorded in its meta table): every report ingested since gets its
    practices with its passages, and one without practices then simply has none."""
    if store.get_meta(PRACTICES_BACKFILLED):
        return 0
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
    store.set_meta(PRACTICES_BACKFILLED, "1")
    return len(todo)
