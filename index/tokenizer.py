"""The one tokenizer for lexical indexing and querying.

simplified form (opencc t2s) -> jieba-compatible search-mode segmentation (rjieba, the Rust
port, with the domain dictionary added so union terms stay whole) -> stopwords and
punctuation dropped. Indexes take the tokens this produces, never raw text.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from importlib import resources
from pathlib import Path

import rjieba

from corpus.script import to_simplified

_KEEP = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
DEFAULT_DICT_FREQ = 200_000  # high enough that the segmenter prefers the whole term


def _read_lines(path: Path | None, package_file: str) -> tuple[str, str]:
    text = (
        path.read_text("utf-8")
        if path is not None
        else resources.files("index").joinpath(package_file).read_text("utf-8")
    )
    return text, hashlib.sha1(text.encode()).hexdigest()[:12]


def _entries(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


class Tokenizer:
    """Segmenter injected into every index; ``fingerprint`` goes into index manifests."""

    engine = "rjieba-search"

    def __init__(self, dictionary: Path | None = None, stopwords: Path | None = None):
        dict_text, self.dictionary_hash = _read_lines(dictionary, "data/union_terms.txt")
        stop_text, self.stopwords_hash = _read_lines(stopwords, "data/stopwords.txt")
        self.terms: list[tuple[str, int]] = []
        for entry in _entries(dict_text):
            word, _, freq = entry.partition(" ")
            self.terms.append((word, int(freq) if freq.strip().isdigit() else DEFAULT_DICT_FREQ))
        self.stopwords = frozenset(_entries(stop_text))

    @cached_property
    def _jieba(self) -> rjieba.Jieba:
        jieba = rjieba.Jieba()
        for word, freq in self.terms:
            jieba.add_word(word, freq, None)
        return jieba

    @property
    def fingerprint(self) -> str:
        return f"{self.engine}:dict={self.dictionary_hash}:stop={self.stopwords_hash}"

    def _keep(self, token: str) -> bool:
        return bool(_KEEP.search(token)) and token not in self.stopwords

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text`` in either script, lower-cased, as indexed and queried."""
        simp = to_simplified(text).lower()
        return [t for t in self._jieba.cut_for_search(simp, True) if self._keep(t)]
