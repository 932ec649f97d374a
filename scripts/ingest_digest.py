"""Fingerprints of what an ingest stores, to show that a change to the pipeline left its
output identical: one SHA-256 per store table (timestamps and timings left out), and the
eval-corpus results for label files.

    python scripts/ingest_digest.py SRC [SRC...] --out DIGEST.json [--workers 1]
        [--labels ../shared/corpus/real/labels.jsonl ../shared/corpus/real/pages/labels.jsonl]
    diff before.json after.json

Run it from the checkout whose pipeline is measured (it imports ``corpus`` from the repository
it sits in), once before a change and once after, and compare the files: any difference in
any table row or eval-corpus figure shows. Rows are hashed in a fixed order (every column,
sorted), so the digest does not depend on insertion order, except where order is data
(``reports.seq``, the ingest log's order within a run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.store import CorpusStore  # noqa: E402
from corpus.store_sql import TABLES as STORE_TABLES  # noqa: E402

# Columns that hold when a row was written or how long it took: they differ on every run.
VOLATILE = {"added_at", "ingested_at", "at", "started_at", "seconds", "summary", "run_id"}
# Every table of the store but the run list (one row per run, all of it volatile).
TABLES = tuple(t for t in STORE_TABLES if t != "ingest_runs")


def _cell(v: Any) -> str:
    if isinstance(v, bytes):
        return "b:" + v.hex()
    return json.dumps(v, ensure_ascii=False)


def table_digests(store: CorpusStore) -> dict[str, str]:
    """SHA-256 of each table's rows without the volatile columns, and its row count."""
    out: dict[str, str] = {}
    for table in TABLES:
        cols = [
            r[1] for r in store.db.execute(f"PRAGMA table_info({table})") if r[1] not in VOLATILE
        ]
        quoted = ", ".join(f'"{c}"' for c in cols)
        # The log's order within a run is what a reader sees; other tables are sets.
        order = "rowid" if table == "ingest_log" else quoted
        h = hashlib.sha256()
        n = 0
        for row in store.db.execute(f"SELECT {quoted} FROM {table} ORDER BY {order}"):
            h.update(("\t".join(_cell(v) for v in row) + "\n").encode())
            n += 1
        out[table] = f"{n} rows {h.hexdigest()}"
    return out


def main() -> None:
    from corpus.fidelity import evaluate_corpus
    from corpus.pipeline import ingest

    ap = argparse.ArgumentParser()
    ap.add_argument("src", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--labels", type=Path, nargs="*", default=[])
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jiejian-digest-"))
    try:
        store = CorpusStore(work)
        ingest([s.resolve() for s in args.src], store, workers=args.workers)
        got: dict[str, Any] = {"tables": table_digests(store)}
        for labels in args.labels:
            got[f"eval-corpus {labels}"] = evaluate_corpus(store, labels).as_dict()
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    for table, digest in got["tables"].items():
        print(f"{table}: {digest}")


if __name__ == "__main__":
    main()
