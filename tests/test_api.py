"""The JSON API through FastAPI's test client: contracts, errors, uploads, deletions."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from retrieval.defaults import PLACE_BOOST
from retrieval.parallel import usable_cores
from tests.conftest import copy_data

KEY = "s3cret"
AUTH = {"Authorization": f"Bearer {KEY}"}
NEW_REPORT = (
    "溧阳市总工会2021年工作总结\n2021年，溧阳市总工会围绕中心工作，扎实推进各项任务。\n"
    "一、主要做法\n一是开展“天目湖职工驿站”建设，新建驿站15个，服务环卫工人、快递员三万人次。"
    "二是推进茶叶行业工资集体协商，覆盖茶企120家。\n二、存在问题\n驿站运营经费保障不足。\n"
)


def _serve(data: Path):  # type: ignore[no-untyped-def]
    settings = Settings(data=data, api_key=KEY, max_upload_files=3, max_upload_mb=0.05)
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def client(api_data: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One server for the tests that only read (its own copy: the app keeps files open)."""
    with _serve(copy_data(api_data, tmp_path_factory.mktemp("api-read") / "data")) as c:
        yield c


@pytest.fixture
def writer(api_data: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A server on a private copy, for a test that uploads or deletes."""
    with _serve(copy_data(api_data, tmp_path / "data")) as c:
        yield c


def test_search_contract(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "送温暖", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"query", "total", "took_ms", "results", "facets"}
    assert set(body["facets"]) >= {"jurisdiction", "level", "year", "doc_type", "section_role"}
    hit = body["results"][0]
    assert set(hit) >= {
        "passage_id",
        "text",
        "highlights",
        "score",
        "section_path",
        "section_role",
        "sources",
        "explain",
        "report",
    }
    assert set(hit["report"]) >= {
        "report_id",
        "title",
        "jurisdiction",
        "jurisdiction_path",
        "level",
        "year",
        "doc_type",
        "source",
    }
    for s, e in hit["highlights"]:
        assert 0 <= s < e <= len(hit["text"])
    assert body["absent_terms"] == []
    # A word no report uses is named, so the UI can say what the results lack.
    body = client.get("/api/search", params={"q": "送温暖 火星"}).json()
    assert body["absent_terms"] == ["火星"] and body["total"] > 0
    assert body["places"] == [] and body["levels"] == []
    # A place the corpus's reports come from is understood, never called absent: its
    # reports' passages lead (天河 is in the 广州市天河区 report's path, not its text).
    body = client.get("/api/search", params={"q": "广州 法律援助"}).json()
    assert body["places"] == ["广州市"] and body["absent_terms"] == []
    assert body["results"][0]["report"]["jurisdiction_path"][:2] == ["广东省", "广州市"]
    assert body["results"][0]["explain"]["constraint"] == PLACE_BOOST


def test_search_filters_pagination_and_grouping(client: TestClient) -> None:
    page1 = client.get("/api/search", params={"q": "工会", "k": 2}).json()
    page2 = client.get("/api/search", params={"q": "工会", "k": 2, "offset": 2}).json()
    ids1 = {h["passage_id"] for h in page1["results"]}
    assert ids1 and not ids1 & {h["passage_id"] for h in page2["results"]}
    r = client.get("/api/search", params={"q": "工会", "level": "township", "k": 20}).json()
    assert r["results"] and all(h["report"]["level"] == "township" for h in r["results"])
    r = client.get(
        "/api/search", params={"q": "工会", "exclude_jurisdiction": "广东", "k": 20}
    ).json()
    assert all("广东省" not in (h["report"]["jurisdiction_path"] or []) for h in r["results"])
    r = client.get("/api/search", params={"q": "工会", "group_by": "jurisdiction"}).json()
    assert r["groups"] and len({g["jurisdiction"] for g in r["groups"]}) == len(r["groups"])


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({"q": "工" * 201}, 422, "q"),
        ({"q": ""}, 422, "q"),
        ({"q": "工会", "k": 0}, 422, "k"),
        ({"q": "工会", "k": 101}, 422, "k"),
        ({"q": "工会", "offset": -1}, 422, "offset"),
        ({"q": "工会", "level": "village"}, 400, "unknown level"),
        ({"q": "工会", "section_role": "结尾"}, 400, "section_role"),
        ({"q": "工会", "doc_type": "foo"}, 400, "doc_type"),
        ({"q": "工会", "year_from": 2020, "year_to": 2010}, 400, "year_from"),
        ({"q": "工会", "year_from": "abc"}, 422, "year_from"),
        ({"q": "工会", "group_by": "level"}, 422, "group_by"),
        ({"q": "   "}, 400, "empty"),
    ],
)
def test_bad_input_is_a_clear_json_error(client: TestClient, params, status, fragment) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/search", params=params)
    assert r.status_code == status
    err = r.json()["error"]
    assert err["code"] and fragment in err["message"]


def test_passage_context_and_similar(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "金秋助学", "k": 1}).json()["results"][0]
    ctx = client.get(f"/api/passages/{hit['passage_id']}").json()
    assert ctx["passage"]["passage_id"] == hit["passage_id"]
    assert ctx["report"]["report_id"] == hit["report"]["report_id"]
    assert ctx["before"] or ctx["after"]
    sim = client.get(f"/api/passages/{hit['passage_id']}/similar", params={"k": 5}).json()
    assert sim["results"]
    for h in sim["results"]:
        assert h["report"]["report_id"] != hit["report"]["report_id"]
        assert h["report"]["jurisdiction"] != hit["report"]["jurisdiction"]
    assert client.get("/api/passages/nope").status_code == 404
    assert client.get("/api/passages/nope/similar").status_code == 404


def test_reports_listing_and_detail(client: TestClient) -> None:
    all_reports = client.get("/api/reports", params={"limit": 100}).json()
    assert all_reports["total"] == len(all_reports["reports"]) >= 6
    gd = client.get("/api/reports", params={"jurisdiction": "廣東"}).json()
    assert gd["total"] == 2  # 狮山镇 and 天河区
    r = client.get("/api/reports", params={"level": "township", "year_from": 2019}).json()
    assert all(x["level"] == "township" and x["year"] >= 2019 for x in r["reports"])
    rid = next(x["report_id"] for x in all_reports["reports"] if x["jurisdiction"] == "天河区")
    detail = client.get(f"/api/reports/{rid}").json()
    assert detail["script"] == "traditional" and "廣州市" in detail["text"]
    for p in detail["passages"]:
        assert detail["text"][p["start"] : p["end"]] == p["text"]
    assert client.get("/api/reports/nope").json()["error"]["code"] == "not_found"
    assert client.get("/api/reports", params={"limit": 0}).status_code == 422


def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    for line in NEW_REPORT.splitlines():
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_upload_needs_the_key(writer: TestClient) -> None:
    files = {"files": ("a.txt", NEW_REPORT.encode(), "text/plain")}
    assert writer.post("/api/documents", files=files).status_code == 401
    bad = {"Authorization": "Bearer wrong"}
    assert writer.post("/api/documents", files=files, headers=bad).status_code == 401


def wait_job(client: TestClient, accepted, timeout: float = 120.0) -> dict:  # type: ignore[no-untyped-def]
    """Follow a 202's job until it ends; then wait for the server to serve its index."""
    assert accepted.status_code == 202, accepted.text
    url = accepted.json()["url"]
    assert accepted.headers["location"] == url
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"job still {job['state']} after {timeout} s")
    while client.get("/api/health").json()["status"] != "ok" and time.monotonic() < deadline:
        time.sleep(0.2)
    return job


def test_upload_adds_dedups_and_skips(writer: TestClient) -> None:
    files = [
        ("files", ("溧阳.docx", _docx_bytes(), "application/octet-stream")),
        ("files", ("repost.txt", NEW_REPORT.encode("gbk"), "text/plain")),
        ("files", ("empty.txt", b"", "text/plain")),
    ]
    r = writer.post("/api/documents", files=files, headers=AUTH)
    assert [f["status"] for f in r.json()["files"]] == ["queued"] * 3
    body = wait_job(writer, r)
    assert body["state"] == "done" and body["kind"] == "upload", body
    assert [f["status"] for f in body["files"]] == ["added", "duplicate", "skipped"]
    assert [f["file"] for f in body["added"]] == ["溧阳.docx"]
    assert [f["file"] for f in body["duplicates"]] == ["repost.txt"]
    assert body["skipped"][0]["file"] == "empty.txt" and "empty" in body["skipped"][0]["reason"]
    assert body["index"]["mode"] == "refreshed"
    hits = writer.get("/api/search", params={"q": "天目湖职工驿站"}).json()["results"]
    assert hits and hits[0]["report"]["jurisdiction"] == "溧阳市"
    assert len(hits[0]["sources"]) == 1


def test_upload_limits(writer: TestClient) -> None:
    many = [("files", (f"{i}.txt", b"x", "text/plain")) for i in range(4)]
    r = writer.post("/api/documents", files=many, headers=AUTH)
    assert r.status_code == 413 and "at most 3 files" in r.json()["error"]["message"]
    big = [("files", ("big.txt", "工会".encode() * 20000, "text/plain"))]
    r = writer.post("/api/documents", files=big, headers=AUTH)
    assert r.status_code == 413 and "MB" in r.json()["error"]["message"]
    assert writer.post("/api/documents", headers=AUTH).status_code == 422


def test_delete_report(writer: TestClient) -> None:
    hit = writer.get("/api/search", params={"q": "骑手驿站", "k": 1}).json()["results"][0]
    rid = hit["report"]["report_id"]
    assert writer.delete(f"/api/reports/{rid}").status_code == 401
    job = wait_job(writer, writer.delete(f"/api/reports/{rid}", headers=AUTH))
    assert job["state"] == "done" and job["report_id"] == rid and job["index"]["removed"] > 0
    assert writer.get(f"/api/reports/{rid}").status_code == 404
    after = writer.get("/api/search", params={"q": "骑手驿站", "k": 10}).json()["results"]
    assert all(h["report"]["report_id"] != rid for h in after)
    assert writer.delete(f"/api/reports/{rid}", headers=AUTH).status_code == 404


def test_health_and_disabled_writes(tmp_path: Path, client: TestClient) -> None:
    h = client.get("/api/health").json()
    assert h["status"] == "ok" and h["index_type"] == "flat"
    assert h["embedder"]["setting"] == "corpus-static" and h["counts"]["reports"] >= 6
    # no key configured: write endpoints are disabled, not open
    with TestClient(create_app(Settings(data=tmp_path / "empty"))) as c:
        r = c.post("/api/documents", files={"files": ("a.txt", b"x", "text/plain")})
        assert r.status_code == 403 and "JIEJIAN_API_KEY" in r.json()["error"]["message"]
        health = c.get("/api/health").json()
        assert health["status"] == "no_index" and "jiejian index" in health["problem"]
        r = c.get("/api/search", params={"q": "工会"})
        assert r.status_code == 503 and "jiejian index" in r.json()["error"]["message"]


def test_openapi_and_ui_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {
        "/api/search",
        "/api/passages/{passage_id}",
        "/api/passages/{passage_id}/similar",
        "/api/reports",
        "/api/reports/{report_id}",
        "/api/documents",
        "/api/health",
    } <= set(spec["paths"])
    assert client.get("/docs").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text and "搜索" in page.text
    # assets by path, not by the URL this request came in on (a proxy may change the host
    # or scheme)
    assert 'href="/static/app.css"' in page.text and "://" not in page.text.split("<body")[0]


@pytest.mark.parametrize(("workers", "threads"), [(1, 2), (1000, 2), (1, 0)])
def test_the_server_shares_cores_among_its_worker_processes(
    tmp_path: Path, workers: int, threads: int
) -> None:
    settings = Settings(
        data=tmp_path / "empty", server_workers=min(workers, 64), search_threads=threads
    )
    with TestClient(create_app(settings)) as c:
        service = c.app.state.service  # type: ignore[attr-defined]
        if threads == 0:
            assert service.threads is None
        else:
            assert service.threads.cores == max(1, usable_cores() // settings.server_workers)
