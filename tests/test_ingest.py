"""Ingest into the store: idempotence, duplicate collapse, updates, bad input."""

from __future__ import annotations

from pathlib import Path

from corpus.pipeline import ingest
from corpus.store import CorpusStore

REPORT = """凤凰镇工会2019年工作总结
2019年，凤凰镇工会在镇党委的领导下，认真履行职责，积极开展各项工作，现总结如下。
一、主要做法
一是加强组织建设。新建非公企业工会5家，新发展会员320人，其中农民工会员210人，职工入会率达到92%。
二是开展送温暖活动。春节前走访慰问困难职工120户，发放慰问金6万元，为12名困难职工子女发放助学金2.4万元。
三是推进工资集体协商。与辖区18家企业签订工资专项集体合同，覆蓋职工2300人，签订率达到85%。
二、存在问题
部分非公企业工会作用发挥不够，工会经费收缴难度较大，职工文体活动形式比较单一。
三、下一步打算
2020年，我镇工会将继续扩大组织覆盖，规范工会经费收缴，建好职工书屋和户外劳动者爱心驿站。
"""

OTHER = """青山乡工会联合会2020年工作总结
2020年，青山乡工会联合会紧紧围绕乡党委中心工作，团结动员广大职工建功立业。
一、主要做法
（一）开展劳动竞赛。组织全乡8家企业开展安康杯竞赛，排查安全隐患46处，整改率100%。
（二）维护职工权益。建立劳动争议调解委员会3个，调解劳动争议11件，为农民工追讨欠薪18万元。
二、存在问题
基层工会干部多为兼职，业务培训不足。
"""


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_ingest_is_idempotent(tmp_path: Path, store: CorpusStore) -> None:
    src = _write(tmp_path / "in" / "a.txt", REPORT)
    first = ingest([src], store)
    assert (first.files_read, first.reports_new) == (1, 1)
    before = store.counts()
    second = ingest([src], store)
    assert (second.files_read, second.files_unchanged, second.reports_new) == (0, 1, 0)
    assert store.counts() == before


def test_exact_and_near_duplicates_are_stored_once(tmp_path: Path, store: CorpusStore) -> None:
    a = _write(tmp_path / "site1" / "a.txt", REPORT)
    b = _write(tmp_path / "site2" / "copy.txt", REPORT, "gbk")  # same report, other encoding
    # A repost in traditional script with a site's ad line and a small edit.
    repost = (
        "鳳凰鎮工會2019年工作總結\n"
        + REPORT.split("\n", 1)[1].replace("农民工会员210人", "农民工会员211人")
        + "以下是为您推荐的范文，欢迎阅读参考！\n"
    )
    c = _write(
        tmp_path / "site3" / "repost.html", "<html><body><pre>" + repost + "</pre></body></html>"
    )
    summary = ingest([a, b, c], store)
    assert summary.reports_new == 1
    assert summary.reports_duplicate == 2
    (rec,) = list(store.iter_reports())
    kinds = sorted(s["kind"] for s in rec.sources)
    assert kinds == ["exact", "near", "original"]
    assert {Path(s["path"]).parent.name for s in rec.sources} == {"site1", "site2", "site3"}


def test_changed_file_replaces_its_reports(tmp_path: Path, store: CorpusStore) -> None:
    src = _write(tmp_path / "a.txt", REPORT)
    ingest([src], store)
    old_ids = {r.report_id for r in store.iter_reports()}
    _write(src, OTHER)
    summary = ingest([src], store)
    assert summary.reports_new == 1
    new = list(store.iter_reports())
    assert len(new) == 1 and new[0].report_id not in old_ids
    assert new[0].jurisdiction is None or new[0].title.startswith("青山乡")
    assert all(p.report_id == new[0].report_id for p in store.iter_passages())


def test_bad_files_do_not_stop_the_batch(tmp_path: Path, store: CorpusStore) -> None:
    good = _write(tmp_path / "b_good.txt", REPORT)
    _write(tmp_path / "a_empty.txt", "")
    (tmp_path / "c_binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "d_broken.docx").write_bytes(b"PK\x03\x04broken")
    (tmp_path / "e_image.png").write_bytes(b"\x89PNG")
    summary = ingest([tmp_path], store)
    assert summary.reports_new == 1
    reasons = dict((Path(p).name, r) for p, r in summary.skipped)
    assert set(reasons) == {"a_empty.txt", "c_binary.txt", "d_broken.docx", "e_image.png"}
    assert all(reasons.values())
    assert good.exists() and good.read_text(encoding="utf-8") == REPORT  # raw files untouched
    assert {Path(p).name for p, _ in store.skipped_files()} == set(reasons)


def test_failed_file_leaves_store_as_it_was(
    tmp_path: Path, store: CorpusStore, monkeypatch
) -> None:
    ingest([_write(tmp_path / "a.txt", REPORT)], store)
    before = store.counts()

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "insert_passages", boom)
    summary = ingest([_write(tmp_path / "b.txt", OTHER)], store)
    assert summary.reports_new == 0 or summary.skipped
    assert "disk full" in summary.skipped[0][1]
    assert store.counts() == before


def test_near_duplicate_passages_grouped_across_reports(tmp_path: Path, store: CorpusStore) -> None:
    shared = (
        "一是开展送温暖活动。春节前走访慰问困难职工120户，发放慰问金6万元，"
        "为12名困难职工子女发放助学金2.4万元，帮助他们安心读书。"
    )
    r1 = (
        "甲镇工会2019年工作总结\n一、主要做法\n"
        + shared
        + "\n二、存在问题\n经费不足，活动偏少。" * 3
    )
    r2 = (
        "乙乡工会联合会2018年工作总结\n一、主要做法\n"
        + shared
        + "\n二、下一步打算\n扩大覆盖面，做好农民工入会工作，推进职工书屋建设。" * 3
    )
    ingest([_write(tmp_path / "1.txt", r1), _write(tmp_path / "2.txt", r2)], store)
    groups = [p.dup_group for p in store.iter_passages() if "送温暖" in p.text]
    assert len(groups) == 2 and groups[1] is not None


def test_delete_report(tmp_path: Path, store: CorpusStore) -> None:
    ingest([_write(tmp_path / "a.txt", REPORT)], store)
    (rec,) = list(store.iter_reports())
    assert store.delete_report(rec.report_id)
    assert store.counts()["reports"] == 0 and store.counts()["passages"] == 0
    assert not store.delete_report(rec.report_id)


def test_parallel_ingest_matches_serial(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(12):
        body = REPORT.replace("凤凰镇", f"第{i}号镇").replace("120户", f"{100 + i * 7}户")
        _write(src / f"r{i:02d}.txt", body if i % 3 else OTHER.replace("青山乡", f"青{i}乡"))
    (src / "bad.txt").write_bytes(b"")
    serial = CorpusStore(tmp_path / "serial")
    parallel = CorpusStore(tmp_path / "parallel")
    s1 = ingest([src], serial, workers=1)
    s2 = ingest([src], parallel, workers=2)
    assert (s1.reports_new, s1.reports_duplicate, s1.passages_new, len(s1.skipped)) == (
        s2.reports_new,
        s2.reports_duplicate,
        s2.passages_new,
        len(s2.skipped),
    )

    def snapshot(store: CorpusStore) -> list[tuple]:
        return [(r.report_id, r.title, r.year, r.n_passages) for r in store.iter_reports()]

    assert snapshot(serial) == snapshot(parallel)
    assert [p.passage_id for p in serial.iter_passages()] == [
        p.passage_id for p in parallel.iter_passages()
    ]


def test_deleting_a_group_leader_promotes_the_next(tmp_path: Path, store: CorpusStore) -> None:
    shared = (
        "二是开展送温暖活动。春节前走访慰问困难职工120户，发放慰问金6万元，"
        "为12名困难职工子女发放助学金。"
    )
    problems = {
        "甲镇": "基层工会干部多为兼职，业务培训不足，部分企业工会作用发挥不明显，工作台账不健全。",
        "乙镇": "工会经费收缴难度较大，小微企业缴费意识淡薄，会员实名制信息更新不够及时准确。",
        "丙镇": "职工文体活动场地不足，书屋图书更新较慢，新就业形态劳动者入会工作刚刚起步。",
    }

    def report(name: str) -> str:
        return f"{name}工会2019年工作总结\n一、主要做法\n{shared}\n二、存在问题\n{problems[name]}"

    ingest([_write(tmp_path / f"{n}.txt", report(n)) for n in problems], store)

    def warm() -> list[tuple[str, str | None]]:
        return [(p.report_id, p.dup_group) for p in store.iter_passages() if "送温暖" in p.text]

    (r1, g1), (_, g2), (_, g3) = warm()
    assert g1 is None and g2 == g3 is not None
    store.delete_report(r1)
    (_, g2b), (_, g3b) = warm()
    assert g2b is None and g3b is not None
    # The new leader is findable: a further repost joins its group.
    problems["丁镇"] = "工会阵地建设滞后，职工之家设施老化，服务职工的手段和载体还不够丰富多样。"
    ingest([_write(tmp_path / "丁镇.txt", report("丁镇"))], store)
    assert [g for _, g in warm()][-1] == g3b


def test_lookups_by_id_take_more_ids_than_sqlite_binds(seed_store: CorpusStore) -> None:
    """Id lists longer than one bound-parameter chunk still find every stored row."""
    passages = [p.passage_id for p in seed_store.iter_passages()]
    reports = [r.report_id for r in seed_store.iter_reports()]
    padding = [f"missing-{i}" for i in range(1900)]
    by_id = seed_store.passages_by_ids(padding + passages)
    assert sorted(by_id) == sorted(passages)
    assert sorted(seed_store.reports_by_ids(padding + reports)) == sorted(reports)
    assert seed_store.group_members(padding[:3]) == {g: [g] for g in padding[:3]}
