"""Sentence-aware passages: the unit that is indexed and returned by search.

Each section's own text (from its heading to the next section) is cut into sentences and
packed into passages of at most ``max_chars``. A sentence is never cut unless it alone is
longer than ``max_chars``; then it is cut at a comma, or hard at the limit. Afterwards, a
passage shorter than ``min_chars`` is merged with its neighbour when both lie in the same
top-level section with the same role and the result still fits; the merged passage keeps
the section path the two share.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from corpus.defaults import CHUNK_MAX_CHARS, CHUNK_MIN_CHARS
from corpus.models import Passage, Section

SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|\n|$)")
SOFT_BREAK = re.compile(r"[，、：,:]")


@dataclass(frozen=True)
class ChunkParams:
    min_chars: int = CHUNK_MIN_CHARS
    max_chars: int = CHUNK_MAX_CHARS

    def __post_init__(self) -> None:
        if not 0 < self.min_chars < self.max_chars:
            raise ValueError("need 0 < min_chars < max_chars")


@dataclass
class _Chunk:
    start: int
    end: int
    path: tuple[str, ...]
    role: str
    top: int  # index of the top-level section it belongs to


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for m in SENTENCE.finditer(text, start, end):
        # str.strip drops exactly the characters isspace() calls space, in C: a Python step
        # per character at either end cost more than the regex.
        sentence = m.group()
        body = sentence.strip()
        if body:
            s = m.start() + len(sentence) - len(sentence.lstrip())
            spans.append((s, s + len(body)))
    return spans


def _cut_long(text: str, s: int, e: int, max_chars: int) -> list[tuple[int, int]]:
    out = []
    while e - s > max_chars:
        cut = -1
        for m in SOFT_BREAK.finditer(text, s + max_chars // 2, s + max_chars):
            cut = m.end()
        if cut <= s:
            cut = s + max_chars
        out.append((s, cut))
        s = cut
    out.append((s, e))
    return out


def _pack(text: str, sec: Section, own_end: int, top: int, p: ChunkParams) -> list[_Chunk]:
    pieces: list[tuple[int, int]] = []
    spans = sentence_spans(text, sec.start, own_end)
    if len(spans) >= 2 and sec.title and spans[0][1] <= sec.body_start + 1:
        # A heading on its own line travels with the sentence after it, never alone.
        spans = [(spans[0][0], spans[1][1]), *spans[2:]]
    for s, e in spans:
        pieces.extend(_cut_long(text, s, e, p.max_chars))
    chunks: list[_Chunk] = []
    cur_s = cur_e = None
    for s, e in pieces:
        if cur_s is not None and e - cur_s > p.max_chars:
            chunks.append(_Chunk(cur_s, cur_e, sec.path, sec.role, top))  # type: ignore[arg-type]
            cur_s = None
        if cur_s is None:
            cur_s = s
        cur_e = e
    if cur_s is not None:
        chunks.append(_Chunk(cur_s, cur_e, sec.path, sec.role, top))  # type: ignore[arg-type]
    _rebalance_tail(chunks, pieces, p)
    return chunks


def _rebalance_tail(chunks: list[_Chunk], pieces: list[tuple[int, int]], p: ChunkParams) -> None:
    """A short last chunk borrows sentences from the one before, so both end up mid-sized."""
    if len(chunks) < 2 or chunks[-1].end - chunks[-1].start >= p.min_chars:
        return
    a, b = chunks[-2], chunks[-1]
    bounds = [s for s, _ in pieces if a.start < s < b.end]
    best = None
    for cut in bounds:
        left = _trimmed_end(pieces, cut) - a.start
        right = b.end - cut
        if left <= p.max_chars and right <= p.max_chars:
            score = abs(left - right)
            if best is None or score < best[0]:
                best = (score, cut)
    if best is not None:
        a.end = _trimmed_end(pieces, best[1])
        b.start = best[1]


def _trimmed_end(pieces: list[tuple[int, int]], cut: int) -> int:
    return max(e for s, e in pieces if s < cut)


def _common_path(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out.append(x)
    return tuple(out)


def _merge_small(chunks: list[_Chunk], p: ChunkParams) -> list[_Chunk]:
    merged: list[_Chunk] = []
    for ch in chunks:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.role == ch.role
            and (prev.top == ch.top or ch.role == "其他")
            and (prev.end - prev.start < p.min_chars or ch.end - ch.start < p.min_chars)
            and ch.end - prev.start <= p.max_chars
        ):
            prev.end = ch.end
            prev.path = _common_path(prev.path, ch.path)
        else:
            merged.append(ch)
    return merged


def passage_id(report_id: str, ordinal: int, text: str) -> str:
    digest = hashlib.sha1(f"{report_id}\x1f{ordinal}\x1f{text}".encode()).hexdigest()
    return digest[:16]


def make_passages(
    report_id: str, text: str, sections: list[Section], params: ChunkParams | None = None
) -> list[Passage]:
    p = params or ChunkParams()
    chunks: list[_Chunk] = []
    top = -1
    for i, sec in enumerate(sections):
        if sec.depth == 1:
            top += 1
        own_end = sections[i + 1].start if i + 1 < len(sections) else len(text)
        chunks.extend(_pack(text, sec, own_end, max(top, 0), p))
    out = []
    for ordinal, ch in enumerate(_merge_small(chunks, p)):
        body = text[ch.start : ch.end]
        out.append(
            Passage(
                passage_id=passage_id(report_id, ordinal, body),
                report_id=report_id,
                ordinal=ordinal,
                text=body,
                section_path=list(ch.path),
                section_role=ch.role,
                start=ch.start,
                end=ch.end,
            )
        )
    return out
