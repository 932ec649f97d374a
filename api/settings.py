"""Typed settings, read from JIEJIAN_* environment variables (and a .env file if present)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIEJIAN_", env_file=".env", extra="ignore")

    data: Path = Field(default=Path(".jiejian/data"), description="data directory")
    chunk_min_chars: int = Field(default=150, ge=20, le=2000)
    chunk_max_chars: int = Field(default=400, ge=50, le=5000)
    ingest_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)

    @model_validator(mode="after")
    def _chunk_bounds(self) -> Settings:
        if self.chunk_min_chars >= self.chunk_max_chars:
            raise ValueError("JIEJIAN_CHUNK_MIN_CHARS must be below JIEJIAN_CHUNK_MAX_CHARS")
        return self
