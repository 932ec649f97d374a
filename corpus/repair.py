"""Repair of conversion artifacts, driven by the table in ``data/conversion_repairs.tsv``."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

# Each of these is a fingerprint of the faulty conversion; two distinct ones in one text
# are needed before the context-dependent repairs run.
SIGNATURES = (
    re.compile("[原细准规]那么"),
    re.compile("根底"),
    re.compile("效劳"),
    re.compile("〞"),
    re.compile("广阔(?:干部|职工|员工|群众|会员)"),
)


@lru_cache(maxsize=1)
def _table() -> tuple[list[tuple[re.Pattern[str], str]], list[tuple[re.Pattern[str], str]]]:
    raw = resources.files("corpus").joinpath("data/conversion_repairs.tsv").read_text("utf-8")
    always: list[tuple[re.Pattern[str], str]] = []
    gated: list[tuple[re.Pattern[str], str]] = []
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        scope, pattern, repl = line.split("\t")
        (always if scope == "always" else gated).append((re.compile(pattern), repl))
    return always, gated


def has_conversion_artifacts(text: str) -> bool:
    return sum(1 for sig in SIGNATURES if sig.search(text)) >= 2


def repair_artifacts(text: str) -> tuple[str, int]:
    """Return the repaired text and the number of replacements made."""
    always, gated = _table()
    rules = always + gated if has_conversion_artifacts(text) else always
    count = 0
    for pattern, repl in rules:
        text, n = pattern.subn(repl, text)
        count += n
    return text, count
