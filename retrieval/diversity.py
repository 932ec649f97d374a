"""Result-page diversity: pure functions over ranked hits."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def collapse(hits: Sequence[T], key: Callable[[T], Hashable | None]) -> list[tuple[T, list[T]]]:
    """Keep the best hit of each key (e.g. a near-duplicate group); the others ride along.
    Hits whose key is None are never merged."""
    out: list[tuple[T, list[T]]] = []
    index: dict[Hashable, int] = {}
    for h in hits:
        k = key(h)
        if k is not None and k in index:
            out[index[k]][1].append(h)
            continue
        if k is not None:
            index[k] = len(out)
        out.append((h, []))
    return out


def demote_per_key(hits: Sequence[T], key: Callable[[T], Hashable], limit: int) -> list[T]:
    """Round-robin diversity that drops nothing: round 0 holds each key's first ``limit``
    hits, round 1 the next ``limit``, and so on; rounds follow each other, order kept
    inside a round. A report's third-best passage moves down the list (to a later page)
    instead of vanishing."""
    if limit <= 0:
        return list(hits)
    seen: dict[Hashable, int] = {}
    rounds: list[list[T]] = []
    for h in hits:
        k = key(h)
        n = seen.get(k, 0)
        seen[k] = n + 1
        r = n // limit
        while len(rounds) <= r:
            rounds.append([])
        rounds[r].append(h)
    return [h for rnd in rounds for h in rnd]


def group(hits: Sequence[T], key: Callable[[T], K]) -> list[tuple[K, list[T]]]:
    """Groups in order of their best hit."""
    groups: dict[K, list[T]] = {}
    for h in hits:
        groups.setdefault(key(h), []).append(h)
    return list(groups.items())
