"""Word lists and punctuation classes that several text rules share, defined once.

Titles, compilation splitting, furniture and section rules each ask the same questions of a
line ("is it a sentence?", "is it a paper's front-matter label?", "does it name an
organisation or place?"); they answer them from these lists so that a word added here reaches
every rule.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache, lru_cache
from importlib import resources
from typing import Any

# End-of-sentence punctuation of Chinese prose: a line carrying one is prose, not a label.
SENTENCE_PUNCT = re.compile(r"[。！？；]")

# Front-matter labels of papers and their back matter (摘要, 关键词, 中图分类号, 参考文献…):
# lines that start with one are never titles or body prose.
PAPER_LABELS = r"摘\s*要|关[键健]词|中图分类号|文献标识码|参考文献|文献引用|参考资料"

# Words that name an organisation or a place in a title: "某某镇工会…", "某某公司…".
ORG_OR_PLACE = re.compile(
    r"工会|工联|联合会|委员会|妇联|政府|[镇乡县市区省]|街道|社区|公司|集团|企业|机关"
)


@lru_cache(maxsize=1)
def _cue_file() -> dict[str, Any]:
    text = resources.files("corpus").joinpath("data/cues.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def cue_table(name: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """An ordered cue table of ``corpus/data/cues.toml``: (value, compiled pattern) pairs."""
    return tuple((value, re.compile(pattern)) for value, pattern in _cue_file()[name])


@cache
def cue_map(name: str) -> dict[str, re.Pattern[str]]:
    """A keyed cue table of ``corpus/data/cues.toml``: value -> compiled pattern."""
    return {value: re.compile(pattern) for value, pattern in _cue_file()[name].items()}
