"""Themes of passages and practices: the corpus term rule, then the nearest theme.

Documented rule: (1) the term rule of ``corpus.themes`` (distinct theme terms in the text;
themes with at least half the hits of the best, at most three); (2) a text with no term hit
gets the single nearest theme when the cosine similarity between its embedding and the
theme's embedding (name + description + terms, same embedder) is at least
``NEAREST_THEME_MIN``; otherwise it has no theme.
"""

from __future__ import annotations

import numpy as np

from corpus.themes import Theme, assign_themes, default_taxonomy
from index.embedders import Embedder

NEAREST_THEME_MIN = 0.35


def theme_vectors(embedder: Embedder, taxonomy: tuple[Theme, ...]) -> np.ndarray:
    texts = [" ".join([t.name, t.description, *t.terms]) for t in taxonomy]
    return embedder.encode(texts, "passage")


def assign(
    simplified: list[str],
    vectors: np.ndarray,
    embedder: Embedder,
    taxonomy: tuple[Theme, ...] | None = None,
) -> list[list[str]]:
    themes = taxonomy or default_taxonomy()
    out = [assign_themes(s, themes) for s in simplified]
    todo = [i for i, t in enumerate(out) if not t]
    if todo and len(vectors):
        sims = vectors[todo] @ theme_vectors(embedder, themes).T
        best = sims.argmax(axis=1)
        for i, b, s in zip(todo, best, sims[np.arange(len(todo)), best], strict=True):
            if s >= NEAREST_THEME_MIN:
                out[i] = [themes[int(b)].theme_id]
    return out
