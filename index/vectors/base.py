"""The vector index interface: every backend stores unit vectors under integer ids and
searches by inner product, optionally restricted to an allowed-id mask."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from corpus.files import atomic_path


def save_npy(path: Path, array: np.ndarray) -> None:
    """``np.save`` under a temporary name, fsynced and renamed into place."""
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        np.save(fh, array)


class VectorIndex(ABC):
    kind: str = "base"
    exact: bool = True

    def __init__(self, dim: int):
        self.dim = dim

    @abstractmethod
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """``ids`` int64 (n,), ``vectors`` float32 (n, dim), rows L2-normalised."""

    @abstractmethod
    def remove(self, ids: np.ndarray) -> None: ...

    @abstractmethod
    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by inner product: (scores (q, k) float32, ids (q, k) int64, -1 = none).
        ``allowed`` is a boolean mask indexed by id; ids outside it are never returned."""

    @property
    @abstractmethod
    def ntotal(self) -> int: ...

    @abstractmethod
    def save(self, directory: Path) -> None: ...

    @classmethod
    @abstractmethod
    def load(cls, directory: Path, dim: int) -> VectorIndex: ...

    def _check(self, ids: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim or len(ids) != len(vectors):
            raise ValueError(
                f"expected ids (n,) and vectors (n, {self.dim}), got {ids.shape} {vectors.shape}"
            )
        return ids, vectors
