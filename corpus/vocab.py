"""The vocabularies a report is described with, defined once.

Ingest writes these values (``corpus.metadata``, ``corpus.sections``), the filters accept
them (``retrieval.filters``) and the web UI builds its menus and labels from them: the page
receives them from the server (``api.vocab``), never from a copy in JavaScript or HTML.
Themes are data too (``corpus/data/themes.json`` or ``JIEJIAN_THEMES``, see
``corpus.themes``).
"""

from __future__ import annotations

# Administrative level of the reporting body -> the label users read. The order is the
# menus' order, from the top of the hierarchy down.
LEVEL_LABELS: dict[str, str] = {
    "national": "全国",
    "province": "省",
    "city": "市",
    "county": "县区",
    "township": "乡镇",
    "street": "街道",
    "enterprise": "企业",
    "agency": "机关",
}
LEVELS: tuple[str, ...] = tuple(LEVEL_LABELS)

# What a report is (``corpus.metadata.find_doc_type`` answers one of these or None).
DOC_TYPES: tuple[str, ...] = (
    "工作总结",
    "工作报告",
    "自查报告",
    "调研报告",
    "述职报告",
    "经验做法",
    "工作汇报",
    "工作计划",
    "讲话",
    "论文",
)

# What a section of a report does (``corpus.sections`` gives every passage one of these).
SECTION_ROLES: tuple[str, ...] = (
    "基本情况",
    "主要做法",
    "工作成效",
    "存在问题",
    "原因分析",
    "下一步打算",
    "其他",
)
