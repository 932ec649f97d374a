"""Bytes to text for plain-text reports.

Order: byte-order marks, strict UTF-8, BOM-less UTF-16, then charset-normalizer restricted to
the two legacy Chinese encodings real report files use (GB18030 covers GBK/GB2312).
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


def is_binary(data: bytes) -> bool:
    """NUL bytes outside UTF-16, or many control bytes, mean this is not a text file."""
    sample = data[:8192]
    if not sample:
        return False
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in sample:
        return _looks_utf16(data) is None
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
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
    best = from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
    if best is None:
        raise UndecodableError("not UTF-8, UTF-16, GB18030 or Big5 text")
    encoding = best.encoding
    # Strict decode: a file that only decodes with replacement characters is not trusted.
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise UndecodableError(f"bytes do not decode as {encoding}: {exc.reason}") from exc
