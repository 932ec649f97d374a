"""Places and levels a query names (retrieval/constraints.py): pure tables, then what the
searcher does with them on the seed reports."""

from __future__ import annotations

import pytest

from corpus.script import to_simplified
from corpus.segment import boundaries
from retrieval.constraints import (
    Constraints,
    find_constraints,
    match_factors,
    matches,
    place_names,
)
from retrieval.fusion import Fused, scaled
from retrieval.searcher import Searcher

ALIASES = {"江苏省": ["江苏"], "广州市": ["广州"], "吉林省": ["吉林"], "吉林市": ["吉林"]}


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        (["江苏省"], {"江苏省": ("江苏省",), "江苏": ("江苏省",)}),
        (["广州市", "天河区"], {"广州市": ("广州市",), "广州": ("广州市",), "天河区": ("天河区",)}),
        # one short name, two places: it stands for both
        (
            ["吉林省", "吉林市"],
            {"吉林省": ("吉林省",), "吉林市": ("吉林市",), "吉林": ("吉林市", "吉林省")},
        ),
        # the country and generic unit names are words of every report, not places
        (["中国", "城区", "开发区"], {}),
        ([], {}),
    ],
)
def test_place_names(places: list[str], expected: dict[str, tuple[str, ...]]) -> None:
    assert place_names(places, ALIASES) == expected


NAMES = place_names(
    ["江苏省", "广州市", "江西省", "西安市"], {**ALIASES, "江西省": ["江西"], "西安市": ["西安"]}
)


@pytest.mark.parametrize(
    ("query", "places", "levels", "place_words", "level_words"),
    [
        ("江苏 送温暖", ("江苏省",), (), ("江苏",), ()),
        ("江苏省送温暖", ("江苏省",), (), ("江苏省",), ()),  # the longest name wins
        ("广州市总工会法律援助", ("广州市",), (), ("广州市总工会",), ()),  # its union goes with it
        ("乡镇工会存在的问题", (), ("township",), (), ("乡镇工会",)),
        ("县级工会困难职工帮扶", (), ("county",), (), ("县级工会",)),
        ("乡镇党委支持工会", (), (), (), ()),  # a level word before another noun is topic
        ("江苏乡镇工会存在的问题", ("江苏省",), ("township",), ("江苏",), ("乡镇工会",)),
        # a name must sit on word boundaries: 西安 is no place in 江西安全生产
        ("江西安全生产", ("江西省",), (), ("江西",), ()),
        ("陕西安康", (), (), (), ()),
        ("工会经费收缴", (), (), (), ()),
        ("", (), (), (), ()),
    ],
)
def test_find_constraints(
    query: str,
    places: tuple[str, ...],
    levels: tuple[str, ...],
    place_words: tuple[str, ...],
    level_words: tuple[str, ...],
) -> None:
    found = find_constraints(query, NAMES, boundaries=boundaries(query))
    assert found == Constraints(places, levels, place_words, level_words)
    assert found.empty == (not places and not levels)


@pytest.mark.parametrize(
    ("scores", "factors", "order"),
    [
        ([3.0, 2.0, 1.0], {2: 2.0}, [0, 1, 2]),  # 1.0 x 2 ties 2.0: the engines' order stays
        ([3.0, 2.0, 1.0], {2: 4.0}, [2, 0, 1]),
        ([3.0, 2.0, 1.0], {}, [0, 1, 2]),
        ([1.0, 1.0], {1: 1.0}, [0, 1]),  # a factor of 1 moves nothing and is not recorded
    ],
)
def test_scaled_for_constraints(
    scores: list[float], factors: dict[int, float], order: list[int]
) -> None:
    fused = [Fused(i, s, {}) for i, s in enumerate(scores)]
    out = scaled(fused, factors, "constraint")
    assert [f.doc_id for f in out] == order
    for f in out:
        moved = factors.get(f.doc_id, 1.0) != 1.0
        assert ("constraint" in f.parts) == moved
        assert f.score == scores[f.doc_id] * factors.get(f.doc_id, 1.0)


PLACES = {0: ["江苏省", "苏州市"], 1: ["广东省", "广州市"], 2: []}
LEVELS = {0: "township", 1: "county", 2: "township"}


@pytest.mark.parametrize(
    ("constraints", "matched", "factors"),
    [
        (
            Constraints(places=("江苏省",)),
            {0: (True, False), 1: (False, False), 2: (False, False)},
            {0: 2.0},
        ),
        (
            Constraints(levels=("township",)),
            {0: (False, True), 1: (False, False), 2: (False, True)},
            {0: 1.5, 2: 1.5},
        ),
        (
            Constraints(places=("江苏省",), levels=("township",)),
            {0: (True, True), 1: (False, False), 2: (False, True)},
            {0: 3.0, 2: 1.5},
        ),
        (Constraints(), {0: (False, False), 1: (False, False), 2: (False, False)}, {}),
    ],
)
def test_matches_and_factors(
    constraints: Constraints,
    matched: dict[int, tuple[bool, bool]],
    factors: dict[int, float],
) -> None:
    got = matches(PLACES, constraints, PLACES.__getitem__, LEVELS.__getitem__)
    assert got == matched
    assert match_factors(got, 2.0, 1.5) == factors


# ----- on the seed reports ---------------------------------------------------------------


def test_a_named_place_leads_and_is_not_called_absent(seed_searcher: Searcher) -> None:
    places = seed_searcher.bundle.table.places.dictionary.values
    assert "思礼镇" in places
    result = seed_searcher.search("思礼镇 存在的问题")
    assert result.places == ["思礼镇"] and result.absent == []
    assert result.hits and result.hits[0].report.jurisdiction == "思礼镇"
    assert result.hits[0].explain["constraint"] > 1
    # The place's own passages are not asked for its name, the others are.
    assert any("思礼" not in to_simplified(h.passage.text) for h in result.hits)
    q = seed_searcher.parse("思礼镇 存在的问题")
    t = seed_searcher.bundle.table
    ids = list(range(len(t.passage_ids)))
    matched = seed_searcher.constraint_matches(q, ids)
    inside = [d for d in ids if matched[d][0]]
    outside = [d for d in ids if not matched[d][0]]
    assert inside and outside
    assert {t.facet_values(d)["jurisdiction"] for d in inside} == {"思礼镇"}
    covers = seed_searcher.coverages(q, ids, seed_searcher.intent(q))
    texts = seed_searcher.texts([t.passage_ids[d] for d in outside])
    # a passage of another report without the name is asked for it and falls short
    lacking = [d for d in outside if "思礼" not in texts[t.passage_ids[d]]]
    assert lacking and all(covers[d] < 1.0 for d in lacking)
    # the same passage scores as one of 思礼镇's would without the name asked
    assert any(covers[d] == 1.0 for d in inside)


def test_a_level_beside_a_section_names_whose_sections(seed_searcher: Searcher) -> None:
    result = seed_searcher.search("乡镇工会存在的问题")
    assert result.levels == ["township"]
    top = result.hits[:3]
    assert top and all(
        h.report.level == "township" and h.passage.section_role == "存在问题" for h in top
    )
    # Without the level the same section comes from every level.
    plain = seed_searcher.search("存在的问题")
    assert {h.report.level for h in plain.hits} > {"township"}


def test_a_level_in_a_question_stays_the_topic(seed_searcher: Searcher) -> None:
    result = seed_searcher.search("乡镇工会干部怎么培训")
    assert result.levels == [] and all("constraint" not in h.explain for h in result.hits)
    # and a level word is never called absent: reports are filed by level
    topic = seed_searcher.search("县级工会困难职工帮扶")
    assert topic.levels == [] and "县级" not in topic.absent


def test_a_query_of_only_a_place_lists_its_passages(seed_searcher: Searcher) -> None:
    result = seed_searcher.search("思礼镇")
    assert result.places == ["思礼镇"]
    assert result.total > 0 and {h.report.jurisdiction for h in result.hits} == {"思礼镇"}


def test_floor_texts_end_with_the_report_title(seed_searcher: Searcher) -> None:
    store = seed_searcher.store
    passage = next(iter(store.iter_passages()))
    report = store.get_report(passage.report_id)
    assert report is not None and report.title
    text = seed_searcher.texts([passage.passage_id])[passage.passage_id]
    assert text.endswith(to_simplified(report.title).lower())


def test_the_store_names_the_places_the_index_knows(seed_searcher: Searcher) -> None:
    # Milvus mode reads the corpus's places from the store, local mode from the doc table.
    table_places = seed_searcher.bundle.table.places.dictionary.values
    assert table_places and sorted(seed_searcher.store.places()) == sorted(table_places)
