"""Any sentence-transformers model, by hub id or local path. Static models (the corpus-built
default among them) are read without torch by ``index.embedders.static_numpy``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.embedders.base import Embedder, Kind

# What bge Chinese models expect in front of a retrieval query (their model card).
BGE_ZH_QUERY_PREFIX = "为这个句子生成表示以用于检索相关文章："


def default_query_prefix(model: str) -> str:
    low = model.lower()
    return BGE_ZH_QUERY_PREFIX if "bge" in low and "zh" in low else ""


class SentenceTransformerEmbedder(Embedder):
    def __init__(
        self,
        model: str | Path,
        model_id: str | None = None,
        query_prefix: str | None = None,
        passage_prefix: str = "",
        device: str = "cpu",
    ):
        from sentence_transformers import SentenceTransformer

        self.model_id = model_id or str(model)
        self.query_prefix = (
            default_query_prefix(str(model)) if query_prefix is None else (query_prefix)
        )
        self.passage_prefix = passage_prefix
        self.model = SentenceTransformer(str(model), device=device)
        get_dim = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if dim is None:
            dim = int(self.model.encode(["维度"], convert_to_numpy=True).shape[1])
        self.dim = int(dim)

    def encode(self, texts: list[str], kind: Kind = "passage", batch_size: int = 64) -> np.ndarray:
        batch = self.model_texts(texts, kind)
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            batch,
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)
