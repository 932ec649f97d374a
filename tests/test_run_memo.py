"""The writer's in-memory de-duplication tables (corpus.store._RunMemo) answer every look-up
exactly as the store's queries do, and step aside whenever they could not."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus.gazetteer import load_gazetteer
from corpus.models import DecodedFile, Report
from corpus.passages import ChunkParams
from corpus.pipeline import add_band_keys, build_reports
from corpus.store import CorpusStore
from demo.reports_a import REPORTS_A


def _reports() -> list[Report]:
    out: list[Report] = []
    for i, r in enumerate(REPORTS_A[:6]):
        doc = DecodedFile(f"/src/r{i}.txt", "x", len(r["text"]), "txt", "utf-8", r["text"])
        for report in build_reports(doc, load_gazetteer(), ChunkParams()):
            add_band_keys(report)
            out.append(report)
    return out


def _lookups(store: CorpusStore, rng: random.Random, keys: list[int], ids: list[str]) -> list:
    """Every de-duplication look-up the writer makes, on random arguments."""
    probe = rng.sample(keys, 6) + rng.sample(keys, 2)  # repeats, as band lists may have
    some = [*rng.sample(ids, min(len(ids), 7)), "no-such-id"]
    return [
        store.report_candidates(rng.choice([*ids, "nope"]), probe),
        store.passages_by_band(iter(probe)),
        store.signatures_of(some),
        store.dup_groups_of(some),
    ]


def _both(store: CorpusStore, seed: int, keys: list[int], ids: list[str]) -> tuple[list, list]:
    memo = store._memo
    assert memo is not None
    got = _lookups(store, random.Random(seed), keys, ids)
    store._memo = None
    try:
        want = _lookups(store, random.Random(seed), keys, ids)
    finally:
        store._memo = memo
    return got, want


def test_memo_answers_as_the_queries_do(tmp_path: Path) -> None:
    rng = random.Random(11)
    # Few distinct keys, so that reports and passages share them and candidate lists are
    # long: their order is what a first-match rule sees.
    keys = [rng.randint(-(2**63), 2**63 - 1) for _ in range(10)]
    store = CorpusStore(tmp_path / "data")
    assert store.start_run_memo()
    ids: list[str] = []
    longest = 0
    with store.batch():
        for n, report in enumerate(_reports()):
            report.band_keys = rng.sample(keys, 8)
            report.passage_band_keys = [rng.sample(keys, 3) for _ in report.passages]
            for p in report.passages[::4]:
                p.dup_group = ids[-1] if ids else None  # grouped: not in the LSH table
            with store.savepoint():
                store.insert_report(report, report.band_keys)
                store.insert_passages(
                    report.passages, report.passage_band_keys, report.passage_signatures
                )
            ids += [report.report_id, *(p.passage_id for p in report.passages)]
            for seed in range(5):
                got, want = _both(store, 100 * n + seed, keys, ids)
                assert got == want
                longest = max(longest, len(got[0][1]))
    assert longest >= 3  # the order of several candidates was compared
    assert store._memo is not None  # our own commit does not count as another writer


def test_rolled_back_unit_leaves_the_memo_as_the_store(tmp_path: Path) -> None:
    first, second = _reports()[:2]
    store = CorpusStore(tmp_path / "data")
    assert store.start_run_memo()
    keys = first.band_keys + second.band_keys + [k for ks in second.passage_band_keys for k in ks]
    with store.batch():
        with store.savepoint():
            store.insert_report(first, first.band_keys)
            store.insert_passages(first.passages, first.passage_band_keys, [])
        with pytest.raises(RuntimeError), store.savepoint():
            store.insert_report(second, second.band_keys)
            store.insert_passages(
                second.passages, second.passage_band_keys, second.passage_signatures
            )
            raise RuntimeError("a file that fails half-way")
        ids = [first.report_id, second.report_id, *(p.passage_id for p in second.passages)]
        got, want = _both(store, 1, keys, ids)
        assert got == want
        assert store.report_candidates(second.report_id, second.band_keys)[0] is False


def test_memo_only_for_an_empty_sqlite_store(tmp_path: Path) -> None:
    report = _reports()[0]
    store = CorpusStore(tmp_path / "data")
    with store.transaction():
        store.insert_report(report, report.band_keys)
    assert not store.start_run_memo()
    assert store._memo is None


def test_another_writer_or_a_rolled_back_batch_ends_the_memo(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path / "data")
    assert store.start_run_memo()
    with store.batch():
        store.log(1, "a.txt", "ok")
    assert store._memo is not None
    # Another connection commits between two batches (e.g. an upload job).
    with CorpusStore(tmp_path / "data") as other, other.transaction():
        other.set_meta("touched", "1")
    with store.batch():
        assert store._memo is None  # the queries answer from here on
    store.stop_run_memo()

    fresh = CorpusStore(tmp_path / "other")
    assert fresh.start_run_memo()
    with pytest.raises(RuntimeError), fresh.batch():
        raise RuntimeError("the batch fails")
    assert fresh._memo is None


class _After:
    """The store's SQLite connection, with another writer's commit made right after the first
    statement ``when`` picks: the moments a race would choose."""

    def __init__(self, db: object, when: str, then: Callable[[], None]) -> None:
        self._db, self._when, self._then = db, when, then

    def execute(self, sql: str, *args: object) -> object:
        out = self._db.execute(sql, *args)  # type: ignore[attr-defined]
        if self._then is not None and sql.startswith(self._when):
            then, self._then = self._then, None
            then()
        return out

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)


@pytest.mark.parametrize(
    "when",
    [
        "COMMIT",  # right after this run's own commit
        "SELECT 1 FROM reports",  # while the memo begins, after it found the store empty
    ],
)
def test_a_commit_by_another_writer_at_any_moment_ends_the_memo(tmp_path: Path, when: str) -> None:
    first, second = _reports()[:2]

    def other_writer() -> None:
        with CorpusStore(tmp_path / "data") as other, other.transaction():
            other.insert_report(second, second.band_keys)

    store = CorpusStore(tmp_path / "data")
    store.db = _After(store.db, when, other_writer)  # type: ignore[assignment]
    assert store.start_run_memo()
    with store.batch(), store.savepoint():
        store.insert_report(first, first.band_keys)
    with store.batch():
        assert store._memo is None  # the queries answer: they see the other writer's report
        assert store.report_candidates(second.report_id, second.band_keys)[0]


def test_the_memo_steps_aside_past_its_size_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory stays bounded on a big first ingest: past MEMO_MAX_ROWS the queries answer,
    and they see the rows of the batch under way."""
    import corpus.store

    reports = _reports()
    monkeypatch.setattr(corpus.store, "MEMO_MAX_ROWS", 1)
    store = CorpusStore(tmp_path / "data")
    assert store.start_run_memo()
    with store.batch():
        with store.savepoint():
            store.insert_report(reports[0], reports[0].band_keys)
        assert store._memo is not None
        with store.savepoint():
            store.insert_report(reports[1], reports[1].band_keys)
        assert store._memo is None
        assert store.report_candidates(reports[1].report_id, reports[1].band_keys)[0]
