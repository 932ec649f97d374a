"""The embedder interface: texts in either script in, unit vectors out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Literal

import numpy as np

Kind = Literal["query", "passage"]


class Embedder(ABC):
    model_id: str
    dim: int

    @abstractmethod
    def encode(self, texts: list[str], kind: Kind = "passage", batch_size: int = 64) -> np.ndarray:
        """float32 array (len(texts), dim), rows L2-normalised (inner product = cosine)."""
