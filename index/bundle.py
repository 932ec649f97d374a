"""A loaded index: BM25, vectors, document table, tokenizer and embedder, checked against
the settings through the manifest before anything is used.

A Milvus-mode version (``manifest.backend == "milvus"``) has no BM25, vector or doc-table
files: its ``engine`` answers every search and count, and its ``table`` is a
:class:`~index.backends.hits.HitTable` holding the metadata of recent hits only."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.store import CorpusStore
from corpus.themes import Theme, load_taxonomy, taxonomy_fingerprint
from index.backends.base import BackendError, IndexBackend
from index.backends.factory import (
    PASSAGES,
    PRACTICES,
    check_kind,
    collection_name,
    milvus_uri,
    open_build,
)
from index.backends.hits import HitTable, ScanTable
from index.backends.local import LocalBackend
from index.bm25 import LexicalIndex
from index.builder import BM25_DIR, MODEL_DIR, PRACTICES_DIR, VECTORS_DIR, current_dir
from index.config import IndexConfig
from index.doctable import DocTable
from index.embedders import Embedder, load_embedder
from index.filters import Filters
from index.manifest import REPAIR, IndexMismatchError, Manifest, check_compatible, verify_files
from index.tokenizer import Tokenizer
from index.vectors import VectorIndex, load_vector_index

log = logging.getLogger(__name__)
# What the retrieval layer reads per document: the local doc table or Milvus hits' fields.
DocView = DocTable | HitTable


class IndexDamagedError(IndexMismatchError):
    """The published files are damaged or disagree with each other."""


class _Searchable:
    """BM25 and dense search over one collection, each with its filters inside the engine:
    the version's own tantivy + FAISS files, or the configured backend (``engine``)."""

    lexical: LexicalIndex | None
    vectors: VectorIndex | None
    table: DocView
    engine: IndexBackend | None = None

    @property
    def backend(self) -> IndexBackend:
        if self.engine is not None:
            return self.engine
        assert self.lexical is not None and self.vectors is not None
        assert isinstance(self.table, DocTable)
        return LocalBackend(self.lexical, self.vectors, self.table)

    def lexical_search(
        self, terms: list[tuple[str, float]], k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        return self.backend.lexical_search(terms, k, filters)

    def lexical_search_more(
        self, terms: list[tuple[str, float]], k: int, filters: Filters | None = None
    ) -> tuple[list[tuple[int, float]], bool | None]:
        """:meth:`lexical_search`, and whether more than ``k`` documents match (None: ask
        :meth:`lexical_count`)."""
        return self.backend.lexical_search_more(terms, k, filters)

    def dense_search(
        self, qvec: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        return self.backend.dense_search(qvec, k, filters)

    def count(self, filters: Filters | None = None) -> int:
        """Documents passing ``filters``, counted by the engine (the doc table locally)."""
        return self.backend.count(filters)

    def select(self, filters: Filters | None = None) -> tuple[DocView, np.ndarray]:
        """Every document passing ``filters`` and a view to read them through: the doc
        table's mask locally; in Milvus mode one scan of the engine's output fields, held
        for the one answer (insights count reports over the filtered corpus)."""
        if isinstance(self.table, DocTable):
            return self.table, np.flatnonzero(self.table.mask(filters))
        assert self.engine is not None
        scan = ScanTable(self.engine.scan(filters), self.table)  # type: ignore[attr-defined]
        return scan, scan.ids

    def lexical_count(self, terms: list[tuple[str, float]], filters: Filters | None = None) -> int:
        return self.backend.lexical_count(terms, filters)

    def idf(self, tokens: list[str]) -> dict[str, float]:
        return self.backend.idf(tokens)


@dataclass
class SubIndex(_Searchable):
    """A second searchable collection (practices) sharing the tokenizer and embedder."""

    lexical: LexicalIndex | None
    vectors: VectorIndex | None
    table: DocView
    engine: IndexBackend | None = None

    @classmethod
    def load(cls, root: Path, dim: int) -> SubIndex:
        kind = (root / "kind.txt").read_text("utf-8").strip()
        return cls(
            LexicalIndex(root / BM25_DIR),
            load_vector_index(kind, root / VECTORS_DIR, dim),
            DocTable.load(root),
        )


@dataclass
class IndexBundle(_Searchable):
    directory: Path
    manifest: Manifest
    tokenizer: Tokenizer
    lexical: LexicalIndex | None
    vectors: VectorIndex | None
    table: DocView
    embedder: Embedder
    practices: SubIndex | None = None
    # the theme taxonomy its passages were tagged with (checked against the manifest)
    taxonomy: tuple[Theme, ...] = ()
    engine: IndexBackend | None = None

    @classmethod
    def load(
        cls,
        data_dir: Path,
        config: IndexConfig,
        directory: Path | None = None,
        verify: bool = True,
    ) -> IndexBundle:
        """Load the published version (or ``directory``). With ``verify``, the files are
        checked against the sizes and checksums their manifest recorded and the loaded
        parts must agree on the passage count; any damage raises ``IndexDamagedError``."""
        directory = directory or current_dir(data_dir)
        if directory is None:
            raise IndexMismatchError(
                f"no index in {data_dir}: run `jiejian index --data {data_dir}` first"
            )
        manifest = Manifest.load(directory)
        tokenizer = Tokenizer(config.dictionary, config.stopwords)
        taxonomy = load_taxonomy(config.themes)
        check_compatible(
            manifest,
            config.embed_model,
            tokenizer.fingerprint,
            config.chunk_min_chars,
            config.chunk_max_chars,
            taxonomy_fingerprint(taxonomy),
            backend=check_kind(config.index_backend),
        )
        if verify:
            damage = verify_files(manifest, directory)
            if damage:
                raise IndexDamagedError(f"index {directory.name}: {'; '.join(damage)}: {REPAIR}")
        try:
            bundle = cls._open(directory, manifest, tokenizer, config, data_dir)
            bundle.taxonomy = taxonomy
        except (IndexMismatchError, BackendError):
            raise
        except Exception as exc:  # a library's own error on a damaged file
            raise IndexDamagedError(
                f"index {directory.name} cannot be read ({type(exc).__name__}: {exc}): {REPAIR}"
            ) from exc
        if verify and manifest.backend == "local":
            bundle.check_counts()
        return bundle

    @classmethod
    def _open_milvus(
        cls, directory: Path, manifest: Manifest, tok: Tokenizer, config: IndexConfig, data: Path
    ) -> IndexBundle:
        """A Milvus-mode version: the embedder from the version, everything else from the
        build's collections (never created here: a missing one is refused)."""
        embedder = cls._embedder(directory, manifest, config)
        uri = milvus_uri(config.milvus_uri, data)
        engines = open_build(
            uri, config.milvus_collection, manifest.build, embedder.dim, config.milvus_token, False
        )
        try:
            for kind, engine in engines.items():
                name = collection_name(config.milvus_collection, manifest.build, kind)
                held, published = engine.count(), manifest.counts.get(kind, 0)
                if held == 0 and published:
                    raise IndexMismatchError(
                        f"Milvus collection {name} at {uri} is empty (the published version "
                        f"has {published} documents): run `jiejian index` with "
                        "JIEJIAN_INDEX_BACKEND=milvus"
                    )
                if held != published:  # a refresh is filling it: the version follows
                    log.info("%s holds %d documents, the version %d", name, held, published)
        except BaseException:
            for engine in engines.values():
                engine.close()
            raise
        tables = {}
        for kind, engine in engines.items():
            table = HitTable(engine.meta_of)  # type: ignore[attr-defined]
            engine.sink = table.remember  # type: ignore[attr-defined]
            tables[kind] = table
        return cls(
            directory=directory,
            manifest=manifest,
            tokenizer=tok,
            lexical=None,
            vectors=None,
            table=tables[PASSAGES],
            embedder=embedder,
            practices=SubIndex(None, None, tables[PRACTICES], engines[PRACTICES]),
            engine=engines[PASSAGES],
        )

    def freshness(self, store: CorpusStore) -> tuple[int, int]:
        """(stored reports this index lacks, indexed reports the store no longer has)."""
        if isinstance(self.table, DocTable):
            t = self.table
            indexed = {t.report_ids[i] for i in np.flatnonzero(t.alive)}
            stored = store.indexable_report_ids()
            return len(stored - indexed), len(indexed - stored)
        return store.index_freshness(self.manifest.build)

    def close(self) -> None:
        for part in (self, self.practices):
            if part is not None and part.engine is not None:
                part.engine.close()

    @staticmethod
    def _embedder(directory: Path, manifest: Manifest, config: IndexConfig) -> Embedder:
        embedder = load_embedder(config.embed_model, directory / MODEL_DIR, config.query_prefix)
        if embedder.dim != manifest.embedder_dim:
            raise IndexMismatchError(
                f"embedder dimension {embedder.dim} differs from the index's "
                f"{manifest.embedder_dim}: run `jiejian index --rebuild`"
            )
        return embedder

    @classmethod
    def _open(
        cls, directory: Path, manifest: Manifest, tok: Tokenizer, config: IndexConfig, data: Path
    ) -> IndexBundle:
        if manifest.backend == "milvus":
            return cls._open_milvus(directory, manifest, tok, config, data)
        embedder = cls._embedder(directory, manifest, config)
        return cls(
            directory=directory,
            manifest=manifest,
            tokenizer=tok,
            lexical=LexicalIndex(directory / BM25_DIR),
            vectors=load_vector_index(
                manifest.vector_index, directory / VECTORS_DIR, manifest.embedder_dim
            ),
            table=DocTable.load(directory),
            embedder=embedder,
            practices=SubIndex.load(directory / PRACTICES_DIR, manifest.embedder_dim)
            if (directory / PRACTICES_DIR / "kind.txt").exists()
            else None,
        )

    def check_counts(self) -> None:
        """Vectors, BM25 documents, doc-table rows and the manifest count the same passages."""
        assert isinstance(self.table, DocTable)
        assert self.lexical is not None and self.vectors is not None
        counts = {
            "manifest": self.manifest.counts.get("passages"),
            "doc table": self.table.n_alive,
            "vectors": self.vectors.ntotal,
            "BM25": self.lexical.num_docs(),
        }
        if len(set(counts.values())) != 1:
            seen = ", ".join(f"{k} {v}" for k, v in counts.items())
            raise IndexDamagedError(
                f"index {self.directory.name} is inconsistent ({seen}): {REPAIR}"
            )

    def encode_query(self, text: str) -> np.ndarray:
        return self.embedder.encode([text], "query")[0]
