"""Filter masks over list-valued columns (jurisdiction path, themes) against brute force,
across appends and a save/load round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.doctable import DocRow, DocTable
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
