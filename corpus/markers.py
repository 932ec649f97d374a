"""Heading and item markers of Chinese reports, shared by line joining, report splitting and
section parsing so that all three agree on what a heading is."""

from __future__ import annotations

import re

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_NUM = "一二三四五六七八九十"


def cn_to_int(s: str) -> int | None:
    """Chinese numerals up to 99 (一, 十, 十二, 二十三) and ASCII digits."""
    if s.isdigit():
        return int(s)
    if not s or any(ch not in CN_DIGITS and ch != "十" for ch in s):
        return None
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = CN_DIGITS[tens] if tens else 1
        o = CN_DIGITS[ones] if ones else 0
        return t * 10 + o
    value = 0
    for ch in s:
        value = value * 10 + CN_DIGITS[ch]
    return value


# kind -> pattern matched at a position; group "n" holds the number (or the word for "seq").
# Order matters: "2.1" must be tried before "2.".
MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("cn_dun", re.compile(rf"(?P<n>[{CN_NUM}]{{1,3}})[、．.](?![{CN_NUM}]*[、])")),
    ("cn_paren", re.compile(rf"[（(](?P<n>[{CN_NUM}]{{1,3}})[）)]")),
    ("num_sub", re.compile(r"(?P<n>\d{1,2}\.[1-9]\d?)(?![\d.])\s?(?=\D)")),
    ("num_dun", re.compile(r"(?P<n>\d{1,2})(?:[、．]|\.(?!\d))\s?(?=\D)")),
    ("num_paren", re.compile(r"[（(](?P<n>\d{1,2})[）)](?=\D)")),
    ("cn_shi", re.compile(rf"(?P<n>[{CN_NUM}]{{1,3}})是(?=[^，。、；：,]{{2}})")),
    ("seq", re.compile(rf"(?P<n>首先|其次|再次|最后|第[{CN_NUM}]{{1,2}})[，,]")),
]
MARKER_KINDS = [k for k, _ in MARKERS]
# Items are not headings of their own line; they nest under the heading they appear in.
ITEM_KINDS = frozenset({"cn_shi", "seq"})
SEQ_ORDER = {"首先": 1, "其次": 2, "再次": 3, "最后": 99}

COMPILATION_MARKER_BEFORE = re.compile(
    rf"^第(?P<n>[{CN_NUM}百\d]{{1,4}})篇\s*[:：]\s*(?P<title>.*)$"
)
COMPILATION_MARKER_AFTER = re.compile(
    rf"^(?P<title>.{{2,80}}?)(?:范文)?第(?P<n>[{CN_NUM}\d]{{1,4}})篇$"
)


def marker_number(kind: str, raw: str) -> int | None:
    if kind == "seq":
        if raw in SEQ_ORDER:
            return SEQ_ORDER[raw]
        return cn_to_int(raw[1:])
    if kind == "num_sub":
        return int(raw.split(".")[1])
    return cn_to_int(raw)


# All markers in one alternation, asked first: most positions start no marker, and one
# regex call answers that instead of one per kind (section parsing asks at every comma).
# Built from MARKERS, so it can never disagree with them.
_ANY_MARKER = re.compile("|".join(f"(?:{p.pattern.replace('(?P<n>', '(?:')})" for _, p in MARKERS))


# The characters a marker can start with (the first character of each pattern in MARKERS): a
# position whose character is not one of them starts no marker, which a character class in
# a larger regex can tell without a call per position. tests/test_structure.py checks it
# against MARKERS.
MARKER_FIRST = rf"[\d（({CN_NUM}首其再最第]"


def match_marker(text: str, pos: int = 0) -> tuple[str, re.Match[str]] | None:
    """The heading/item marker starting exactly at ``pos``, if any."""
    if not _ANY_MARKER.match(text, pos):
        return None
    for kind, pattern in MARKERS:
        m = pattern.match(text, pos)
        if m:
            return kind, m
    return None


def starts_with_marker(line: str) -> bool:
    s = line.lstrip()
    # Both compilation markers need a 篇: without one, their lazy title is not tried at
    # every length (the costlier part of this test, asked for every line when joining).
    return bool(
        match_marker(s)
        or ("篇" in s and (COMPILATION_MARKER_BEFORE.match(s) or COMPILATION_MARKER_AFTER.match(s)))
    )
