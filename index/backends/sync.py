"""Bring a backend up to date with a published index version, from the store.

This is the index side of moving a corpus between engines (``jiejian migrate``) and what
``jiejian index`` does after publishing a version when ``JIEJIAN_INDEX_BACKEND=milvus``:
the published doc table says which documents exist under which ids; the engine gets those
it lacks, re-read from the store, tokenized with the index's tokenizer and encoded with the
index's embedder (the same function the builder uses, so the tokens are identical), and
loses those that left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from corpus.models import Passage
from corpus.practices import Practice
from corpus.store import CorpusStore, ReportRecord
from index.backends.base import IndexBackend, IndexDoc
from index.backends.factory import (
    PASSAGES,
    PRACTICES,
    build_key,
    check_kind,
    collection_name,
    milvus_uri,
    open_milvus,
)
from index.builder import PRACTICES_DIR, _encode, _lex_doc, _practice_rows, _rows, current_dir
from index.config import IndexConfig
from index.doctable import DocTable
from index.embedders import Embedder
from index.tokenizer import Tokenizer

log = logging.getLogger(__name__)
BATCH = 2000
Progress = Callable[[str], None]


@dataclass
class SyncReport:
    collection: str
    added: int
    removed: int
    total: int


def index_docs(
    rows: list[tuple[ReportRecord, Passage | Practice]],
    table: DocTable,
    tok: Tokenizer,
    embedder: Embedder,
    batch: int = 256,
) -> list[IndexDoc]:
    """The engine's view of store rows already in ``table`` (ids and themes from it)."""
    texts = [p.text for _, p in rows]
    vectors = _encode(embedder, texts, batch, None)
    out = []
    for (r, p), vec in zip(rows, vectors, strict=True):
        pid = p.passage_id if isinstance(p, Passage) else p.practice_id
        doc_id = table.doc_id(pid)
        if doc_id is None:
            continue
        themes = table.themes_of(doc_id)
        lex = _lex_doc(doc_id, r, p, tok, themes)
        out.append(
            IndexDoc(
                doc_id,
                pid,
                r.report_id,
                lex.body,
                lex.heading,
                vec,
                lex.places,
                lex.level,
                lex.doc_type,
                lex.section_role,
                lex.year,
                themes,
            )
        )
    return out


def stored_ids(backend: IndexBackend, bound: int) -> set[int]:
    from index.backends.milvus import ID_WINDOW

    out: set[int] = set()
    for lo in range(0, bound, ID_WINDOW):
        out.update(backend.ids_between(lo, lo + ID_WINDOW))  # type: ignore[attr-defined]
    return out


def sync(
    backend: IndexBackend,
    table: DocTable,
    rows: Iterator[tuple[ReportRecord, Passage | Practice]],
    tok: Tokenizer,
    embedder: Embedder,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Upsert the live documents of ``table`` the engine lacks, delete those it should not
    hold; returns (added, removed)."""
    alive = {int(i) for i in np.flatnonzero(table.alive)}
    have = stored_ids(backend, len(table) + 1)
    # Ids beyond the table belong to no published document (a rebuild interrupted mid-way).
    gone = sorted(have - alive)
    if gone:
        backend.delete(gone)
    missing = alive - have
    added = 0
    pending: list[tuple[ReportRecord, Passage | Practice]] = []

    def flush() -> None:
        nonlocal added
        added += backend.upsert(index_docs(pending, table, tok, embedder))
        pending.clear()
        if progress:
            progress(f"{added}/{len(missing)} documents sent to {getattr(backend, 'name', '?')}")

    if missing:
        for r, p in rows:
            pid = p.passage_id if isinstance(p, Passage) else p.practice_id
            d = table.doc_id(pid)
            if d is not None and d in missing:
                pending.append((r, p))
                if len(pending) >= BATCH:
                    flush()
        if pending:
            flush()
    if hasattr(backend, "flush"):
        backend.flush()
    return added, len(gone)


def sync_published(
    store: CorpusStore,
    config: IndexConfig,
    progress: Progress | None = None,
    directory: Path | None = None,
) -> list[SyncReport]:
    """Bring the configured backend up to date with the published version (passages and
    practices); nothing to do for ``local``, whose indexes are the version's own files."""
    if check_kind(config.index_backend) == "local":
        return []
    from index.bundle import IndexBundle  # the bundle imports this package

    version = directory or current_dir(store.data_dir)
    # just published by `jiejian index` (which checks a damaged version): no checksum pass
    local = replace(config, index_backend="local")
    bundle = IndexBundle.load(store.data_dir, local, version, verify=False)
    key = build_key(bundle.manifest.created_at)
    uri = milvus_uri(config.milvus_uri, store.data_dir)
    reports = []
    parts: list[tuple[str, DocTable, Callable[[], Iterator]]] = [
        (PASSAGES, bundle.table, lambda: _rows(store))
    ]
    if bundle.practices is not None and (bundle.directory / PRACTICES_DIR).exists():
        parts.append((PRACTICES, bundle.practices.table, lambda: iter(_practice_rows(store))))
    for kind, table, rows in parts:
        name = collection_name(config.milvus_collection, key, kind)
        backend = open_milvus(uri, name, bundle.embedder.dim, config.milvus_token)
        try:
            added, removed = sync(
                backend, table, rows(), bundle.tokenizer, bundle.embedder, progress
            )
            reports.append(SyncReport(name, added, removed, backend.count()))
        finally:
            backend.close()
    drop_stale(uri, config, key)
    for r in reports:
        log.info("%s: %d added, %d removed, %d held", r.collection, r.added, r.removed, r.total)
    return reports


def drop_stale(uri: str, config: IndexConfig, current: str, keep: int = 1) -> list[str]:
    """Drop the collections of older builds, keeping ``keep`` previous builds: a server
    still on the previous version keeps searching until it reloads."""
    from index.backends.milvus import _import_pymilvus

    client = _import_pymilvus().MilvusClient(uri=uri, token=config.milvus_token or "")
    try:
        prefix = f"{config.milvus_collection}_b"
        keys = sorted(
            {
                n[len(config.milvus_collection) + 1 :].split("_")[0]
                for n in client.list_collections()
                if n.startswith(prefix)
            }
            - {current},
            key=lambda k: int(k[1:]) if k[1:].isdigit() else 0,
            reverse=True,
        )
        dropped = []
        for key in keys[keep:]:
            for kind in (PASSAGES, PRACTICES):
                name = collection_name(config.milvus_collection, key, kind)
                if client.has_collection(name):
                    client.drop_collection(name)
                    dropped.append(name)
        return dropped
    finally:
        client.close()


def migrate(
    store: CorpusStore,
    config: IndexConfig,
    to: str,
    uri: str = "",
    progress: Progress | None = None,
) -> list[SyncReport]:
    """The index side of ``jiejian migrate --to``: fill the ``to`` backend (``milvus``, at
    ``uri``) from the store and the published version. ``local`` needs no copy: its files
    are the version itself (``jiejian index --rebuild`` remakes them from the store)."""
    target = replace(config, index_backend=check_kind(to), milvus_uri=uri or config.milvus_uri)
    return sync_published(store, target, progress)
