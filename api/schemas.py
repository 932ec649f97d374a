"""Request and response models of the JSON API (the OpenAPI contract)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from corpus.defaults import YEAR_MAX, YEAR_MIN
from retrieval.defaults import (
    DEFAULT_K,
    MAX_K,
    MAX_OFFSET,
    MAX_PRACTICE_K,
    MAX_QUERY_CHARS,
)

# A year filter as a query parameter of the routes that take one one by one.
YearParam = Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX)]


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    error: ErrorBody


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entry of a route: ``ErrorResponse`` for each status code."""
    return {code: {"model": ErrorResponse} for code in status_codes}


class ReportRef(BaseModel):
    report_id: str
    title: str | None
    jurisdiction: str | None
    jurisdiction_path: list[str] | None
    level: str | None
    org_type: str | None = None
    year: int | None
    year_delivered: int | None = None
    date: str | None = None
    review_period: str | None = None
    doc_type: str | None
    source: str
    # who issued it, for citations (发文单位《标题》（年份）): as the title names it, else
    # place + union type, else 发文单位不详 (retrieval.export_docs.issuer)
    issuer: str = ""


class ReportSummary(ReportRef):
    n_passages: int


class SourceRef(BaseModel):
    report_id: str
    title: str | None
    jurisdiction: str | None
    year: int | None
    path: str


_OCR = "true when the text was recognised from a page image (scan, photo): it may hold OCR errors"


class PassageOut(BaseModel):
    passage_id: str
    text: str
    section_path: list[str]
    section_role: str
    start: int
    end: int
    ocr: bool = Field(default=False, description=_OCR)


class SearchHit(BaseModel):
    passage_id: str
    text: str
    highlights: list[list[int]] = Field(description="[start, end) character spans in text")
    score: float
    section_path: list[str]
    section_role: str
    start: int
    end: int
    sources: list[SourceRef]
    duplicates: list[str]
    explain: dict[str, Any]
    report: ReportRef
    ocr: bool = Field(default=False, description=_OCR)


class FacetValue(BaseModel):
    value: str | int
    count: int


class Expansion(BaseModel):
    phrase: str
    terms: list[str]


class Group(BaseModel):
    jurisdiction: str | None
    results: list[str] = Field(description="passage ids of this group's hits, best first")


class FilterParams(BaseModel):
    """Filters shared by passage and practice searches (either script; short place names)."""

    jurisdiction: str | None = None
    exclude_jurisdiction: str | None = None
    level: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    doc_type: str | None = None
    section_role: str | None = None
    theme: str | None = Field(default=None, description="theme id or name (GET /api/themes)")


class SearchRequest(FilterParams):
    """The query parameters of /api/search, as a model (also used by the UI)."""

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    k: int = Field(default=DEFAULT_K, ge=1, le=MAX_K)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    group_by: Literal["jurisdiction"] | None = None
    mode: Literal["hybrid", "bm25", "dense"] = "hybrid"
    sort: Literal["relevance", "date"] = Field(
        default="relevance", description="relevance, or date: newest reports first"
    )


class SearchResponse(BaseModel):
    query: str
    # passages in the corpus holding a query word within the filters (the same on every
    # page); with group_by, the places among the candidates (a lower bound)
    total: int
    has_more: bool = False  # a next page exists
    total_exact: bool = True  # false: ``total`` is a lower bound (more matches lie deeper)
    took_ms: float
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    expansions: list[Expansion] = []
    groups: list[Group] | None = None
    absent_terms: list[str] = Field(
        default=[], description="query words no passage of the corpus uses (results lack them)"
    )
    places: list[str] = Field(
        default=[],
        description="places the query names, as the corpus spells them: their reports lead",
    )
    levels: list[str] = Field(
        default=[], description="levels the query names (township, county...): their reports lead"
    )


class PassageContextResponse(BaseModel):
    passage: PassageOut
    report: ReportRef
    before: list[PassageOut]
    after: list[PassageOut]


class ReportsResponse(BaseModel):
    total: int
    reports: list[ReportSummary]
    facets: dict[str, list[FacetValue]] = Field(
        default_factory=dict,
        description="reports under the filters, counted by jurisdiction, level and year",
    )


class ReportDetail(ReportSummary):
    script: str
    sources: list[dict[str, Any]]
    text: str
    passages: list[PassageOut]


class FileResult(BaseModel):
    file: str
    status: Literal["added", "duplicate", "skipped", "unchanged"]
    reason: str | None = None
    report_ids: list[str] = []


class JobProgress(BaseModel):
    stage: str  # queued | reading | deleting | indexing | done | failed
    done: int = 0
    total: int = 0
    message: str | None = None


class JobFile(BaseModel):
    file: str
    status: Literal["queued", "added", "duplicate", "skipped", "unchanged"]
    reason: str | None = None
    report_ids: list[str] = []
    duplicate_ids: list[str] = []


class JobAccepted(BaseModel):
    """202: the write is stored and queued; follow ``url`` for its progress."""

    job_id: str
    kind: Literal["upload", "delete", "index"]
    state: Literal["queued", "running", "done", "failed"]
    url: str
    files: list[JobFile] = []
    report_id: str | None = None


class JobResponse(BaseModel):
    job_id: str
    kind: Literal["upload", "delete", "index"]
    state: Literal["queued", "running", "done", "failed"]
    created_at: float
    started_at: float | None
    finished_at: float | None
    attempts: int
    progress: JobProgress
    files: list[JobFile]
    report_id: str | None
    error: str | None
    # once done: the upload summary of the synchronous API, and the index refresh
    added: list[FileResult] = []
    duplicates: list[FileResult] = []
    skipped: list[FileResult] = []
    index: dict[str, Any] | None = None


class HealthResponse(BaseModel):
    status: str
    counts: dict[str, int]
    embedder: dict[str, Any] | None
    index_type: str | None
    data_version: int
    index_version: int | None
    indexed_passages: int | None = None
    problem: str | None = None
    waiting_reports: int = 0  # stored reports the served index does not hold yet
    jobs_pending: int = 0


class PracticesRequest(FilterParams):
    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    k: int = Field(default=DEFAULT_K, ge=1, le=MAX_PRACTICE_K, description="cards per page")
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class PracticeOut(BaseModel):
    practice_id: str
    text: str
    passage_id: str | None
    section_path: list[str]
    figures: list[str]
    highlights: list[list[int]]
    score: float


class PracticeGroupOut(BaseModel):
    report_id: str
    title: str | None
    jurisdiction: str | None
    jurisdiction_path: list[str] | None
    level: str | None
    year: int | None
    doc_type: str | None = None
    source: str | None = None
    # for the card's citation, the same as the report's (ReportRef) and the exports'
    year_delivered: int | None = None
    date: str | None = None
    issuer: str = ""
    practices: list[PracticeOut]


class PracticesResponse(BaseModel):
    query: str
    total: int
    took_ms: float
    groups: list[PracticeGroupOut]
    facets: dict[str, list[FacetValue]] = {}


class YearCount(BaseModel):
    year: int
    count: int


class LevelCount(BaseModel):
    level: str
    count: int


class ThemeOut(BaseModel):
    theme_id: str
    name: str
    description: str
    count: int = Field(description="reports with at least one passage of this theme")
    by_year: list[YearCount]
    by_level: list[LevelCount]


class ThemesResponse(BaseModel):
    themes: list[ThemeOut]


class TrendBucket(BaseModel):
    bucket: str | int
    count: int
    total: int | None = Field(default=None, description="reports in this bucket, any topic")
    share: float | None = Field(default=None, description="count / total")


class TrendsResponse(BaseModel):
    by: str
    query: str | None
    theme: str | None
    buckets: list[TrendBucket]


class ExportItemIn(BaseModel):
    passage_id: str | None = Field(default=None, max_length=64)
    practice_id: str | None = Field(default=None, max_length=64)


class ExportRequest(BaseModel):
    items: list[ExportItemIn] = Field(min_length=1, max_length=500)
    format: Literal["docx", "md", "csv"] = "docx"
    query: str | None = Field(default=None, max_length=MAX_QUERY_CHARS, description="shown on top")


class LevelOut(BaseModel):
    value: str = Field(description="what filters take and reports carry, e.g. township")
    label: str = Field(description="what users read, e.g. 乡镇")


class ThemeName(BaseModel):
    theme_id: str
    name: str
    description: str


class VocabLimits(BaseModel):
    year_min: int
    year_max: int
    max_query_chars: int
    max_k: int
    page_sizes: list[int]


class VocabResponse(BaseModel):
    """The values reports are described with (corpus.vocab and the theme taxonomy) and the
    request bounds: the web UI builds its menus from these."""

    levels: list[LevelOut]
    doc_types: list[str]
    section_roles: list[str]
    themes: list[ThemeName]
    limits: VocabLimits
