"""The cleaning stage: decoded text in, report-ready text out (still possibly a compilation)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from corpus.boilerplate import remove_boilerplate, zone_keys
from corpus.linejoin import join_wrapped_lines
from corpus.noise import clean_lines, remove_page_marks
from corpus.repair import repair_artifacts
from corpus.script import to_simplified
from corpus.textnorm import normalize_chars
from corpus.titles import collapse_spacing

_LABEL_PREFIX = re.compile(r"^[^：\s]{1,4}：")
_SPACED = re.compile(r"^(?:[\u4e00-\u9fff]\s+){2,}[\u4e00-\u9fff]$")


@dataclass
class CleanResult:
    text: str
    stats: Counter[str] = field(default_factory=Counter)


def _core(segment: str) -> str:
    return _LABEL_PREFIX.sub("", segment)


def collapse_repeated_title(line: str) -> str:
    """A title the page printed three times before the body, as in
    '做法：标题 做法：标题 标题 一、…', becomes one title line followed by the body."""
    parts = line.split(" ")
    if len(parts) < 3:
        return line
    core = _core(parts[0])
    if len(core) < 4:
        return line
    k = 1
    while k < len(parts) and _core(parts[k]) == core:
        k += 1
    if k < 2:
        return line
    return parts[0] + "\n" + " ".join(parts[k:])


def _paragraph_groups(lines: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for line in lines:
        if line:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _normalized_lines(raw: str, stats: Counter[str]) -> list[str]:
    text, repaired = repair_artifacts(raw)
    stats["artifacts_repaired"] += repaired
    text = normalize_chars(text)
    text = remove_page_marks(text)
    # Letter-spaced titles ("政 府 工 作 报 告") read as one word from here on.
    return [
        collapse_spacing(line) if " " in line and _SPACED.match(line.strip()) else line.strip()
        for line in text.split("\n")
    ]


@dataclass(frozen=True)
class Normalized:
    """A text's lines after repair and character normalisation: the first step of
    :func:`clean_text`, which the boilerplate pass takes too and can hand on."""

    lines: tuple[str, ...]
    repaired: int  # artifacts repaired (a cleaning statistic)


def normalize(raw: str) -> Normalized:
    stats: Counter[str] = Counter()
    lines = _normalized_lines(raw, stats)
    return Normalized(tuple(lines), stats["artifacts_repaired"])


def boilerplate_keys(normalized: Normalized) -> set[int]:
    """Fingerprints of the lines at the edges of a file, as :func:`clean_text` sees them
    (``normalized``: :func:`normalize` of its text)."""
    return zone_keys(list(normalized.lines))


def clean_text(
    raw: str, boilerplate: frozenset[int] = frozenset(), normalized: Normalized | None = None
) -> CleanResult:
    """``boilerplate``: line fingerprints the corpus has shown to recur at file edges.
    ``normalized``: ``normalize(raw)``, when the caller has it already."""
    stats: Counter[str] = Counter()
    if normalized is None:
        lines = _normalized_lines(raw, stats)
    else:
        stats["artifacts_repaired"] += normalized.repaired
        lines = list(normalized.lines)
    lines = remove_boilerplate(lines, boilerplate, stats)
    lines = clean_lines(lines, stats)
    for i, line in enumerate(lines):
        if line:
            lines[i : i + 1] = collapse_repeated_title(line).split("\n")
            break
    out: list[str] = []
    # Blank lines are paragraph breaks: wrapped lines are only re-joined inside a paragraph.
    for group in _paragraph_groups(lines):
        out.extend(join_wrapped_lines(group, to_simplified("\n".join(group)).split("\n")))
    return CleanResult("\n".join(x for x in out if x.strip()), stats)
