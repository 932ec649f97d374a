"""Character spans of matched query terms in a passage's original-script text."""

from __future__ import annotations

from corpus.script import to_simplified


def highlight_spans(text: str, terms: list[str], min_len: int = 2) -> list[list[int]]:
    """Non-overlapping [start, end) spans where any term occurs; offsets are valid in the
    original text because its simplified twin has the same length."""
    simp = to_simplified(text).lower()
    spans: list[tuple[int, int]] = []
    for term in sorted(set(terms), key=len, reverse=True):
        if len(term) < min_len:
            continue
        start = simp.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = simp.find(term, start + 1)
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged
