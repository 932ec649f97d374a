"""The two SQL engines the corpus store runs on: SQLite (the embedded default) and PostgreSQL.

The store's SQL is written once, in the subset both engines speak (standard upserts with
``ON CONFLICT``, ``RETURNING``, scalar subqueries) with ``?`` placeholders. SQLite runs it
through the standard library's ``sqlite3`` untouched, so the embedded ingest path pays
nothing for the second engine; PostgreSQL runs it through psycopg 3, whose connection here
is wrapped to translate ``?`` to ``%s`` (once per statement text, cached) and to hand back
rows that, like ``sqlite3.Row``, index by position and by column name.

We chose psycopg with the same SQL over SQLAlchemy Core: the store is ~60 hand-tuned
statements whose SQLite speed is measured (ingest MB/s); an expression layer would rewrite
all of them and put Python object construction on the writer's hot path, while the few
places the engines differ (column types, one JSON table function, the writer lock) are
named below, in one place.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpus.defaults import SQLITE_READ_MMAP

DB_NAME = "corpus.sqlite3"
PG_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")

# The schema, written once; {INT}, {REAL}, {BLOB}, {RUN_ID} and {NO_ROWID} take each engine's
# spelling. PostgreSQL's INTEGER is 32-bit, and LSH band keys and line fingerprints are
# signed 64-bit: its integers are BIGINT. "end" is quoted: a reserved word in PostgreSQL.
SCHEMA_TEMPLATE = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources(
    path TEXT PRIMARY KEY, sha256 TEXT, size {INT}, format TEXT, encoding TEXT,
    status TEXT NOT NULL, reason TEXT, n_reports {INT} NOT NULL DEFAULT 0,
    ingested_at {REAL} NOT NULL, pipeline {INT});
CREATE TABLE IF NOT EXISTS reports(
    report_id TEXT PRIMARY KEY, seq {INT} NOT NULL, title TEXT, jurisdiction TEXT,
    jurisdiction_path TEXT, level TEXT, org_type TEXT, year {INT}, doc_type TEXT,
    script TEXT NOT NULL, source TEXT NOT NULL, text TEXT NOT NULL, simplified TEXT NOT NULL,
    evidence TEXT, n_passages {INT} NOT NULL, added_at {REAL} NOT NULL,
    year_delivered {INT}, date TEXT, review_period TEXT);
CREATE INDEX IF NOT EXISTS reports_seq ON reports(seq);
CREATE TABLE IF NOT EXISTS report_sources(
    report_id TEXT NOT NULL, path TEXT NOT NULL, ordinal {INT} NOT NULL, sha256 TEXT,
    kind TEXT NOT NULL, similarity {REAL}, added_at {REAL} NOT NULL,
    PRIMARY KEY(report_id, path, ordinal));
CREATE INDEX IF NOT EXISTS report_sources_path ON report_sources(path);
CREATE TABLE IF NOT EXISTS passages(
    passage_id TEXT PRIMARY KEY, report_id TEXT NOT NULL, ordinal {INT} NOT NULL,
    text TEXT NOT NULL, section_path TEXT NOT NULL, section_role TEXT NOT NULL,
    start {INT} NOT NULL, "end" {INT} NOT NULL, dup_group TEXT, ocr {INT});
CREATE INDEX IF NOT EXISTS passages_report ON passages(report_id, ordinal);
CREATE INDEX IF NOT EXISTS passages_dup ON passages(dup_group);
CREATE TABLE IF NOT EXISTS practices(
    practice_id TEXT PRIMARY KEY, report_id TEXT NOT NULL, passage_id TEXT,
    ordinal {INT} NOT NULL, text TEXT NOT NULL, section_path TEXT NOT NULL,
    section_role TEXT NOT NULL, start {INT} NOT NULL, "end" {INT} NOT NULL,
    figures TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS practices_report ON practices(report_id, ordinal);
CREATE TABLE IF NOT EXISTS signatures(id TEXT PRIMARY KEY, sig {BLOB} NOT NULL);
CREATE TABLE IF NOT EXISTS report_bands(key {INT} NOT NULL, report_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS report_bands_key ON report_bands(key);
CREATE TABLE IF NOT EXISTS passage_bands(key {INT} NOT NULL, passage_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS passage_bands_key ON passage_bands(key);
CREATE TABLE IF NOT EXISTS edge_lines(
    file {INT} NOT NULL, line {INT} NOT NULL, PRIMARY KEY(file, line)) {NO_ROWID};
CREATE TABLE IF NOT EXISTS ingest_runs(
    {RUN_ID}, started_at {REAL} NOT NULL, seconds {REAL},
    summary TEXT);
CREATE TABLE IF NOT EXISTS ingest_log(
    run_id {INT} NOT NULL, path TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
    at {REAL} NOT NULL);
CREATE TABLE IF NOT EXISTS indexed_reports(
    build TEXT NOT NULL, kind TEXT NOT NULL, report_id TEXT NOT NULL,
    PRIMARY KEY(build, kind, report_id));
"""

# Every table, parents first: what `jiejian migrate` copies and counts.
TABLES = (
    "meta",
    "sources",
    "reports",
    "report_sources",
    "passages",
    "practices",
    "signatures",
    "report_bands",
    "passage_bands",
    "edge_lines",
    "ingest_runs",
    "ingest_log",
    "indexed_reports",
)
# Rows are copied in this order so a copy keeps the order readers see (ORDER BY on them).
TABLE_ORDER = {
    "sources": "path",
    "reports": "seq",
    "report_sources": "report_id, path, ordinal",
    "passages": "report_id, ordinal",
    "practices": "report_id, ordinal",
    "signatures": "id",
    "report_bands": "key, report_id",
    "passage_bands": "key, passage_id",
    "edge_lines": "file, line",
    "ingest_runs": "run_id",
    "ingest_log": "run_id, at",
    "indexed_reports": "build, kind, report_id",
    "meta": "key",
}


@dataclass(frozen=True)
class Dialect:
    name: str  # sqlite | postgresql
    types: dict[str, str]
    begin: str  # starts a write transaction
    # A table of the values of a JSON array column, with one column named ``value``.
    json_values: str

    def schema(self) -> str:
        return SCHEMA_TEMPLATE.format(**self.types)


SQLITE = Dialect(
    "sqlite",
    {
        "INT": "INTEGER",
        "REAL": "REAL",
        "BLOB": "BLOB",
        "RUN_ID": "run_id INTEGER PRIMARY KEY AUTOINCREMENT",
        "NO_ROWID": "WITHOUT ROWID",
    },
    # IMMEDIATE: take the write lock now, so two writers queue instead of failing to upgrade.
    "BEGIN IMMEDIATE",
    "json_each({column})",
)
POSTGRESQL = Dialect(
    "postgresql",
    {
        "INT": "BIGINT",
        "REAL": "DOUBLE PRECISION",
        "BLOB": "BYTEA",
        "RUN_ID": "run_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        "NO_ROWID": "",
    },
    "BEGIN",
    "json_array_elements_text(({column})::json) AS j(value)",
)

# Transaction-scoped advisory lock keys (pg_advisory_xact_lock): one for creating the schema,
# one that every write transaction of the store takes first (see CorpusStore.transaction).
SCHEMA_LOCK = 0x6A6A_0001
WRITER_LOCK = 0x6A6A_0002


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(PG_SCHEMES)


def sqlite_path(url: str | None, data_dir: Path) -> Path:
    """The SQLite file a store URL names: none = DATA/corpus.sqlite3; a path or sqlite:///."""
    if not url:
        return data_dir / DB_NAME
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///") :])
    if "://" in url:
        raise ValueError(
            f"JIEJIAN_STORE_URL {redact(url)!r}: give a SQLite file path or a postgresql:// URL"
        )
    return Path(url)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def upsert_sql(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """``INSERT ... ON CONFLICT(key) DO UPDATE`` replacing every other column: one spelling
    for both engines (SQLite >= 3.24 and PostgreSQL), where SQLite's ``INSERT OR REPLACE``
    is SQLite's alone."""
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ",".join("?" * len(columns))
    rest = [c for c in columns if c not in key]
    sets = ", ".join(f'"{c}"=excluded."{c}"' for c in rest)
    action = f"DO UPDATE SET {sets}" if rest else "DO NOTHING"
    return f"INSERT INTO {table}({cols}) VALUES({marks}) ON CONFLICT({', '.join(key)}) {action}"


def insert_ignore_sql(table: str, n: int) -> str:
    return f"INSERT INTO {table} VALUES({','.join('?' * n)}) ON CONFLICT DO NOTHING"


# ----- SQLite ---------------------------------------------------------------------------------


def connect_sqlite(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        # A reader's own connection: WAL lets it read while the one writer commits.
        uri = f"{path.resolve().as_uri()}?mode=ro"
        db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA mmap_size={SQLITE_READ_MMAP}")
        return db
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    # The LSH band indexes are random-access B-trees; a larger page cache keeps inserts
    # from going to disk once they outgrow the 2 MB default.
    db.execute("PRAGMA cache_size=-262144")
    db.execute("PRAGMA temp_store=MEMORY")
    return db


# ----- PostgreSQL -----------------------------------------------------------------------------


class Row(tuple):  # type: ignore[type-arg]
    """A result row that indexes by position and by column name, like ``sqlite3.Row``."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    desc = cursor.description
    index = {c.name: i for i, c in enumerate(desc)} if desc else {}

    def make(values: Sequence[Any]) -> Row:
        return Row(values, index)

    return make


_MARK = re.compile(r"\?")
_VALUES = re.compile(r"VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)")
_MAX_PG_PARAMS = 30_000  # of the 65,535 one statement may bind
_MAX_ROWS = 1000


# A table's column names in the connected schema (what an older store lacks is added).
COLUMNS_OF = (
    "SELECT column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = ?"
)


def _conninfo(url: str) -> str:
    """The URL psycopg takes: SQLAlchemy's driver suffix stripped, so the same URL works for
    both tools."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """``?`` placeholders to psycopg's ``%s`` (a literal ``%`` doubled first). The store's
    statements hold no ``?`` inside string literals."""
    return _MARK.sub("%s", sql.replace("%", "%%"))


class PgConnection:
    """The part of the ``sqlite3.Connection`` interface the store and its readers use, over
    one psycopg connection in autocommit mode: like the store's sqlite3 connection
    (isolation_level=None), transactions are the explicit BEGIN / COMMIT the store sends."""

    def __init__(self, url: str, readonly: bool = False):
        try:
            import psycopg
        except ImportError as exc:  # an optional dependency: say how to get it
            raise RuntimeError(
                "a postgresql:// store needs psycopg: pip install 'psycopg[binary]'"
            ) from exc
        self.url = url
        conninfo = _conninfo(url)
        self.conn = psycopg.connect(conninfo, autocommit=True, row_factory=_row_factory)
        if readonly:
            self.conn.execute("SET default_transaction_read_only = on")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        return self.conn.execute(to_pyformat(sql), params)

    def executemany(self, sql: str, rows: Any) -> Any:
        """An INSERT of many rows goes as one multi-row ``VALUES`` statement per chunk:
        psycopg's executemany sends (and, in pipeline mode, processes) one query per row,
        which made a third of the PostgreSQL writer's time on passages and band keys."""
        rows = list(rows)
        cur = self.conn.cursor()
        if not rows:
            return cur
        m = _VALUES.search(sql)
        if m is None or len(rows) == 1:
            cur.executemany(to_pyformat(sql), rows)
            return cur
        group = m.group(0)[len("VALUES") :].strip()
        per = max(1, min(_MAX_ROWS, _MAX_PG_PARAMS // max(1, group.count("?"))))
        for i in range(0, len(rows), per):
            chunk = rows[i : i + per]
            many = sql[: m.start()] + "VALUES " + ",".join([group] * len(chunk)) + sql[m.end() :]
            cur.execute(to_pyformat(many), [v for row in chunk for v in row])
        return cur

    def executescript(self, script: str) -> None:
        self.conn.execute(script)  # type: ignore[arg-type]

    def stream(self, sql: str, params: Sequence[Any] | None = None) -> Iterator[Row]:
        """Rows one by one from the server (psycopg's single-row mode), not all at once."""
        cur = self.conn.cursor()
        yield from cur.stream(to_pyformat(sql), params)

    def pipeline(self) -> Any:
        """psycopg's pipeline mode for a block (see CorpusStore.savepoint)."""
        return self.conn.pipeline()

    def rollback_if_open(self) -> None:
        from psycopg.pq import TransactionStatus

        if self.conn.info.transaction_status != TransactionStatus.IDLE:
            self.conn.execute("ROLLBACK")

    def advisory_lock(self, key: int) -> None:
        """Held until the current transaction ends."""
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))

    def columns(self, table: str) -> set[str]:
        return {r[0] for r in self.conn.execute(to_pyformat(COLUMNS_OF), (table,))}

    def close(self) -> None:
        self.conn.close()


class Rows(list):  # type: ignore[type-arg]
    """A fetched result that answers like a cursor (``fetchone``, ``fetchall``, iteration):
    a pooled read hands its connection back before the caller reads the rows."""

    def fetchone(self) -> Any:
        return self[0] if self else None

    def fetchall(self) -> list[Any]:
        return list(self)


# Who the pool's sessions are in pg_stat_activity (operators, and the pool test, count them).
READ_POOL_APP = "jiejian-read"


def has_read_pool() -> bool:
    try:
        import psycopg_pool  # noqa: F401
    except ImportError:
        return False
    return True


class PgReadPool:
    """Read-only statements of many threads over a bounded pool of PostgreSQL connections
    (psycopg_pool): an API worker's request threads share ``size`` connections instead of
    each opening its own (40 threads × workers × machines would exhaust the server's
    ``max_connections``). Each statement checks a connection out and back in; rows are
    fetched before it goes back. Only for reads: transactions would need one connection
    for several statements."""

    def __init__(self, url: str, size: int):
        from psycopg_pool import ConnectionPool

        conninfo = _conninfo(url)

        def configure(conn: Any) -> None:
            conn.execute("SET default_transaction_read_only = on")

        self.url = url
        self.pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=size,
            kwargs={
                "autocommit": True,
                "row_factory": _row_factory,
                "application_name": READ_POOL_APP,
            },
            configure=configure,
            open=True,
        )
        self.pool.wait()  # a refused or wrong URL fails here, with psycopg's reason

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Rows:
        with self.pool.connection() as conn:
            cur = conn.execute(to_pyformat(sql), params)
            return Rows(cur.fetchall() if cur.description else [])

    def stream(self, sql: str, params: Sequence[Any] | None = None) -> Iterator[Row]:
        with self.pool.connection() as conn:
            yield from conn.cursor().stream(to_pyformat(sql), params)

    def columns(self, table: str) -> set[str]:
        return {r[0] for r in self.execute(COLUMNS_OF, (table,))}

    def close(self) -> None:
        self.pool.close()


def sqlite_columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
