"""Corpus fidelity on real reports nobody here wrote (../shared/corpus/real): floors that
``jiejian eval-corpus`` must keep, on the check half as well as the tune half."""

from __future__ import annotations

import pytest

from corpus.fidelity import FIELDS, evaluate_corpus
from corpus.store import CorpusStore
from tests.conftest import REAL

LABEL_SETS = {
    "government reports": REAL / "labels.jsonl",
    "union pages": REAL / "pages" / "labels.jsonl",
}
FLOOR = 0.9  # per field, on each half


@pytest.fixture(scope="module")
def results(real_store: CorpusStore):  # type: ignore[no-untyped-def]
    return {name: evaluate_corpus(real_store, path) for name, path in LABEL_SETS.items()}


@pytest.mark.parametrize("labels", sorted(LABEL_SETS))
@pytest.mark.parametrize("half", ["tune", "check"])
@pytest.mark.parametrize("field", FIELDS)
def test_field_accuracy_floor(results, labels: str, half: str, field: str) -> None:  # type: ignore[no-untyped-def]
    tally = results[labels].halves[half].fields[field]
    assert tally.total > 0
    misses = [m for m in results[labels].misses if m["field"] == field]
    assert tally.accuracy >= FLOOR, misses


@pytest.mark.parametrize("labels", sorted(LABEL_SETS))
def test_no_invented_places_no_furniture(results, labels: str) -> None:  # type: ignore[no-untyped-def]
    half = results[labels].halves["all"]
    assert half.invented_places == 0
    assert half.split_errors == 0
    assert half.passages > 0
    assert half.noisy_passages == 0, results[labels].noise_examples[:5]


@pytest.mark.parametrize("labels", sorted(LABEL_SETS))
def test_report_prose_kept(results, labels: str) -> None:  # type: ignore[no-untyped-def]
    """Prose sentences of the raw files are found in what was stored. What is removed is
    page material that reads like prose: a licence notice the archive appends to every
    report, news-photo captions and template sites' genre definitions."""
    half = results[labels].halves["all"]
    assert half.prose_sentences > 100
    assert half.prose_lost / half.prose_sentences <= 0.04, results[labels].lost_examples


def test_government_reports_know_when_and_who(real_store: CorpusStore) -> None:
    """Delivery dates and five-year periods are stored beside the year reviewed."""
    reports = list(real_store.iter_reports())
    delivered = [r for r in reports if r.year_delivered is not None]
    assert len(delivered) >= 40
    assert all(r.year_delivered - r.year in (0, 1) for r in delivered if r.year)
    assert any(r.review_period == "2021-2025" for r in reports)
    assert {r.level for r in reports} >= {"national", "province", "county"}
