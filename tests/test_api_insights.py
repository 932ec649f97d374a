"""Practices, themes, trends and export through the API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings


@pytest.fixture(scope="module")
def client(demo_data: Path):  # type: ignore[no-untyped-def]
    with TestClient(create_app(Settings(data=demo_data))) as c:
        yield c


def test_practice_cards(client: TestClient) -> None:
    r = client.get("/api/practices", params={"q": "工会经费收缴", "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["groups"] and body["total"] >= len(body["groups"])
    places = [(g["jurisdiction"], g["year"]) for g in body["groups"] if g["jurisdiction"]]
    assert len(places) == len(set(places))  # one card per place and year
    first = body["groups"][0]
    assert {
        "report_id",
        "title",
        "jurisdiction",
        "jurisdiction_path",
        "level",
        "year",
        "practices",
    } <= set(first)
    assert 1 <= len(first["practices"]) <= 3
    p = first["practices"][0]
    assert {"practice_id", "text", "passage_id", "section_path", "figures", "score"} <= set(p)
    texts = " ".join(x["text"] for g in body["groups"] for x in g["practices"])
    assert "经费" in texts
    assert any(x["figures"] for g in body["groups"] for x in g["practices"])
    one = client.get("/api/practices", params={"q": "送温暖", "level": "township"}).json()
    assert all(g["level"] == "township" for g in one["groups"])
    assert "relief" in {f["value"] for f in one["facets"]["theme"]}
    only = client.get("/api/practices", params={"q": "送温暖", "theme": "relief"}).json()
    assert only["groups"] and only["facets"]["theme"][0]["value"] == "relief"


def test_themes_and_theme_filter(client: TestClient) -> None:
    themes = client.get("/api/themes").json()["themes"]
    assert len(themes) >= 20
    relief = next(t for t in themes if t["theme_id"] == "relief")
    assert relief["count"] >= 3 and relief["by_year"] and relief["by_level"]
    r = client.get("/api/search", params={"q": "工作", "theme": "困难职工帮扶与送温暖"}).json()
    assert r["results"] and {"theme"} <= set(r["facets"])
    assert client.get("/api/search", params={"q": "工会", "theme": "无此主题"}).status_code == 400


@pytest.mark.parametrize("by", ["year", "level", "region"])
def test_trends(client: TestClient, by: str) -> None:
    body = client.get("/api/trends", params={"theme": "relief", "by": by}).json()
    assert body["buckets"] and all(b["count"] >= 1 for b in body["buckets"])
    if by == "year":
        years = [b["bucket"] for b in body["buckets"]]
        assert years == sorted(years)
    q = client.get("/api/trends", params={"q": "送温暖", "by": by}).json()
    assert q["buckets"]
    assert client.get("/api/trends", params={"by": by}).status_code == 400


def test_export_round_trip(client: TestClient) -> None:
    import docx

    hit = client.get("/api/search", params={"q": "送温暖", "k": 1}).json()["results"][0]
    card = client.get("/api/practices", params={"q": "工会经费收缴", "k": 1}).json()
    practice = card["groups"][0]["practices"][0]
    items = [{"passage_id": hit["passage_id"]}, {"practice_id": practice["practice_id"]}]
    r = client.post("/api/export", json={"items": items, "format": "docx"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    doc = docx.Document(io.BytesIO(r.content))
    paras = [p.text for p in doc.paragraphs if p.text.strip()]
    assert paras[0] == "素材篮"
    assert paras[1] == hit["text"].strip() and paras[2].startswith("——")
    assert hit["report"]["title"] in paras[2]
    assert paras[3] == practice["text"].strip() and card["groups"][0]["title"] in paras[4]
    md = client.post("/api/export", json={"items": items, "format": "md"}).text
    assert md.startswith("# 素材篮") and md.count("——") == 2
    csv_text = client.post("/api/export", json={"items": items, "format": "csv"}).content
    assert csv_text.decode("utf-8-sig").splitlines()[0].startswith("序号,类型,编号,内容")
    bad = client.post("/api/export", json={"items": [{"passage_id": "nope"}], "format": "md"})
    assert bad.status_code == 400
    assert client.post("/api/export", json={"items": [], "format": "md"}).status_code == 422
    assert client.post("/api/export", json={"items": items, "format": "pdf"}).status_code == 422
