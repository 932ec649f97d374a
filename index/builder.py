"""Build and refresh the saved indexes from the corpus store.

Every build or refresh writes a new version directory under ``DATA/indexes/`` and then
swaps the ``DATA/index`` symlink to it with an atomic rename: a crash at any point leaves
the previous index in place and usable. A refresh loads the current version, deletes what
left the store, adds what is new and writes every file of the new version under a temporary
name, fsynced and renamed; only files nobody ever rewrites (tantivy segments, the corpus
model) are shared with the published version as hard links. The manifest records every
file's size and checksum, so a damaged version is recognised before it is used, and a
refresh over a damaged or inconsistent version rebuilds instead.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus.files import fsync_dir, fsync_tree, write_text
from corpus.models import Passage
from corpus.practices import Practice
from corpus.script import to_simplified
from corpus.store import CorpusStore, ReportRecord
from corpus.themes import Theme, load_taxonomy, taxonomy_fingerprint
from index.bm25 import LexDoc, LexicalIndex
from index.config import IndexConfig
from index.doctable import DocRow, DocTable
from index.embedders import Embedder, is_corpus_model, load_embedder
from index.embedders.corpus_static import build_static_model
from index.manifest import IndexMismatchError, Manifest, check_compatible, verify_files
from index.themes import assign as assign_themes
from index.tokenizer import Tokenizer
from index.vectors import VectorIndex, choose_kind, load_vector_index, make_vector_index

LINK = "index"
VERSIONS = "indexes"
MODEL_DIR = "model"
BM25_DIR = "bm25"
VECTORS_DIR = "vectors"
PRACTICES_DIR = "practices"

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    manifest: Manifest
    mode: str  # built | refreshed | unchanged
    added: int
    removed: int
    seconds: float


def current_dir(data_dir: Path) -> Path | None:
    link = data_dir / LINK
    return link.resolve() if link.exists() else None


@contextmanager
def _lock(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "index.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _switch(data_dir: Path, target: Path) -> None:
    tmp = data_dir / f".{LINK}.{os.getpid()}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(target, data_dir), tmp)
    os.replace(tmp, data_dir / LINK)  # atomic: readers see the old or the new index
    fsync_dir(data_dir)


# Server processes notice a new version within a second or two and swap to it; until then
# they search the version they loaded, so recent versions stay on disk a while.
KEEP_PREVIOUS_SECONDS = 120.0


def _cleanup(data_dir: Path, keep: Path) -> None:
    """Drop unfinished versions (crashed builds; we hold the build lock) and older finished
    ones, keeping the newest previous version and any published in the last minutes."""
    finished = []
    for d in (data_dir / VERSIONS).iterdir():
        if d.resolve() == keep.resolve():
            continue
        if d.suffix == ".tmp":
            shutil.rmtree(d, ignore_errors=True)
        else:
            finished.append(d)
    finished.sort(key=lambda d: d.stat().st_mtime, reverse=True)
    now = time.time()
    for n, d in enumerate(finished):
        if n > 0 and now - d.stat().st_mtime > KEEP_PREVIOUS_SECONDS:
            shutil.rmtree(d, ignore_errors=True)


def _new_version_dir(data_dir: Path) -> Path:
    root = data_dir / VERSIONS
    root.mkdir(parents=True, exist_ok=True)
    d = root / f"v{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}.tmp"
    d.mkdir()
    return d


def _finish_dir(d: Path) -> Path:
    final = d.with_suffix("")
    d.rename(final)
    fsync_dir(final.parent)
    return final


def _rows(store: CorpusStore) -> Iterator[tuple[ReportRecord, Passage]]:
    reports = {r.report_id: r for r in store.iter_reports()}
    for p in store.iter_passages():
        yield reports[p.report_id], p


def _places(r: ReportRecord) -> list[str]:
    if r.jurisdiction_path:
        return list(r.jurisdiction_path)
    return [r.jurisdiction] if r.jurisdiction else []


def _doc_row(r: ReportRecord, p: Passage | Practice, themes: list[str]) -> DocRow:
    pid = p.passage_id if isinstance(p, Passage) else p.practice_id
    dup = p.dup_group if isinstance(p, Passage) else None
    return DocRow(
        pid, r.report_id, r.level, r.doc_type, p.section_role, r.year, _places(r), dup, themes
    )


def _lex_doc(
    doc_id: int, r: ReportRecord, p: Passage | Practice, tok: Tokenizer, themes: list[str]
) -> LexDoc:
    heading = " ".join([r.title or "", *p.section_path])
    return LexDoc(
        doc_id,
        tok.tokenize(p.text),
        tok.tokenize(heading),
        _places(r),
        r.report_id,
        r.level,
        r.doc_type,
        p.section_role,
        r.year,
        themes,
    )


def _live_doc_ids(table: DocTable, passage_ids: Iterable[str]) -> np.ndarray:
    """Sorted doc ids of live entries (every live entry has one)."""
    ids = (table.doc_id(pid) for pid in passage_ids)
    return np.array(sorted(i for i in ids if i is not None), dtype=np.int64)


def _add_docs(
    rows: Sequence[tuple[ReportRecord, Passage | Practice]],
    table: DocTable,
    lexical: LexicalIndex,
    vindex: VectorIndex,
    embedder: Embedder,
    tok: Tokenizer,
    config: IndexConfig,
    progress: Progress | None,
) -> None:
    """Encode, theme, and add rows to the doc table, BM25 and the vector index together."""
    texts = [p.text for _, p in rows]
    vectors = _encode(embedder, texts, config.encode_batch, progress)
    themes = assign_themes([to_simplified(t) for t in texts], vectors, embedder, _taxonomy(config))
    ids = table.append([_doc_row(r, p, th) for (r, p), th in zip(rows, themes, strict=True)])
    lexical.add(
        _lex_doc(int(i), r, p, tok, th) for i, (r, p), th in zip(ids, rows, themes, strict=True)
    )
    if len(rows):
        vindex.add(ids, vectors)


def _doc_ids(table: DocTable, passage_ids: set[str]) -> list[int]:
    """Doc ids of live passages (every id in ``passage_ids`` is one)."""
    return [d for pid in passage_ids if (d := table.doc_id(pid)) is not None]


def _taxonomy(config: IndexConfig) -> tuple[Theme, ...]:
    return load_taxonomy(config.themes)


def _practice_rows(store: CorpusStore) -> list[tuple[ReportRecord, Practice]]:
    reports = {r.report_id: r for r in store.iter_reports()}
    return [(reports[x.report_id], x) for x in store.iter_practices() if x.report_id in reports]


def _published_practices(
    current: Path, root: Path, dim: int
) -> tuple[DocTable, LexicalIndex, VectorIndex] | None:
    """The published practices index, opened for an update in the new version (its BM25
    files were carried over there), or None when it is missing or inconsistent."""
    src = current / PRACTICES_DIR
    try:
        kind = (src / "kind.txt").read_text("utf-8").strip()
        table = DocTable.load(src)
        vindex = load_vector_index(kind, src / VECTORS_DIR, dim)
        lexical = LexicalIndex(root / BM25_DIR)
    except Exception:  # anything unreadable: rebuild this part
        return None
    if vindex.ntotal == table.n_alive == lexical.num_docs():
        return table, lexical, vindex
    return None


def _index_practices(
    store: CorpusStore,
    current: Path | None,
    version: Path,
    embedder: Embedder,
    tok: Tokenizer,
    config: IndexConfig,
    progress: Progress | None,
) -> int:
    """The practices index: same tokenizer, same embedder, its own doc table. Practices
    are what ingest stored (``corpus.practices``); the index only reads them. With a
    published version (``current``) it is brought up to date like the passages, by deletes
    and additions only (re-encoding every practice made each upload's refresh cost minutes
    on a large corpus); without one, or when that one is inconsistent, it is built anew."""
    root = version / PRACTICES_DIR
    rows = _practice_rows(store)
    published = _published_practices(current, root, embedder.dim) if current else None
    if published is None:
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        table = DocTable()
        lexical = LexicalIndex(root / BM25_DIR)
        kind = choose_kind(config.vector_index, len(rows))
        vindex = make_vector_index(kind, embedder.dim, len(rows))
        gone, new_rows = np.zeros(0, dtype=np.int64), rows
    else:
        table, lexical, vindex = published
        live = {pid for pid, a in zip(table.passage_ids, table.alive, strict=True) if a}
        gone = _live_doc_ids(table, live - {x.practice_id for _, x in rows})
        new_rows = [(r, x) for r, x in rows if x.practice_id not in live]
    if len(gone):
        lexical.delete(gone)
        vindex.remove(gone)
        table.kill(gone)
    if new_rows:
        _add_docs(new_rows, table, lexical, vindex, embedder, tok, config, None)
    (root / VECTORS_DIR).mkdir(parents=True, exist_ok=True)
    vindex.save(root / VECTORS_DIR)
    table.save(root)
    write_text(root / "kind.txt", vindex.kind)
    if progress:
        progress(f"practices: {len(new_rows)} added, {len(gone)} removed")
    return table.n_alive


def _encode(
    embedder: Embedder, texts: list[str], batch: int, progress: Progress | None
) -> np.ndarray:
    out = []
    for i in range(0, len(texts), batch * 8):
        out.append(embedder.encode(texts[i : i + batch * 8], "passage", batch_size=batch))
        if progress:
            progress(f"embedded {min(i + batch * 8, len(texts))}/{len(texts)} passages")
    return np.vstack(out) if out else np.zeros((0, embedder.dim), dtype=np.float32)


def _embedder_for(config: IndexConfig, version: Path) -> Embedder:
    embedder = load_embedder(config.embed_model, version / MODEL_DIR, config.query_prefix)
    if config.ray_address:
        from index.ray_embed import RayEmbedder

        transformer = not is_corpus_model(config.embed_model)
        return RayEmbedder(embedder, config.ray_address, transformer)
    return embedder


def build(store: CorpusStore, config: IndexConfig, progress: Progress | None = None) -> BuildReport:
    """Full rebuild (retrains the corpus model)."""
    if config.index_backend == "milvus":
        return refresh(store, config, progress, rebuild=True)
    with _lock(store.data_dir):
        return _build(store, config, progress)


def _build(store: CorpusStore, config: IndexConfig, progress: Progress | None) -> BuildReport:
    t0 = time.perf_counter()
    data_dir = store.data_dir
    version = _new_version_dir(data_dir)
    try:
        tok = Tokenizer(config.dictionary, config.stopwords)
        rows = list(_rows(store))
        if progress:
            progress(f"{len(rows)} passages from the store")
        texts = [p.text for _, p in rows]
        if is_corpus_model(config.embed_model):
            if progress:
                progress("training the corpus embedding model")
            build_static_model(
                (to_simplified(t) for t in texts), version / MODEL_DIR, config.static
            )
        embedder = _embedder_for(config, version)
        kind = choose_kind(config.vector_index, len(rows))
        vindex = make_vector_index(kind, embedder.dim, len(rows))
        table = DocTable()
        lexical = LexicalIndex(version / BM25_DIR)
        _add_docs(rows, table, lexical, vindex, embedder, tok, config, progress)
        if progress:
            progress("BM25 and vector indexes written")
        (version / VECTORS_DIR).mkdir()
        vindex.save(version / VECTORS_DIR)
        n_practices = _index_practices(store, None, version, embedder, tok, config, progress)
        table.save(version)
        manifest = _manifest(config, tok, embedder, kind, table, store, n_practices)
        _seal(version, manifest)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    _publish(data_dir, version)
    return BuildReport(manifest, "built", len(rows), 0, time.perf_counter() - t0)


def _seal(version: Path, manifest: Manifest) -> None:
    """Make every file durable, then record sizes and checksums in the manifest, written
    last: a version without a valid manifest is never published."""
    fsync_tree(version)
    manifest.record_files(version)
    manifest.save(version)


def _publish(data_dir: Path, version: Path) -> None:
    """Name the finished version, point DATA/index at it atomically, drop older versions."""
    final = _finish_dir(version)
    _switch(data_dir, final)
    _cleanup(data_dir, final)


def new_manifest(
    config: IndexConfig,
    tok: Tokenizer,
    embedder: Embedder,
    store: CorpusStore,
    vector_index: str,
    counts: dict[str, int],
    **more: Any,
) -> Manifest:
    """A version's manifest: what it was built with (the settings a later load compares),
    its counts and the store run it holds; ``more`` for the backend's own fields."""
    return Manifest(
        embedder_setting=config.embed_model,
        embedder_model_id=embedder.model_id,
        embedder_dim=embedder.dim,
        tokenizer=tok.fingerprint,
        vector_index=vector_index,
        chunk_min_chars=config.chunk_min_chars,
        chunk_max_chars=config.chunk_max_chars,
        themes=taxonomy_fingerprint(_taxonomy(config)),
        counts=counts,
        corpus_run=store.data_version(),
        **more,
    )


def _manifest(
    config: IndexConfig,
    tok: Tokenizer,
    embedder: Embedder,
    kind: str,
    table: DocTable,
    store: CorpusStore,
    n_practices: int,
    created: float | None = None,
) -> Manifest:
    alive_reports = {r for r, a in zip(table.report_ids, table.alive, strict=True) if a}
    counts = {
        "passages": table.n_alive,
        "reports": len(alive_reports),
        "doc_ids": len(table),
        "practices": n_practices,
    }
    more = {} if created is None else {"created_at": created}
    return new_manifest(config, tok, embedder, store, kind, counts, **more)


# tantivy rewrites these on every commit (atomically, but in place by name); everything else
# in its directory is an immutable segment file.
_TANTIVY_MUTABLE = ("meta.json", ".managed.json")


def _share_immutable(src: Path, dst: Path) -> None:
    """Start a new version from the published one: hard-link the files no writer ever
    changes (tantivy segments, the corpus model), copy tantivy's small mutable files.
    Vectors, doc table and practices are loaded from ``src`` and written afresh."""
    for sub in (BM25_DIR, MODEL_DIR, f"{PRACTICES_DIR}/{BM25_DIR}"):
        root = src / sub
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            target = dst / path.relative_to(src)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if sub.endswith(BM25_DIR) and (path.name in _TANTIVY_MUTABLE or "lock" in path.name):
                shutil.copy2(path, target)
            else:
                os.link(path, target)


def check_version(directory: Path, checksums: bool = True) -> list[str]:
    """Problems with a published version's files against its manifest (empty if none)."""
    try:
        m = Manifest.load(directory)
    except IndexMismatchError as exc:
        return [str(exc)]
    return verify_files(m, directory, checksums)


def refresh(
    store: CorpusStore, config: IndexConfig, progress: Progress | None = None, rebuild: bool = False
) -> BuildReport:
    """Bring the index up to date with the store: incremental when compatible."""
    with _lock(store.data_dir):
        current = current_dir(store.data_dir)
        if config.index_backend == "milvus":
            # No local files: the store goes straight to the collections (index/backends).
            from index.backends.sync import refresh_milvus

            return refresh_milvus(store, config, current, progress, rebuild)
        if rebuild or current is None:
            return _build(store, config, progress)
        tok = Tokenizer(config.dictionary, config.stopwords)
        if _published_backend(current) != "local":
            if progress:
                progress("rebuilding: the published version is searched by Milvus")
            return _build(store, config, progress)
        damage = check_version(current)
        if damage:
            if progress:
                progress(f"rebuilding: the published index is damaged: {'; '.join(damage)}")
            return _build(store, config, progress)
        old = extendable(current, config, tok)
        if isinstance(old, str):
            if progress:
                progress(f"rebuilding: {old}")
            return _build(store, config, progress)
        return _refresh(store, config, current, old, tok, progress)


def extendable(
    current: Path, config: IndexConfig, tok: Tokenizer, backend: str | None = None
) -> Manifest | str:
    """The published version's manifest when a refresh may extend it under these settings
    (embedder, dictionary, chunking, themes, and the backend when given), else why not."""
    try:
        old = Manifest.load(current)
        check_compatible(
            old,
            config.embed_model,
            tok.fingerprint,
            config.chunk_min_chars,
            config.chunk_max_chars,
            taxonomy_fingerprint(_taxonomy(config)),
            backend=backend,
        )
    except IndexMismatchError as exc:
        return str(exc)
    return old


def _refresh(
    store: CorpusStore,
    config: IndexConfig,
    current: Path,
    old: Manifest,
    tok: Tokenizer,
    progress: Progress | None,
) -> BuildReport:
    t0 = time.perf_counter()
    try:
        table = DocTable.load(current)
        vindex: VectorIndex = load_vector_index(
            old.vector_index, current / VECTORS_DIR, old.embedder_dim
        )
        consistent = vindex.ntotal == table.n_alive == old.counts.get("passages")
    except Exception as exc:  # any unreadable file means: rebuild
        consistent, table = False, DocTable()
        if progress:
            progress(f"cannot read the published index: {exc}")
    if not consistent:
        if progress:
            progress("rebuilding: the published index's vectors, doc table and manifest disagree")
        return _build(store, config, progress)
    live = {pid for pid, a in zip(table.passage_ids, table.alive, strict=True) if a}
    rows = list(_rows(store))
    wanted = {p.passage_id for _, p in rows}
    gone = _live_doc_ids(table, live - wanted)
    new_rows = [(r, p) for r, p in rows if p.passage_id not in live]
    if not len(gone) and not new_rows:
        # Nothing to do; the published version is never rewritten in place.
        return BuildReport(old, "unchanged", 0, 0, time.perf_counter() - t0)
    version = _new_version_dir(store.data_dir)
    try:
        _share_immutable(current, version)
        lexical = LexicalIndex(version / BM25_DIR)
        if lexical.num_docs() != table.n_alive:
            raise _Inconsistent("the BM25 index and the doc table disagree")
        if len(gone):
            lexical.delete(gone)
            vindex.remove(gone)
            table.kill(gone)
        embedder = _embedder_for(config, version)
        if new_rows:
            _add_docs(new_rows, table, lexical, vindex, embedder, tok, config, progress)
        n_practices = _index_practices(store, current, version, embedder, tok, config, progress)
        (version / VECTORS_DIR).mkdir(exist_ok=True)
        vindex.save(version / VECTORS_DIR)
        table.save(version)
        manifest = _manifest(
            config,
            tok,
            embedder,
            old.vector_index,
            table,
            store,
            n_practices,
            created=old.created_at,
        )
        _seal(version, manifest)
    except _Inconsistent as exc:
        shutil.rmtree(version, ignore_errors=True)
        if progress:
            progress(f"rebuilding: {exc}")
        return _build(store, config, progress)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    _publish(store.data_dir, version)
    return BuildReport(manifest, "refreshed", len(new_rows), len(gone), time.perf_counter() - t0)


def _published_backend(directory: Path) -> str:
    """The backend a published version was built for ("local" when unreadable: the damage
    checks that follow name the problem)."""
    try:
        return Manifest.load(directory).backend
    except IndexMismatchError:
        return "local"


class _Inconsistent(RuntimeError):
    pass
