"""Copy a corpus store from one engine to another (SQLite <-> PostgreSQL), verified by counts.

Every table is copied row for row, ids, sequence numbers, signatures and LSH band keys
included, so the copy de-duplicates the next ingest exactly as the original would and an
index built from either holds the same passages under the same ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from corpus.store import CorpusStore, StoreError
from corpus.store_sql import TABLE_ORDER, TABLES, upsert_sql

log = logging.getLogger(__name__)
BATCH = 5000


@dataclass
class MigrateReport:
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table: (from, to)

    @property
    def ok(self) -> bool:
        return all(a == b for a, b in self.counts.values())


def _count(store: CorpusStore, table: str) -> int:
    return int(store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _columns(store: CorpusStore, table: str) -> list[str]:
    if store.is_postgres:
        rows = store.db.execute(
            "SELECT column_name FROM information_schema.columns WHERE "
            "table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return [r[0] for r in rows]
    return [r[1] for r in store.db.execute(f"PRAGMA table_info({table})")]


def copy_store(
    src: CorpusStore, dst: CorpusStore, progress: Callable[[str], None] | None = None
) -> MigrateReport:
    """Copy every row of ``src`` into ``dst``, which must hold no corpus yet; one
    transaction on ``dst``, so a failed copy leaves it as it was."""
    if any(_count(dst, t) for t in ("sources", "reports", "passages")):
        raise StoreError(
            f"the target store {dst.path} already holds a corpus: migrate into an empty one"
        )
    report = MigrateReport()
    with dst.transaction():
        for table in TABLES:
            cols = [c for c in _columns(src, table) if c in set(_columns(dst, table))]
            quoted = ", ".join(f'"{c}"' for c in cols)
            if table == "meta":
                insert = upsert_sql("meta", cols, ("key",))
            else:
                insert = f"INSERT INTO {table}({quoted}) VALUES({','.join('?' * len(cols))})"
            rows: list[Any] = []
            for row in src._stream(f"SELECT {quoted} FROM {table} ORDER BY {TABLE_ORDER[table]}"):
                rows.append(tuple(row))
                if len(rows) >= BATCH:
                    dst.db.executemany(insert, rows)
                    rows = []
            if rows:
                dst.db.executemany(insert, rows)
            report.counts[table] = (_count(src, table), _count(dst, table))
            if progress:
                progress(f"{table}: {report.counts[table][1]} rows")
        if dst.is_postgres:
            # Rows came with their run ids: the identity continues after the largest.
            dst.db.execute(
                "SELECT setval(pg_get_serial_sequence('ingest_runs', 'run_id'), "
                "COALESCE(MAX(run_id), 0) + 1, false) FROM ingest_runs"
            )
        if not report.ok:
            bad = {t: c for t, c in report.counts.items() if c[0] != c[1]}
            raise StoreError(f"row counts differ after the copy, nothing kept: {bad}")
    return report
