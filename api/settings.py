"""Typed settings, read from JIEJIAN_* environment variables (and a .env file if present)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
