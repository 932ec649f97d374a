"""Boilerplate learnt from the corpus: blocks of lines that recur at the head or tail of
files from different reports.

A site, a portal or an archive wraps every report it holds in the same blocks (a licence
notice after each text, a channel header before it). Such a block is not furniture by its
look: its lines can be whole sentences. What gives it away is that the same run of lines
stands at the edge of many files whose bodies differ. The rule:

* every file contributes the fingerprints of the lines in its head and tail zones (the
  first and last ``ZONE_LINES`` lines); counts are kept in the store, so a later single
  upload benefits from what the corpus has shown;
* a line is *recurring* once ``MIN_FILES`` files have it;
* in a file's zones, a run of at least ``MIN_RUN`` consecutive recurring lines that starts
  or ends the file is removed (wrappers are outermost; formulae a genre repeats inside its
  reports, like salutations and openings, are not at the edge and stay);
* a file whose zones are mostly recurring is a repost of a report already seen, not a
  wrapped one: nothing is removed from it (de-duplication handles reposts).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

ZONE_LINES = 40
MIN_FILES = 3
MIN_RUN = 3
REPOST_SHARE = 0.6
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。！？!?]")


def line_key(line: str) -> int:
    """A stable 63-bit fingerprint of a line (whitespace ignored); stable across processes,
    unlike ``hash``."""
    digest = hashlib.blake2b(_SPACE.sub("", line).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def _zone_indexes(n: int) -> list[int]:
    if n <= 2 * ZONE_LINES:
        return list(range(n))
    return [*range(ZONE_LINES), *range(n - ZONE_LINES, n)]


def zone_keys(lines: list[str]) -> set[int]:
    """Fingerprints of the non-empty lines in the head and tail zones of one file."""
    nonempty = [x for x in lines if x.strip()]
    return {line_key(nonempty[i]) for i in _zone_indexes(len(nonempty))}


def recurring(counts: Counter[int] | dict[int, int]) -> frozenset[int]:
    return frozenset(k for k, n in counts.items() if n >= MIN_FILES)


def remove_boilerplate(
    lines: list[str], known: frozenset[int] | set[int], stats: Counter[str] | None = None
) -> list[str]:
    """``lines`` without the recurring runs in its zones (blank lines are kept)."""
    if not known:
        return lines
    positions = [i for i, x in enumerate(lines) if x.strip()]
    zone = [positions[i] for i in _zone_indexes(len(positions))]
    flags = {i: line_key(lines[i]) in known for i in zone}
    if not zone or sum(flags.values()) / len(zone) >= REPOST_SHARE:
        return lines
    order = {p: k for k, p in enumerate(positions)}
    drop: set[int] = set()
    run: list[int] = []
    for i in [*zone, -1]:
        if i >= 0 and flags[i] and (not run or order[i] - order[run[-1]] == 1):
            run.append(i)
            continue
        # Wrappers are outermost: a run counts only when it starts the file or ends it, so
        # the formulae a genre repeats inside its reports (salutations, openings) stay.
        # A page header is navigation and labels; a run at the head that holds a sentence
        # is a genre's opening formula (title, salutation, "现在，我代表…"), not a wrapper.
        at_tail = bool(run) and run[-1] == positions[-1]
        at_head = bool(run) and run[0] == positions[0]
        head_ok = at_head and not any(_SENTENCE_END.search(lines[i]) for i in run)
        if len(run) >= MIN_RUN and (at_tail or head_ok):
            drop.update(run)
        run = [i] if i >= 0 and flags[i] else []
    if stats is not None and drop:
        stats["boilerplate_lines"] += len(drop)
    return [x for i, x in enumerate(lines) if i not in drop]
