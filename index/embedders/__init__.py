"""Embedders: one interface, a factory keyed by a setting string."""

from index.embedders.base import Embedder
from index.embedders.factory import DEFAULT_MODEL, is_corpus_model, load_embedder

__all__ = ["DEFAULT_MODEL", "Embedder", "is_corpus_model", "load_embedder"]
