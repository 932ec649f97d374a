"""What kind of section a query asks for ("存在的问题", "下一步打算", "意见和建议")."""

from __future__ import annotations

from corpus.sections import role_of_title

# Roles a query can ask for by name; 主要做法 and 基本情况 are what most passages are anyway.
ASKABLE = frozenset({"存在问题", "原因分析", "下一步打算", "工作成效"})


def section_intent(simplified_query: str) -> str | None:
    """The section role a query names, judged like a heading (one rule for both)."""
    role = role_of_title(simplified_query)
    return role if role in ASKABLE else None
