"""The embedder interface: texts in either script in, unit vectors out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Literal

import numpy as np

from corpus.script import to_simplified

Kind = Literal["query", "passage"]


class Embedder(ABC):
    model_id: str
    dim: int
    query_prefix: str = ""
    passage_prefix: str = ""

    def model_texts(self, texts: list[str], kind: Kind) -> list[str]:
        """What the model sees: the project's text normal form (simplified script) behind
        the prefix of its kind."""
        prefix = self.query_prefix if kind == "query" else self.passage_prefix
        return [prefix + to_simplified(t) for t in texts]

    @abstractmethod
    def encode(self, texts: list[str], kind: Kind = "passage", batch_size: int = 64) -> np.ndarray:
        """float32 array (len(texts), dim), rows L2-normalised (inner product = cosine)."""
