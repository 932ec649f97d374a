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
    # Where passages are embedded: None here, or a Ray cluster (`jiejian index --ray`).
    # Not part of what the index is: the vectors are the same either way.
    ray_address: str | None = None
