"""What an index is built with; the API layer fills it from the typed settings.

Light to import (no numpy, FAISS or torch): the settings module builds these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from corpus.defaults import CHUNK_MAX_CHARS, CHUNK_MIN_CHARS
from index.defaults import EMBED_MODEL, INDEX_BACKEND, MILVUS_COLLECTION, VECTOR_INDEX


@dataclass(frozen=True)
class StaticParams:
    """How the offline corpus model is trained (``index.embedders.corpus_static``)."""

    dim: int = 256
    vocab_size: int = 30_000
    max_token_chars: int = 4
    window: int = 5
    min_frequency: int = 2
    max_tokens: int = 20_000_000  # co-occurrence counting stops after this many tokens
    max_train_texts: int = 300_000  # the tokenizer is trained on at most this many passages
    sif_a: float = 1e-3
    seed: int = 0


@dataclass(frozen=True)
class IndexConfig:
    embed_model: str = EMBED_MODEL
    query_prefix: str | None = None  # None: the model's usual prefix (bge: its instruction)
    vector_index: str = VECTOR_INDEX  # auto or a name of index.defaults.VECTOR_BACKENDS
    dictionary: Path | None = None  # None: the packaged union-terms dictionary
    stopwords: Path | None = None
    themes: Path | None = None  # None: the packaged taxonomy (corpus/data/themes.json)
    chunk_min_chars: int = CHUNK_MIN_CHARS
    chunk_max_chars: int = CHUNK_MAX_CHARS
    static: StaticParams = field(default_factory=StaticParams)
    encode_batch: int = 256
    # Where BM25 and dense search run (index/backends): local | milvus.
    index_backend: str = INDEX_BACKEND
    milvus_uri: str = ""  # "" = a milvus-lite file DATA/milvus.db; or http://host:19530
    milvus_token: str | None = None
    milvus_collection: str = MILVUS_COLLECTION  # prefix of the collections' names
    # Where passages are embedded: None here, or a Ray cluster (`jiejian index --ray`).
    # Not part of what the index is: the vectors are the same either way.
    ray_address: str | None = None
