"""Defaults and bounds of the corpus layer, defined once.

The typed settings (``api.settings``) take their defaults and bounds from here, and so do the
layers to the right (filters, request validation, the web UI's inputs): change a number here
and every place that checks it follows.
"""

from __future__ import annotations

# Passage sizes in characters (``corpus.passages.ChunkParams``; JIEJIAN_CHUNK_MIN_CHARS /
# JIEJIAN_CHUNK_MAX_CHARS) and the range each setting accepts.
CHUNK_MIN_CHARS = 150
CHUNK_MAX_CHARS = 400
CHUNK_MIN_CHARS_RANGE = (20, 2000)
CHUNK_MAX_CHARS_RANGE = (50, 5000)

# Years a report can be about or filtered by: the People's Republic's to far beyond any
# plan (``corpus.dates`` reads no year outside; filters refuse one).
YEAR_MIN = 1949
YEAR_MAX = 2100

# PostgreSQL connections one server process reads through (JIEJIAN_STORE_POOL): its request
# threads share them (corpus.store_sql.PgReadPool); workers × this must stay under the
# server's max_connections (100 by default).
STORE_READ_POOL = 8
STORE_READ_POOL_RANGE = (1, 256)

# Bytes of a SQLite store each read-only connection maps into memory instead of reading
# through its 2 MB page cache: a served query reads some 400 passage texts at random for the
# relevance floor, and at 1M passages (a 1.4 GB file) that took 2.6-3.1 ms with reads and
# 1.7-1.8 ms mapped. The OS shares the mapped pages among connections and processes and
# reclaims them under memory pressure. Safe because nothing ever shrinks the file (no VACUUM;
# WAL checkpoints only write pages back).
SQLITE_READ_MMAP = 2 << 30

# The ingest writer's in-memory de-duplication look-ups (``corpus.store._RunMemo``) hold about
# 1.9 KB a passage; past this many reports and passages in one run the store's queries answer
# instead.
MEMO_MAX_ROWS = 200_000

# A document of this many Chinese characters or more with fewer than one sentence or clause
# mark (。！？；，、 or ASCII ,.;!?:) per PROSE_CHARS_PER_MARK of them is a word list (keyword
# stuffing, an index), not report prose: it is skipped with that reason. Report text has one
# every 10-30 characters; the bound is far from it so that OCR'd or table-heavy reports pass.
PROSE_CHECK_MIN_CHARS = 2000
PROSE_CHARS_PER_MARK = 400
