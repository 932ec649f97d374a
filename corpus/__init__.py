"""Corpus layer: report files -> clean reports -> metadata, sections, passages -> store.

The index layer uses :class:`CorpusStore` (iterate reports and passages) and :func:`ingest`.
"""

from corpus.models import LEVELS, SECTION_ROLES
from corpus.passages import ChunkParams
from corpus.pipeline import IngestSummary, ingest
from corpus.store import CorpusStore, PassageRecord, ReportRecord, StoreError

__all__ = [
    "LEVELS",
    "SECTION_ROLES",
    "ChunkParams",
    "CorpusStore",
    "IngestSummary",
    "PassageRecord",
    "ReportRecord",
    "StoreError",
    "ingest",
]
