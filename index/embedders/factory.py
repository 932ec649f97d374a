"""Embedders keyed by the ``JIEJIAN_EMBED_MODEL`` setting.

``corpus-static`` (the default) is the model the project builds from the corpus at index
time; anything else is a sentence-transformers model id or a local path, chosen by the user.
Static models (one ``StaticEmbedding`` module: the corpus model, or a local static model) run
in numpy; everything else through sentence-transformers (and torch), imported only then.
"""

from __future__ import annotations

from pathlib import Path

from index.embedders.base import Embedder
from index.embedders.corpus_static import MODEL_KIND
from index.embedders.static_numpy import StaticNumpyEmbedder, static_module_dir

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
        return StaticNumpyEmbedder(model_dir, model_id=MODEL_KIND)
    local = Path(setting)
    if local.is_dir() and static_module_dir(local) is not None:
        return StaticNumpyEmbedder(local, model_id=setting, query_prefix=query_prefix or "")
    from index.embedders.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(setting, query_prefix=query_prefix)
