"""Brute-force inner product in numpy: the reference every other backend is tested against."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.vectors.base import VectorIndex, save_npy


class NumpyExactIndex(VectorIndex):
    kind = "exact"
    exact = True

    def __init__(self, dim: int):
        super().__init__(dim)
        self.ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, dim), dtype=np.float32)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = self._check(ids, vectors)
        self.ids = np.concatenate([self.ids, ids])
        self.vectors = np.vstack([self.vectors, vectors])

    def remove(self, ids: np.ndarray) -> None:
        keep = ~np.isin(self.ids, ids)
        self.ids, self.vectors = self.ids[keep], self.vectors[keep]

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        q = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        scores = q @ self.vectors.T
        if allowed is not None:
            ok = np.zeros(len(self.ids), dtype=bool)
            inside = self.ids < len(allowed)
            ok[inside] = allowed[self.ids[inside]]
            scores[:, ~ok] = -np.inf
        out_s = np.full((len(q), k), -np.inf, dtype=np.float32)
        out_i = np.full((len(q), k), -1, dtype=np.int64)
        n = min(k, scores.shape[1])
        if n:
            top = np.argpartition(-scores, n - 1, axis=1)[:, :n]
            for r in range(len(q)):
                order = top[r][np.argsort(-scores[r, top[r]], kind="stable")]
                valid = np.isfinite(scores[r, order])
                order = order[valid]
                out_s[r, : len(order)] = scores[r, order]
                out_i[r, : len(order)] = self.ids[order]
        return out_s, out_i

    @property
    def ntotal(self) -> int:
        return len(self.ids)

    def save(self, directory: Path) -> None:
        save_npy(directory / "vectors.npy", self.vectors)
        save_npy(directory / "vector_ids.npy", self.ids)

    @classmethod
    def load(cls, directory: Path, dim: int) -> NumpyExactIndex:
        index = cls(dim)
        index.vectors = np.load(directory / "vectors.npy")
        index.ids = np.load(directory / "vector_ids.npy")
        return index
