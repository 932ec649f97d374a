"""A loaded index: BM25, vectors, document table, tokenizer and embedder, checked against
the settings through the manifest before anything is used."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.themes import Theme, load_taxonomy, taxonomy_fingerprint
from index.bm25 import LexicalIndex
from index.builder import BM25_DIR, MODEL_DIR, PRACTICES_DIR, VECTORS_DIR, current_dir
from index.config import IndexConfig
from index.doctable import DocTable
from index.embedders import Embedder, load_embedder
from index.filters import Filters
from index.manifest import REPAIR, IndexMismatchError, Manifest, check_compatible, verify_files
from index.tokenizer import Tokenizer
from index.vectors import VectorIndex, load_vector_index


class IndexDamagedError(IndexMismatchError):
    """The published files are damaged or disagree with each other."""


class _Searchable:
    """BM25 and dense search over one collection, each with its filters inside the engine."""

    lexical: LexicalIndex
    vectors: VectorIndex
    table: DocTable

    def lexical_search(
        self, terms: list[tuple[str, float]], k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        return self.lexical.search(terms, k, filters)

    def dense_search(
        self, qvec: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        allowed = None if filters is None or filters.empty else self.table.mask(filters)
        if allowed is not None and not allowed.any():
            return []
        scores, ids = self.vectors.search(qvec.reshape(1, -1), k, allowed)
        return [(int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]


@dataclass
class SubIndex(_Searchable):
    """A second searchable collection (practices) sharing the tokenizer and embedder."""

    lexical: LexicalIndex
    vectors: VectorIndex
    table: DocTable

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
        return bundle

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
