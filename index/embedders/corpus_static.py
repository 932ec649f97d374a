"""The offline default embedder: a static word-embedding model built from the corpus.

Nothing is downloaded. At index time the project
1. trains a byte-pair tokenizer (``tokenizers``) on the simplified passages, so multi-character
   words become single tokens without any external dictionary;
2. counts token co-occurrences within a window (weighted by 1/distance);
3. turns counts into positive pointwise mutual information (context distribution smoothed);
4. factorises PPMI with a randomized truncated SVD (scikit-learn): token vector = U·sqrt(S);
5. scales each token vector by a smooth inverse frequency weight a/(a+p), so that the
   mean over a text's tokens (what StaticEmbedding computes) favours informative words;
and saves the result as an ordinary sentence-transformers ``StaticEmbedding`` model, which is
loaded back with ``SentenceTransformer(path)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

MODEL_KIND = "corpus-static"


@dataclass(frozen=True)
class StaticParams:
    dim: int = 256
    vocab_size: int = 30_000
    max_token_chars: int = 4
    window: int = 5
    min_frequency: int = 2
    max_tokens: int = 40_000_000  # co-occurrence counting stops after this many tokens
    sif_a: float = 1e-3
    seed: int = 0


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


def _cooccurrence(seqs: list[list[int]], vocab: int, window: int) -> sparse.csr_matrix:
    flat = np.fromiter((t for s in seqs for t in [*s, -1]), dtype=np.int64)
    rows, cols, vals = [], [], []
    for d in range(1, window + 1):
        a, b = flat[:-d], flat[d:]
        ok = (a >= 0) & (b >= 0)
        # A separator between the two breaks the pair: they belong to different passages.
        if d > 1:
            sep = np.convolve(
                (flat < 0).astype(np.int64), np.ones(d - 1, dtype=np.int64), mode="valid"
            )[1 : len(a) + 1]
            ok &= sep[: len(a)] == 0
        rows += [a[ok], b[ok]]
        cols += [b[ok], a[ok]]
        vals += [np.full(int(ok.sum()), 1.0 / d, dtype=np.float32)] * 2
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


def build_static_model(
    texts: Iterable[str], out_dir: Path, params: StaticParams | None = None
) -> Path:
    """Train on simplified ``texts`` and save a sentence-transformers model to ``out_dir``."""
    from sentence_transformers import SentenceTransformer
    from sklearn.utils.extmath import randomized_svd

    try:  # sentence-transformers >= 6 moved the modules
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    except ImportError:  # pragma: no cover - older releases
        from sentence_transformers.models import StaticEmbedding

    p = params or StaticParams()
    corpus = [t for t in texts if t.strip()]
    if not corpus:
        raise ValueError("cannot build an embedding model from an empty corpus")
    tok = _train_tokenizer(corpus, p)
    vocab = tok.get_vocab_size()
    seqs: list[list[int]] = []
    n_tokens = 0
    for enc in tok.encode_batch(corpus, add_special_tokens=False):
        seqs.append(enc.ids)
        n_tokens += len(enc.ids)
        if n_tokens >= p.max_tokens:
            break
    counts = _cooccurrence(seqs, vocab, p.window)
    ppmi = _ppmi(counts)
    k = max(2, min(p.dim, vocab - 1, ppmi.nnz and min(ppmi.shape) - 1))
    u, s, _ = randomized_svd(ppmi, n_components=k, n_iter=5, random_state=p.seed)
    emb = u * np.sqrt(s)
    if emb.shape[1] < p.dim:  # tiny corpora: pad so the dimension is what was asked
        emb = np.hstack([emb, np.zeros((vocab, p.dim - emb.shape[1]))])
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    emb = np.divide(emb, norms, out=np.zeros_like(emb), where=norms > 0)
    freq = np.bincount(
        np.fromiter((t for s_ in seqs for t in s_), dtype=np.int64), minlength=vocab
    ).astype(np.float64)
    prob = freq / max(1.0, freq.sum())
    emb *= (p.sif_a / (p.sif_a + prob))[:, None]
    static = StaticEmbedding(tok, embedding_weights=emb.astype(np.float32))
    model = SentenceTransformer(modules=[static], device="cpu")
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(out_dir))
    info = {
        "kind": MODEL_KIND,
        "params": asdict(p),
        "vocab": vocab,
        "texts": len(corpus),
        "tokens_counted": n_tokens,
    }
    (out_dir / "jiejian_model.json").write_text(json.dumps(info, ensure_ascii=False), "utf-8")
    return out_dir
