"""The offline default embedder: a static word-embedding model built from the corpus.

Nothing is downloaded. At index time the project
1. trains a byte-pair tokenizer (``tokenizers``) on the simplified passages, so multi-character
   words become single tokens without any external dictionary;
2. counts token co-occurrences within a window (weighted by 1/distance);
3. turns counts into positive pointwise mutual information (context distribution smoothed);
4. factorises PPMI with a randomized truncated SVD (:func:`randomized_svd`): token vector =
   U·sqrt(S);
5. scales each token vector by a smooth inverse frequency weight a/(a+p), so that the
   mean over a text's tokens (what StaticEmbedding computes) favours informative words;
and saves the result in sentence-transformers' ``StaticEmbedding`` layout (it loads with
``SentenceTransformer(path)``), written and read without torch (``index.embedders.static_numpy``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import numpy as np
from scipy import sparse

from index.config import StaticParams
from index.defaults import CORPUS_MODEL
from index.embedders.static_numpy import save_static_model

MODEL_KIND = CORPUS_MODEL
CHUNK_TEXTS = 20_000
SEPARATOR = np.array([-1], dtype=np.int64)


def _train_tokenizer(texts: list[str], p: StaticParams):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=False)]
    )
    trainer = trainers.BpeTrainer(
        vocab_size=p.vocab_size,
        min_frequency=p.min_frequency,
        # Word-sized tokens generalise; whole-phrase merges would each be seen only a few times.
        max_token_length=p.max_token_chars,
        special_tokens=["[UNK]", "[PAD]"],
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def _cooccurrence(flat: np.ndarray, vocab: int, window: int) -> sparse.csr_matrix:
    """Symmetric co-occurrence counts weighted 1/distance; ``flat`` holds token ids with -1
    between passages (a pair across a separator belongs to two passages and is skipped)."""
    sep = (flat < 0).astype(np.int64)
    seps_before = np.concatenate([[0], np.cumsum(sep)])  # separators in flat[:i]
    rows, cols, vals = [], [], []
    for d in range(1, window + 1):
        a, b = flat[:-d], flat[d:]
        # no separator at positions i..i+d (inclusive): same passage
        ok = (seps_before[d + 1 : len(flat) + 1] - seps_before[: len(flat) - d]) == 0
        rows += [a[ok], b[ok]]
        cols += [b[ok], a[ok]]
        w = np.float32(1.0 / d)
        vals += [np.full(int(ok.sum()), w, dtype=np.float32)] * 2
    m = sparse.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(vocab, vocab),
        dtype=np.float32,
    )
    return m.tocsr()


def _ppmi(counts: sparse.csr_matrix, alpha: float = 0.75) -> sparse.csr_matrix:
    total = counts.sum()
    row = np.asarray(counts.sum(axis=1)).ravel()
    col = np.asarray(counts.sum(axis=0)).ravel() ** alpha
    col_p = col / col.sum()
    row_p = row / total
    c = counts.tocoo()
    with np.errstate(divide="ignore"):
        pmi = np.log(c.data / total) - np.log(row_p[c.row]) - np.log(col_p[c.col])
    keep = pmi > 0
    return sparse.csr_matrix((pmi[keep], (c.row[keep], c.col[keep])), shape=counts.shape)


def randomized_svd(
    m: sparse.csr_matrix, k: int, n_iter: int, seed: int, oversample: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """The top ``k`` left singular vectors and values of ``m``: the randomized range finder
    of Halko, Martinsson and Tropp (2011, algorithms 4.3 and 5.1) with LU-normalised power
    iterations, each column's sign fixed by its largest entry. It is what scikit-learn's
    ``randomized_svd`` does for these arguments, with the same random draws, so models are
    unchanged; written here because importing scikit-learn for this one function cost each
    ``jiejian index`` or ``build`` process 1.3-2.5 s (it pulls in pandas and scipy.stats).
    One BLAS thread: the matrices are small (vocabulary x k+10), and on a busy machine
    OpenBLAS's threads spin waiting for each other (training on the seeds took 9.8 CPU-s
    with its default threads under load, 1.5 with one; on 100k passages one thread was no
    slower, 18.8 against 21.1 CPU-s)."""
    from scipy import linalg
    from threadpoolctl import threadpool_limits

    rng = np.random.RandomState(seed)
    with threadpool_limits(limits=1, user_api="blas"):
        q = rng.normal(size=(m.shape[1], k + oversample)).astype(m.dtype, copy=False)
        for _ in range(n_iter):
            q, _ = linalg.lu(m @ q, permute_l=True, check_finite=False)
            q, _ = linalg.lu(m.T @ q, permute_l=True, check_finite=False)
        q, _ = linalg.qr(m @ q, mode="economic", check_finite=False)
        u_hat, s, _ = linalg.svd(q.T @ m, full_matrices=False, lapack_driver="gesdd")
        u = q @ u_hat
    signs = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(u.shape[1])])
    return u[:, :k] * signs[:k], s[:k]


def build_static_model(
    texts: Iterable[str], out_dir: Path, params: StaticParams | None = None
) -> Path:
    """Train on simplified ``texts`` and save a sentence-transformers model to ``out_dir``."""
    p = params or StaticParams()
    corpus = [t for t in texts if t.strip()]
    if not corpus:
        raise ValueError("cannot build an embedding model from an empty corpus")
    if len(corpus) > p.max_train_texts:
        # An evenly spread sample keeps training time and memory flat on big corpora.
        step = len(corpus) / p.max_train_texts
        corpus = [corpus[int(i * step)] for i in range(p.max_train_texts)]
    tok = _train_tokenizer(corpus, p)
    vocab = tok.get_vocab_size()
    # Count in chunks so memory stays bounded however large the corpus: each chunk's pairs
    # are summed into one sparse matrix before the next chunk is encoded.
    counts = sparse.csr_matrix((vocab, vocab), dtype=np.float32)
    freq = np.zeros(vocab, dtype=np.float64)
    n_tokens = 0
    for i in range(0, len(corpus), CHUNK_TEXTS):
        parts = []
        for enc in tok.encode_batch(corpus[i : i + CHUNK_TEXTS], add_special_tokens=False):
            parts += [np.asarray(enc.ids, dtype=np.int64), SEPARATOR]
        flat = np.concatenate(parts) if parts else SEPARATOR
        real = flat[flat >= 0]
        freq += np.bincount(real, minlength=vocab)
        counts = counts + _cooccurrence(flat, vocab, p.window)
        n_tokens += len(real)
        if n_tokens >= p.max_tokens:
            break
    ppmi = _ppmi(counts)
    del counts
    k = max(2, min(p.dim, vocab - 1, ppmi.nnz and min(ppmi.shape) - 1))
    u, s = randomized_svd(ppmi, k, n_iter=5, seed=p.seed)
    emb = u * np.sqrt(s)
    if emb.shape[1] < p.dim:  # tiny corpora: pad so the dimension is what was asked
        emb = np.hstack([emb, np.zeros((vocab, p.dim - emb.shape[1]))])
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    emb = np.divide(emb, norms, out=np.zeros_like(emb), where=norms > 0)
    prob = freq / max(1.0, freq.sum())
    emb *= (p.sif_a / (p.sif_a + prob))[:, None]
    save_static_model(tok, emb.astype(np.float32), out_dir)
    info = {
        "kind": MODEL_KIND,
        "params": asdict(p),
        "vocab": vocab,
        "texts": len(corpus),
        "tokens_counted": n_tokens,
    }
    (out_dir / "jiejian_model.json").write_text(json.dumps(info, ensure_ascii=False), "utf-8")
    return out_dir
