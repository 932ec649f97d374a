"""FAISS backends: exact flat inner product, IVF with 8-bit scalar quantisation, and HNSW.

Filters become an ``IDSelectorBitmap`` passed in the search parameters, so FAISS itself
skips disallowed ids (a post-filter would empty selective result pages). HNSW cannot
remove vectors; removed ids are kept out with the same selector.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

from corpus.files import atomic_path
from index.vectors.base import VectorIndex, save_npy

INDEX_FILE = "vectors.faiss"


def _selector(allowed: np.ndarray) -> tuple[faiss.IDSelector, np.ndarray]:
    bits = np.packbits(allowed.astype(np.uint8), bitorder="little")
    # The bitmap must outlive the search: the caller keeps the array referenced.
    return faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits)), bits


@contextmanager
def _omp_threads(n: int | None) -> Iterator[None]:
    """One query on one OpenMP thread. FAISS splits even a single query over all cores, and
    on a busy machine its threads wait for each other: a 0.04 ms flat search over the seeds
    had a p95 of 40-70 ms with 2 threads under load, 0.06 ms with one. The setting is the
    calling thread's own (OpenMP keeps it per thread) and is put back, so batch work and
    index builds keep every core."""
    if n is None:
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


class _FaissIndex(VectorIndex):
    exact = False

    def __init__(self, dim: int, index: faiss.Index | None = None):
        super().__init__(dim)
        self.index = index if index is not None else self._make()
        self.removed = np.zeros(0, dtype=bool)
        self.id_bound = 0  # one past the largest id ever added: selectors must cover it

    def _make(self) -> faiss.Index:
        raise NotImplementedError

    def _params(self, sel: faiss.IDSelector | None) -> faiss.SearchParameters | None:
        if sel is None:
            return None
        # faiss's wrapper takes keyword arguments; its stub knows only the bare constructor
        return faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = self._check(ids, vectors)
        if not self.index.is_trained:
            self.index.train(vectors)
        self.index.add_with_ids(vectors, ids)
        self._grow(ids)

    def _grow(self, ids: np.ndarray) -> None:
        if len(ids):
            self.id_bound = max(self.id_bound, int(ids.max()) + 1)

    def remove(self, ids: np.ndarray) -> None:
        # faiss's wrapper takes an id array too; the stub of Index knows only selectors
        self.index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64))  # type: ignore[arg-type]

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        q = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        if self.removed.any():
            base = np.ones(self.id_bound, dtype=bool)
            if allowed is not None:
                n = min(len(allowed), self.id_bound)
                base[:n] &= allowed[:n]
                base[n:] = False
            n = min(self.id_bound, len(self.removed))
            base[:n] &= ~self.removed[:n]
            allowed = base
        sel, keep = (None, None) if allowed is None else _selector(allowed)
        with _omp_threads(1 if len(q) == 1 else None):
            scores, ids = self.index.search(q, k, params=self._params(sel))
        del keep
        scores = np.where(ids < 0, -np.inf, scores).astype(np.float32)
        return scores, ids

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal) - int(self.removed.sum())

    def save(self, directory: Path) -> None:
        # temp name, fsync, rename: never overwrite a file a published version may share
        with atomic_path(directory / INDEX_FILE) as tmp:
            faiss.write_index(self.index, str(tmp))
        save_npy(directory / "removed.npy", self.removed)
        save_npy(directory / "id_bound.npy", np.array([self.id_bound], dtype=np.int64))

    @classmethod
    def load(cls, directory: Path, dim: int) -> _FaissIndex:
        obj = cls(dim, faiss.read_index(str(directory / INDEX_FILE)))
        obj.removed = np.load(directory / "removed.npy")
        obj.id_bound = int(np.load(directory / "id_bound.npy")[0])
        return obj


class FaissFlatIndex(_FaissIndex):
    kind = "flat"
    exact = True

    def _make(self) -> faiss.Index:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))


class FaissIVFIndex(_FaissIndex):
    """Inverted lists over k-means cells, vectors stored as 8-bit scalars (4x smaller)."""

    kind = "ivf"
    nprobe = 24

    def __init__(self, dim: int, index: faiss.Index | None = None, nlist: int = 1024):
        self.nlist = nlist
        super().__init__(dim, index)

    def _make(self) -> faiss.Index:
        quantizer = faiss.IndexFlatIP(self.dim)
        return faiss.IndexIVFScalarQuantizer(
            quantizer,
            self.dim,
            self.nlist,
            faiss.ScalarQuantizer.QT_8bit,
            faiss.METRIC_INNER_PRODUCT,
        )

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = self._check(ids, vectors)
        if not self.index.is_trained:
            # k-means wants ~40 points per cell; a sample keeps training fast at 1M vectors.
            rng = np.random.default_rng(0)
            sample = vectors[
                rng.choice(len(vectors), min(len(vectors), self.nlist * 64), replace=False)
            ]
            self.index.train(sample)
        self.index.add_with_ids(vectors, ids)
        self._grow(ids)

    def _params(self, sel: faiss.IDSelector | None) -> faiss.SearchParameters:
        # faiss's wrapper takes keyword arguments; its stub knows only the bare constructor
        return faiss.SearchParametersIVF(sel=sel, nprobe=self.nprobe)  # type: ignore[call-arg]


class FaissHNSWIndex(_FaissIndex):
    kind = "hnsw"
    ef_search = 128

    def _make(self) -> faiss.Index:
        hnsw = faiss.IndexHNSWFlat(self.dim, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        return faiss.IndexIDMap2(hnsw)

    def remove(self, ids: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids):
            size = max(len(self.removed), int(ids.max()) + 1)
            self.removed = np.concatenate(
                [self.removed, np.zeros(size - len(self.removed), dtype=bool)]
            )
            self.removed[ids] = True

    def _params(self, sel: faiss.IDSelector | None) -> faiss.SearchParameters:
        # faiss's stub lacks SearchParametersHNSW (the module has it)
        return faiss.SearchParametersHNSW(sel=sel, efSearch=self.ef_search)  # type: ignore[attr-defined]
