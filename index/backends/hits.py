"""The doc table's reading side in Milvus mode, without a table of the whole corpus.

A local index version keeps one row per passage in every server process (index/doctable.py):
about 0.5 KB a passage, so 10 GB per worker at 100M passages. In Milvus mode the same
metadata (passage and report ids, near-duplicate group, jurisdiction path, level, doc type,
section role, year, themes) are output fields of the collection: every search hands its
hits' metadata to a :class:`HitTable`, which keeps the most recent ones (a bounded cache,
``CACHE_ROWS``) and fetches any other by id from the engine. What the searcher reads per
candidate (ids, facets, collapse keys) therefore costs memory in proportion to the hits
being served, not to the corpus.
"""

from __future__ import annotations

import operator
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Generic, SupportsIndex, TypeVar

import numpy as np

from index.doctable import FACET_NAMES, DocRow, FacetValues

T = TypeVar("T")
# Rows kept between searches: a search reads up to a few thousand candidates; 50,000 rows
# (~25 MB) serve many concurrent searches without refetching, whatever the corpus size.
CACHE_ROWS = 50_000
Fetch = Callable[[Sequence[int]], dict[int, DocRow]]


def facets_of(row: DocRow) -> FacetValues:
    """The facet values of one row, as DocTable.facet_values computes them."""
    return {
        "jurisdiction": row.places[-1] if row.places else None,
        "level": row.level,
        "year": row.year or None,
        "doc_type": row.doc_type,
        "section_role": row.section_role,
    }


def held_and_missing(
    held: Mapping[int, DocRow], doc_ids: Iterable[int]
) -> tuple[dict[int, DocRow], list[int]]:
    """The rows of ``doc_ids`` held here, and the ids to fetch from the engine."""
    out: dict[int, DocRow] = {}
    missing: list[int] = []
    for d in doc_ids:
        row = held.get(int(d))
        if row is None:
            missing.append(int(d))
        else:
            out[int(d)] = row
    return out, missing


class _Column(Generic[T]):
    """``table.passage_ids[doc_id]`` and its siblings, read through the row cache."""

    def __init__(self, table: HitTable, name: str):
        self.table = table
        self.name = name

    def __getitem__(self, doc_id: SupportsIndex) -> T:
        value: T = getattr(self.table.row(operator.index(doc_id)), self.name)
        return value


class HitTable:
    """Rows of the documents searches returned (thread-safe: request threads share it)."""

    def __init__(self, fetch: Fetch, capacity: int = CACHE_ROWS):
        self.fetch = fetch
        self.capacity = capacity
        self._rows: OrderedDict[int, DocRow] = OrderedDict()
        self._lock = threading.Lock()
        self.passage_ids: _Column[str] = _Column(self, "passage_id")
        self.report_ids: _Column[str] = _Column(self, "report_id")
        self.dup_groups: _Column[str | None] = _Column(self, "dup_group")

    def __len__(self) -> int:
        """Rows held now (the cache, not the collection: ask the engine for counts)."""
        return len(self._rows)

    def remember(self, rows: dict[int, DocRow]) -> None:
        with self._lock:
            for doc_id, row in rows.items():
                self._rows[doc_id] = row
                self._rows.move_to_end(doc_id)
            while len(self._rows) > self.capacity:
                self._rows.popitem(last=False)

    def rows(self, doc_ids: Iterable[int]) -> dict[int, DocRow]:
        """Rows of ``doc_ids`` (one engine query for those not held); unknown ids are left
        out (deleted since they were found)."""
        with self._lock:
            out, missing = held_and_missing(self._rows, doc_ids)
        if missing:
            got = self.fetch(missing)
            self.remember(got)
            out.update(got)
        return out

    def row(self, doc_id: int) -> DocRow:
        got = self.rows([doc_id])
        if doc_id not in got:
            raise KeyError(f"document {doc_id} is not in the Milvus collection")
        return got[doc_id]

    def facet_values(self, doc_id: int) -> FacetValues:
        return facets_of(self.row(doc_id))

    def _ordered(self, doc_ids: Sequence[int]) -> list[DocRow]:
        got = self.rows(doc_ids)
        return [got[int(d)] if int(d) in got else self.row(int(d)) for d in doc_ids]

    def roles_of(self, doc_ids: Sequence[int]) -> list[str | None]:
        """Section role of each document (DocTable.roles_of)."""
        return [r.section_role for r in self._ordered(doc_ids)]

    def facet_counts(self, doc_ids: Sequence[int]) -> dict[str, list[tuple[str | int, int]]]:
        """Per facet, the values among ``doc_ids`` with their counts, most frequent first,
        ties in order of first appearance, unknown values left out (DocTable.facet_counts,
        here from the hits' own fields)."""
        counts: dict[str, Counter[str | int]] = {name: Counter() for name in FACET_NAMES}
        for row in self._ordered(doc_ids):
            for name, value in facets_of(row).items():
                if isinstance(value, str | int):  # None: unknown
                    counts[name][value] += 1
            counts["theme"].update(row.themes)
        return {name: c.most_common() for name, c in counts.items()}

    def themes_of(self, doc_id: int) -> list[str]:
        return self.row(doc_id).themes

    def places_of(self, doc_id: int) -> list[str]:
        return self.row(doc_id).places


class ScanTable(HitTable):
    """The rows one filtered scan returned (insights: themes, trends, report facets), held
    for that one answer only and unbounded; anything else is read through ``parent``."""

    def __init__(self, rows: Iterable[tuple[int, DocRow]], parent: HitTable):
        super().__init__(parent.rows, capacity=0)
        # in id order: the engine's scan order is its own, and ties in counts follow it
        self._held = dict(sorted(rows, key=lambda r: r[0]))
        self.ids = np.fromiter(self._held, dtype=np.int64, count=len(self._held))

    def rows(self, doc_ids: Iterable[int]) -> dict[int, DocRow]:
        out, missing = held_and_missing(self._held, doc_ids)
        if missing:
            out.update(self.fetch(missing))
        return out

    def remember(self, rows: dict[int, DocRow]) -> None:
        self._held.update(rows)

    def __len__(self) -> int:
        return len(self._held)
