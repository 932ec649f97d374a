"""Typed settings, read from JIEJIAN_* environment variables (and a .env file if present)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from corpus.limits import ReadLimits
from index.config import IndexConfig


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIEJIAN_", env_file=".env", extra="ignore")

    data: Path = Field(default=Path(".jiejian/data"), description="data directory")
    chunk_min_chars: int = Field(default=150, ge=20, le=2000)
    chunk_max_chars: int = Field(default=400, ge=50, le=5000)
    ingest_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
    embed_model: str = Field(
        default="corpus-static",
        description="corpus-static (built from the corpus, offline) or a sentence-transformers "
        "model id / local path",
    )
    embed_query_prefix: str | None = Field(
        default=None, description="prefix for queries (default: bge-zh models get theirs)"
    )
    vector_index: str = Field(default="auto", pattern="^(auto|exact|flat|ivf|hnsw)$")
    dictionary: Path | None = Field(default=None, description="domain dictionary file")
    stopwords: Path | None = None
    synonyms: Path | None = Field(default=None, description="synonym lexicon file")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    api_key: SecretStr | None = Field(
        default=None, description="bearer key for uploads and deletions; unset = disabled"
    )
    max_upload_mb: float = Field(default=20.0, gt=0, le=500)
    max_upload_files: int = Field(default=20, ge=1, le=1000)
    # Bounds on the work one input file may cause (corpus.limits.ReadLimits); a file over a
    # bound is skipped with a reason naming the setting.
    read_max_file_mb: float = Field(default=200.0, gt=0, description="raw bytes of one file")
    read_max_chars: int = Field(default=2_000_000, ge=1000, description="text characters a file")
    read_max_unzipped_mb: float = Field(
        default=256.0, gt=0, description="decompressed size of a docx/ofd/zip, all parts"
    )
    read_max_xml_mb: float = Field(default=64.0, gt=0, description="one XML part of a docx/ofd")
    read_max_pdf_pages: int = Field(default=2000, ge=1)
    read_max_archive_members: int = Field(default=2000, ge=1)
    read_max_archive_depth: int = Field(default=2, ge=1, le=10, description="zips in zips")
    read_ocr: bool = Field(default=True, description="OCR scanned PDF pages and images")
    read_ocr_max_pages: int = Field(default=100, ge=1)
    read_timeout_s: float = Field(default=300.0, gt=0, description="wall clock per file")
    read_memory_mb: int = Field(default=2560, ge=0, description="memory per reader; 0 = no cap")

    def read_limits(self) -> ReadLimits:
        return ReadLimits(
            max_file_mb=self.read_max_file_mb,
            max_chars=self.read_max_chars,
            max_unzipped_mb=self.read_max_unzipped_mb,
            max_xml_mb=self.read_max_xml_mb,
            max_pdf_pages=self.read_max_pdf_pages,
            max_archive_members=self.read_max_archive_members,
            max_archive_depth=self.read_max_archive_depth,
            ocr=self.read_ocr,
            ocr_max_pages=self.read_ocr_max_pages,
            timeout_s=self.read_timeout_s,
            memory_mb=self.read_memory_mb,
        )

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

    def index_config(self) -> IndexConfig:
        return IndexConfig(
            embed_model=self.embed_model,
            query_prefix=self.embed_query_prefix,
            vector_index=self.vector_index,
            dictionary=self.dictionary,
            stopwords=self.stopwords,
            chunk_min_chars=self.chunk_min_chars,
            chunk_max_chars=self.chunk_max_chars,
        )

    @model_validator(mode="after")
    def _chunk_bounds(self) -> Settings:
        if self.chunk_min_chars >= self.chunk_max_chars:
            raise ValueError("JIEJIAN_CHUNK_MIN_CHARS must be below JIEJIAN_CHUNK_MAX_CHARS")
        return self
