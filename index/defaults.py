"""Defaults and names of the index layer, defined once and light to import (no FAISS, no
torch): the typed settings (``api.settings``) validate ``JIEJIAN_VECTOR_INDEX`` and
``JIEJIAN_EMBED_MODEL`` against these before anything heavy is loaded."""

from __future__ import annotations

# The offline default embedder, built from the corpus at index time.
CORPUS_MODEL = "corpus-static"
EMBED_MODEL = CORPUS_MODEL

# Vector backends by setting name -> "module:class", imported only when an index is made
# or loaded (``index.vectors.factory``). ``auto`` chooses among them by corpus size.
VECTOR_BACKENDS: dict[str, str] = {
    "exact": "index.vectors.exact:NumpyExactIndex",
    "flat": "index.vectors.faiss_backends:FaissFlatIndex",
    "ivf": "index.vectors.faiss_backends:FaissIVFIndex",
    "hnsw": "index.vectors.faiss_backends:FaissHNSWIndex",
}
VECTOR_INDEX = "auto"
VECTOR_INDEX_CHOICES: tuple[str, ...] = (VECTOR_INDEX, *VECTOR_BACKENDS)

# Where BM25 and dense search run (``index.backends``): the local files or Milvus.
INDEX_BACKENDS: tuple[str, ...] = ("local", "milvus")
INDEX_BACKEND = "local"
MILVUS_COLLECTION = "jiejian"  # prefix of the Milvus collections' names
