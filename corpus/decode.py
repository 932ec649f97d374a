"""Bytes to text for plain-text reports.

Order: byte-order marks, strict UTF-8, BOM-less UTF-16, then charset-normalizer restricted to
the legacy Chinese encodings real report files use: GB18030 (covers GBK/GB2312) and Big5 with
its supersets, cp950 (Microsoft's Big5, e.g. 恒) and Big5-HKSCS (Hong Kong characters such as
堃, 峯). A legacy file is decoded strictly by its family's widest codec; one with a handful of
undecodable bytes (a damaged copy) is read with U+FFFD replacement characters, which the
ingest log reports as a warning, rather than refused whole.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes


class UndecodableError(ValueError):
    """The bytes are not text in any supported encoding."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _textlike_share(text: str) -> float:
    good = sum(
        1
        for ch in text
        if (ch.isascii() and (ch.isprintable() or ch in "\n\r\t"))
        or "\u4e00" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or ch in "“”‘’…—·"
    )
    return good / max(1, len(text))


def _looks_utf16(data: bytes) -> str | None:
    """BOM-less UTF-16: the endianness whose decoding reads as Chinese or ASCII text.

    Legacy GB/Big5 bytes read as UTF-16 land mostly in private-use and Hangul ranges, so
    they fail the 95% test.
    """
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if _textlike_share(text) >= 0.95:
            return enc
    return None


# Bytes that are not control bytes: deleting them leaves the control bytes to count.
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13, 27))


def is_binary(data: bytes) -> bool:
    """NUL bytes outside UTF-16, or many control bytes, mean this is not a text file."""
    sample = data[:8192]
    if not sample:
        return False
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in sample:
        return _looks_utf16(data) is None
    controls = len(sample.translate(None, _NOT_CONTROL))  # C-level count, not a byte loop
    return controls / len(sample) > 0.05


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise UndecodableError when no encoding fits."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _looks_utf16(data)
    if utf16:
        return data.decode(utf16), utf16
    best = from_bytes(data, cp_isolation=["gb18030", "big5", "cp950", "big5hkscs"]).best()
    if best is None:
        # charset-normalizer gives up on Big5 text with HKSCS characters it cannot place.
        family = _legacy_family(data)
        if family is None:
            raise UndecodableError("not UTF-8, UTF-16, GB18030 or Big5 text")
        encoding = family[-1]
    else:
        encoding = best.encoding
    family = _FAMILIES.get(encoding.replace("_", "").lower(), (encoding,))
    for enc in family:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    # Damaged bytes: the guess is unreliable too, so each family reads the file with
    # replacements and the one whose text reads as Chinese wins.
    readings = []
    for fam in (family, *(f for f in (_FAMILIES["gb18030"], _FAMILIES["big5"]) if f != family)):
        text = data.decode(fam[-1], errors="replace")
        readings.append((_readability(text), -text.count("\ufffd"), fam[-1], text))
    score, neg_bad, enc, text = max(readings)
    if -neg_bad <= max(MAX_REPLACED, len(text) // 1000) and score >= 0.5:
        return text, enc
    raise UndecodableError(f"bytes do not decode as {enc}: {-neg_bad} undecodable characters")


def _readability(text: str) -> float:
    """Share of Chinese characters that are common ones (a single-character word of the
    segmenter's dictionary, read in simplified form): text decoded with the wrong legacy
    codec is made of rare characters."""
    from corpus.linejoin import word_frequencies
    from corpus.script import to_simplified

    freq = word_frequencies()
    sample = to_simplified(text[:4000])
    cjk = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return 0.0
    return sum(1 for ch in cjk if freq.get(ch, 0) >= 100) / len(cjk)


# Narrowest codec first, each later one a superset: a file is named by the narrowest codec
# that reads it, and the widest reads a damaged one.
_FAMILIES = {
    "big5": ("big5", "cp950", "big5hkscs"),
    "cp950": ("big5", "cp950", "big5hkscs"),
    "big5hkscs": ("big5", "cp950", "big5hkscs"),
    "gb18030": ("gb18030",),
    "gbk": ("gb18030",),
    "gb2312": ("gb18030",),
}
MAX_REPLACED = 8  # replacement characters tolerated (or 0.1% of the text, if more)


def _legacy_family(data: bytes) -> tuple[str, ...] | None:
    """The family whose widest codec leaves the fewest undecodable bytes, if that is few."""
    best: tuple[int, tuple[str, ...]] | None = None
    for family in (_FAMILIES["gb18030"], _FAMILIES["big5"]):
        text = data.decode(family[-1], errors="replace")
        bad = text.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, family)
    if best is None or best[0] > max(MAX_REPLACED, len(data) // 2000):
        return None
    return best[1]
