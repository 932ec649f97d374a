"""Vector index backends."""

from index.vectors.base import VectorIndex
from index.vectors.factory import BACKENDS, choose_kind, load_vector_index, make_vector_index

__all__ = ["BACKENDS", "VectorIndex", "choose_kind", "load_vector_index", "make_vector_index"]
