"""Per-document arrays that map engine ids to passages and evaluate filters as numpy masks.

Engine document ids are dense integers 0..n-1 in build order. Filters become a boolean mask
over those ids, which the dense engine turns into a FAISS IDSelector.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import numpy as np

from corpus.files import atomic_path, write_text
from index.filters import Filters

UNKNOWN_YEAR = 0
FACET_NAMES = ("jurisdiction", "level", "year", "doc_type", "section_role", "theme")


class FacetValues(TypedDict):
    """One document's facet values (None: unknown)."""

    jurisdiction: str | None
    level: str | None
    year: int | None
    doc_type: str | None
    section_role: str | None


@dataclass
class DocRow:
    """What the index needs to know about one passage."""

    passage_id: str
    report_id: str
    level: str | None
    doc_type: str | None
    section_role: str
    year: int | None
    places: list[str]  # jurisdiction path, simplified
    dup_group: str | None
    themes: list[str] = field(default_factory=list)


class _Codes:
    def __init__(self, values: list[str] | None = None):
        self.values: list[str] = values or []
        self.index = {v: i for i, v in enumerate(self.values)}

    def code(self, value: str | None) -> int:
        if value is None:
            return -1
        if value not in self.index:
            self.index[value] = len(self.values)
            self.values.append(value)
        return self.index[value]

    def lookup(self, values: tuple[str, ...]) -> list[int]:
        return [self.index[v] for v in values if v in self.index]


class _ListColumn:
    """A list-valued column (jurisdiction path, themes): every document's value codes in one
    flat array, document ``d`` owning ``codes[offsets[d]:offsets[d + 1]]``."""

    def __init__(self, values: list[str] | None = None):
        self.dictionary = _Codes(values)
        self.offsets = np.zeros(1, dtype=np.int64)
        self.codes = np.zeros(0, dtype=np.int32)
        self._inverted: tuple[np.ndarray, np.ndarray] | None = None

    def append(self, rows: list[list[str]]) -> None:
        codes = [[self.dictionary.code(v) for v in vs] for vs in rows]
        lengths = np.array([len(c) for c in codes], dtype=np.int64)
        self.offsets = np.concatenate([self.offsets, self.offsets[-1] + np.cumsum(lengths)])
        self.codes = np.concatenate(
            [self.codes, np.array([c for cs in codes for c in cs], dtype=np.int32)]
        )
        self._inverted = None

    def values_of(self, doc_id: int) -> list[str]:
        lo, hi = self.offsets[doc_id], self.offsets[doc_id + 1]
        return [self.dictionary.values[c] for c in self.codes[lo:hi]]

    def mask(self, values: tuple[str, ...]) -> np.ndarray:
        """Documents with any of ``values``, through an inverted list (code -> documents)
        built once: cost follows the matches, not the corpus."""
        n_docs = len(self.offsets) - 1
        if self._inverted is None:
            doc_of_entry = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(self.offsets))
            order = np.argsort(self.codes, kind="stable")
            self._inverted = (self.codes[order], doc_of_entry[order])
        sorted_codes, docs = self._inverted
        m = np.zeros(n_docs, dtype=bool)
        for code in self.dictionary.lookup(values):
            lo, hi = np.searchsorted(sorted_codes, [code, code + 1])
            m[docs[lo:hi]] = True
        return m


def _ranked(codes: np.ndarray, values: list[str] | None) -> list[tuple[str | int, int]]:
    """Distinct non-negative codes decoded through ``values`` (None: the code is the value),
    by count, ties in order of first appearance."""
    codes = np.asarray(codes, dtype=np.int64)
    uniq, first, counts = np.unique(codes, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    return [
        (int(uniq[i]) if values is None else values[uniq[i]], int(counts[i]))
        for i in order
        if uniq[i] >= 0
    ]


# The per-document arrays saved as they are (the place and theme columns add their own two).
_ARRAYS = ("report_code", "level", "doc_type", "role", "year", "alive")


class DocTable:
    def __init__(self) -> None:
        self.passage_ids: list[str] = []
        self.report_ids: list[str] = []
        self.dup_groups: list[str | None] = []
        self._reports = _Codes()
        self._levels = _Codes()
        self._doc_types = _Codes()
        self._roles = _Codes()
        self.places = _ListColumn()  # jurisdiction path, broadest first
        self.themes = _ListColumn()
        self.report_code = np.zeros(0, dtype=np.int32)
        self.level = np.zeros(0, dtype=np.int16)
        self.doc_type = np.zeros(0, dtype=np.int16)
        self.role = np.zeros(0, dtype=np.int16)
        self.year = np.zeros(0, dtype=np.int16)
        self.alive = np.zeros(0, dtype=bool)
        self._by_passage: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.passage_ids)

    @property
    def n_alive(self) -> int:
        return int(self.alive.sum())

    def append(self, rows: list[DocRow]) -> np.ndarray:
        """Add rows; returns their new document ids."""
        start = len(self.passage_ids)
        ids = np.arange(start, start + len(rows), dtype=np.int64)
        self.passage_ids += [r.passage_id for r in rows]
        self.report_ids += [r.report_id for r in rows]
        self.dup_groups += [r.dup_group for r in rows]
        cat = np.concatenate
        self.report_code = cat(
            [
                self.report_code,
                np.array([self._reports.code(r.report_id) for r in rows], dtype=np.int32),
            ]
        )
        self.level = cat(
            [self.level, np.array([self._levels.code(r.level) for r in rows], dtype=np.int16)]
        )
        self.doc_type = cat(
            [
                self.doc_type,
                np.array([self._doc_types.code(r.doc_type) for r in rows], dtype=np.int16),
            ]
        )
        self.role = cat(
            [self.role, np.array([self._roles.code(r.section_role) for r in rows], dtype=np.int16)]
        )
        self.year = cat(
            [self.year, np.array([r.year or UNKNOWN_YEAR for r in rows], dtype=np.int16)]
        )
        self.alive = cat([self.alive, np.ones(len(rows), dtype=bool)])
        self.places.append([r.places for r in rows])
        self.themes.append([r.themes for r in rows])
        self._by_passage = None
        return ids

    def kill(self, doc_ids: np.ndarray) -> None:
        self.alive[doc_ids] = False

    def doc_id(self, passage_id: str) -> int | None:
        if self._by_passage is None:
            self._by_passage = {p: i for i, p in enumerate(self.passage_ids) if self.alive[i]}
        return self._by_passage.get(passage_id)

    def facet_values(self, doc_id: int) -> FacetValues:
        """jurisdiction (most specific place), level, year, doc_type, section_role."""
        places = self.places.values_of(doc_id)
        year = int(self.year[doc_id])
        return {
            "jurisdiction": places[-1] if places else None,
            "level": self._value(self._levels, self.level[doc_id]),
            "year": year if year != UNKNOWN_YEAR else None,
            "doc_type": self._value(self._doc_types, self.doc_type[doc_id]),
            "section_role": self._value(self._roles, self.role[doc_id]),
        }

    @staticmethod
    def _value(codes: _Codes, code: int) -> str | None:
        return codes.values[code] if code >= 0 else None

    def roles_of(self, doc_ids: Sequence[int]) -> list[str | None]:
        """Section role of each document, in one array lookup."""
        values = self._roles.values
        return [values[c] if c >= 0 else None for c in self.role[np.asarray(doc_ids, np.int64)]]

    def facet_counts(self, doc_ids: Sequence[int]) -> dict[str, list[tuple[str | int, int]]]:
        """For each facet (jurisdiction, level, year, doc_type, section_role, theme) the
        values among ``doc_ids`` with their counts, most frequent first and ties in order of
        first appearance (as ``Counter.most_common``); unknown values left out. Counted on
        the code arrays: a page counts some 400 candidates."""
        ids = np.asarray(doc_ids, dtype=np.int64)
        if not ids.size:
            return {name: [] for name in FACET_NAMES}
        lo, hi = self.places.offsets[ids], self.places.offsets[ids + 1]
        last_place = np.where(hi > lo, self.places.codes[np.maximum(hi - 1, 0)], -1)
        t_lo, t_hi = self.themes.offsets[ids], self.themes.offsets[ids + 1]
        lengths = t_hi - t_lo
        starts = np.repeat(t_lo - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        theme_codes = self.themes.codes[starts + np.arange(int(lengths.sum()))]
        return {
            "jurisdiction": _ranked(last_place, self.places.dictionary.values),
            "level": _ranked(self.level[ids], self._levels.values),
            "year": _ranked(np.where(self.year[ids] == UNKNOWN_YEAR, -1, self.year[ids]), None),
            "doc_type": _ranked(self.doc_type[ids], self._doc_types.values),
            "section_role": _ranked(self.role[ids], self._roles.values),
            "theme": _ranked(theme_codes, self.themes.dictionary.values),
        }

    def doc_ids_of_reports(self, report_ids: set[str]) -> np.ndarray:
        """Live documents of these reports (an index backend deletes a report by them)."""
        codes = self._reports.lookup(tuple(report_ids))
        return np.flatnonzero(np.isin(self.report_code, codes) & self.alive)

    def themes_of(self, doc_id: int) -> list[str]:
        return self.themes.values_of(doc_id)

    def places_of(self, doc_id: int) -> list[str]:
        """The document's jurisdiction path, province first."""
        return self.places.values_of(doc_id)

    def mask(self, filters: Filters | None) -> np.ndarray:
        """Boolean mask of live documents that pass ``filters``."""
        m = self.alive.copy()
        if filters is None or filters.empty:
            return m
        if filters.jurisdiction:
            m &= self.places.mask(filters.jurisdiction)
        if filters.exclude_jurisdiction:
            m &= ~self.places.mask(filters.exclude_jurisdiction)
        for values, codes, column in (
            (filters.level, self._levels, self.level),
            (filters.doc_type, self._doc_types, self.doc_type),
            (filters.section_role, self._roles, self.role),
        ):
            if values:
                m &= np.isin(column, codes.lookup(values))
        if filters.year_from is not None:
            m &= (self.year >= filters.year_from) & (self.year != UNKNOWN_YEAR)
        if filters.year_to is not None:
            m &= (self.year <= filters.year_to) & (self.year != UNKNOWN_YEAR)
        if filters.theme:
            m &= self.themes.mask(filters.theme)
        if filters.exclude_reports:
            m &= ~np.isin(self.report_code, self._reports.lookup(filters.exclude_reports))
        return m

    # ----- persistence -----------------------------------------------------------------

    def save(self, directory: Path) -> None:
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        for column, name in ((self.places, "place"), (self.themes, "theme")):
            arrays[f"{name}_offsets"], arrays[f"{name}_codes"] = column.offsets, column.codes
        with atomic_path(directory / "doctable.npz") as tmp, tmp.open("wb") as fh:
            np.savez(fh, **arrays)
        meta = {
            "passage_ids": self.passage_ids,
            "report_ids": self.report_ids,
            "dup_groups": self.dup_groups,
            "reports": self._reports.values,
            "levels": self._levels.values,
            "doc_types": self._doc_types.values,
            "roles": self._roles.values,
            "places": self.places.dictionary.values,
            "themes": self.themes.dictionary.values,
        }
        write_text(directory / "doctable.json", json.dumps(meta, ensure_ascii=False))

    @classmethod
    def load(cls, directory: Path) -> DocTable:
        t = cls()
        arrays = np.load(directory / "doctable.npz")
        for name in _ARRAYS:
            setattr(t, name, arrays[name])
        meta = json.loads((directory / "doctable.json").read_text("utf-8"))
        t.passage_ids, t.report_ids, t.dup_groups = (
            meta["passage_ids"],
            meta["report_ids"],
            meta["dup_groups"],
        )
        t._reports, t._levels = _Codes(meta["reports"]), _Codes(meta["levels"])
        t._doc_types, t._roles = _Codes(meta["doc_types"]), _Codes(meta["roles"])
        for column, name in ((t.places, "place"), (t.themes, "theme")):
            column.dictionary = _Codes(meta[f"{name}s"])
            column.offsets = arrays[f"{name}_offsets"]
            column.codes = arrays[f"{name}_codes"]
        return t
