"""Static embedding models (one ``StaticEmbedding`` module, as the corpus-built default is)
read and run with ``tokenizers`` + numpy, without torch.

Why not through sentence-transformers: importing it costs about 6.5 CPU-seconds (torch and
transformers), which every ``jiejian serve`` worker, ``jiejian index`` and job process paid
before it could answer, for a model whose whole forward pass is "mean of token rows". The
files are the ones sentence-transformers writes and reads (``modules.json``,
``tokenizer.json``, ``model.safetensors`` with ``embedding.weight``), so the same directory
still loads with ``SentenceTransformer(path)``; a test checks both give the same vectors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders.base import Embedder, Kind

MODULE_TYPE = "sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding"
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_KEY = "embedding.weight"
TOKENIZER_FILE = "tokenizer.json"


def static_module_dir(model_dir: Path) -> Path | None:
    """The folder of the one ``StaticEmbedding`` module of a saved model, or None when the
    model is anything else (several modules, a transformer, no safetensors weights)."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(modules, list) or len(modules) != 1:
        return None
    # older sentence-transformers releases name the class at sentence_transformers.models
    if not str(modules[0].get("type", "")).endswith(".StaticEmbedding"):
        return None
    folder = model_dir / str(modules[0].get("path", ""))
    if not (folder / WEIGHTS_FILE).is_file() or not (folder / TOKENIZER_FILE).is_file():
        return None
    return folder


def save_static_model(tokenizer: Any, weights: np.ndarray, out_dir: Path) -> None:
    """Write a one-module ``StaticEmbedding`` model in sentence-transformers' layout."""
    from safetensors.numpy import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.no_padding()  # what StaticEmbedding sets before it saves
    tokenizer.save(str(out_dir / TOKENIZER_FILE))
    save_file(
        {WEIGHTS_KEY: np.ascontiguousarray(weights, dtype=np.float32)}, str(out_dir / WEIGHTS_FILE)
    )
    modules = [{"idx": 0, "name": "0", "path": "", "type": MODULE_TYPE}]
    (out_dir / "modules.json").write_text(json.dumps(modules, indent=2), "utf-8")
    config = {
        "model_type": "SentenceTransformer",
        "prompts": {"query": "", "document": ""},
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    }
    (out_dir / "config_sentence_transformers.json").write_text(json.dumps(config, indent=2))


class StaticNumpyEmbedder(Embedder):
    """Mean of the token rows, unit length: what ``SentenceTransformer.encode(...,
    normalize_embeddings=True)`` returns for such a model (zeros for a text with no token)."""

    def __init__(self, model_dir: Path, model_id: str | None = None, query_prefix: str = ""):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = static_module_dir(model_dir)
        if folder is None:
            raise ValueError(f"{model_dir} is not a single StaticEmbedding model")
        self.model_dir = model_dir
        self.model_id = model_id or str(model_dir)
        self.query_prefix = query_prefix
        self.passage_prefix = ""
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.no_padding()
        weights = load_file(str(folder / WEIGHTS_FILE))
        if WEIGHTS_KEY not in weights:
            raise ValueError(f"{folder / WEIGHTS_FILE} has no {WEIGHTS_KEY!r} tensor")
        self.weights = np.ascontiguousarray(weights[WEIGHTS_KEY], dtype=np.float32)
        self.dim = int(self.weights.shape[1])

    def encode(self, texts: list[str], kind: Kind = "passage", batch_size: int = 64) -> np.ndarray:
        batch = self.model_texts(texts, kind)
        out = np.zeros((len(batch), self.dim), dtype=np.float32)
        for i, enc in enumerate(self.tokenizer.encode_batch(batch, add_special_tokens=False)):
            if enc.ids:
                v = self.weights[enc.ids].mean(axis=0)
                out[i] = v / max(float(np.linalg.norm(v)), 1e-12)
        return out
