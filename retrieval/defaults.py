"""Bounds and defaults of retrieval requests, defined once and light to import.

The searcher enforces them, the API's request models and the CLI's options declare them
(so OpenAPI and ``--help`` show them) and the web UI receives them with the vocabularies
(``GET /api/vocab``): one number each.
"""

from __future__ import annotations

from pathlib import Path

MAX_QUERY_CHARS = 200  # a longer query is cut (searcher) or refused (API)
DEFAULT_K = 10  # results per page
MAX_K = 100
MAX_OFFSET = 1000  # deep pages cost candidates from every engine
PAGE_SIZES: tuple[int, ...] = (10, 20, 50)  # what the web UI offers (each ≤ MAX_K)
MAX_PRACTICE_K = 50  # practice cards per page
MAX_CONTEXT = 10  # passages shown before and after one passage
REPORTS_PAGE = 20  # reports per page of the report list
MAX_REPORTS_PAGE = 200
MAX_REPORTS_OFFSET = 1_000_000
# Threads a served search index shares to run one query's engine searches side by side (the
# dense search and a section query's second BM25 list beside the main BM25 search) while
# cores are idle (retrieval/parallel.py); 0 runs them in the request's thread.
SEARCH_THREADS = 2
SEARCH_THREADS_RANGE = (0, 16)
SERVER_WORKERS_RANGE = (1, 64)  # server processes on one machine (jiejian serve --workers)
# The dev set `jiejian eval` scores by default (queries with graded relevant passages).
DEFAULT_DEVSET = Path(__file__).resolve().parents[1] / "tests" / "eval" / "devset.jsonl"

# How far the passages of a report from a place, or of a level, the query names move up
# (retrieval/constraints.py): a place named beside a topic (江苏 送温暖) is a clear wish to
# read that place first; a level word (乡镇工会) also often names a topic, so it weighs less.
PLACE_BOOST = 2.0
LEVEL_BOOST = 1.5
