"""One suite for every vector backend, checked against brute force."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.vectors import BACKENDS, choose_kind, load_vector_index, make_vector_index

ROOT = Path(__file__).resolve().parents[1]

DIM = 24
N = 2000


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    centers = rng.standard_normal((20, DIM))
    x = _unit(centers[rng.integers(0, 20, N)] + 0.3 * rng.standard_normal((N, DIM)))
    q = _unit(x[rng.integers(0, N, 25)] + 0.05 * rng.standard_normal((25, DIM)))
    ids = np.arange(N, dtype=np.int64) * 3 + 5  # ids need not be dense
    return ids, x, q


def _truth(ids, x, q, k, allowed=None):  # type: ignore[no-untyped-def]
    scores = q @ x.T
    if allowed is not None:
        scores[:, ~allowed[ids]] = -np.inf
    return [set(ids[np.argsort(-row)[:k]]) for row in scores]


def _recall(got: np.ndarray, truth: list[set[int]]) -> float:
    return float(
        np.mean([len(set(g[g >= 0]) & t) / len(t) for g, t in zip(got, truth, strict=True)])
    )


@pytest.mark.parametrize("kind", sorted(BACKENDS))
def test_search_matches_brute_force(kind: str, data) -> None:  # type: ignore[no-untyped-def]
    ids, x, q = data
    index = make_vector_index(kind, DIM, N)
    index.add(ids, x)
    assert index.ntotal == N
    scores, got = index.search(q, 10)
    truth = _truth(ids, x, q, 10)
    recall = _recall(got, truth)
    assert recall == 1.0 if index.exact else recall >= 0.9
    assert np.all(np.diff(scores, axis=1) <= 1e-5)  # best first


@pytest.mark.parametrize("kind", sorted(BACKENDS))
def test_filter_runs_inside_the_engine(kind: str, data) -> None:  # type: ignore[no-untyped-def]
    ids, x, q = data
    index = make_vector_index(kind, DIM, N)
    index.add(ids, x)
    allowed = np.zeros(ids.max() + 1, dtype=bool)
    allowed[ids[::17]] = True  # a selective filter: about 6% of the vectors
    _, got = index.search(q, 10, allowed)
    assert all(allowed[g] for row in got for g in row if g >= 0)
    # Not a post-filter: pages stay full even though most top neighbours are disallowed.
    assert (got >= 0).sum(axis=1).min() == 10
    recall = _recall(got, _truth(ids, x, q, 10, allowed))
    assert recall == 1.0 if index.exact else recall >= 0.9


@pytest.mark.parametrize("kind", sorted(BACKENDS))
def test_remove_and_reload(kind: str, data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids, x, q = data
    index = make_vector_index(kind, DIM, N)
    index.add(ids, x)
    _, before = index.search(q[:1], 5)
    gone = before[0][:2]
    index.remove(gone)
    assert index.ntotal == N - 2
    index.save(tmp_path)
    loaded = load_vector_index(kind, tmp_path, DIM)
    _, after = loaded.search(q[:1], 5)
    assert not set(gone) & set(after[0])
    assert loaded.ntotal == N - 2


@pytest.mark.parametrize(
    ("setting", "n", "kind"),
    [
        ("auto", 1000, "flat"),
        ("auto", 500_000, "ivf"),
        ("hnsw", 10, "hnsw"),
        ("exact", 10**6, "exact"),
    ],
)
def test_choose_kind(setting: str, n: int, kind: str) -> None:
    assert choose_kind(setting, n) == kind


def test_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown vector index"):
        choose_kind("annoy", 10)


@pytest.fixture(scope="module")
def static_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus-built static model trained on a few report sentences."""
    from index.config import StaticParams
    from index.embedders.corpus_static import build_static_model

    texts = [
        "工会经费收缴工作取得明显成效，税务代收覆盖全部建会企业",
        "开展送温暖活动，走访慰问困难职工和农民工",
        "推进农民工入会集中行动，新发展会员三千余人",
        "职工之家建设和会员评家民主测评工作扎实推进",
    ] * 20
    return build_static_model(texts, tmp_path_factory.mktemp("static") / "m", StaticParams())


# Both tests that import sentence-transformers (torch) share one worker: the import is paid once.
@pytest.mark.xdist_group("transformers")
def test_static_model_in_numpy_matches_sentence_transformers(static_model: Path) -> None:
    """The corpus-built model runs in numpy (no torch); its files are sentence-transformers'
    StaticEmbedding layout, and the vectors must be the ones sentence-transformers computes,
    for queries and passages, in either script, with or without any known token."""
    from sentence_transformers import SentenceTransformer

    from index.embedders import load_embedder
    from index.embedders.static_numpy import StaticNumpyEmbedder

    embedder = load_embedder("corpus-static", static_model)
    assert isinstance(embedder, StaticNumpyEmbedder)  # the default model takes the numpy path
    texts = ["工会经费收缴", "送溫暖活動怎麼開展", "zzz", "   ", "会员评家 民主测评"]
    simplified = ["工会经费收缴", "送温暖活动怎么开展", *texts[2:]]
    reference = SentenceTransformer(str(static_model), device="cpu").encode(
        simplified, convert_to_numpy=True, normalize_embeddings=True
    )
    assert np.abs(reference[0]).sum() > 0  # known tokens: a real vector, not the zero one
    for kind in ("query", "passage"):
        fast = embedder.encode(texts, kind)
        assert fast.shape == (len(texts), embedder.dim) and fast.dtype == np.float32
        np.testing.assert_allclose(fast, reference, atol=1e-6)


def test_loading_the_corpus_model_imports_no_torch(static_model: Path) -> None:
    """Every server worker, index run and job process loads the model: without torch."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from index.embedders import load_embedder\n"
        f"e = load_embedder('corpus-static', Path({str(static_model)!r}))\n"
        "e.encode(['送温暖'], 'query')\n"
        "heavy = ('torch', 'transformers', 'sentence_transformers')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_single_query_search_leaves_thread_count_alone(kind: str, data) -> None:  # type: ignore[no-untyped-def]
    import faiss

    ids, x, q = data
    index = make_vector_index(kind, x.shape[1], len(x))
    index.add(ids, x)
    before = faiss.omp_get_max_threads()
    one = index.search(q[:1], 5)  # on one thread: same answer as in a batch
    batch = index.search(q[:3], 5)
    assert faiss.omp_get_max_threads() == before  # the caller's setting is put back
    np.testing.assert_array_equal(one[1][0], batch[1][0])


def test_randomized_svd_matches_the_exact_decomposition() -> None:
    """The corpus model's truncated SVD against numpy's full one on a small sparse matrix
    with a clear spectrum: the same top singular values and subspace."""
    from scipy import sparse

    from index.embedders.corpus_static import randomized_svd

    rng = np.random.default_rng(3)
    low = (
        rng.normal(size=(300, 8))
        @ np.diag([40, 30, 20, 15, 10, 8, 6, 5])
        @ rng.normal(size=(8, 300))
    )
    m = sparse.csr_matrix((low + 0.01 * rng.normal(size=(300, 300))).astype(np.float32))
    u, s = randomized_svd(m, 6, n_iter=5, seed=0)
    u_ref, s_ref, _ = np.linalg.svd(m.toarray())
    np.testing.assert_allclose(s, s_ref[:6], rtol=1e-4)
    # the same subspace: projecting the exact vectors onto ours keeps their length
    np.testing.assert_allclose(np.linalg.norm(u.T @ u_ref[:, :6], axis=0), 1.0, atol=1e-4)
    # signs are fixed: each vector's largest entry is positive
    assert (u[np.abs(u).argmax(axis=0), np.arange(6)] > 0).all()
