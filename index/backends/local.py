"""The embedded backend: tantivy BM25 + a FAISS (or numpy) vector index + the doc table.

This is the reference every other backend is compared with, and what the saved index
versions hold; its answers are exactly those of the code it wraps (``LexicalIndex`` and
``VectorIndex`` with a doc-table mask), so wrapping changes no behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

import numpy as np
import tantivy

from index.backends.base import HEADING_BOOST, IndexBackend, IndexDoc, Scored, Terms
from index.bm25 import LexDoc, LexicalIndex
from index.doctable import DocTable
from index.filters import Filters
from index.vectors import VectorIndex


def lex_doc(d: IndexDoc) -> LexDoc:
    return LexDoc(
        d.doc_id,
        d.body,
        d.heading,
        d.places,
        d.report_id,
        d.level,
        d.doc_type,
        d.section_role,
        d.year,
        d.themes,
    )


class LocalBackend(IndexBackend):
    """``table`` is jiejian's doc table: it must already hold the rows of the documents
    upserted here (the builder appends them first, as it always did); it turns filters
    into the allowed-id mask the vector index searches within."""

    name = "local"

    def __init__(self, lexical: LexicalIndex, vectors: VectorIndex, table: DocTable):
        self.lexical = lexical
        self.vectors = vectors
        self.table = table

    def _present(self, ids: list[int]) -> list[int]:
        """Which of ``ids`` the BM25 index holds (one term-set query, not one per id)."""
        if not ids:
            return []
        searcher = self.lexical.searcher()
        query = tantivy.Query.term_set_query(self.lexical.schema, "key", [str(i) for i in ids])
        hits = searcher.search(query, limit=len(ids)).hits
        values = searcher.fast_field_values("doc_id", [a for _, a in hits])
        return [int(cast(int, i)) for i in values]

    def upsert(self, docs: Sequence[IndexDoc]) -> int:
        if not docs:
            return 0
        ids = [d.doc_id for d in docs]
        if len(self.table) <= max(ids):
            raise ValueError(
                f"doc id {max(ids)} is not in the doc table ({len(self.table)} rows): "
                "append the rows first"
            )
        present = self._present(ids)
        if present:
            self.lexical.delete(present)
            self.vectors.remove(np.array(present, dtype=np.int64))
        self.lexical.add(lex_doc(d) for d in docs)
        self.vectors.add(
            np.array(ids, dtype=np.int64), np.vstack([d.vector for d in docs]).astype(np.float32)
        )
        return len(docs)

    def delete(self, doc_ids: Iterable[int]) -> None:
        ids = np.array(sorted({int(i) for i in doc_ids}), dtype=np.int64)
        if len(ids):
            self.lexical.delete(ids)
            self.vectors.remove(ids)
            self.table.kill(ids[ids < len(self.table)])

    def delete_reports(self, report_ids: Iterable[str]) -> None:
        self.delete(self.table.doc_ids_of_reports(set(report_ids)))

    def lexical_search(
        self, terms: Terms, k: int, filters: Filters | None = None, boost: float = HEADING_BOOST
    ) -> Scored:
        return self.lexical.search(terms, k, filters, boost)

    def lexical_search_more(
        self, terms: Terms, k: int, filters: Filters | None = None, boost: float = HEADING_BOOST
    ) -> tuple[Scored, bool | None]:
        return self.lexical.search_more(terms, k, filters, boost)

    def dense_search(
        self, qvec: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        allowed = None if filters is None or filters.empty else self.table.mask(filters)
        if allowed is not None and not allowed.any():
            return []
        scores, ids = self.vectors.search(qvec.reshape(1, -1), k, allowed)
        return [(int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]

    def lexical_count(self, terms: list[tuple[str, float]], filters: Filters | None = None) -> int:
        return self.lexical.count(terms, filters)

    def count(self, filters: Filters | None = None) -> int:
        return int(self.table.mask(filters).sum())

    def doc_freq(self, tokens: Iterable[str]) -> dict[str, int]:
        searcher = self.lexical.searcher()
        return {t: int(searcher.doc_freq("body", t)) for t in set(tokens)}

    def idf(self, tokens: list[str]) -> dict[str, float]:
        return self.lexical.idf(tokens)  # tantivy's own document count, as before
