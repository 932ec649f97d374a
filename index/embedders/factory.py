"""Embedders keyed by the ``JIEJIAN_EMBED_MODEL`` setting.

``corpus-static`` (the default) is the model the project builds from the corpus at index
time; anything else is a sentence-transformers model id or a local path, chosen by the user.
"""

from __future__ import annotations

from pathlib import Path

from index.embedders.base import Embedder
from index.embedders.corpus_static import MODEL_KIND
from index.embedders.sentence_transformer import SentenceTransformerEmbedder

DEFAULT_MODEL = MODEL_KIND


def is_corpus_model(setting: str) -> bool:
    return setting == MODEL_KIND


def load_embedder(
    setting: str, model_dir: Path | None = None, query_prefix: str | None = None
) -> Embedder:
    """``model_dir`` is where the corpus-built model lives (required for corpus-static)."""
    if is_corpus_model(setting):
        if model_dir is None or not (model_dir / "modules.json").exists():
            raise FileNotFoundError(
                "the corpus-built embedding model is missing: run `jiejian index` first"
            )
        return SentenceTransformerEmbedder(model_dir, model_id=MODEL_KIND, query_prefix="")
    return SentenceTransformerEmbedder(setting, query_prefix=query_prefix)
