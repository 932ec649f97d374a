"""The service under faults and bad input: edges of the upload route, error envelopes,
page-independent totals, capacity, CORS, chunking, and an index that is damaged, stale or
published by another process while the server runs."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import CapacityLimit, create_app
from api.routes.documents import safe_name
from api.service import ChunkingError, WriteService
from api.settings import Settings
from corpus.store import CorpusStore
from index.builder import BuildReport, current_dir
from tests.conftest import copy_data
from tests.reliability.test_publish import DAMAGE, NEW, damage
from tests.test_api import wait_job

KEY = "s3cret"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def data(api_data: Path, tmp_path: Path) -> Path:
    """A private copy of the API tests' corpus, built once per session (conftest)."""
    return copy_data(api_data, tmp_path / "data")


def settings(data: Path, **kw: object) -> Settings:
    base: dict[str, object] = {
        "data": data,
        "api_key": KEY,
        "max_upload_mb": 0.5,
        "max_upload_files": 3,
        "reload_interval": 0.1,
    }
    return Settings(**(base | kw))  # type: ignore[arg-type]


def until(check, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


async def _asgi(app, headers: list[tuple[bytes, bytes]], method: str = "POST"):  # type: ignore[no-untyped-def]
    """One raw ASGI request whose body would be 300 MB: records whether it was read."""
    reads: list[int] = []
    sent: list[dict] = []

    async def receive() -> dict:
        reads.append(1)
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/api/documents",
        "raw_path": b"/api/documents",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"multipart/form-data; boundary=xyz"),
            (b"content-length", str(300 * 1024 * 1024).encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    await app(scope, receive, send)
    return sent[0]["status"], reads


def test_key_and_size_are_checked_before_the_body_is_read(data: Path) -> None:
    app = create_app(settings(data))
    with TestClient(app):
        status, reads = asyncio.run(_asgi(app, []))
        assert status == 401 and not reads
        status, reads = asyncio.run(_asgi(app, [(b"authorization", b"Bearer caf\xc3\xa9")]))
        assert status == 401 and not reads
        status, reads = asyncio.run(_asgi(app, [(b"authorization", f"Bearer {KEY}".encode())]))
        assert status == 413 and not reads


def test_malformed_keys_are_401_not_500(data: Path) -> None:
    with TestClient(create_app(settings(data))) as c:
        files = {"files": ("a.txt", b"x", "text/plain")}
        for value in ("Bearer café".encode(), b"Bearer", b"Basic \xff\xfe", b"bearer  "):
            r = c.post("/api/documents", files=files, headers={"Authorization": value})
            assert r.status_code == 401, (value, r.text)
            assert r.json()["error"]["code"] == "unauthorized"


def test_a_long_chinese_filename_is_capped_in_bytes_and_the_upload_kept(data: Path) -> None:
    name = "关于" + "工会经费收缴和送温暖活动" * 18 + "的工作总结.txt"
    assert len(name) > 200
    with TestClient(create_app(settings(data))) as c:
        r = c.post(
            "/api/documents", files={"files": (name, NEW.encode(), "text/plain")}, headers=AUTH
        )
        job = wait_job(c, r)
        assert job["state"] == "done" and job["files"][0]["status"] == "added", job
        assert job["files"][0]["file"] == name  # the user's name is reported back
        stored = list((data / "uploads").rglob("*.txt"))
        assert stored and all(len(p.name.encode()) <= 124 for p in stored)
        hits = c.get("/api/search", params={"q": "天目湖职工驿站"}).json()["results"]
        assert hits[0]["report"]["jurisdiction"] == "溧阳市"


@pytest.mark.parametrize(
    ("raw", "expect"),
    [
        ("../../etc/passwd", "passwd"),
        ("a\\b\\c.txt", "c.txt"),
        ("报告 (1).docx", "报告_1_.docx"),
        ("", "upload-0"),
        ("...", "upload-0"),
        ("名" * 100 + ".pdf", "名" * 38 + ".pdf"),
    ],
)
def test_safe_name(raw: str, expect: str) -> None:
    assert safe_name(raw, 0, 120) == expect
    assert len(safe_name(raw, 0, 120).encode()) <= 120


def test_every_error_uses_the_envelope(data: Path) -> None:
    with TestClient(create_app(settings(data))) as c:
        for r, status in (
            (c.get("/api/nowhere"), 404),
            (c.get("/no/such/page"), 404),
            (c.post("/api/search", json={}), 405),
            (c.put("/api/documents", headers=AUTH), 405),
            (c.get("/api/jobs/not-a-job"), 404),
            (c.get("/api/search", params={"q": ""}), 422),
            (
                c.post(
                    "/api/documents",
                    files={"files": ("big.txt", b"x" * 600_000, "text/plain")},
                    headers=AUTH,
                ),
                413,
            ),
        ):
            assert r.status_code == status, r.text
            body = r.json()
            assert set(body) == {"error"} and body["error"]["message"], body


def test_total_does_not_depend_on_the_page(data: Path) -> None:
    with TestClient(create_app(settings(data))) as c:
        totals = set()
        for k, offset in ((10, 0), (3, 0), (5, 10), (10, 40), (100, 0)):
            r = c.get("/api/search", params={"q": "工会 职工", "k": k, "offset": offset}).json()
            totals.add(r["total"])
        assert len(totals) == 1 and totals.pop() > 10
        first = c.get("/api/search", params={"q": "工会 职工", "k": 5}).json()
        assert first["has_more"] is True


def test_cors_is_same_origin_unless_configured(data: Path) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    with TestClient(create_app(settings(data))) as c:
        r = c.get("/api/health", headers=origin)
        assert "access-control-allow-origin" not in r.headers
    s = settings(data, cors_origins=["https://elsewhere.example"])
    with TestClient(create_app(s)) as c:
        r = c.get("/api/health", headers=origin)
        assert r.headers["access-control-allow-origin"] == "https://elsewhere.example"


def test_over_capacity_answers_503_with_retry_after_at_once() -> None:
    gate = asyncio.Event()

    async def slow(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await gate.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limited = CapacityLimit(slow, limit=2)

    async def call(path: str) -> tuple[int, dict[bytes, bytes], float]:
        out: list[dict] = []

        async def send(m: dict) -> None:
            out.append(m)

        async def receive() -> dict:
            return {"type": "http.request", "body": b""}

        t0 = time.perf_counter()
        await limited({"type": "http", "path": path}, receive, send)
        return out[0]["status"], dict(out[0].get("headers", [])), time.perf_counter() - t0

    async def main() -> list[tuple[int, dict[bytes, bytes], float]]:
        busy = [asyncio.create_task(call("/api/search")) for _ in range(2)]
        await asyncio.sleep(0.05)
        over = await call("/api/search")
        health = asyncio.create_task(call("/api/health"))
        await asyncio.sleep(0.05)
        gate.set()
        return [over, *(await asyncio.gather(*busy, health))]

    over, a, b, health = asyncio.run(main())
    assert over[0] == 503 and over[1][b"retry-after"] == b"1" and over[2] < 0.05
    assert a[0] == b[0] == health[0] == 200


def test_chunking_is_a_property_of_the_store(data: Path, tmp_path: Path) -> None:
    (tmp_path / "new.txt").write_text(NEW, "utf-8")
    writer = WriteService(settings(data, chunk_min_chars=200, chunk_max_chars=600))
    with CorpusStore(data) as store:
        store.set_meta("chunking", "150-400")  # what the fixture's ingest used
    with pytest.raises(ChunkingError, match=r"150-400.*200-600"):
        writer.ingest([tmp_path / "new.txt"])
    # the index compares against the store's chunking: no rebuild for a settings change
    assert writer.config().chunk_min_chars == 150
    assert writer.index().mode == "unchanged"


def _index(writer: WriteService) -> BuildReport:
    return writer.index()  # plain `jiejian index` detects the damage too


def _repair(writer: WriteService) -> BuildReport:
    problems, report = writer.repair()  # `jiejian index --repair`
    assert problems
    return report


# A garbled tantivy segment is found by the full check (--repair), not by the quick one.
FIX = {kind: _repair if kind == "garbled tantivy" else _index for kind in DAMAGE}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_index_keeps_the_server_up_and_index_repairs_it(data: Path, kind: str) -> None:
    published = current_dir(data)
    assert published is not None
    where, how = DAMAGE[kind]
    damage(where(published), how)
    with TestClient(create_app(settings(data))) as c:
        h = c.get("/api/health").json()
        assert h["status"] == "degraded" and "jiejian index" in h["problem"], h
        r = c.get("/api/search", params={"q": "送温暖"})
        assert r.status_code == 503 and "jiejian index" in r.json()["error"]["message"]
        assert c.get("/static/app.css").status_code == 200
        assert c.get("/api/reports").status_code == 200  # the store still reads
        report = FIX[kind](WriteService(settings(data)))
        assert report.mode == "built"
        until(lambda: c.get("/api/health").json()["status"] == "ok")
        assert c.get("/api/search", params={"q": "送温暖"}).json()["results"]


def test_an_index_published_by_the_cli_is_picked_up(data: Path, tmp_path: Path) -> None:
    (tmp_path / "new.txt").write_text(NEW, "utf-8")
    with TestClient(create_app(settings(data))) as c:
        before = c.get("/api/search", params={"q": "天目湖职工驿站"}).json()["results"]
        assert all(h["report"]["jurisdiction"] != "溧阳市" for h in before)
        writer = WriteService(settings(data))
        writer.ingest([tmp_path / "new.txt"], workers=1)
        # stored, not yet indexed: health must not say ok
        until(lambda: c.get("/api/health").json()["waiting_reports"] == 1)
        assert c.get("/api/health").json()["status"] == "degraded"
        writer.index()
        until(lambda: c.get("/api/health").json()["status"] == "ok")
        hits = c.get("/api/search", params={"q": "天目湖职工驿站"}).json()["results"]
        assert hits[0]["report"]["jurisdiction"] == "溧阳市"


def test_health_is_not_ok_between_the_watchers_checks(data: Path, tmp_path: Path) -> None:
    """Reports stored (and even indexed) after the watcher's last check: health must not
    say ok until the server serves them, however long the watcher sleeps."""
    (tmp_path / "new.txt").write_text(NEW, "utf-8")
    with TestClient(create_app(settings(data, reload_interval=60))) as c:
        assert c.get("/api/health").json()["status"] == "ok"
        writer = WriteService(settings(data))
        writer.ingest([tmp_path / "new.txt"], workers=1)
        writer.index()  # published, but this server has not looked since it started
        h = c.get("/api/health").json()
        assert h["status"] == "degraded" and h["waiting_reports"] == 1, h


def test_reports_stored_but_not_indexed_are_indexed_at_start(data: Path, tmp_path: Path) -> None:
    """A writer killed between the ingest commit and the index publish."""
    (tmp_path / "new.txt").write_text(NEW, "utf-8")
    WriteService(settings(data)).ingest([tmp_path / "new.txt"], workers=1)
    with TestClient(create_app(settings(data))) as c:
        h = c.get("/api/health").json()
        assert h["status"] != "ok" or h["waiting_reports"] == 0
        until(lambda: c.get("/api/health").json()["status"] == "ok", timeout=120)
        hits = c.get("/api/search", params={"q": "天目湖职工驿站"}).json()["results"]
        assert hits[0]["report"]["jurisdiction"] == "溧阳市"


def test_jobs_run_in_order_and_reads_continue(data: Path) -> None:
    with TestClient(create_app(settings(data))) as c:
        rid = c.get("/api/search", params={"q": "骑手驿站", "k": 1}).json()["results"][0]
        rid = rid["report"]["report_id"]
        up = c.post(
            "/api/documents", files={"files": ("n.txt", NEW.encode(), "text/plain")}, headers=AUTH
        )
        de = c.delete(f"/api/reports/{rid}", headers=AUTH)
        assert up.status_code == de.status_code == 202
        assert c.get("/api/search", params={"q": "送温暖"}).status_code == 200
        first, second = wait_job(c, up), wait_job(c, de)
        assert first["state"] == second["state"] == "done"
        assert first["finished_at"] <= second["started_at"]
        assert c.get(f"/api/reports/{rid}").status_code == 404


def test_finished_jobs_are_pruned_after_a_month(data: Path) -> None:
    from api.jobs import JobStore

    jobs = JobStore(data)
    old = jobs.create("index", state="done", finished_at=time.time() - 31 * 86400)
    recent = jobs.create("index", state="done", finished_at=time.time() - 86400)
    waiting = jobs.create("index")
    assert jobs.prune() == 1
    assert jobs.get(old["id"]) is None
    assert jobs.get(recent["id"]) is not None and jobs.get(waiting["id"]) is not None
