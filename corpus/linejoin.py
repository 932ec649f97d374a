"""Re-join lines that page layout or copy-paste wrapped in the middle of a sentence.

A line is joined to the next when it does not end a sentence and either it is a long body
line (wrapped paragraph) or the break falls inside a word, which a segmenter tells: e.g.
"积极推进职工民" + "主管理制度" splits 民主. Heading lines are only joined in the second case, so
"一、主要做法" stays apart from the paragraph that follows it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.markers import starts_with_marker
from corpus.segment import dictionary_fields

SENTENCE_END = re.compile(r"[。！？；：…”’」』）)!?;:]$")
TITLE_END = re.compile(
    r"(?:总结|报告|汇报|材料|做法|经验|计划|要点|讲话|发言|通知|意见|方案|纪要|日)$"
)
LONG_LINE = 20


@lru_cache(maxsize=1)
def segmenter():  # type: ignore[no-untyped-def]
    """jieba's dictionary and algorithm (rjieba, in Rust), without the domain terms that
    corpus.segment adds: shared by line joining and place-name boundaries. It used to be
    jieba itself, whose dictionary takes ~0.8 s to load in every ingest (a fifth of the CPU
    of ingesting the real reports); rjieba loads in ~0.1 s and cuts the same words
    (``tests/test_linejoin.py`` compares the two)."""
    import rjieba

    return rjieba.Jieba()


def plain_words(text: str) -> list[str]:
    """``text`` cut into dictionary words, without the HMM for unknown words."""
    return segmenter().cut(text, False)  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def word_frequencies() -> dict[str, int]:
    """The segmenter's dictionary (jieba's dict.txt): word -> frequency. Read only when a
    legacy encoding must be guessed from damaged bytes."""
    fields = dictionary_fields()
    return dict(zip(fields[0::3], map(int, fields[1::3]), strict=True))


def preload_segmenter() -> None:
    """Load the segmenter's dictionary now (e.g. before worker processes fork)."""
    segmenter()


def splits_word(left: str, right: str) -> bool:
    """True when the segmenter puts a word across the boundary between ``left`` and ``right``."""
    a, b = left[-4:], right[:4]
    if a and b and a[-1].isdigit() and b[0].isdigit():
        return True  # "2" + "018年": a number cut in half
    if not a or not b or not ("\u4e00" <= a[-1] <= "\u9fff" and "\u4e00" <= b[0] <= "\u9fff"):
        return False
    return _word_across(a, b)


@lru_cache(maxsize=65536)
def _word_across(a: str, b: str) -> bool:
    # Cached: a call costs more than the look-up, and the same few characters either side of
    # a break (heading ends, wrapped figures) come back in file after file.
    pos = 0
    for token in plain_words(a + b):
        end = pos + len(token)
        if pos < len(a) < end:
            return True
        pos = end
    return False


def should_join(line: str, nxt: str, simp_line: str, simp_next: str) -> bool:
    if not line or not nxt:
        return False
    if SENTENCE_END.search(simp_line) or starts_with_marker(nxt):
        return False
    if not starts_with_marker(line) and len(line) >= LONG_LINE and not TITLE_END.search(simp_line):
        return True
    return splits_word(simp_line, simp_next)


def join_wrapped_lines(lines: list[str], simplified: list[str]) -> list[str]:
    out: list[str] = []
    out_simp: list[str] = []
    for line, simp in zip(lines, simplified, strict=True):
        if out and should_join(out[-1], line, out_simp[-1], simp):
            out[-1] += line
            out_simp[-1] += simp
        else:
            out.append(line)
            out_simp.append(simp)
    return out
