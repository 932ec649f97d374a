"""Which passages came from OCR.

A reader that ran OCR hands over the recognised text (``DecodedFile.ocr_text``): a scanned
PDF can mix pages with a text layer and scanned pages. Cleaning re-joins lines, drops page
furniture and normalises characters, so offsets into the raw text do not survive to the
passages. Text does: a passage is marked when most of its character 4-grams occur in the
recognised text, both sides compared after the same normalisation (simplified script, no
spaces or punctuation).
"""

from __future__ import annotations

import re

from corpus.models import Passage
from corpus.script import to_simplified
from corpus.textnorm import normalize_chars

GRAM = 4
MIN_SHARE = 0.5  # a passage is OCR text when at least half of its 4-grams were recognised
_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


def _plain(text: str) -> str:
    return _STRIP.sub("", to_simplified(normalize_chars(text)))


def _grams(plain: str) -> set[str]:
    return {plain[i : i + GRAM] for i in range(len(plain) - GRAM + 1)}


class OcrText:
    """The recognised text of one document, ready to test passages against."""

    def __init__(self, ocr_text: str):
        self.plain = _plain(ocr_text)
        self.grams = _grams(self.plain)

    def covers(self, text: str) -> bool:
        plain = _plain(text)
        if len(plain) < GRAM:
            return bool(plain) and plain in self.plain
        grams = [plain[i : i + GRAM] for i in range(len(plain) - GRAM + 1)]
        found = sum(1 for g in grams if g in self.grams)
        return found >= MIN_SHARE * len(grams)


def mark_ocr_passages(passages: list[Passage], text: str, ocr_text: str | None) -> None:
    """Set ``Passage.ocr`` on the passages of a report cut from a document whose reader ran
    OCR over some or all of it (``text``: the report's text, which passages slice)."""
    if not ocr_text:
        return
    recognised = OcrText(ocr_text)
    for p in passages:
        p.ocr = recognised.covers(text[p.start : p.end])
