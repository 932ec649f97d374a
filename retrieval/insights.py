"""Themes and trends for researchers: which themes appear where, and how they move."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

from corpus.themes import default_taxonomy
from index.doctable import DocTable
from index.filters import Filters

BUCKETS = ("year", "level", "region")


def _report_rows(table: DocTable, doc_ids: np.ndarray) -> dict[str, dict[str, Any]]:
    """One row per report among ``doc_ids``: year, level, region (province)."""
    out: dict[str, dict[str, Any]] = {}
    for d in doc_ids:
        rid = table.report_ids[d]
        if rid not in out:
            v = table.facet_values(int(d))
            places = table.places_of(int(d))
            out[rid] = {
                "year": v["year"],
                "level": v["level"],
                "region": places[0] if places else None,
            }
    return out


def themes_overview(table: DocTable, filters: Filters | None) -> list[dict[str, Any]]:
    """Per theme: reports with at least one passage of that theme, by year and by level."""
    mask = table.mask(filters)
    reports_of: dict[str, set[str]] = defaultdict(set)
    docs = np.flatnonzero(mask)
    for d in docs:
        for theme in table.themes_of(int(d)):
            reports_of[theme].add(table.report_ids[d])
    rows = _report_rows(table, docs)
    out = []
    for t in default_taxonomy():
        rids = reports_of.get(t.theme_id, set())
        by_year = Counter(rows[r]["year"] for r in rids if rows[r]["year"] is not None)
        by_level = Counter(rows[r]["level"] for r in rids if rows[r]["level"] is not None)
        out.append(
            {
                "theme_id": t.theme_id,
                "name": t.name,
                "description": t.description,
                "count": len(rids),
                "by_year": [{"year": y, "count": n} for y, n in sorted(by_year.items())],
                "by_level": [{"level": lv, "count": n} for lv, n in by_level.most_common()],
            }
        )
    return out


def trend(table: DocTable, doc_ids: np.ndarray, by: str) -> list[dict[str, Any]]:
    """Matching reports per bucket (year ascending; level and region by count)."""
    if by not in BUCKETS:
        raise ValueError(f"by must be one of {', '.join(BUCKETS)}")
    counts = Counter(
        row[by] for row in _report_rows(table, doc_ids).values() if row[by] is not None
    )
    items = sorted(counts.items()) if by == "year" else counts.most_common()
    return [{"bucket": k, "count": n} for k, n in items]
