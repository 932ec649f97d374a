"""Typed settings, read from JIEJIAN_* environment variables (and a .env file if present).

The one settings module. Defaults and bounds are not written here but read from the data
modules of the layer that owns them (``corpus.defaults``, ``corpus.limits``,
``index.defaults``), so a number is defined once. Light to import: nothing here loads
numpy, FAISS, torch, tantivy or jieba (``tests/test_settings_light.py`` checks it).
"""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from corpus.defaults import (
    CHUNK_MAX_CHARS,
    CHUNK_MAX_CHARS_RANGE,
    CHUNK_MIN_CHARS,
    CHUNK_MIN_CHARS_RANGE,
    STORE_READ_POOL,
    STORE_READ_POOL_RANGE,
)
from corpus.limits import DEFAULT_LIMITS as READ
from corpus.limits import ReadLimits
from index.config import IndexConfig
from index.defaults import (
    EMBED_MODEL,
    INDEX_BACKEND,
    INDEX_BACKENDS,
    MILVUS_COLLECTION,
    VECTOR_INDEX,
    VECTOR_INDEX_CHOICES,
)
from retrieval.defaults import SEARCH_THREADS, SEARCH_THREADS_RANGE, SERVER_WORKERS_RANGE

# IndexConfig fields whose setting has another name.
_INDEX_SETTING_NAMES = {"query_prefix": "embed_query_prefix"}


def _bounded(default: int, bounds: tuple[int, int], description: str | None = None) -> Any:
    """A whole-number setting within ``bounds`` (both data-module constants)."""
    return Field(default=default, ge=bounds[0], le=bounds[1], description=description)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIEJIAN_", env_file=".env", extra="ignore")

    data: Path = Field(default=Path(".jiejian/data"), description="data directory")
    chunk_min_chars: int = _bounded(CHUNK_MIN_CHARS, CHUNK_MIN_CHARS_RANGE)
    chunk_max_chars: int = _bounded(CHUNK_MAX_CHARS, CHUNK_MAX_CHARS_RANGE)
    ingest_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
    embed_model: str = Field(
        default=EMBED_MODEL,
        description="corpus-static (built from the corpus, offline) or a sentence-transformers "
        "model id / local path",
    )
    embed_query_prefix: str | None = Field(
        default=None, description="prefix for queries (default: bge-zh models get theirs)"
    )
    vector_index: str = Field(
        default=VECTOR_INDEX, description=f"one of {', '.join(VECTOR_INDEX_CHOICES)}"
    )
    dictionary: Path | None = Field(default=None, description="domain dictionary file")
    stopwords: Path | None = None
    synonyms: Path | None = Field(default=None, description="synonym lexicon file")
    themes: Path | None = Field(
        default=None,
        description="theme taxonomy (JSON: id, name, description, terms); default: the "
        "packaged corpus/data/themes.json. Its fingerprint is in the index manifest",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    api_key: SecretStr | None = Field(
        default=None, description="bearer key for uploads and deletions; unset = disabled"
    )
    max_upload_mb: float = Field(default=20.0, gt=0, le=500)
    max_upload_files: int = Field(default=20, ge=1, le=1000)
    # Bounds on the work one input file may cause (corpus.limits.ReadLimits); a file over a
    # bound is skipped with a reason naming the setting.
    read_max_file_mb: float = Field(
        default=READ.max_file_mb, gt=0, description="raw bytes of one file"
    )
    read_max_chars: int = Field(
        default=READ.max_chars, ge=1000, description="text characters a file"
    )
    read_max_unzipped_mb: float = Field(
        default=READ.max_unzipped_mb, gt=0, description="decompressed size of a docx/ofd/zip"
    )
    read_max_xml_mb: float = Field(
        default=READ.max_xml_mb, gt=0, description="one XML part of a docx/ofd"
    )
    read_max_pdf_pages: int = Field(default=READ.max_pdf_pages, ge=1)
    read_max_archive_members: int = Field(default=READ.max_archive_members, ge=1)
    read_max_archive_depth: int = Field(
        default=READ.max_archive_depth, ge=1, le=10, description="zips in zips"
    )
    read_ocr: bool = Field(default=READ.ocr, description="OCR scanned PDF pages and images")
    read_ocr_max_pages: int = Field(default=READ.ocr_max_pages, ge=1)
    read_timeout_s: float = Field(default=READ.timeout_s, gt=0, description="wall clock per file")
    read_memory_mb: int = Field(
        default=READ.memory_mb, ge=0, description="memory per reader; 0 = no cap"
    )

    def read_limits(self) -> ReadLimits:
        # Every ReadLimits field has its setting under the same name with a ``read_`` prefix
        # (a test checks that none is missing).
        return ReadLimits(**{f.name: getattr(self, f"read_{f.name}") for f in fields(ReadLimits)})

    log_level: str = Field(
        default="INFO",
        pattern="(?i)^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$",
        description="level of the jiejian loggers (server access log, ingest and index)",
    )
    log_json: bool = Field(default=False, description="log one JSON object per line")
    max_filename_bytes: int = Field(
        default=120, ge=16, le=200, description="uploaded file names are cut to this many bytes"
    )
    reload_interval: float = Field(
        default=1.0, gt=0, le=60, description="seconds between checks for a new index"
    )
    max_inflight: int = Field(
        default=8,
        ge=1,
        le=4096,
        description="API requests one server process works on at once; beyond, 503 with "
        "Retry-After instead of a queue",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="origins allowed to call the API from a browser (CORS); empty = "
        "same-origin only",
    )
    store_url: str | None = Field(
        default=None,
        description="the corpus store: empty = DATA/corpus.sqlite3; a SQLite file path, or "
        "postgresql://user:password@host:5432/db (indexes and uploads stay under DATA)",
    )
    store_pool: int = _bounded(
        STORE_READ_POOL,
        STORE_READ_POOL_RANGE,
        "PostgreSQL store: connections each server process reads through, shared by its "
        "request threads",
    )
    search_threads: int = _bounded(
        SEARCH_THREADS,
        SEARCH_THREADS_RANGE,
        "threads each server process shares to run one query's engine searches side by side "
        "while cores are idle (0: in the request's own thread)",
    )
    server_workers: int = _bounded(
        1,
        SERVER_WORKERS_RANGE,
        "server processes answering queries on this machine, which share its cores "
        "(`jiejian serve --workers` sets it)",
    )

    def index_config(self) -> IndexConfig:
        # Every IndexConfig field that is a setting takes it by name (the query prefix is
        # ``embed_query_prefix``; the token is kept secret until here); the rest keep
        # IndexConfig's defaults.
        values = {}
        for f in fields(IndexConfig):
            setting = _INDEX_SETTING_NAMES.get(f.name, f.name)
            if setting in type(self).model_fields:
                values[f.name] = getattr(self, setting)
        token = self.milvus_token
        values["milvus_token"] = token.get_secret_value() if token else None
        return IndexConfig(**values)

    @field_validator("vector_index")
    @classmethod
    def _known_vector_index(cls, value: str) -> str:
        if value not in VECTOR_INDEX_CHOICES:
            raise ValueError(
                f"unknown vector index {value!r}: choose {', '.join(VECTOR_INDEX_CHOICES)}"
            )
        return value

    @field_validator("index_backend")
    @classmethod
    def _known_index_backend(cls, value: str) -> str:
        if value not in INDEX_BACKENDS:
            raise ValueError(f"unknown index backend {value!r}: choose {', '.join(INDEX_BACKENDS)}")
        return value

    @field_validator("themes")
    @classmethod
    def _themes_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"JIEJIAN_THEMES: no such file {value}")
        return value

    @model_validator(mode="after")
    def _chunk_bounds(self) -> Settings:
        if self.chunk_min_chars >= self.chunk_max_chars:
            raise ValueError("JIEJIAN_CHUNK_MIN_CHARS must be below JIEJIAN_CHUNK_MAX_CHARS")
        return self

    # Index backend (index/backends): where BM25 and dense search run.
    index_backend: str = Field(
        default=INDEX_BACKEND,
        description="local (tantivy + FAISS in the data directory) or milvus",
    )
    milvus_uri: str = Field(
        default="",
        description="milvus-lite file (a path ending .db) or a server, http://host:19530; "
        "empty = DATA/milvus.db",
    )
    milvus_token: SecretStr | None = Field(
        default=None, description="Milvus user:password or token"
    )
    milvus_collection: str = Field(
        default=MILVUS_COLLECTION,
        pattern="^[A-Za-z][A-Za-z0-9_]{0,40}$",
        description="prefix of the Milvus collections' names",
    )
