"""Filters as Milvus boolean expressions (pure: tested with tables, no engine needed).

The jurisdiction path is an ARRAY field (``places``): a place filter matches anywhere on a
report's path, as in the local doc table, through ``array_contains_any``. Unknown years are
stored as 0 and never pass a year bound, as locally.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from index.filters import Filters

UNKNOWN_YEAR = 0


def literal(value: str) -> str:
    """A Milvus string literal: double-quoted, JSON escapes (quotes, backslashes)."""
    return json.dumps(value, ensure_ascii=False)


def literals(values: Iterable[str]) -> str:
    return "[" + ", ".join(literal(v) for v in values) + "]"


def filter_expr(f: Filters | None) -> str:
    """The expression that keeps exactly the documents passing ``f`` ("" = all)."""
    if f is None or f.empty:
        return ""
    parts: list[str] = []
    if f.jurisdiction:
        parts.append(f"array_contains_any(places, {literals(f.jurisdiction)})")
    if f.exclude_jurisdiction:
        parts.append(f"not array_contains_any(places, {literals(f.exclude_jurisdiction)})")
    for field, values in (
        ("level", f.level),
        ("doc_type", f.doc_type),
        ("role", f.section_role),
    ):
        if values:
            parts.append(f"{field} in {literals(values)}")
    if f.year_from is not None:
        parts.append(f"year >= {int(f.year_from)}")
    if f.year_to is not None:
        parts.append(f"(year <= {int(f.year_to)} and year != {UNKNOWN_YEAR})")
    if f.theme:
        parts.append(f"array_contains_any(themes, {literals(f.theme)})")
    if f.exclude_reports:
        parts.append(f"report_id not in {literals(f.exclude_reports)}")
    return " and ".join(parts)


def text_match(field: str, tokens: Iterable[str]) -> str:
    """Documents holding any of ``tokens`` in ``field`` (Milvus TEXT_MATCH is an OR)."""
    return f"TEXT_MATCH({field}, {literal(' '.join(tokens))})"


def both(a: str, b: str) -> str:
    if a and b:
        return f"({a}) and ({b})"
    return a or b
