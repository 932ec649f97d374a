"""A taxonomy of union work (``data/themes.json``, extendable) and the term rule that
assigns themes to a text.

Rule, applied to the simplified text: count, for each theme, how many *distinct* of its terms
occur (a longer term hides a shorter one inside it, so 困难职工 does not also count 职工).
A theme is assigned when it has at least one hit and at least half the hits of the best
theme; at most ``max_themes`` themes, best first. Texts with no term hit get no theme here:
the index layer may add the nearest theme by embedding similarity.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Theme:
    theme_id: str
    name: str
    description: str
    terms: tuple[str, ...]


def load_taxonomy(path: Path | None = None) -> tuple[Theme, ...]:
    raw = (
        path.read_text("utf-8")
        if path is not None
        else resources.files("corpus").joinpath("data/themes.json").read_text("utf-8")
    )
    themes = tuple(
        Theme(t["id"], t["name"], t["description"], tuple(t["terms"])) for t in json.loads(raw)
    )
    ids = [t.theme_id for t in themes]
    if len(set(ids)) != len(ids):
        raise ValueError("theme ids must be unique")
    return themes


@lru_cache(maxsize=1)
def default_taxonomy() -> tuple[Theme, ...]:
    return load_taxonomy()


def _hits(simplified: str, terms: tuple[str, ...]) -> int:
    found: list[str] = []
    for term in sorted(terms, key=len, reverse=True):
        if term in simplified and not any(term in longer for longer in found):
            found.append(term)
    return len(found)


def assign_themes(
    simplified: str, taxonomy: tuple[Theme, ...] | None = None, max_themes: int = 3
) -> list[str]:
    themes = taxonomy or default_taxonomy()
    scored = [(h, t.theme_id) for t in themes if (h := _hits(simplified, t.terms))]
    if not scored:
        return []
    best = max(h for h, _ in scored)
    keep = sorted((x for x in scored if 2 * x[0] >= best), key=lambda x: -x[0])
    return [tid for _, tid in keep[:max_themes]]
