"""Vector index backends keyed by a setting string (``JIEJIAN_VECTOR_INDEX``)."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from index.defaults import VECTOR_BACKENDS
from index.vectors.base import VectorIndex
from index.vectors.faiss_backends import FaissIVFIndex


def _backend(target: str) -> type[VectorIndex]:
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


# The names live in index.defaults (the settings validate against them without FAISS).
BACKENDS: dict[str, type[VectorIndex]] = {k: _backend(v) for k, v in VECTOR_BACKENDS.items()}
# Up to here exact search over all vectors costs a few milliseconds; beyond it, IVF.
AUTO_EXACT_LIMIT = 200_000


def choose_kind(setting: str, n_vectors: int) -> str:
    if setting == "auto":
        return "flat" if n_vectors <= AUTO_EXACT_LIMIT else "ivf"
    if setting not in BACKENDS:
        raise ValueError(f"unknown vector index {setting!r}: choose auto, {', '.join(BACKENDS)}")
    return setting


def make_vector_index(kind: str, dim: int, n_vectors: int = 0) -> VectorIndex:
    if kind == "ivf":
        # about 4*sqrt(n) cells, with enough training points per cell, at most 4096
        nlist = int(max(8, min(4096, 4 * max(n_vectors, 1) ** 0.5, n_vectors // 39)))
        return FaissIVFIndex(dim, nlist=nlist)
    return BACKENDS[kind](dim)


def load_vector_index(kind: str, directory: Path, dim: int) -> VectorIndex:
    if kind not in BACKENDS:
        raise ValueError(f"unknown vector index {kind!r} in manifest")
    return BACKENDS[kind].load(directory, dim)
