"""The index backend interface: what a search engine does for jiejian.

jiejian keeps tokenization (one function for index and query), the synonym lexicon,
traditional→simplified, fusion, the relevance floor, explanations, collapse, facets and
highlights. An engine only stores documents under integer ids (the doc table's ids, which
stay jiejian's registry of passages) and answers four questions: BM25 over whitespace-joined
tokens, inner-product search over unit vectors, how many documents hold some tokens, and
how many documents there are — each within :class:`index.filters.Filters`, evaluated inside
the engine.
"""

from __future__ import annotations

import hashlib
import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.filters import Filters

# How far below the top a heading match counts, as in the local BM25 query.
HEADING_BOOST = 0.3
# A lexical query: (token, weight) pairs; an engine's answer: (doc_id, score), best first.
Terms = list[tuple[str, float]]
Scored = list[tuple[int, float]]


class BackendError(OSError):
    """An engine that cannot be reached or refuses what it was asked, in words (an
    OSError: like a missing file, it leaves the previous index serving)."""


@dataclass
class IndexDoc:
    """One passage (or practice) as every engine receives it."""

    doc_id: int
    passage_id: str
    report_id: str
    body: list[str]  # tokens of the text
    heading: list[str]  # tokens of the report title and section path
    vector: np.ndarray  # float32 (dim,), L2-normalised
    places: list[str]  # jurisdiction path, broadest first, simplified
    level: str | None
    doc_type: str | None
    section_role: str
    year: int | None
    themes: list[str] = field(default_factory=list)
    # the near-duplicate group at indexing time (the doc table keeps it the same way):
    # a Milvus-mode server collapses hits by it without a doc table
    dup_group: str | None = None


def doc_key(item_id: str) -> int:
    """The engine id of a passage (or practice) in Milvus mode, where no doc table numbers
    them: 63 bits of a hash of its id, the same in every process and build, so a server
    needs no table to map ids (the indexer refuses a collision; at 100M passages one is
    about a 1 in 2,000 chance)."""
    digest = hashlib.blake2b(item_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def bm25_idf(n_docs: int, df: int) -> float:
    """BM25's inverse document frequency, as tantivy computes it."""
    n = max(1, n_docs)
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class IndexBackend(ABC):
    """One kind of search engine behind jiejian's retrieval.

    Scores are the engine's own: callers compare ranks, never raw scores, across engines."""

    name: str = "base"

    @abstractmethod
    def upsert(self, docs: Sequence[IndexDoc]) -> int:
        """Add documents, replacing any stored under the same ids; returns how many."""

    @abstractmethod
    def delete(self, doc_ids: Iterable[int]) -> None:
        """Remove documents by id (unknown ids are ignored)."""

    @abstractmethod
    def delete_reports(self, report_ids: Iterable[str]) -> None:
        """Remove every document of these reports."""

    @abstractmethod
    def lexical_search(
        self, terms: Terms, k: int, filters: Filters | None = None, boost: float = HEADING_BOOST
    ) -> Scored:
        """BM25 of (token, weight) pairs over the body (and the heading, its weights scaled by
        ``boost``): (doc_id, score), best first."""

    def lexical_search_more(
        self, terms: Terms, k: int, filters: Filters | None = None, boost: float = HEADING_BOOST
    ) -> tuple[Scored, bool | None]:
        """:meth:`lexical_search`, and whether more than ``k`` documents match: False when
        the list came back short, None when only :meth:`lexical_count` can tell (an engine
        that knows for free says True or False)."""
        ranked = self.lexical_search(terms, k, filters, boost)
        return ranked, (False if len(ranked) < k else None)

    @abstractmethod
    def dense_search(
        self, qvec: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        """Inner product with a unit query vector: (doc_id, score), best first."""

    @abstractmethod
    def lexical_count(self, terms: list[tuple[str, float]], filters: Filters | None = None) -> int:
        """How many documents hold any of ``terms`` in their body or heading (within
        ``filters``)."""

    @abstractmethod
    def count(self, filters: Filters | None = None) -> int:
        """How many documents pass ``filters`` (all documents without)."""

    @abstractmethod
    def doc_freq(self, tokens: Iterable[str]) -> dict[str, int]:
        """How many documents hold each token in their body."""

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """BM25 inverse document frequency of each token in the body field."""
        n = self.count()
        return {t: bm25_idf(n, df) for t, df in self.doc_freq(set(tokens)).items()}

    def close(self) -> None:  # noqa: B027 - engines without connections need nothing
        """Release connections."""
