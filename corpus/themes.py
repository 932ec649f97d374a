"""A taxonomy of union work (``data/themes.json``, extendable; ``JIEJIAN_THEMES`` names
another file) and the term rule that assigns themes to a text.

The index records the taxonomy's fingerprint (``taxonomy_fingerprint``) in its manifest:
tags are computed at index time, so an edited themes file makes the saved index stale;
loading refuses it and ``jiejian index`` rebuilds (re-tags) it.

Rule, applied to the simplified text: count, for each theme, how many *distinct* of its terms
occur (a longer term hides a shorter one inside it, so 困难职工 does not also count 职工).
A theme is assigned when it has at least one hit and at least half the hits of the best
theme; at most ``max_themes`` themes, best first. Texts with no term hit get no theme here:
the index layer may add the nearest theme by embedding similarity.
"""

from __future__ import annotations

import hashlib
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
    """The taxonomy in ``path`` (None: the packaged one). A malformed file is a
    ``ValueError`` naming the file and what is wrong."""
    where = str(path) if path is not None else "the packaged themes.json"
    try:
        raw = (
            path.read_text("utf-8")
            if path is not None
            else resources.files("corpus").joinpath("data/themes.json").read_text("utf-8")
        )
        themes = tuple(
            Theme(str(t["id"]), str(t["name"]), str(t["description"]), tuple(t["terms"]))
            for t in json.loads(raw)
        )
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"theme taxonomy {where} is not a JSON list of {{id, name, description, terms}}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    ids = [t.theme_id for t in themes]
    if len(set(ids)) != len(ids):
        raise ValueError(f"theme ids must be unique ({where})")
    if not themes:
        raise ValueError(f"theme taxonomy {where} is empty")
    return themes


def taxonomy_fingerprint(themes: tuple[Theme, ...]) -> str:
    """A hash of what tagging depends on: ids, names, descriptions and terms, in order
    (names and descriptions feed the nearest-theme embedding). Reformatting the file
    changes nothing; any edit to a theme changes it."""
    canon = json.dumps(
        [[t.theme_id, t.name, t.description, list(t.terms)] for t in themes],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "themes-" + hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


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
