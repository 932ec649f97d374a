"""Word boundaries for corpus rules: where a role word or a figure's noun may start and end.

rjieba (jieba in Rust, a core dependency) segments; jieba's dictionary gives each word's part
of speech, so a figure chip can run on to the end of the noun it counts. corpus/ may not
import index/, and index/tokenizer.py tokenizes for search, not for this, so the segmenter
is reached here.

A few domain terms contain a role word without being a role (合理化建议 is a kind of
suggestion scheme, not a 建议 section); they join the dictionary so that a rule matching on
word boundaries does not see the role word inside them. The list is data: terms, not files.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

# Terms that contain a role word (建议, 计划, 问题, 措施, 目标…) but name a thing of their own.
DOMAIN_TERMS = (
    "合理化建议",
    "职工代表提案",
    "计划生育",
    "星火计划",
    "火炬计划",
    "问题导向",
    "问题清单",
    "目标责任制",
    "目标管理",
)


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    # rjieba: jieba's dictionary and algorithm in Rust, ~100x faster than jieba.cut here.
    import rjieba

    seg = rjieba.Jieba()
    for term in DOMAIN_TERMS:
        seg.add_word(term, 100_000, None)
    return seg


def dictionary_file() -> Path:
    """jieba's dict.txt (one "word frequency tag" line per word), found without importing
    jieba."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the jieba package (part-of-speech data) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


def dictionary_fields() -> list[str]:
    """dict.txt's fields in order: word, frequency, tag, word, ... Read from the file
    directly, in one split: jieba's own line-by-line readers (and importing jieba.posseg,
    which also loads its HMM tables) took ~0.25 CPU-s; this takes ~0.15."""
    text = dictionary_file().read_bytes().decode("utf-8")
    fields = text.split()
    lines = text.count("\n") + (not text.endswith("\n"))
    if len(fields) != 3 * lines:  # a word with a space in it, or a line without its tag
        raise RuntimeError(f"{dictionary_file()}: not one 'word frequency tag' entry per line")
    return fields


@lru_cache(maxsize=1)
def _tags() -> dict[str, str]:
    """Part of speech of each dictionary word (jieba's own dict.txt tags): the table
    ``jieba.posseg.dt.word_tag_tab`` holds (a test compares them)."""
    fields = dictionary_fields()
    return dict(zip(fields[0::3], fields[2::3], strict=True))


def preload() -> None:
    """Load the dictionaries now (e.g. before worker processes fork)."""
    _segmenter()
    _tags()


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[tuple[str, int, int], ...]:
    """(word, start, end) of ``text``, in order; cached because headings repeat."""
    return tuple(_segmenter().tokenize(text, "default", True))


def boundaries(text: str) -> frozenset[int]:
    """Offsets of ``text`` where a word starts or ends."""
    out = {0, len(text)}
    for _, s, e in words(text):
        out.add(s)
        out.add(e)
    return frozenset(out)


def inside_word(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is a piece of a longer word rather than that word's head.

    Chinese compounds put their head last (具体措施 is a kind of 措施), so a piece that ends
    its word still speaks for it, unless the word is a named domain term (合理化建议 is a
    scheme, not a proposal). A piece at the start or middle (计划 in 计划生育) never does."""
    for word, s, e in words(text):
        if s <= start and end <= e:
            if e - s == end - start:
                return False
            return end != e or word in DOMAIN_TERMS
        if s >= end:
            break
    return False


def tag(word: str) -> str | None:
    """The dictionary's part of speech for ``word`` (n, v, a, q, m, uj…); None if unknown."""
    return _tags().get(word)
