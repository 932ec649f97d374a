"""MinHash signatures: the numpy path equals datasketch's, and stored signatures (or their
absence, in stores made before they were kept) give the same duplicate decisions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from corpus import dedup
from corpus.pipeline import ingest
from corpus.store import CorpusStore
from tests.test_ingest import REPORT, _write


@pytest.mark.parametrize(
    "text", ["", "工会", "凤凰镇工会2019年工作总结", REPORT, REPORT * 40, "a b, c; d" * 3]
)
def test_signature_equals_datasketch(text: str) -> None:
    ref = MinHash(
        num_perm=dedup.NUM_PERM,
        seed=dedup.SEED,
        hashfunc=dedup._identity,
        permutations=dedup._permutations(),
        scheme=dedup.SCHEME,
    )
    hv = dedup.shingle_hashes(text)
    if len(hv):
        ref.update_batch(hv.tolist())
    assert np.array_equal(dedup.signature_values(text), ref.hashvalues)
    assert dedup.band_keys_of(dedup.signature_values(text)) == dedup.band_keys(ref)


def test_permutations_equal_datasketchs_own() -> None:
    # Drawn without importing datasketch (its import cost every ingest worker ~1 CPU-s):
    # they must be the very permutations datasketch makes, or stored signatures and band
    # keys would change.
    ref = MinHash(num_perm=dedup.NUM_PERM, seed=dedup.SEED, scheme=dedup.SCHEME).permutations
    ours = dedup._permutations()
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    assert np.array_equal(ours, ref)


def test_hashing_does_not_import_datasketch() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from corpus import dedup; "
        "dedup.signatures_with_parts('凤凰镇工会2019年工作总结' * 9, [(0, 20)]); "
        "print('datasketch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("old_store", [False, True])
def test_near_duplicates_with_and_without_stored_signatures(
    tmp_path: Path, old_store: bool
) -> None:
    edited = REPORT.replace("农民工会员210人", "农民工会员211人").replace("6万元", "7万元")
    with CorpusStore(tmp_path / "data") as store:
        ingest([_write(tmp_path / "a.txt", REPORT)], store)
        if old_store:  # as a store written before signatures were kept
            store.db.execute("DELETE FROM signatures")
        summary = ingest([_write(tmp_path / "b.txt", edited + "以下是为您推荐的范文。\n")], store)
        assert summary.reports_duplicate == 1 and summary.reports_new == 0
        n = store.db.execute("SELECT COUNT(*) FROM signatures").fetchone()[0]
        assert n == (
            0 if old_store else 1 + sum(1 for p in store.iter_passages() if len(p.text) >= 50)
        )


def test_passage_signatures_from_the_reports_rows_equal_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # signatures_with_parts hashes each shingle once and takes a passage's minimum over the
    # report's rows; it must give exactly what hashing the passage alone gives, including
    # spans that strip to fewer than a shingle and reports longer than one block.
    import random

    rng = random.Random(11)
    chars = "工会职工经费收缴送温暖，。、；：“” \n的了在是abc12_-"
    for trial in range(120):
        n = rng.randint(0, 300)
        text = "".join(rng.choice(chars) for _ in range(n))
        spans = [tuple(sorted((rng.randint(0, n), rng.randint(0, n)))) for _ in range(5)]
        monkeypatch.setattr(dedup, "_BLOCK", 7 if trial % 2 else 16_384)
        report, parts = dedup.signatures_with_parts(text, spans)  # type: ignore[arg-type]
        assert (report == dedup.signature_values(text)).all()
        for (a, b), values in zip(spans, parts, strict=True):
            assert (values == dedup.signature_values(text[a:b])).all(), (trial, a, b)
