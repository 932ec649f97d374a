"""Filter masks over list-valued columns (jurisdiction path, themes) against brute force,
across appends and a save/load round trip."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from index.doctable import FACET_NAMES, DocRow, DocTable
from index.filters import Filters

ROWS = [
    ("p1", ["江苏省", "苏州市", "吴江区"], ["relief", "wages"]),
    ("p2", ["江苏省", "南京市"], []),
    ("p3", [], ["relief"]),
    ("p4", ["浙江省", "杭州市", "余杭区"], ["new_forms"]),
    ("p5", ["浙江省"], ["wages", "new_forms"]),
]


def _row(pid: str, places: list[str], themes: list[str]) -> DocRow:
    return DocRow(pid, f"r-{pid}", "镇街", None, "做法", 2020, places, None, themes)


def _table() -> DocTable:
    t = DocTable()
    t.append([_row(*r) for r in ROWS[:3]])
    t.mask(Filters(jurisdiction=("江苏省",), theme=("relief",)))  # builds the inverted lists
    t.append([_row(*r) for r in ROWS[3:]])
    return t


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(jurisdiction=("江苏省",)), {"p1", "p2"}),
        (Filters(jurisdiction=("杭州市", "南京市")), {"p2", "p4"}),
        (Filters(exclude_jurisdiction=("浙江省",)), {"p1", "p2", "p3"}),
        (Filters(jurisdiction=("无此地",)), set()),
        (Filters(theme=("relief",)), {"p1", "p3"}),
        (Filters(theme=("wages", "new_forms")), {"p1", "p4", "p5"}),
        (Filters(theme=("new_forms",), jurisdiction=("余杭区",)), {"p4"}),
        (Filters(theme=("无此主题",)), set()),
    ],
)
def test_list_column_masks(filters: Filters, expected: set[str], tmp_path: Path) -> None:
    for table in (_table(), _reloaded(tmp_path)):
        hits = {table.passage_ids[i] for i in np.flatnonzero(table.mask(filters))}
        assert hits == expected


def _reloaded(tmp_path: Path) -> DocTable:
    _table().save(tmp_path)
    return DocTable.load(tmp_path)


def test_places_themes_and_facets_per_document(tmp_path: Path) -> None:
    t = _reloaded(tmp_path)
    assert t.places_of(0) == ["江苏省", "苏州市", "吴江区"]
    assert t.themes_of(4) == ["wages", "new_forms"]
    assert t.facet_values(0)["jurisdiction"] == "吴江区"
    assert t.facet_values(2)["jurisdiction"] is None
    assert t.places_of(2) == [] and t.themes_of(1) == []


def _facets_one_by_one(t: DocTable, ids: list[int]) -> dict[str, list[tuple[object, int]]]:
    """What facet_counts replaces: a Counter fed one document at a time."""
    counts: dict[str, Counter[object]] = {name: Counter() for name in FACET_NAMES}
    for d in ids:
        for name, value in t.facet_values(d).items():
            counts[name][value] += 1
        for theme in t.themes_of(d):
            counts["theme"][theme] += 1
    return {n: [(v, k) for v, k in c.most_common() if v is not None] for n, c in counts.items()}


@pytest.mark.parametrize("ids", [[0, 1, 2, 3, 4], [4, 3, 0], [2], [1, 1, 4], []])
def test_facet_counts_equal_counting_one_by_one(ids: list[int], tmp_path: Path) -> None:
    t = _reloaded(tmp_path)
    t.append([DocRow("p6", "r-p6", None, "报告", "问题", None, [], None, [])])
    ids = [*ids, 5] if ids else ids
    assert t.facet_counts(ids) == _facets_one_by_one(t, ids)
    assert t.roles_of(ids) == [t.facet_values(d)["section_role"] for d in ids]
