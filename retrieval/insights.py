"""Themes and trends for researchers: which themes appear where, and how they move."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

from corpus.themes import Theme, default_taxonomy
from index.bundle import DocView

BUCKETS = ("year", "level", "region")


def _report_rows(table: DocView, doc_ids: np.ndarray) -> dict[str, dict[str, Any]]:
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
                "jurisdiction": v["jurisdiction"],
            }
    return out


def themes_overview(
    table: DocView, docs: np.ndarray, taxonomy: tuple[Theme, ...] | None = None
) -> list[dict[str, Any]]:
    """Per theme of ``taxonomy`` (default: the packaged one): reports with at least one
    passage of that theme among ``docs`` (the passages under the filters), by year and by
    level."""
    reports_of: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        for theme in table.themes_of(int(d)):
            reports_of[theme].add(table.report_ids[d])
    rows = _report_rows(table, docs)
    out = []
    for t in taxonomy or default_taxonomy():
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


def trend(
    table: DocView,
    doc_ids: np.ndarray,
    by: str,
    base_ids: np.ndarray | None = None,
    years: tuple[int | None, int | None] = (None, None),
) -> list[dict[str, Any]]:
    """Matching reports per bucket (year ascending; level and region by count), each with
    ``total`` (reports in that bucket among ``base_ids``, the corpus under the filters) and
    ``share`` = count / total. By year, every year of the range is a bucket, zeros included:
    a gap in the reports is information, not something to hide. The range is the filter's
    ``years`` where given, else the years the base reports span."""
    if by not in BUCKETS:
        raise ValueError(f"by must be one of {', '.join(BUCKETS)}")
    counts = Counter(
        row[by] for row in _report_rows(table, doc_ids).values() if row[by] is not None
    )
    base = _report_rows(table, base_ids if base_ids is not None else doc_ids)
    totals = Counter(row[by] for row in base.values() if row[by] is not None)
    if by == "year":
        known = [y for y in totals if y] or [y for y in counts if y]
        lo = years[0] if years[0] is not None else min(known, default=None)
        hi = years[1] if years[1] is not None else max(known, default=None)
        keys: list[Any] = list(range(lo, hi + 1)) if lo is not None and hi is not None else []
        keys = keys if len(keys) <= 200 else sorted(counts)  # a silly range: only real years
    else:
        keys = [k for k, _ in counts.most_common()]
    out = []
    for k in keys:
        n, total = counts.get(k, 0), totals.get(k, 0)
        out.append(
            {
                "bucket": k,
                "count": n,
                "total": total,
                "share": round(n / total, 4) if total else 0.0,
            }
        )
    return out


def report_facets(table: DocView, docs: np.ndarray) -> dict[str, list[dict[str, Any]]]:
    """Reports (not passages) of ``docs`` (the passages under the filters), counted by
    place, level and year: what the 报告库 view lists beside the reports."""
    rows = _report_rows(table, docs)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, key in (("jurisdiction", "jurisdiction"), ("level", "level"), ("year", "year")):
        c = Counter(r[key] for r in rows.values() if r[key] is not None)
        items = sorted(c.items(), reverse=True) if name == "year" else c.most_common()
        out[name] = [{"value": v, "count": n} for v, n in items]
    return out
