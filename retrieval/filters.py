"""User-facing filter values -> engine Filters: scripts, aliases and validation."""

from __future__ import annotations

from collections.abc import Iterable

from corpus.defaults import YEAR_MAX, YEAR_MIN
from corpus.gazetteer import load_gazetteer
from corpus.script import to_simplified
from corpus.themes import Theme, default_taxonomy
from corpus.vocab import DOC_TYPES, LEVELS, SECTION_ROLES
from index.filters import FilterError, Filters

LEVEL_ALIASES = {
    "乡镇": "township",
    "乡": "township",
    "镇": "township",
    "街道": "street",
    "县": "county",
    "区县": "county",
    "县区": "county",
    "市": "city",
    "省": "province",
    "全国": "national",
    "国家": "national",
    "企业": "enterprise",
    "机关": "agency",
}
ROLE_ALIASES = {
    "情况": "基本情况",
    "做法": "主要做法",
    "措施": "主要做法",
    "成效": "工作成效",
    "成绩": "工作成效",
    "问题": "存在问题",
    "不足": "存在问题",
    "原因": "原因分析",
    "打算": "下一步打算",
    "计划": "下一步打算",
    "下一步": "下一步打算",
}


def _values(v: str | Iterable[str] | None) -> list[str]:
    if v is None:
        return []
    items = [v] if isinstance(v, str) else list(v)
    out = []
    for item in items:
        out += [to_simplified(x.strip()) for x in item.replace("，", ",").split(",") if x.strip()]
    return out


def _places(values: list[str]) -> tuple[str, ...]:
    """A short name (江苏, 来宾) also stands for the full gazetteer names it abbreviates."""
    if not values:
        return ()
    gaz = load_gazetteer()
    out: list[str] = []
    for v in values:
        out.append(v)
        for pid in gaz.by_alias.get(v, []):
            out.append(gaz.get(pid).name)
    return tuple(dict.fromkeys(out))


def _levels(values: list[str]) -> tuple[str, ...]:
    out = []
    for v in values:
        level = LEVEL_ALIASES.get(v, v.lower())
        if level not in LEVELS:
            raise FilterError(f"unknown level {v!r}: use one of {', '.join(LEVELS)}")
        out.append(level)
    return tuple(out)


def _doc_types(values: list[str]) -> tuple[str, ...]:
    out = []
    for v in values:
        doc_type = to_simplified(v)
        if doc_type not in DOC_TYPES:
            raise FilterError(f"unknown doc_type {v!r}: use one of {', '.join(DOC_TYPES)}")
        out.append(doc_type)
    return tuple(out)


def _roles(values: list[str]) -> tuple[str, ...]:
    out = []
    for v in values:
        role = ROLE_ALIASES.get(v, v)
        if role not in SECTION_ROLES:
            raise FilterError(f"unknown section_role {v!r}: use one of {', '.join(SECTION_ROLES)}")
        out.append(role)
    return tuple(out)


def _year(v: int | str | None, name: str) -> int | None:
    if v is None or v == "":
        return None
    try:
        year = int(v)
    except (TypeError, ValueError) as exc:
        raise FilterError(f"{name} must be a year, got {v!r}") from exc
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise FilterError(f"{name} {year} is outside {YEAR_MIN}-{YEAR_MAX}")
    return year


def make_filters(
    jurisdiction: str | Iterable[str] | None = None,
    exclude_jurisdiction: str | Iterable[str] | None = None,
    level: str | Iterable[str] | None = None,
    year_from: int | str | None = None,
    year_to: int | str | None = None,
    doc_type: str | Iterable[str] | None = None,
    section_role: str | Iterable[str] | None = None,
    theme: str | Iterable[str] | None = None,
    taxonomy: tuple[Theme, ...] | None = None,
) -> Filters:
    """``taxonomy``: the one theme names and ids are resolved in (the served index's;
    default: the packaged one)."""
    return Filters(
        jurisdiction=_places(_values(jurisdiction)),
        exclude_jurisdiction=_places(_values(exclude_jurisdiction)),
        level=_levels(_values(level)),
        doc_type=_doc_types(_values(doc_type)),
        section_role=_roles(_values(section_role)),
        year_from=_year(year_from, "year_from"),
        year_to=_year(year_to, "year_to"),
        theme=_themes(_values(theme), taxonomy or default_taxonomy()),
    )


def _themes(values: list[str], taxonomy: tuple[Theme, ...]) -> tuple[str, ...]:
    """Theme ids or names (either script) -> ids."""
    if not values:
        return ()
    by_name = {to_simplified(t.name): t.theme_id for t in taxonomy}
    ids = {t.theme_id for t in taxonomy}
    out = []
    for v in values:
        tid = v if v in ids else by_name.get(v)
        if tid is None:
            raise FilterError(f"unknown theme {v!r}: see GET /api/themes for the list")
        out.append(tid)
    return tuple(out)
