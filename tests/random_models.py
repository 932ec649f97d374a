"""Randomly initialised sentence-transformers models built on the spot, for the tests that
exercise the transformer path and for scripts/bench_encoder.py: nothing is downloaded."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def random_sentence_transformer(
    root: Path,
    chars: Iterable[str],
    *,
    hidden: int = 32,
    layers: int = 1,
    heads: int = 2,
    inter: int = 64,
    vocab_size: int | None = None,
    max_seq_length: int = 256,
) -> Path:
    """A BERT with a character vocabulary and mean pooling, saved as a sentence-transformers
    model under ``root / "st"``. ``vocab_size`` above the vocabulary gives a real model's
    embedding-table size (its extra rows are never used)."""
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # pragma: no cover - older sentence-transformers
        from sentence_transformers.models import Pooling, Transformer

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(set(chars))]
    bert = root / "bert"
    bert.mkdir(parents=True)
    (bert / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    tok = BertTokenizerFast(vocab_file=str(bert / "vocab.txt"))
    config = BertConfig(
        vocab_size=vocab_size or len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=inter,
        max_position_embeddings=512,
    )
    BertModel(config).save_pretrained(bert)
    tok.save_pretrained(bert)
    modules = [Transformer(str(bert), max_seq_length=max_seq_length), Pooling(hidden, "mean")]
    out = root / "st"
    SentenceTransformer(modules=modules, device="cpu").save(str(out))
    return out
