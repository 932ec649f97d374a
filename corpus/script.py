"""Traditional/simplified handling.

Reports keep their original script; every report also has a simplified twin used for
indexing and matching. The twin must have exactly the same length so that offsets found in
it are offsets into the original text.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def _same_length(conv: opencc.OpenCC, text: str) -> str:
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # Phrase tables can, rarely, change length. Fall back line by line, then char by char,
    # which always keeps length because the character tables map one char to one char.
    parts = []
    for line in text.split("\n"):
        conv_line = conv.convert(line)
        if len(conv_line) != len(line):
            conv_line = "".join(c2 if len(c2 := conv.convert(ch)) == 1 else ch for ch in line)
        parts.append(conv_line)
    return "\n".join(parts)


def to_simplified(text: str) -> str:
    """Simplified form of ``text`` with the same length (offsets are shared)."""
    if len(text) <= _SHORT:
        return _short_simplified(text)
    return _same_length(_t2s(), text)


_SHORT = 120


@lru_cache(maxsize=65536)
def _short_simplified(text: str) -> str:
    # Lines and titles are converted again and again (each title and furniture test looks at
    # the same few head lines); a call into OpenCC costs more than the cache lookup.
    return _same_length(_t2s(), text)


@lru_cache(maxsize=32768)
def _simplified_only(ch: str) -> bool:
    """A character that the traditional script writes otherwise (国 → 國). Asked one
    character at a time and remembered: a report has a few thousand distinct characters,
    and converting every 4,000-character sample again cost more than all of them."""
    return _s2t().convert(ch) != ch


def detect_script(text: str, simplified: str | None = None, sample: int = 4000) -> str:
    """'traditional', 'simplified' or 'mixed', from chars that only one script uses."""
    chunk = text[:sample]
    simp = simplified[:sample] if simplified is not None else _same_length(_t2s(), chunk)
    if chunk == simp:
        # No traditional-only character: the share below is 0 whatever the count of
        # simplified-only ones, so the answer is known without counting them.
        return "simplified"
    trad_only = sum(1 for a, b in zip(chunk, simp, strict=True) if a != b)
    # Counted over distinct characters (C-level Counter), not one Python step per character:
    # this ran for every report and cost more than the conversion itself.
    simp_only = sum(
        n for ch, n in Counter(chunk).items() if ch >= "\u4e00" and _simplified_only(ch)
    )
    total = trad_only + simp_only
    if total == 0:
        return "simplified"
    share = trad_only / total
    if share >= 0.8:
        return "traditional"
    if share <= 0.2:
        return "simplified"
    return "mixed"
