"""`jiejian index` in Milvus mode: the collections filled from the store, no local index.

With ``JIEJIAN_INDEX_BACKEND=milvus`` a published index version holds its manifest and the
embedding model only (the corpus model is vocabulary-sized, not corpus-sized). Passages and
practices go from the store straight to the build's Milvus collections, report by report:
tokenized with the index's tokenizer, encoded with its embedder and tagged with themes by
the same functions the local builder uses, under ids derived from their own ids
(:func:`index.backends.base.doc_key`), so no doc table numbers them. The store records which
reports each build holds (``indexed_reports``), which makes a refresh two SQL anti-joins:
reports to add, reports to delete. Nothing here grows with the corpus but the list of report
ids one refresh adds or removes.

A full build (first run, ``--rebuild``, or settings the published version does not match:
embedder, dictionary, chunking, themes, backend) makes new collections under a new build
key and publishes a version naming it; servers still on the previous version keep searching
its collections, which are dropped one build later.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.files import write_text
from corpus.models import Passage
from corpus.practices import Practice
from corpus.script import to_simplified
from corpus.store import CorpusStore, ReportRecord
from index.backends.base import BackendError, IndexBackend, IndexDoc, doc_key
from index.backends.factory import (
    COLLECTIONS_FILE,
    KINDS,
    PASSAGES,
    build_key,
    collection_name,
    milvus_uri,
    open_build,
)
from index.builder import (
    MODEL_DIR,
    BuildReport,
    _embedder_for,
    _encode,
    _lex_doc,
    _new_version_dir,
    _publish,
    _seal,
    _share_immutable,
    _taxonomy,
    extendable,
    new_manifest,
)
from index.config import IndexConfig
from index.embedders import Embedder, is_corpus_model
from index.embedders.corpus_static import build_static_model
from index.manifest import IndexMismatchError, Manifest
from index.themes import assign as assign_themes
from index.tokenizer import Tokenizer

log = logging.getLogger(__name__)
# Reports per step: their documents are encoded and sent together, then recorded.
REPORT_BATCH = 200
# The vector index kind a Milvus-mode manifest names (the engine's own, not a FAISS file).
MILVUS_VECTORS = "milvus"
Progress = Callable[[str], None]
Row = tuple[ReportRecord, Passage | Practice]


@dataclass
class SyncReport:
    collection: str
    added: int
    removed: int
    total: int


def _item_id(p: Passage | Practice) -> str:
    return p.passage_id if isinstance(p, Passage) else p.practice_id


def index_docs(
    rows: Sequence[Row],
    tok: Tokenizer,
    embedder: Embedder,
    config: IndexConfig,
    themes: list[list[str]] | None = None,
) -> list[IndexDoc]:
    """The engine's view of store rows: tokens, vector, filter fields, themes (assigned
    here as the local builder assigns them, unless given) and the id from the item's id."""
    texts = [p.text for _, p in rows]
    vectors = _encode(embedder, texts, config.encode_batch, None)
    if themes is None:
        taxonomy = _taxonomy(config)
        themes = assign_themes([to_simplified(t) for t in texts], vectors, embedder, taxonomy)
    out = []
    for (r, p), vec, th in zip(rows, vectors, themes, strict=True):
        item = _item_id(p)
        key = doc_key(item)
        lex = _lex_doc(key, r, p, tok, th)
        out.append(
            IndexDoc(
                key,
                item,
                r.report_id,
                lex.body,
                lex.heading,
                vec,
                lex.places,
                lex.level,
                lex.doc_type,
                lex.section_role,
                lex.year,
                th,
                p.dup_group if isinstance(p, Passage) else None,
            )
        )
    return out


def _check_keys(backend: IndexBackend, docs: list[IndexDoc]) -> None:
    """Refuse two items under one id (a hash collision would silently replace one)."""
    seen: dict[int, str] = {}
    for d in docs:
        if seen.setdefault(d.doc_id, d.passage_id) != d.passage_id:
            raise BackendError(f"id collision: {d.passage_id} and {seen[d.doc_id]}")
    stored = backend.passages_of_ids(list(seen))  # type: ignore[attr-defined]
    for doc_id, item in stored.items():
        if item != seen[doc_id]:
            raise BackendError(f"id collision: {seen[doc_id]} and the stored {item}")


def _rows_of(store: CorpusStore, kind: str, report_ids: list[str]) -> list[Row]:
    reports = store.reports_by_ids(report_ids)
    rows: list[Row] = []
    for rid in report_ids:
        r = reports.get(rid)
        if r is None:
            continue  # deleted meanwhile: the next refresh sees it gone
        items: Sequence[Passage | Practice] = (
            store.passages_of(rid) if kind == PASSAGES else store.practices_of(rid)
        )
        rows.extend((r, p) for p in items)
    return rows


def sync_kind(
    store: CorpusStore,
    backend: IndexBackend,
    build: str,
    kind: str,
    tok: Tokenizer,
    embedder: Embedder,
    config: IndexConfig,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Bring one collection up to the store; returns (documents added, documents removed).
    Each step writes the engine first and records it in the store after, so a crash
    between the two only repeats idempotent upserts or deletes on the next run."""
    before = backend.count()
    gone = store.index_gone(build, kind)
    for i in range(0, len(gone), REPORT_BATCH):
        chunk = gone[i : i + REPORT_BATCH]
        backend.delete_reports(chunk)
        store.mark_indexed(build, kind, chunk, held=False)
    pending = store.index_pending(build, kind)
    added = 0
    for i in range(0, len(pending), REPORT_BATCH):
        chunk = pending[i : i + REPORT_BATCH]
        docs = index_docs(_rows_of(store, kind, chunk), tok, embedder, config)
        _check_keys(backend, docs)
        added += backend.upsert(docs)
        store.mark_indexed(build, kind, chunk, held=True)
        if progress:
            progress(f"{kind}: {min(i + REPORT_BATCH, len(pending))}/{len(pending)} reports sent")
    if hasattr(backend, "flush"):
        backend.flush()
    return added, max(0, before + added - backend.count())


def _collections(
    store: CorpusStore, config: IndexConfig, build: str, dim: int
) -> dict[str, IndexBackend]:
    uri = milvus_uri(config.milvus_uri, store.data_dir)
    return open_build(uri, config.milvus_collection, build, dim, config.milvus_token, True)


def _sync_all(
    store: CorpusStore,
    config: IndexConfig,
    build: str,
    embedder: Embedder,
    tok: Tokenizer,
    progress: Progress | None,
) -> tuple[list[SyncReport], dict[str, int]]:
    engines = _collections(store, config, build, embedder.dim)
    reports = []
    try:
        for kind, backend in engines.items():
            added, removed = sync_kind(store, backend, build, kind, tok, embedder, config, progress)
            total = backend.count()
            reports.append(SyncReport(getattr(backend, "collection", kind), added, removed, total))
    finally:
        for b in engines.values():
            b.close()
    counts = {
        "passages": reports[0].total,
        "reports": store.index_held(build, PASSAGES),
        "practices": reports[1].total,
    }
    return reports, counts


def _manifest(
    config: IndexConfig,
    tok: Tokenizer,
    embedder: Embedder,
    counts: dict[str, int],
    store: CorpusStore,
    created: float,
    build: str,
) -> Manifest:
    return new_manifest(
        config, tok, embedder, store, MILVUS_VECTORS, counts,
        created_at=created, backend="milvus", build=build,
    )  # fmt: skip


def _compatible(
    current: Path | None, config: IndexConfig, tok: Tokenizer, progress: Progress | None
) -> Manifest | None:
    """The published Milvus-mode manifest when this refresh may extend its build."""
    if current is None:
        return None
    old = extendable(current, config, tok, backend="milvus")
    if isinstance(old, str):
        if progress:
            progress(f"rebuilding: {old}")
        return None
    return old


def refresh_milvus(
    store: CorpusStore,
    config: IndexConfig,
    current: Path | None,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> BuildReport:
    """The Milvus-mode `jiejian index` (the caller holds the build lock)."""
    t0 = time.perf_counter()
    tok = Tokenizer(config.dictionary, config.stopwords)
    old = None if rebuild else _compatible(current, config, tok, progress)
    previous = _published_build(current)
    version = _new_version_dir(store.data_dir)
    try:
        if old is None:
            created = time.time()
            build = build_key(created)
            if is_corpus_model(config.embed_model):
                if progress:
                    progress("training the corpus embedding model")
                texts = (to_simplified(p.text) for p in store.iter_passages())
                build_static_model(texts, version / MODEL_DIR, config.static)
        else:
            assert current is not None
            created, build = old.created_at, old.build
            _share_immutable(current, version)  # the model, hard-linked
        embedder = _embedder_for(config, version)
        synced, counts = _sync_all(store, config, build, embedder, tok, progress)
        added = sum(r.added for r in synced)
        removed = sum(r.removed for r in synced)
        if (
            old is not None
            and not added
            and not removed
            and counts == {k: old.counts.get(k) for k in counts}
        ):
            shutil.rmtree(version, ignore_errors=True)
            return BuildReport(old, "unchanged", 0, 0, time.perf_counter() - t0)
        manifest = _manifest(config, tok, embedder, counts, store, created, build)
        # The version's record of what it serves (and a file its manifest can verify).
        names = {k: collection_name(config.milvus_collection, build, k) for k in KINDS}
        write_text(version / COLLECTIONS_FILE, json.dumps({"build": build, **names}))
        _seal(version, manifest)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    _publish(store.data_dir, version)
    if old is None:  # a new build: the one before it stays one build longer
        keep = [build, *filter(None, [previous])]
        store.forget_index_builds(
            drop_stale(milvus_uri(config.milvus_uri, store.data_dir), config, keep)
        )
    for r in synced:
        log.info("%s: %d added, %d removed, %d held", r.collection, r.added, r.removed, r.total)
    mode = "built" if old is None else "refreshed"
    # passages added and removed, as the local builder reports them
    passages = synced[0]
    return BuildReport(manifest, mode, passages.added, passages.removed, time.perf_counter() - t0)


def drop_stale(uri: str, config: IndexConfig, keep: list[str]) -> list[str]:
    """Drop the collections of every build but ``keep`` (the new build and the one
    published before it: a server still on that version keeps searching until it
    reloads; builds interrupted before publication go too). Returns ``keep``."""
    from index.backends.milvus import _import_pymilvus

    client = _import_pymilvus().MilvusClient(uri=uri, token=config.milvus_token or "")
    try:
        prefix = f"{config.milvus_collection}_b"
        keys = {
            n[len(config.milvus_collection) + 1 :].split("_")[0]
            for n in client.list_collections()
            if n.startswith(prefix)
        }
        for key in sorted(keys - set(keep)):
            for kind in KINDS:
                name = collection_name(config.milvus_collection, key, kind)
                if client.has_collection(name):
                    client.drop_collection(name)
        return keep
    finally:
        client.close()


def _published_build(current: Path | None) -> str | None:
    """The build a published Milvus-mode version searches (None for a local version)."""
    if current is None:
        return None
    try:
        m = Manifest.load(current)
    except IndexMismatchError:
        return None
    return m.build if m.backend == "milvus" and m.build else None
