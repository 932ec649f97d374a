"""What an index is built with; the API layer fills it from the typed settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from index.embedders.corpus_static import StaticParams


@dataclass(frozen=True)
class IndexConfig:
    embed_model: str = "corpus-static"
    query_prefix: str | None = None  # None: the model's usual prefix (bge: its instruction)
    vector_index: str = "auto"  # auto | exact | flat | ivf | hnsw
    dictionary: Path | None = None  # None: the packaged union-terms dictionary
    stopwords: Path | None = None
    chunk_min_chars: int = 150
    chunk_max_chars: int = 400
    static: StaticParams = field(default_factory=StaticParams)
    encode_batch: int = 256
    # Where BM25 and dense search run (index/backends): local | milvus.
    index_backend: str = "local"
    milvus_uri: str = ""  # "" = a milvus-lite file DATA/milvus.db; or http://host:19530
    milvus_token: str | None = None
    milvus_collection: str = "jiejian"  # prefix of the collections' names
