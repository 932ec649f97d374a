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


# Year buckets cover every year of the range, zeros included (gaps stay visible); level and
# region buckets are only those with reports.
LEAST_COUNT = {"year": 0, "level": 1, "region": 1}


@pytest.mark.parametrize("by", ["year", "level", "region"])
def test_trends(client: TestClient, by: str) -> None:
    body = client.get("/api/trends", params={"theme": "relief", "by": by}).json()
    assert body["buckets"] and any(b["count"] >= 1 for b in body["buckets"])
    for b in body["buckets"]:
        assert 0 <= b["count"] <= b["total"] and b["share"] == pytest.approx(
            b["count"] / b["total"] if b["total"] else 0.0, abs=1e-4
        )
    assert min(b["count"] for b in body["buckets"]) >= LEAST_COUNT[by]
    q = client.get("/api/trends", params={"q": "送温暖", "by": by}).json()
    assert q["buckets"]
    assert client.get("/api/trends", params={"by": by}).status_code == 400


def test_trends_by_year_keep_every_year(client: TestClient) -> None:
    body = client.get("/api/trends", params={"theme": "relief", "by": "year"}).json()
    years = [b["bucket"] for b in body["buckets"]]
    assert years == list(range(years[0], years[-1] + 1))
    ranged = client.get(
        "/api/trends", params={"theme": "relief", "by": "year", "year_from": 2000, "year_to": 2030}
    ).json()["buckets"]
    assert [b["bucket"] for b in ranged] == list(range(2000, 2031))
    assert ranged[0]["count"] == 0 and ranged[0]["share"] == 0.0


def test_reports_come_with_counts(client: TestClient) -> None:
    body = client.get("/api/reports", params={"limit": 5}).json()
    facets = body["facets"]
    assert set(facets) == {"jurisdiction", "level", "year"}
    assert sum(f["count"] for f in facets["level"]) <= body["total"]
    level = facets["level"][0]["value"]
    only = client.get("/api/reports", params={"level": level, "limit": 200}).json()
    assert only["total"] == facets["level"][0]["count"]
    assert {f["value"] for f in only["facets"]["level"]} == {level}


def test_sort_by_date(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "工会经费", "k": 20, "sort": "date"}).json()
    years = [h["report"]["year"] or 0 for h in body["results"]]
    assert years == sorted(years, reverse=True)
    assert client.get("/api/search", params={"q": "工会", "sort": "title"}).status_code == 422


def test_nonsense_is_empty_everywhere(client: TestClient) -> None:
    q = "火星探测器发射"
    assert client.get("/api/search", params={"q": q}).json()["total"] == 0
    assert client.get("/api/practices", params={"q": q}).json()["groups"] == []
    buckets = client.get("/api/trends", params={"q": q, "by": "level"}).json()["buckets"]
    assert buckets == []


def test_practice_cards_are_not_padded(client: TestClient) -> None:
    body = client.get("/api/practices", params={"q": "职工书屋", "k": 20}).json()
    sizes = [len(g["practices"]) for g in body["groups"]]
    assert sizes and min(sizes) < 3  # a card lists what matches, not three of anything
    for g in body["groups"]:
        for p in g["practices"]:
            assert p["highlights"], p["text"]  # every listed practice shows its evidence


def test_swagger_ui_is_served_locally(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    js = client.get("/docs-assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert client.get("/docs-assets/swagger-ui.css").status_code == 200
    assert client.get("/docs-assets/../app.py").status_code == 404


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
    assert paras[0] == "素材篮" and paras[1].startswith("导出日期：")
    assert paras[2] == hit["text"].strip() and paras[3].startswith("——")
    r_ = hit["report"]
    # 发文单位《标题》（年份）: no place-path separators, no file names
    assert f"《{r_['title']}》（{r_['year'] or '年份不详'}" in paras[3]
    assert r_["issuer"] and paras[3].startswith(f"——{r_['issuer']}《")  # the API's issuer
    assert "›" not in paras[3] and "来源" not in paras[3]
    assert paras[4] == practice["text"].strip() and card["groups"][0]["title"] in paras[5]
    section = doc.sections[0]
    assert abs(section.page_width.mm - 210) < 1 and abs(section.page_height.mm - 297) < 1  # A4
    body_font = doc.styles["Normal"].element.rPr.rFonts
    assert "仿宋" in body_font.xml  # East Asian font set, not only the Latin one
    withq = client.post("/api/export", json={"items": items, "format": "docx", "query": "送温暖"})
    qparas = [p.text for p in docx.Document(io.BytesIO(withq.content)).paragraphs if p.text]
    assert qparas[1] == "检索词：送温暖" and qparas[2].startswith("导出日期：")
    md = client.post("/api/export", json={"items": items, "format": "md"}).text
    assert md.startswith("# 素材篮") and md.count("——") == 2
    csv_text = client.post("/api/export", json={"items": items, "format": "csv"}).content
    assert csv_text.decode("utf-8-sig").splitlines()[0].startswith("序号,类型,编号,内容")
    bad = client.post("/api/export", json={"items": [{"passage_id": "nope"}], "format": "md"})
    assert bad.status_code == 400
    assert client.post("/api/export", json={"items": [], "format": "md"}).status_code == 422
    assert client.post("/api/export", json={"items": items, "format": "pdf"}).status_code == 422


def test_docx_renders_on_a4_with_chinese_text(client: TestClient, tmp_path: Path) -> None:
    """The export opened by a real word processor (LibreOffice, when installed)."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    import pypdf

    hit = client.get("/api/search", params={"q": "困难职工", "k": 1}).json()["results"][0]
    body = {"items": [{"passage_id": hit["passage_id"]}], "format": "docx", "query": "困难职工"}
    (tmp_path / "e.docx").write_bytes(client.post("/api/export", json=body).content)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), "e.docx"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=180,
    )
    page = pypdf.PdfReader(str(tmp_path / "e.pdf")).pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 210
    assert round(float(page.mediabox.height) / 72 * 25.4) == 297
    text = page.extract_text()
    assert "检索词：困难职工" in text and "《" in text


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # the body a title opens with, in the title's own script
        ("北仑区港务公司工会2020年工作总结", "北仑区港务公司工会"),
        ("陆家嘴街道楼宇联合工会2022年工作总结", "陆家嘴街道楼宇联合工会"),
        ("廣州市天河區總工會2019年職工法律援助工作總結", "廣州市天河區總工會"),
        ("江阴市总工会关于农民工入会情况的调研报告", "江阴市总工会"),
        ("乡镇机关工会委员会开展会员评家工作情况自查报告", "乡镇机关工会委员会"),
        # a title that opens with what it is about
        ("关于市总工会2020年工作的报告", None),
        ("贯彻落实省总工会2021年工作要点的情况汇报", None),
        ("全省各级工会2020年工作总结", None),
        ("思禮鎮工會聯合會工作總結", "思禮鎮工會聯合會"),
        # no body at the start of the title: the metadata's place + union type answer
        ("2021年市總工會工作情況報告", None),
        ("强化乡镇工会工作促进“两个文明”建设", None),
        ("政府工作报告", None),
        ("工會工作內容總結", None),
        (None, None),
    ],
)
def test_issuer_in_title(title: str | None, body: str | None) -> None:
    from retrieval.export_docs import issuer_in_title

    assert issuer_in_title(title) == body


@pytest.mark.parametrize(
    ("title", "jurisdiction", "org_type", "expected"),
    [
        # the title names more than the metadata: its place and the unit
        ("北仑区港务公司工会2020年工作总结", "北仑区", "企业工会", "北仑区港务公司工会"),
        ("县供电公司工会2021年工作总结", None, "企业工会", "县供电公司工会"),
        # the metadata names more: a place the title leaves out
        ("乡镇机关工会委员会开展会员评家工作情况自查报告", "凤凰镇", "机关工会", "凤凰镇机关工会"),
        ("县总工会2020年工作总结", "东海县", "总工会", "东海县总工会"),
        ("政府工作报告", "云南省", None, "云南省"),
        ("工会工作总结", None, None, "发文单位不详"),
    ],
)
def test_issuer(title: str, jurisdiction: str | None, org_type: str | None, expected: str) -> None:
    from types import SimpleNamespace

    from retrieval.export_docs import issuer

    r = SimpleNamespace(title=title, jurisdiction=jurisdiction, org_type=org_type)
    assert issuer(r) == expected  # type: ignore[arg-type]
