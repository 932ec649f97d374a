"""Character-level normalisation that keeps Chinese punctuation intact.

NFKC would turn ，。：（） into ASCII; here only full-width letters, digits, % and the
full-width full stop become ASCII, and ASCII punctuation written inside Chinese text becomes
the Chinese form, so that headings like (一) and sentence ends look the same everywhere.
"""

from __future__ import annotations

import html
import re

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"))
_SPACES = {
    ord(c): " " for c in "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u3000\t\f\v"
}
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH[0xFF05] = ord("%")
_TABLE = {**_ZERO_WIDTH, **_SPACES, **_FULLWIDTH}
# str.translate with a dict looks up every character in Python objects; the few characters
# the table touches are found by a regex and replaced one match at a time instead (same
# result, several times faster on text that has none or few of them).
_TABLE_STR = {
    chr(k): "" if v is None else (chr(v) if isinstance(v, int) else v) for k, v in _TABLE.items()
}
_TABLE_RE = re.compile("[" + "".join(re.escape(c) for c in sorted(_TABLE_STR)) + "]")

_CJK = r"[\u3400-\u9fff\uf900-\ufaff“”‘’《》]"
_ASCII_TO_CN = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
# Written to start with the character they match, never with a look-behind: a pattern
# that starts with a look-behind is tried at every position of the text, one that starts
# with a character (class) lets the regex engine skip to where that character is. Same
# matches (tests/test_noise.py compares them with the plain spellings).
_PUNCT_NEAR_CJK = re.compile(rf"[,;:?!](?:(?<={_CJK}[,;:?!])|(?={_CJK}))")
_CJK_CHAR = re.compile(_CJK)
_PAREN_PAIR = re.compile(r"(.?)\(([^()\n]{1,40})\)(.?)")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,300})?/?>")
_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{2,6}|#x[0-9A-Fa-f]{2,6});")
_MULTI_SPACE = re.compile(r" {2,}")
# Layout spaces around numbers in Chinese text ("工会 2021 年", "1 9 9 3 年"): PDF and web
# extraction put them there; Chinese writes numbers flush with the words.
_SPACE_AROUND_NUMBER = re.compile(
    r" (?:(?<=[\u4e00-\u9fff] ) *(?=\d)|(?<=\d ) *(?=[\u4e00-\u9fff]))"
)
_SPACED_DIGITS = re.compile(r"\d(?<![\d.]\d)(?: \d){2,}(?![\d.])")


def _paren(m: re.Match[str]) -> str:
    before, inner, after = m.groups()
    if _CJK_CHAR.search(before + inner + after):
        return f"{before}（{inner}）{after}"
    return m.group()


def normalize_chars(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _ENTITY.search(text):
        text = html.unescape(text)
    text = _TABLE_RE.sub(lambda m: _TABLE_STR[m.group()], text)
    text = _TAG.sub("", text)
    text = _PUNCT_NEAR_CJK.sub(lambda m: _ASCII_TO_CN[m.group()], text)
    if "(" in text:
        text = _PAREN_PAIR.sub(_paren, text)
    text = text.replace("．", ".")
    if " " in text:
        text = _SPACED_DIGITS.sub(lambda m: m.group().replace(" ", ""), text)
        text = _SPACE_AROUND_NUMBER.sub("", text)
    return _MULTI_SPACE.sub(" ", text)
