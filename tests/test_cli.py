"""The ingest and export commands, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from corpus.store import CorpusStore

runner = CliRunner()
REPORT = (
    "凤凰镇工会2019年工作总结\n2019年，凤凰镇工会认真履行职责。\n一、主要做法\n"
    "一是开展送温暖活动，慰问困难职工120户，发放慰问金6万元。二是推进集体协商。\n"
    "二、存在问题\n经费收缴难度较大。\n"
)


def test_ingest_then_export(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(REPORT, encoding="utf-8")
    (src / "bad.bin.txt").write_bytes(bytes(range(256)) * 4)
    data = tmp_path / "data"
    result = runner.invoke(app, ["ingest", str(src), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "reports added" in result.output and "binary" in result.output

    result = runner.invoke(app, ["ingest", str(src), "--data", str(data), "--json"])
    summary = json.loads(result.stdout)
    assert summary["files_unchanged"] == 1 and summary["reports_new"] == 0

    out = tmp_path / "reports.jsonl"
    result = runner.invoke(app, ["export", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (line,) = out.read_text(encoding="utf-8").splitlines()
    doc = json.loads(line)
    # the export contract as README spells it (not the store's column list)
    contract = "report_id title jurisdiction jurisdiction_path level org_type year doc_type"
    assert set(f"{contract} script source sources text passages".split()) <= set(doc)
    assert doc["title"] == "凤凰镇工会2019年工作总结" and doc["year"] == 2019
    for p in doc["passages"]:
        assert {"passage_id", "text", "section_path", "section_role", "start", "end"} <= set(p)
        assert doc["text"][p["start"] : p["end"]] == p["text"]


def test_data_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    monkeypatch.setenv("JIEJIAN_DATA", str(tmp_path / "envdata"))
    result = runner.invoke(app, ["ingest", str(tmp_path / "a.txt")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "envdata" / "corpus.sqlite3").exists()


def test_clear_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "missing"), "--data", str(tmp_path)])
    assert result.exit_code == 2 and "no such file" in result.output
    result = runner.invoke(app, ["export", "--data", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "jiejian ingest" in result.output


def test_settings_reject_bad_chunking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIEJIAN_CHUNK_MIN_CHARS", "500")
    monkeypatch.setenv("JIEJIAN_CHUNK_MAX_CHARS", "400")
    with pytest.raises(ValueError, match="CHUNK_MIN_CHARS"):
        Settings()


def test_build_search_json_and_errors(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(REPORT, encoding="utf-8")
    data = tmp_path / "data"
    result = runner.invoke(app, ["build", str(src), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "index built" in result.output
    result = runner.invoke(app, ["search", "送温暖", "--data", str(data), "--json", "-k", "3"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"query", "total", "took_ms", "results", "facets"} <= set(doc)
    hit = doc["results"][0]
    assert {
        "passage_id",
        "text",
        "highlights",
        "score",
        "section_path",
        "section_role",
        "sources",
        "explain",
        "report",
    } <= set(hit)
    assert {
        "report_id",
        "title",
        "jurisdiction",
        "jurisdiction_path",
        "level",
        "year",
        "doc_type",
        "source",
    } <= set(hit["report"])
    result = runner.invoke(app, ["search", "工" * 300, "--data", str(data)])
    assert result.exit_code == 2 and "limit is 200" in result.output
    result = runner.invoke(app, ["search", "工会", "--data", str(data), "--level", "村"])
    assert result.exit_code == 2 and "unknown level" in result.output
    result = runner.invoke(app, ["index", "--data", str(data)])
    assert result.exit_code == 0 and "unchanged" in result.output


def test_search_without_index_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    runner.invoke(app, ["ingest", str(tmp_path / "a.txt"), "--data", str(tmp_path / "d")])
    result = runner.invoke(app, ["search", "工会", "--data", str(tmp_path / "d")])
    assert result.exit_code == 2 and "jiejian index" in result.output


def test_eval_command(seed_searcher, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The command's plumbing on a dozen dev queries (tests/test_retrieval.py scores them all).
    from retrieval.evaluation import DEFAULT_DEVSET

    devset = tmp_path / "devset.jsonl"
    devset.write_text("".join(DEFAULT_DEVSET.read_text("utf-8").splitlines(True)[:12]), "utf-8")
    data = seed_searcher.store.data_dir
    result = runner.invoke(app, ["eval", "--data", str(data), "--devset", str(devset), "--json"])
    assert result.exit_code == 0, result.output
    tables = json.loads(result.stdout)["tables"]
    assert set(tables["all queries"]) == {
        "bm25",
        "bm25 (no lexicon)",
        "dense",
        "hybrid",
        "hybrid (no lexicon)",
    }
    assert "kind: colloquial" in tables


def test_delete_updates_store_and_index(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(REPORT, encoding="utf-8")
    data = tmp_path / "data"
    assert runner.invoke(app, ["build", str(src), "--data", str(data)]).exit_code == 0
    out = json.loads(runner.invoke(app, ["search", "送温暖", "--data", str(data), "--json"]).stdout)
    rid = out["results"][0]["report"]["report_id"]
    result = runner.invoke(app, ["delete", rid, "--data", str(data)])
    assert result.exit_code == 0 and "refreshed" in result.output
    out = json.loads(runner.invoke(app, ["search", "送温暖", "--data", str(data), "--json"]).stdout)
    assert out["results"] == []
    result = runner.invoke(app, ["delete", rid, "--data", str(data)])
    assert result.exit_code == 2 and "no report" in result.output


def test_eval_corpus_reports_fields_misses_and_halves(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(REPORT, encoding="utf-8")
    (src / "b.txt").write_text(
        "首页 > 范文 > 工作总结\n来源：某某网\n" + REPORT.replace("凤凰镇", "南坪乡"),
        encoding="utf-8",
    )
    labels = src / "labels.jsonl"
    rows = [
        {
            "file": "a.txt",
            "title": "凤凰镇工会2019年工作总结",
            "year": 2019,
            "level": "township",
            "doc_type": "工作总结",
        },
        # a wrong label: the tool must say so, not agree with everything
        {"file": "b.txt", "title": "南坪乡工会2019年工作总结", "year": 2018, "jurisdiction": None},
    ]
    labels.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    data = tmp_path / "data"
    assert runner.invoke(app, ["ingest", str(src), "--data", str(data)]).exit_code == 0
    result = runner.invoke(app, ["eval-corpus", str(labels), "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    tune, check = doc["halves"]["tune"], doc["halves"]["check"]
    assert tune["files"] == 1 and check["files"] == 1
    assert tune["accuracy"]["title"] == 1.0 and tune["accuracy"]["year"] == 1.0
    assert check["accuracy"]["year"] == 0.0
    assert check["invented_places"] == 1  # 南坪乡 where the label says none
    assert doc["halves"]["all"]["noisy_passages"] == 0
    assert {(m["file"], m["field"]) for m in doc["misses"]} >= {("b.txt", "year")}
    table = runner.invoke(app, ["eval-corpus", str(labels), "--data", str(data)])
    assert "check (1 files)" in table.output and "miss b.txt year" in table.output
    bad = runner.invoke(app, ["eval-corpus", str(tmp_path / "none.jsonl"), "--data", str(data)])
    assert bad.exit_code == 2 and "error" in bad.output


def test_ingest_report_file_lists_every_outcome(tmp_path: Path) -> None:
    import zipfile

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(REPORT, encoding="utf-8")
    (src / "bad.pdf").write_bytes(b"%PDF-1.4\n%garbage")
    with zipfile.ZipFile(src / "handover.zip", "w") as zf:
        other = "青山镇总工会2020年工作报告\n一、主要做法\n推进农民工入会集中行动，新建工会15家。"
        zf.writestr("2020/b.txt", other)
        zf.writestr("notes.xlsx", b"PK")
    data, report = tmp_path / "data", tmp_path / "outcomes.jsonl"
    args = ["ingest", str(src), "--data", str(data), "--report", str(report)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = {
        Path(r["path"]).name: r for r in map(json.loads, report.read_text("utf-8").splitlines())
    }
    assert rows["a.txt"]["status"] == "ok" and len(rows["a.txt"]["added"]) == 1
    assert rows["bad.pdf"]["status"] == "skipped" and "pdf" in rows["bad.pdf"]["reason"]
    assert rows["handover.zip"]["status"] == "ok" and len(rows["handover.zip"]["added"]) == 1
    with CorpusStore(data) as store:
        sources = {r.source for r in store.iter_reports()}
    assert str((src / "handover.zip").resolve()) + "/2020/b.txt" in sources
    assert rows["notes.xlsx"]["reason"] == "unsupported file type .xlsx"
    assert rows["notes.xlsx"]["path"].endswith("handover.zip/notes.xlsx")
    result = runner.invoke(app, args)  # nothing changed: every file says so
    rows2 = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert {r["status"] for r in rows2 if r["path"].endswith((".txt", ".zip"))} == {"unchanged"}
    bad = ["ingest", str(src), "--data", str(data), "--report", str(tmp_path / "no/dir.jsonl")]
    assert runner.invoke(app, bad).exit_code == 2
