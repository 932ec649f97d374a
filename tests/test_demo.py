"""The shipped demo corpus is what the first README command serves: keep it honest."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.pipeline import ingest
from corpus.script import to_simplified
from corpus.store import CorpusStore

DEMO = Path(__file__).resolve().parents[1] / "demo" / "corpus"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> CorpusStore:
    store = CorpusStore(tmp_path_factory.mktemp("demo"))
    summary = ingest([DEMO], store)
    assert summary.skipped == []
    return store


def test_demo_breadth(demo_store: CorpusStore) -> None:
    reports = list(demo_store.iter_reports())
    assert len(reports) >= 30
    assert len({r.jurisdiction for r in reports if r.jurisdiction}) >= 20
    assert {r.level for r in reports} >= {
        "township",
        "street",
        "county",
        "city",
        "province",
        "enterprise",
        "agency",
    }
    assert len({r.year for r in reports if r.year}) >= 6
    assert {r.script for r in reports} >= {"simplified", "traditional"}
    formats = {Path(s["path"]).suffix for r in reports for s in r.sources}
    assert formats >= {".txt", ".html", ".docx", ".pdf"}
    assert all(r.title and r.doc_type for r in reports)


def test_demo_repost_is_collapsed(demo_store: CorpusStore) -> None:
    (sanhe,) = [r for r in demo_store.iter_reports() if r.jurisdiction == "三河镇"]
    assert sorted(Path(s["path"]).name for s in sanhe.sources) == ["sanhe.txt", "sanhe_repost.html"]


def test_demo_noise_removed(demo_store: CorpusStore) -> None:
    noise = [
        "http",
        "www",
        "好范文",
        "公文写作网",
        "广告",
        "温馨提示",
        "下载",
        "客服",
        "以下是为您",
        "蜘蛛池",
        "无码",
        "根底",
        "效劳",
        "原那么",
        "〞",
        "相关文章",
        "版权所有",
        "发布时间",
    ]
    for p in demo_store.iter_passages():
        simp = to_simplified(p.text)
        assert not [n for n in noise if n in simp], p.text


def test_demo_layout_repairs(demo_store: CorpusStore) -> None:
    by_source = {Path(r.source).name: r for r in demo_store.iter_reports()}
    assert (
        by_source["qinzhou_wrapped.txt"].title == "天水市秦州区总工会2018年困难职工解困脱困工作总结"
    )
    oneline = by_source["pingyao_oneline.txt"]
    assert oneline.title == "平遥县总工会2021年工作总结"
    roles = [p.section_role for p in demo_store.passages_of(oneline.report_id)]
    assert "存在问题" in roles and "下一步打算" in roles
    assert by_source["tianhe_big5.txt"].script == "traditional"
