"""What kind of section a query asks for ("存在的问题", "下一步打算", "意见和建议")."""

from __future__ import annotations

from collections.abc import Iterable

from corpus.sections import role_of_title

# Roles a query can ask for by name; 主要做法 and 基本情况 are what most passages are anyway.
ASKABLE = frozenset({"存在问题", "原因分析", "下一步打算", "工作成效"})
MASK = "□"


def mask_terms(simplified_query: str, dictionary: Iterable[str]) -> str:
    """The query with every dictionary term that merely *contains* a role word blanked
    out: 建议 in 合理化建议 (a kind of activity) names no section, 意见和建议 does."""
    out = list(simplified_query)
    for term in dictionary:
        if len(term) < 3 or term not in simplified_query or role_of_title(term) is None:
            continue
        start = simplified_query.find(term)
        while start != -1:
            out[start : start + len(term)] = MASK * len(term)
            start = simplified_query.find(term, start + 1)
    return "".join(out)


def named_role(simplified_query: str, dictionary: Iterable[str] = ()) -> str | None:
    """Any section role the query names (主要做法 and 基本情况 included)."""
    return role_of_title(mask_terms(simplified_query, dictionary))


def section_intent(simplified_query: str, dictionary: Iterable[str] = ()) -> str | None:
    """The section role a query names, judged like a heading (one rule for both), with
    role words inside longer dictionary terms ignored."""
    role = named_role(simplified_query, dictionary)
    return role if role in ASKABLE else None
