"""A loaded index: BM25, vectors, document table, tokenizer and embedder, checked against
the settings through the manifest before anything is used."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.themes import Theme, load_taxonomy, taxonomy_fingerprint
from index.backends.base import IndexBackend
from index.backends.factory import (
    PASSAGES,
    PRACTICES,
    build_key,
    check_kind,
    collection_name,
    milvus_uri,
    open_milvus,
)
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


class IndexDamagedError(IndexMismatchError):
    """The published files are damaged or disagree with each other."""


class _Searchable:
    """BM25 and dense search over one collection, each with its filters inside the engine:
    the version's own tantivy + FAISS files, or the configured backend (``engine``)."""

    lexical: LexicalIndex
    vectors: VectorIndex
    table: DocTable
    engine: IndexBackend | None = None

    @property
    def backend(self) -> IndexBackend:
        if self.engine is not None:
            return self.engine
        return LocalBackend(self.lexical, self.vectors, self.table)

    def _known(self, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """An engine shared with newer versions may hold documents this version's doc
        table does not know yet (or has deleted): those are not ours to show."""
        if self.engine is None:
            return hits
        n, alive = len(self.table), self.table.alive
        return [(d, s) for d, s in hits if d < n and alive[d]]

    def lexical_search(
        self, terms: list[tuple[str, float]], k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        return self._known(self.backend.lexical_search(terms, k, filters))

    def dense_search(
        self, qvec: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        return self._known(self.backend.dense_search(qvec, k, filters))

    def lexical_count(self, terms: list[tuple[str, float]], filters: Filters | None = None) -> int:
        return self.backend.lexical_count(terms, filters)

    def idf(self, tokens: list[str]) -> dict[str, float]:
        return self.backend.idf(tokens)


@dataclass
class SubIndex(_Searchable):
    """A second searchable collection (practices) sharing the tokenizer and embedder."""

    lexical: LexicalIndex
    vectors: VectorIndex
    table: DocTable
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
    lexical: LexicalIndex
    vectors: VectorIndex
    table: DocTable
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
        )
        if verify:
            damage = verify_files(manifest, directory)
            if damage:
                raise IndexDamagedError(f"index {directory.name}: {'; '.join(damage)}: {REPAIR}")
        try:
            bundle = cls._open(directory, manifest, tokenizer, config)
            bundle.taxonomy = taxonomy
        except IndexMismatchError:
            raise
        except Exception as exc:  # a library's own error on a damaged file
            raise IndexDamagedError(
                f"index {directory.name} cannot be read ({type(exc).__name__}: {exc}): {REPAIR}"
            ) from exc
        if verify:
            bundle.check_counts()
        if check_kind(config.index_backend) != "local":
            bundle.attach_engines(config, data_dir)
        return bundle

    def attach_engines(self, config: IndexConfig, data_dir: Path) -> None:
        """Search the configured backend's collections of this build (``jiejian index``
        fills them after publishing the version)."""
        key = build_key(self.manifest.created_at)
        uri = milvus_uri(config.milvus_uri, data_dir)
        parts: list[tuple[str, _Searchable]] = [(PASSAGES, self)]
        if self.practices is not None:
            parts.append((PRACTICES, self.practices))
        for kind, part in parts:
            name = collection_name(config.milvus_collection, key, kind)
            part.engine = open_milvus(uri, name, self.embedder.dim, config.milvus_token)
            held = part.engine.count()
            if held == 0 and part.table.n_alive:
                part.engine.close()
                raise IndexMismatchError(
                    f"Milvus collection {name} at {uri} is empty (the index version has "
                    f"{part.table.n_alive} documents): run `jiejian index` with "
                    "JIEJIAN_INDEX_BACKEND=milvus"
                )
            if held != part.table.n_alive:
                log.warning(
                    "%s holds %d documents, the index version %d: run `jiejian index`",
                    name,
                    held,
                    part.table.n_alive,
                )

    def close(self) -> None:
        for part in (self, self.practices):
            if part is not None and part.engine is not None:
                part.engine.close()

    @classmethod
    def _open(
        cls, directory: Path, manifest: Manifest, tokenizer: Tokenizer, config: IndexConfig
    ) -> IndexBundle:
        embedder = load_embedder(config.embed_model, directory / MODEL_DIR, config.query_prefix)
        if embedder.dim != manifest.embedder_dim:
            raise IndexMismatchError(
                f"embedder dimension {embedder.dim} differs from the index's "
                f"{manifest.embedder_dim}: run `jiejian index --rebuild`"
            )
        return cls(
            directory=directory,
            manifest=manifest,
            tokenizer=tokenizer,
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
