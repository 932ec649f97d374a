"""SQLite store of sources, reports, passages and the ingest log.

This module is the only place that speaks SQL. Everything in it can be rebuilt from the raw
files; raw files are only ever read.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any, ClassVar

from corpus.dedup import band_keys, signature
from corpus.defaults import MEMO_MAX_ROWS, STORE_READ_POOL
from corpus.models import Passage, Report, ReportFields
from corpus.practices import Practice
from corpus.script import to_simplified
from corpus.store_sql import (
    DB_NAME,
    POSTGRESQL,
    SCHEMA_LOCK,
    SQLITE,
    WRITER_LOCK,
    PgConnection,
    PgReadPool,
    connect_sqlite,
    has_read_pool,
    insert_ignore_sql,
    is_postgres_url,
    redact,
    sqlite_columns,
    sqlite_path,
    upsert_sql,
)

__all__ = ["DB_NAME", "CorpusStore", "PassageRecord", "PerThreadStore", "ReportRecord"]

SCHEMA_VERSION = 3
_MAX_PARAMS = 900  # below the 999 bound parameters old SQLite builds allow

REPORT_FIELDS = (
    "report_id",
    "title",
    "jurisdiction",
    "jurisdiction_path",
    "level",
    "org_type",
    "year",
    "doc_type",
    "script",
    "source",
    "year_delivered",
    "date",
    "review_period",
)
# Statements built once from column lists (see corpus.store_sql.upsert_sql).
_PASSAGE_COLUMNS = (
    "passage_id", "report_id", "ordinal", "text", "section_path", "section_role", "start",
    "end", "dup_group", "ocr",
)  # fmt: skip
_PRACTICE_COLUMNS = (
    "practice_id", "report_id", "passage_id", "ordinal", "text", "section_path",
    "section_role", "start", "end", "figures",
)  # fmt: skip
_SOURCE_COLUMNS = (
    "path", "sha256", "size", "format", "encoding", "status", "reason", "n_reports",
    "ingested_at", "pipeline",
)  # fmt: skip
_UPSERT_SOURCE = upsert_sql("sources", _SOURCE_COLUMNS, ("path",))
_UPSERT_SIGNATURE = upsert_sql("signatures", ("id", "sig"), ("id",))
_UPSERT_PASSAGE = upsert_sql("passages", _PASSAGE_COLUMNS, ("passage_id",))
_UPSERT_PRACTICE = upsert_sql("practices", _PRACTICE_COLUMNS, ("practice_id",))
_ADD_SOURCE = insert_ignore_sql("report_sources", 7)
_ADD_EDGE_LINE = insert_ignore_sql("edge_lines", 2)
# Columns added after schema version 1, with their types: an older store gains them.
_ADDED_COLUMNS = {
    "sources": (("pipeline", "INTEGER"),),
    "reports": (("year_delivered", "INTEGER"), ("date", "TEXT"), ("review_period", "TEXT")),
    "passages": (("ocr", "INTEGER"),),  # version 3
}


@dataclass(kw_only=True)
class ReportRecord(ReportFields):
    report_id: str
    source: str
    n_passages: int
    sources: list[dict[str, Any]] = field(default_factory=list)
    text: str | None = None
    simplified: str | None = None


# A stored passage is the same record the pipeline builds.
PassageRecord = Passage
# Columns that hold JSON lists.
_JSON_COLUMNS = frozenset({"section_path", "figures"})
# Columns that hold a flag: 1 or NULL (NULL for every row written before the column existed).
_FLAG_COLUMNS = frozenset({"ocr"})


def _fields_of(cls: Any, row: Any) -> dict[str, Any]:
    """The fields of a record dataclass read from a result row by column name (JSON lists
    decoded): one rule for every table whose columns are the record's fields."""
    values = {f.name: row[f.name] for f in fields(cls)}
    for name in _JSON_COLUMNS & values.keys():
        values[name] = json.loads(values[name])
    for name in _FLAG_COLUMNS & values.keys():
        values[name] = bool(values[name])
    return values


# json.dumps(x, ensure_ascii=False) builds a new encoder on every call; the writer encodes a
# few values per passage and practice, and one encoder made once writes the same text.
_json = json.JSONEncoder(ensure_ascii=False).encode


# What JSON escapes in a string when ensure_ascii is off: quotes, backslashes, controls.
_JSON_ESCAPED = re.compile(r'[\x00-\x1f"\\]')


@lru_cache(maxsize=4096)
def _json_strings(values: tuple[str, ...]) -> str:
    # Passages of one section share its path, and the writer encodes one per passage and
    # practice: remembered, most encodings become a dict look-up. Strings with nothing to
    # escape are joined directly, exactly as the encoder writes them (a test compares the
    # two), in a fraction of its time; the rest go through the encoder.
    if all(type(v) is str for v in values):
        body = '", "'.join(values)
        if not _JSON_ESCAPED.search(body):
            return f'["{body}"]' if values else "[]"
    return _json(values)


def _json_list(values: list[str]) -> str:
    return _json_strings(tuple(values))


def _row_maker(columns: tuple[str, ...]) -> Callable[[Any], list[Any]]:
    """A record's values in ``columns`` order as the store keeps them: JSON lists as text,
    flags as 1 or NULL. One rule for every table whose columns are a record's fields (the
    write side of ``_fields_of``)."""
    get = attrgetter(*columns)
    convert: list[tuple[int, Callable[[Any], Any]]]
    convert = [(i, _json_list) for i, c in enumerate(columns) if c in _JSON_COLUMNS]
    convert += [(i, _flag) for i, c in enumerate(columns) if c in _FLAG_COLUMNS]

    def row(record: Any) -> list[Any]:
        values = list(get(record))
        for i, how in convert:
            values[i] = how(values[i])
        return values

    return row


def _flag(value: bool) -> int | None:
    return 1 if value else None


_passage_row = _row_maker(_PASSAGE_COLUMNS)
_practice_row = _row_maker(_PRACTICE_COLUMNS)


class StoreError(RuntimeError):
    pass


# What one insert added to a _RunMemo, to take out again: (report or passage id, its band
# keys in the LSH table, whether it has a signature).
_MemoEntry = tuple[str, Sequence[int], bool]


@dataclass
class _RunMemo:
    """The de-duplication tables of what this ingest run stored, held in the writer so that
    its look-ups cost a dict access instead of a query (four per report: a good part of the
    single writer's CPU on folders of small reports).

    Only exact while this run is the store's whole content for those tables: it is made only
    for a SQLite store that held no report when the run began, checked at every batch for
    another connection's commit (``PRAGMA data_version``), and dropped for the rest of the run
    on any such commit, deletion or rolled-back batch; from then on the queries answer. A
    savepoint that rolls back takes its entries out again (``journals``)."""

    version: int  # PRAGMA data_version when the memo began
    reports: set[str] = field(default_factory=set)
    report_bands: defaultdict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    passage_bands: defaultdict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    sigs: dict[str, bytes] = field(default_factory=dict)
    groups: dict[str, str | None] = field(default_factory=dict)  # passage id -> dup group
    # One journal per open savepoint: (is a report, entries) per insert, to take out again.
    journals: list[list[tuple[bool, list[_MemoEntry]]]] = field(default_factory=list)

    def add_report(self, rid: str, keys: Sequence[int], sig: bytes) -> None:
        self.reports.add(rid)
        bands = self.report_bands
        for k in keys:
            bands[k].append(rid)
        if sig:
            self.sigs[rid] = sig
        if self.journals:
            self.journals[-1].append((True, [(rid, keys, bool(sig))]))

    def add_passages(self, rows: list[tuple[str, str | None, Sequence[int], bytes]]) -> None:
        """(passage id, duplicate group, band keys, signature) of each stored passage; only
        ungrouped passages enter the LSH table, as in the store."""
        bands, groups, sigs = self.passage_bands, self.groups, self.sigs
        entries: list[_MemoEntry] = []
        for pid, group, keys, sig in rows:
            groups[pid] = group
            listed = keys if group is None else ()
            for k in listed:
                bands[k].append(pid)
            if sig:
                sigs[pid] = sig
            entries.append((pid, listed, bool(sig)))
        if self.journals:
            self.journals[-1].append((False, entries))

    def undo(self, journal: list[tuple[bool, list[_MemoEntry]]]) -> None:
        for is_report, entries in reversed(journal):
            bands = self.report_bands if is_report else self.passage_bands
            for rid, keys, signed in reversed(entries):
                if is_report:
                    self.reports.discard(rid)
                else:
                    self.groups.pop(rid, None)
                for k in keys:
                    bands[k].pop()
                    if not bands[k]:
                        del bands[k]
                if signed:
                    self.sigs.pop(rid, None)

    def candidates(self, keys: Iterable[int]) -> list[str]:
        """Reports sharing a band key, in the order SQLite's ``SELECT DISTINCT report_id ...
        WHERE key IN (...)`` returns them: keys ascending, each key's rows in insertion
        order (a test compares the two)."""
        out: dict[str, None] = {}
        bands = self.report_bands
        for k in sorted(set(keys)):
            if k in bands:
                for rid in bands[k]:
                    out[rid] = None
        return list(out)


class CorpusStore:
    """The corpus store on SQLite (default: ``DATA/corpus.sqlite3``) or PostgreSQL.

    ``url``: ``JIEJIAN_STORE_URL``: empty for the default, a SQLite file path, or a
    ``postgresql://`` URL. ``data_dir`` stays the home of the indexes and uploads either way.

    Several writers on PostgreSQL: every write transaction takes one transaction-scoped
    advisory lock first (``WRITER_LOCK``), so the read-then-decide steps of de-duplication
    (does a report with these LSH band keys exist?) see every report another writer stored,
    and lock waits never form a cycle. Within an ingest ``batch()`` each file is its own
    transaction there, so the lock is held while one file is stored, never while a file is
    parsed; primary keys with ``ON CONFLICT`` make every insert safe to repeat.
    """

    def __init__(
        self,
        data_dir: str | Path,
        readonly: bool = False,
        url: str | None = None,
        pool_size: int | None = None,
    ):
        """``pool_size``: a read-only PostgreSQL store shared by threads reads through a
        pool of at most that many connections (corpus.store_sql.PgReadPool)."""
        self.data_dir = Path(data_dir)
        self.url = url or None
        self.readonly = readonly
        self._batch = False  # inside batch() on PostgreSQL: units are transactions
        self._in_tx = False
        self._memo: _RunMemo | None = None  # see start_run_memo
        self.db: Any
        if is_postgres_url(url):
            assert url is not None
            self.dialect = POSTGRESQL
            self.path = Path(redact(url))  # for messages: where the store is
            try:
                if readonly and pool_size:
                    self.db = PgReadPool(url, pool_size)
                else:
                    self.db = PgConnection(url, readonly=readonly)
            except RuntimeError:
                raise
            except Exception as exc:  # psycopg.OperationalError: refused, auth, no database
                raise StoreError(f"cannot open the store at {redact(url)}: {exc}") from exc
        else:
            self.dialect = SQLITE
            self.path = sqlite_path(url, self.data_dir)
            if not readonly:
                self.data_dir.mkdir(parents=True, exist_ok=True)
            self.db = connect_sqlite(self.path, readonly)
        if readonly:
            return
        self._create_schema()

    @property
    def is_postgres(self) -> bool:
        return self.dialect is POSTGRESQL

    @classmethod
    def exists(cls, data_dir: str | Path, url: str | None = None) -> bool:
        """Whether a store is there to read (a PostgreSQL store: reachable, with a schema)."""
        if not is_postgres_url(url):
            return sqlite_path(url, Path(data_dir)).exists()
        try:
            with cls(data_dir, readonly=True, url=url) as store:
                return store.db.columns("meta") != set()
        except StoreError:
            return False

    def _create_schema(self) -> None:
        if self.is_postgres:
            # Two processes creating the schema at once collide in PostgreSQL's catalog.
            self.db.execute("BEGIN")
            self.db.advisory_lock(SCHEMA_LOCK)
        try:
            self.db.executescript(self.dialect.schema())
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self.db.execute(
                    "INSERT INTO meta VALUES('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
        except BaseException:
            if self.is_postgres:
                self.db.execute("ROLLBACK")
            raise
        if self.is_postgres:
            self.db.execute("COMMIT")
        if row is None:
            return
        if int(row[0]) == 1:
            self._migrate_from_1()
        elif int(row[0]) == 2:
            self._migrate_from_2()
        elif int(row[0]) != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {row[0]}, this jiejian needs "
                f"{SCHEMA_VERSION}: ingest the raw files again into a new --data directory"
            )

    def _columns(self, table: str) -> set[str]:
        if self.is_postgres:
            return set(self.db.columns(table))
        return sqlite_columns(self.db, table)

    def _migrate_from_1(self) -> None:
        """Version 1 → 2: new columns only; every stored row stays. Sources have no pipeline
        version yet, so the next ingest of their files extracts them again."""
        with self.transaction():
            for table, columns in _ADDED_COLUMNS.items():
                have = self._columns(table)
                for name, kind in columns:
                    if name not in have:
                        kind = self.dialect.types["INT"] if kind == "INTEGER" else kind
                        self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
            self.db.execute(
                "UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),)
            )

    def _migrate_from_2(self) -> None:
        """Version 2 → 3: passages gain ``ocr``. Files whose reader ran OCR (or archives,
        which may hold scans) lose their pipeline version, so the next ingest of them
        extracts them again and marks their passages; the rest read as not OCR, which they
        are."""
        # First, so that a crash between the two steps leaves version 2 and both run again.
        with self.transaction():
            self.db.execute(
                "UPDATE sources SET pipeline=NULL"
                " WHERE format LIKE '%ocr' OR format IN ('zip', '7z')"
            )
        self._migrate_from_1()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CorpusStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self) -> list[str]:
        """Problems the engine finds with the store itself (empty when healthy)."""
        if self.is_postgres:
            try:
                self.db.execute("SELECT COUNT(*) FROM meta").fetchone()
            except Exception as exc:
                return [f"the store (PostgreSQL) does not answer: {exc}"]
            return []
        row = self.db.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            return [f"the store fails SQLite's quick_check: {row[0] if row else ''}"]
        return []

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute(self.dialect.begin)
        self._in_tx = True
        try:
            if self.is_postgres:
                self.db.advisory_lock(WRITER_LOCK)
            elif self._memo is not None and self._data_version() != self._memo.version:
                self._memo = None  # another connection wrote since our last commit
            yield
        except BaseException:
            self._in_tx = False
            self._memo = None  # it may hold rows the rollback took back
            self.db.execute("ROLLBACK")
            raise
        self._in_tx = False
        self.db.execute("COMMIT")
        # The memo's version stays the one read when it began: this connection's own commits
        # do not change PRAGMA data_version, and re-reading it here would take in a commit
        # another connection made just after ours, unseen.

    def _data_version(self) -> int:
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def start_run_memo(self) -> bool:
        """Answer de-duplication look-ups from memory for the rest of this ingest run
        (``_RunMemo``), when that is exact: a SQLite store with no report yet. Returns
        whether it did."""
        if self.is_postgres or self._in_tx:
            return False
        version = self._data_version()  # first: a commit after it is seen at the next batch
        if self.db.execute("SELECT 1 FROM reports LIMIT 1").fetchone() is not None:
            return False
        self._memo = _RunMemo(version)
        return True

    def stop_run_memo(self) -> None:
        self._memo = None

    def _bound_memo(self) -> None:
        """Memory stays bounded on a big first ingest (~1.9 KB a passage): past
        MEMO_MAX_ROWS reports and passages the queries answer from here on, and they see
        this transaction's own rows."""
        memo = self._memo
        if memo is not None and len(memo.reports) + len(memo.groups) > MEMO_MAX_ROWS:
            self._memo = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """A run of ``savepoint()`` units (an ingest's files). SQLite: one transaction, as
        one writer commits fastest in batches. PostgreSQL: each unit commits by itself, so
        concurrent writers take turns file by file and none waits out another's parsing."""
        if not self.is_postgres:
            with self.transaction():
                yield
            return
        self._batch = True
        try:
            yield
        finally:
            self._batch = False

    @contextmanager
    def _pg_unit(self) -> Iterator[None]:
        """One unit as its own PostgreSQL transaction, in pipeline mode: statements are sent
        without waiting for each answer (a read waits for its own), so BEGIN, the writer
        lock, the writes and COMMIT cost no round trip each; one file's unit makes ~15
        statements, and on a busy machine each round trip costs more than the statement.
        An error surfaces at the next read or at the end, and the transaction rolls back."""
        self._in_tx = True
        try:
            with self.db.pipeline():
                self.db.execute("BEGIN")
                self.db.advisory_lock(WRITER_LOCK)
                yield
                self.db.execute("COMMIT")
        except BaseException:
            self.db.rollback_if_open()
            raise
        finally:
            self._in_tx = False

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested unit inside a transaction: on error only its own writes are undone.
        Outside a transaction on PostgreSQL (in a ``batch()``): a transaction of its own."""
        if self.is_postgres and not self._in_tx:
            with self._pg_unit():
                yield
            return
        self.db.execute("SAVEPOINT unit")
        memo = self._memo
        if memo is not None:
            memo.journals.append([])
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK TO unit")
            self.db.execute("RELEASE unit")
            if memo is not None:
                memo.undo(memo.journals.pop())
            raise
        self.db.execute("RELEASE unit")
        if memo is not None:
            journal = memo.journals.pop()
            if memo.journals:  # a nested unit: its entries belong to the outer one now
                memo.journals[-1].extend(journal)

    def _rows_in(self, sql: str, values: Sequence[Any]) -> Iterator[Any]:
        """Rows of `sql`, whose `IN ({marks})` list takes `values`, a few hundred at a time.

        Old SQLite builds cap bound parameters at 999, so long id lists go in chunks.
        """
        for i in range(0, len(values), _MAX_PARAMS):
            chunk = list(values[i : i + _MAX_PARAMS])
            yield from self.db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)

    def _stream(self, sql: str, batch: int = 2000) -> Iterator[Any]:
        """Rows of a long query without holding them all (PostgreSQL: single-row mode)."""
        if self.is_postgres:
            yield from self.db.stream(sql)
            return
        cur = self.db.execute(sql)
        while rows := cur.fetchmany(batch):
            yield from rows

    # ----- ingest side -------------------------------------------------------------------

    def start_run(self) -> int:
        row = self.db.execute(
            "INSERT INTO ingest_runs(started_at) VALUES(?) RETURNING run_id", (time.time(),)
        ).fetchone()
        return int(row[0])

    def finish_run(self, run_id: int, seconds: float, summary: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE ingest_runs SET seconds=?, summary=? WHERE run_id=?",
            (seconds, json.dumps(summary, ensure_ascii=False), run_id),
        )
        self._bump_version()

    def _bump_version(self) -> None:
        self.db.execute(
            "INSERT INTO meta VALUES('data_version', '1') ON CONFLICT(key) DO UPDATE "
            "SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
        )

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    def indexable_report_ids(self) -> set[str]:
        """Reports with passages: what a complete index holds."""
        return {r[0] for r in self.db.execute("SELECT report_id FROM reports WHERE n_passages>0")}

    # ----- what a Milvus-mode index holds, report by report ------------------------------
    # A Milvus-mode index has no doc table: the indexer records here which reports each
    # build's collections hold (``kind``: passages | practices), so what to add, what to
    # remove and what waits to be indexed are SQL anti-joins, not sets in memory.

    _INDEXABLE: ClassVar[dict[str, str]] = {
        "passages": "r.n_passages > 0",
        "practices": "EXISTS (SELECT 1 FROM practices x WHERE x.report_id = r.report_id)",
    }

    def index_pending(self, build: str, kind: str) -> list[str]:
        """Reports with ``kind`` documents that ``build`` does not hold yet, in ingest order."""
        return [
            row[0]
            for row in self.db.execute(
                f"SELECT r.report_id FROM reports r WHERE {self._INDEXABLE[kind]} AND NOT "
                "EXISTS (SELECT 1 FROM indexed_reports i WHERE i.build=? AND i.kind=? AND "
                "i.report_id = r.report_id) ORDER BY r.seq",
                (build, kind),
            )
        ]

    def index_gone(self, build: str, kind: str) -> list[str]:
        """Reports ``build`` holds whose ``kind`` documents left the store."""
        return [
            row[0]
            for row in self.db.execute(
                "SELECT i.report_id FROM indexed_reports i WHERE i.build=? AND i.kind=? AND NOT "
                f"EXISTS (SELECT 1 FROM reports r WHERE r.report_id = i.report_id AND "
                f"{self._INDEXABLE[kind]}) ORDER BY i.report_id",
                (build, kind),
            )
        ]

    def mark_indexed(self, build: str, kind: str, report_ids: list[str], held: bool) -> None:
        """Record that ``build`` now holds (``held``) or no longer holds these reports."""
        with self.transaction():
            if held:
                self.db.executemany(
                    "INSERT INTO indexed_reports VALUES(?,?,?) ON CONFLICT DO NOTHING",
                    [(build, kind, r) for r in report_ids],
                )
            else:
                self.db.executemany(
                    "DELETE FROM indexed_reports WHERE build=? AND kind=? AND report_id=?",
                    [(build, kind, r) for r in report_ids],
                )

    def index_held(self, build: str, kind: str) -> int:
        """How many reports ``build`` holds documents of."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM indexed_reports WHERE build=? AND kind=?", (build, kind)
        ).fetchone()
        return int(row[0])

    def forget_index_builds(self, keep: list[str]) -> None:
        """Drop the records of every build but ``keep`` (their collections were dropped)."""
        marks = ",".join("?" * len(keep))
        with self.transaction():
            self.db.execute(f"DELETE FROM indexed_reports WHERE build NOT IN ({marks})", keep)

    def index_freshness(self, build: str) -> tuple[int, int]:
        """(stored reports ``build`` lacks, reports it holds that left the store), counted
        by the database."""
        waiting = self.db.execute(
            f"SELECT COUNT(*) FROM reports r WHERE {self._INDEXABLE['passages']} AND NOT "
            "EXISTS (SELECT 1 FROM indexed_reports i WHERE i.build=? AND i.kind='passages' "
            "AND i.report_id = r.report_id)",
            (build,),
        ).fetchone()[0]
        stale = self.db.execute(
            "SELECT COUNT(*) FROM indexed_reports i WHERE i.build=? AND i.kind='passages' AND "
            "NOT EXISTS (SELECT 1 FROM reports r WHERE r.report_id = i.report_id AND "
            f"{self._INDEXABLE['passages']})",
            (build,),
        ).fetchone()[0]
        return int(waiting), int(stale)

    def data_version(self) -> int:
        """Increases with every ingest run and deletion: indexes record what they reflect."""
        row = self.db.execute("SELECT value FROM meta WHERE key='data_version'").fetchone()
        return int(row[0]) if row else 0

    def log(self, run_id: int, path: str, status: str, reason: str | None = None) -> None:
        self.db.execute(
            "INSERT INTO ingest_log VALUES(?,?,?,?,?)", (run_id, path, status, reason, time.time())
        )

    def source_paths(self) -> set[str]:
        """Every file path the store has a record of (read or skipped)."""
        return {r[0] for r in self.db.execute("SELECT path FROM sources")}

    def file_shas(self, pipeline: int) -> dict[str, str]:
        """Path -> checksum of every stored file extracted by ``pipeline``: a file not
        stored, or extracted by another pipeline version, has none and must be extracted
        again. One query (an ingest asks it of every file it is given)."""
        return {
            r[0]: r[1]
            for r in self.db.execute(
                "SELECT path, sha256 FROM sources WHERE status='ok' AND pipeline=?"
                " AND sha256 IS NOT NULL",
                (pipeline,),
            )
        }

    def record_file(
        self,
        path: str,
        sha256: str | None,
        size: int | None,
        fmt: str | None,
        encoding: str | None,
        status: str,
        reason: str | None,
        n_reports: int,
        pipeline: int | None = None,
    ) -> None:
        self.db.execute(
            _UPSERT_SOURCE,
            (path, sha256, size, fmt, encoding, status, reason, n_reports, time.time(), pipeline),
        )

    def forget_file(self, path: str, with_members: bool = False) -> list[str]:
        """Unlink a file's reports (its content changed); drop reports left with no source.

        ``with_members``: the file is an archive whose reports are sourced as ``path/member``.
        """
        where = "path=?"
        args: tuple[Any, ...] = (path,)
        if with_members:
            prefix = path + "/"
            where = "(path=? OR substr(path, 1, ?) = ?)"
            args = (path, len(prefix), prefix)
        ids = [
            r[0]
            for r in self.db.execute(
                f"SELECT DISTINCT report_id FROM report_sources WHERE {where}", args
            )
        ]
        self.db.execute(f"DELETE FROM report_sources WHERE {where}", args)
        orphans = [
            rid
            for rid in ids
            if not self.db.execute(
                "SELECT 1 FROM report_sources WHERE report_id=? LIMIT 1", (rid,)
            ).fetchone()
        ]
        for rid in orphans:
            self._delete_report_rows(rid)
        for rid in set(ids) - set(orphans):
            self._refresh_primary_source(rid)
        return orphans

    def has_report(self, report_id: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM reports WHERE report_id=?", (report_id,)).fetchone()
            is not None
        )

    def add_source(
        self,
        report_id: str,
        path: str,
        ordinal: int,
        sha256: str | None,
        kind: str,
        similarity: float | None = None,
    ) -> None:
        self.db.execute(
            _ADD_SOURCE,
            (report_id, path, ordinal, sha256, kind, similarity, time.time()),
        )

    def report_candidates(self, report_id: str, keys: Iterable[int]) -> tuple[bool, list[str]]:
        """Whether the report is stored already, and the stored reports sharing a band key
        (one query for both)."""
        keys = list(keys)
        if self._memo is not None:
            return report_id in self._memo.reports, self._memo.candidates(keys)
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            "SELECT report_id, 1 FROM reports WHERE report_id=? UNION ALL "
            f"SELECT DISTINCT report_id, 0 FROM report_bands WHERE key IN ({marks})",
            [report_id, *keys],
        ).fetchall()
        exact = any(r[1] for r in rows)
        return exact, list(dict.fromkeys(r[0] for r in rows if not r[1]))

    def signatures_of(self, ids: list[str]) -> dict[str, bytes]:
        """Stored MinHash values of reports or passages (absent for rows stored before
        signatures were kept)."""
        if self._memo is not None:
            sigs = self._memo.sigs
            return {i: sigs[i] for i in ids if i in sigs}
        return {
            r[0]: r[1]
            for r in self._rows_in("SELECT id, sig FROM signatures WHERE id IN ({marks})", ids)
        }

    def dup_groups_of(self, passage_ids: list[str]) -> dict[str, str | None]:
        if self._memo is not None:
            groups = self._memo.groups
            return {p: groups[p] for p in passage_ids if p in groups}
        return {
            r[0]: r[1]
            for r in self._rows_in(
                "SELECT passage_id, dup_group FROM passages WHERE passage_id IN ({marks})",
                passage_ids,
            )
        }

    def report_simplified(self, report_id: str) -> str:
        row = self.db.execute(
            "SELECT simplified FROM reports WHERE report_id=?", (report_id,)
        ).fetchone()
        return row[0] if row else ""

    def insert_report(self, report: Report, band_keys: list[int]) -> None:
        m = report.meta
        # One statement: the next sequence number is taken inside the insert. (VALUES, not
        # INSERT ... SELECT: PostgreSQL types the parameters from the target columns.)
        self.db.execute(
            "INSERT INTO reports(report_id, seq, title, jurisdiction, jurisdiction_path, level,"
            " org_type, year, doc_type, script, source, text, simplified, evidence, n_passages,"
            " added_at, year_delivered, date, review_period)"
            " VALUES(?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM reports), "
            + ",".join("?" * 17)
            + ")",
            (
                report.report_id,
                m.title,
                m.jurisdiction,
                _json(m.jurisdiction_path) if m.jurisdiction_path else None,
                m.level,
                m.org_type,
                m.year,
                m.doc_type,
                m.script,
                report.source,
                report.text,
                report.simplified,
                _json(m.evidence),
                len(report.passages),
                time.time(),
                m.year_delivered,
                m.date,
                m.review_period,
            ),
        )
        self.db.executemany(
            "INSERT INTO report_bands VALUES(?,?)", [(k, report.report_id) for k in band_keys]
        )
        if report.signature:
            self.db.execute(
                _UPSERT_SIGNATURE,
                (report.report_id, report.signature),
            )
        if self._memo is not None:
            self._memo.add_report(report.report_id, band_keys, report.signature)
            self._bound_memo()

    def passages_by_band(self, keys: Iterable[int]) -> dict[int, list[str]]:
        """Stored passages sharing each LSH band key (one query for a whole report)."""
        if self._memo is not None:
            bands = self._memo.passage_bands
            return {k: list(bands[k]) for k in set(keys) if k in bands}
        out: dict[int, list[str]] = {}
        for key, pid in self._rows_in(
            "SELECT key, passage_id FROM passage_bands WHERE key IN ({marks})", list(set(keys))
        ):
            out.setdefault(key, []).append(pid)
        return out

    def passage_dup_info(self, passage_id: str) -> tuple[str, str | None]:
        row = self.db.execute(
            "SELECT text, dup_group FROM passages WHERE passage_id=?", (passage_id,)
        ).fetchone()
        return (row[0], row[1]) if row else ("", None)

    def insert_passages(
        self,
        passages: list[Passage],
        keys: list[list[int]],
        signatures: list[bytes] | None = None,
    ) -> None:
        self.db.executemany(_UPSERT_PASSAGE, [_passage_row(p) for p in passages])
        # A passage that joined a duplicate group is found through the group's first member,
        # so only ungrouped passages enter the LSH table (keeps popular keys short).
        self.db.executemany(
            "INSERT INTO passage_bands VALUES(?,?)",
            [
                (k, p.passage_id)
                for p, ks in zip(passages, keys, strict=True)
                if p.dup_group is None
                for k in ks
            ],
        )
        if signatures:
            self.db.executemany(
                _UPSERT_SIGNATURE,
                [(p.passage_id, sig) for p, sig in zip(passages, signatures, strict=True) if sig],
            )
        if self._memo is not None:
            sigs = signatures or [b""] * len(passages)
            self._memo.add_passages(
                [
                    (p.passage_id, p.dup_group, ks, sig)
                    for p, ks, sig in zip(passages, keys, sigs, strict=True)
                ]
            )
            self._bound_memo()

    def insert_practices(self, practices: list[Practice]) -> None:
        self.db.executemany(_UPSERT_PRACTICE, [_practice_row(p) for p in practices])

    @staticmethod
    def _practice(row: Any) -> Practice:
        return Practice(**_fields_of(Practice, row))

    # Passages and practices are both per-report tables ordered by ``ordinal``; one pair of
    # queries reads either, report by report.
    def _of_report(self, table: str, report_id: str) -> Any:
        return self.db.execute(
            f"SELECT * FROM {table} WHERE report_id=? ORDER BY ordinal", (report_id,)
        )

    def _in_ingest_order(self, table: str, batch: int) -> Iterator[Any]:
        return self._stream(
            f"SELECT x.* FROM {table} x JOIN reports r ON r.report_id = x.report_id "
            "ORDER BY r.seq, x.ordinal",
            batch,
        )

    def practices_of(self, report_id: str) -> list[Practice]:
        return [self._practice(r) for r in self._of_report("practices", report_id)]

    def iter_practices(self, batch: int = 2000) -> Iterator[Practice]:
        return map(self._practice, self._in_ingest_order("practices", batch))

    def places(self) -> list[str]:
        """Every place a stored report is of: its jurisdiction path, or its jurisdiction
        where it has no path (the places the index's filters know; any order)."""
        values = self.dialect.json_values.format(column="reports.jurisdiction_path")
        sql = (
            f"SELECT value FROM reports, {values} WHERE reports.jurisdiction_path IS NOT NULL"
            " UNION SELECT jurisdiction FROM reports"
            " WHERE jurisdiction_path IS NULL AND jurisdiction IS NOT NULL"
        )
        return [row[0] for row in self.db.execute(sql)]

    def passage_texts_titled(self, ids: list[str]) -> dict[str, tuple[str, str | None]]:
        """Each passage's text and its report's title, in one read: what the relevance floor
        reads (``passages_by_ids`` builds whole records, JSON section paths included, 13 ms
        for 200 random passages of a 1M store against 2 ms for the texts alone)."""
        sql = (
            "SELECT p.passage_id, p.text, r.title FROM passages p JOIN reports r"
            " ON r.report_id = p.report_id WHERE p.passage_id IN ({marks})"
        )
        return {row[0]: (row[1], row[2]) for row in self._rows_in(sql, ids)}

    def practices_by_ids(self, ids: list[str]) -> dict[str, Practice]:
        return {
            row["practice_id"]: self._practice(row)
            for row in self._rows_in("SELECT * FROM practices WHERE practice_id IN ({marks})", ids)
        }

    def reports_without_practices(self) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT report_id FROM reports r WHERE NOT EXISTS "
                "(SELECT 1 FROM practices x WHERE x.report_id = r.report_id) ORDER BY seq"
            )
        ]

    def _delete_report_rows(self, report_id: str) -> None:
        self._memo = None  # the memo only ever grows: deletions go back to the queries
        pids = [
            r[0]
            for r in self.db.execute(
                "SELECT passage_id FROM passages WHERE report_id=?", (report_id,)
            )
        ]
        self.db.executemany("DELETE FROM passage_bands WHERE passage_id=?", [(p,) for p in pids])
        self.db.executemany("DELETE FROM signatures WHERE id=?", [(p,) for p in [*pids, report_id]])
        self._promote_group_members(pids)
        self.db.execute("DELETE FROM passages WHERE report_id=?", (report_id,))
        self.db.execute("DELETE FROM practices WHERE report_id=?", (report_id,))
        self.db.execute("DELETE FROM report_bands WHERE report_id=?", (report_id,))
        self.db.execute("DELETE FROM reports WHERE report_id=?", (report_id,))

    def _promote_group_members(self, leaders: list[str]) -> None:
        """Passages elsewhere whose duplicate group was led by a deleted passage: the first
        of them leads the group now and enters the LSH table in its place."""
        for leader in leaders:
            rows = self.db.execute(
                # In the order the members were stored: by their report's ingest order
                # (both engines; SQLite's rowid has no PostgreSQL twin).
                "SELECT p.passage_id, p.text FROM passages p JOIN reports r"
                " ON r.report_id = p.report_id WHERE p.dup_group=? ORDER BY r.seq, p.ordinal",
                (leader,),
            ).fetchall()
            if not rows:
                continue
            new_leader, text = rows[0]
            self.db.execute("UPDATE passages SET dup_group=NULL WHERE passage_id=?", (new_leader,))
            self.db.execute(
                "UPDATE passages SET dup_group=? WHERE dup_group=?", (new_leader, leader)
            )
            keys = band_keys(signature(to_simplified(text)))
            self.db.executemany(
                "INSERT INTO passage_bands VALUES(?,?)", [(k, new_leader) for k in keys]
            )

    def _refresh_primary_source(self, report_id: str) -> None:
        row = self.db.execute(
            "SELECT path FROM report_sources WHERE report_id=? ORDER BY added_at LIMIT 1",
            (report_id,),
        ).fetchone()
        if row:
            self.db.execute("UPDATE reports SET source=? WHERE report_id=?", (row[0], report_id))

    def delete_report(self, report_id: str) -> bool:
        """Remove a report with its passages and source links. Returns False if unknown."""
        with self.transaction():
            if not self.has_report(report_id):
                return False
            self.db.execute("DELETE FROM report_sources WHERE report_id=?", (report_id,))
            self._delete_report_rows(report_id)
            self._bump_version()
        return True

    # ----- read side (what the index and API layers use) ----------------------------------

    def counts(self) -> dict[str, int]:
        q = self.db.execute
        return {
            "files": q("SELECT COUNT(*) FROM sources WHERE status='ok'").fetchone()[0],
            "reports": q("SELECT COUNT(*) FROM reports").fetchone()[0],
            "passages": q("SELECT COUNT(*) FROM passages").fetchone()[0],
            "sources": q("SELECT COUNT(*) FROM report_sources").fetchone()[0],
        }

    def _sources_by_report(self, report_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for r in self._rows_in(
            "SELECT * FROM report_sources WHERE report_id IN ({marks}) ORDER BY added_at, path",
            report_ids,
        ):
            out.setdefault(r["report_id"], []).append(
                {
                    "path": r["path"],
                    "ordinal": r["ordinal"],
                    "kind": r["kind"],
                    "similarity": r["similarity"],
                }
            )
        return out

    def _sources_of(self, report_id: str) -> list[dict[str, Any]]:
        return self._sources_by_report([report_id]).get(report_id, [])

    def _report(
        self,
        row: Any,
        with_text: bool,
        sources: list[dict[str, Any]] | None = None,
    ) -> ReportRecord:
        stored = {f.name: row[f.name] for f in fields(ReportFields)}
        path = stored["jurisdiction_path"]
        stored["jurisdiction_path"] = json.loads(path) if path else None
        return ReportRecord(
            **stored,
            report_id=row["report_id"],
            source=row["source"],
            n_passages=row["n_passages"],
            sources=self._sources_of(row["report_id"]) if sources is None else sources,
            text=row["text"] if with_text else None,
            simplified=row["simplified"] if with_text else None,
        )

    def list_reports(
        self,
        places: tuple[str, ...] = (),
        exclude_places: tuple[str, ...] = (),
        levels: tuple[str, ...] = (),
        doc_types: tuple[str, ...] = (),
        year_from: int | None = None,
        year_to: int | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[int, list[ReportRecord]]:
        """A filtered page of reports in ingest order, and how many match in all."""
        where: list[str] = []
        args: list[Any] = []

        values = self.dialect.json_values.format(column="reports.jurisdiction_path")

        def on_path(places: tuple[str, ...]) -> str:
            marks = ",".join("?" * len(places))
            args.extend([*places, *places])
            return (
                f"(jurisdiction IN ({marks}) OR EXISTS (SELECT 1 FROM {values} "
                f"WHERE value IN ({marks})))"
            )

        if places:
            where.append(on_path(places))
        if exclude_places:
            where.append("NOT " + on_path(exclude_places))
        for column, chosen in (("level", levels), ("doc_type", doc_types)):
            if chosen:
                where.append(f"{column} IN ({','.join('?' * len(chosen))})")
                args.extend(chosen)
        if year_from is not None:
            where.append("year >= ?")
            args.append(year_from)
        if year_to is not None:
            where.append("year <= ?")
            args.append(year_to)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        total = self.db.execute(f"SELECT COUNT(*) FROM reports {clause}", args).fetchone()[0]
        ids = [
            r[0]
            for r in self.db.execute(
                f"SELECT report_id FROM reports {clause} ORDER BY seq LIMIT ? OFFSET ?",
                [*args, limit, offset],
            )
        ]
        found = self.reports_by_ids(ids)
        return total, [found[i] for i in ids if i in found]

    def iter_reports(self, with_text: bool = False) -> Iterator[ReportRecord]:
        for row in self.db.execute("SELECT * FROM reports ORDER BY seq").fetchall():
            yield self._report(row, with_text)

    def get_report(self, report_id: str, with_text: bool = True) -> ReportRecord | None:
        row = self.db.execute("SELECT * FROM reports WHERE report_id=?", (report_id,)).fetchone()
        return self._report(row, with_text) if row else None

    @staticmethod
    def _passage(row: Any) -> PassageRecord:
        return PassageRecord(**_fields_of(PassageRecord, row))

    def passages_of(self, report_id: str) -> list[PassageRecord]:
        return [self._passage(r) for r in self._of_report("passages", report_id)]

    def get_passage(self, passage_id: str) -> PassageRecord | None:
        row = self.db.execute("SELECT * FROM passages WHERE passage_id=?", (passage_id,)).fetchone()
        return self._passage(row) if row else None

    def passages_by_ids(self, passage_ids: list[str]) -> dict[str, PassageRecord]:
        return {
            row["passage_id"]: self._passage(row)
            for row in self._rows_in(
                "SELECT * FROM passages WHERE passage_id IN ({marks})", passage_ids
            )
        }

    def add_edge_lines_of(self, files: Mapping[int, Iterable[int]]) -> None:
        """Record the fingerprints of each file's edge lines (see corpus.boilerplate),
        replacing what was recorded for it: one unit of three statements for many files."""
        with self.savepoint():
            self.db.executemany("DELETE FROM edge_lines WHERE file=?", [(f,) for f in files])
            self.db.executemany(
                _ADD_EDGE_LINE, [(f, k) for f, keys in files.items() for k in sorted(keys)]
            )

    def recurring_edge_lines(self, min_files: int) -> frozenset[int]:
        rows = self.db.execute(
            "SELECT line FROM edge_lines GROUP BY line HAVING COUNT(*) >= ?", (min_files,)
        )
        return frozenset(r[0] for r in rows)

    def reports_of_source(self, path: str, with_text: bool = False) -> list[ReportRecord]:
        """The reports a source file yielded, in their order inside the file."""
        rows = self.db.execute(
            "SELECT r.* FROM report_sources s JOIN reports r USING(report_id) "
            "WHERE s.path=? ORDER BY s.ordinal",
            (path,),
        ).fetchall()
        return [self._report(row, with_text) for row in rows]

    def reports_by_ids(self, report_ids: list[str]) -> dict[str, ReportRecord]:
        """Report fields without text, with their sources, for many reports at once."""
        ids = list(dict.fromkeys(report_ids))
        sources = self._sources_by_report(ids)
        cols = ", ".join(("seq", *REPORT_FIELDS, "n_passages"))  # no text columns
        return {
            row["report_id"]: self._report(
                row, with_text=False, sources=sources.get(row["report_id"], [])
            )
            for row in self._rows_in(
                f"SELECT {cols} FROM reports WHERE report_id IN ({{marks}})", ids
            )
        }

    def group_members(self, groups: list[str]) -> dict[str, list[str]]:
        """Passage ids of every member of each duplicate group (the leader included)."""
        out: dict[str, list[str]] = {g: [g] for g in groups}
        for pid, g in self._rows_in(
            "SELECT passage_id, dup_group FROM passages WHERE dup_group IN ({marks})", groups
        ):
            out[g].append(pid)
        return out

    def iter_passages(self, batch: int = 2000) -> Iterator[PassageRecord]:
        """All passages, report by report in ingest order, fetched in batches."""
        return map(self._passage, self._in_ingest_order("passages", batch))

    def skipped_files(self) -> list[tuple[str, str]]:
        return [
            (r[0], r[1])
            for r in self.db.execute(
                "SELECT path, reason FROM sources WHERE status='skipped' ORDER BY path"
            )
        ]


class PerThreadStore:
    """Read-only store access for many threads: each thread lazily opens its own read-only
    connection (a sqlite3 connection must not be used by two threads at once), so readers
    need no shared lock. On PostgreSQL, with psycopg_pool installed, all threads share one
    store reading through a bounded pool of ``pool_size`` connections instead."""

    def __init__(
        self, data_dir: str | Path, url: str | None = None, pool_size: int = STORE_READ_POOL
    ):
        self.data_dir = Path(data_dir)
        self.url = url
        self._local = threading.local()
        self._opened: list[CorpusStore] = []
        self._guard = threading.Lock()
        self._shared: CorpusStore | None = None
        if is_postgres_url(url) and has_read_pool():
            self._shared = CorpusStore(data_dir, readonly=True, url=url, pool_size=pool_size)
            self._opened.append(self._shared)

    def _mine(self) -> CorpusStore:
        if self._shared is not None:
            return self._shared
        store = getattr(self._local, "store", None)
        if store is None:
            store = CorpusStore(self.data_dir, readonly=True, url=self.url)
            self._local.store = store
            with self._guard:
                self._opened.append(store)
        return store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._mine(), name)

    def close(self) -> None:
        with self._guard:
            for store in self._opened:
                store.close()
            self._opened.clear()
