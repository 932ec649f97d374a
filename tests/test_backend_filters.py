"""Filters as Milvus expressions, and the backend factory's names: pure functions, tables."""

from __future__ import annotations

import pytest

from index.backends.base import BackendError, bm25_idf
from index.backends.factory import build_key, check_kind, collection_name, milvus_uri
from index.backends.milvus_expr import both, filter_expr, literal, text_match
from index.filters import Filters


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (None, ""),
        (Filters(), ""),
        (Filters(jurisdiction=("江苏省",)), 'array_contains_any(places, ["江苏省"])'),
        (
            Filters(jurisdiction=("江苏省", "江苏"), year_from=2018),
            'array_contains_any(places, ["江苏省", "江苏"]) and year >= 2018',
        ),
        (
            Filters(exclude_jurisdiction=("浙江省",)),
            'not array_contains_any(places, ["浙江省"])',
        ),
        (Filters(level=("township", "street")), 'level in ["township", "street"]'),
        (Filters(doc_type=("工作总结",)), 'doc_type in ["工作总结"]'),
        (Filters(section_role=("存在问题",)), 'role in ["存在问题"]'),
        (Filters(year_to=2020), "(year <= 2020 and year != 0)"),
        (
            Filters(year_from=2015, year_to=2020),
            "year >= 2015 and (year <= 2020 and year != 0)",
        ),
        (Filters(theme=("relief",)), 'array_contains_any(themes, ["relief"])'),
        (Filters(exclude_reports=("r1", "r2")), 'report_id not in ["r1", "r2"]'),
    ],
)
def test_filter_expressions(filters: Filters | None, expected: str) -> None:
    assert filter_expr(filters) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [('a"b', '"a\\"b"'), ("a\\b", '"a\\\\b"'), ("工会", '"工会"')],
)
def test_literals_escape_quotes_and_backslashes(value: str, expected: str) -> None:
    assert literal(value) == expected


def test_text_match_and_conjunction() -> None:
    assert text_match("body", ["工会", "经费"]) == 'TEXT_MATCH(body, "工会 经费")'
    assert both("a", "") == "a"
    assert both("", "b") == "b"
    assert both("a", "b") == "(a) and (b)"


def test_idf_is_tantivys() -> None:
    # log(1 + (N - df + 0.5) / (df + 0.5)): rarer words weigh more, never negative
    assert bm25_idf(100, 1) > bm25_idf(100, 50) > bm25_idf(100, 100) > 0


def test_factory_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert check_kind("milvus") == "milvus"
    with pytest.raises(BackendError, match="unknown index backend"):
        check_kind("elastic")
    assert milvus_uri("", tmp_path) == str(tmp_path / "milvus.db")
    assert milvus_uri("http://h:19530", tmp_path) == "http://h:19530"
    assert build_key(1.5) == "b1500"
    assert collection_name("jiejian", "b1500", "passages") == "jiejian_b1500_passages"
    with pytest.raises(BackendError, match="not valid"):
        collection_name("bad-name", "b1", "passages")


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        ([], ("", "", "", "")),
        (["江苏省"], ("江苏省", "", "", "")),
        (["江苏省", "苏州市", "昆山市", "周市镇"], ("江苏省", "苏州市", "昆山市", "周市镇")),
    ],
)
def test_path_fields_denormalise_the_jurisdiction_path(
    places: list[str], expected: tuple[str, ...]
) -> None:
    from index.backends.milvus import path_fields

    fields = path_fields(places)
    assert tuple(fields[k] for k in ("province", "city", "county", "township")) == expected
