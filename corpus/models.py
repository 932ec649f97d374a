"""Plain data records passed between the corpus stages."""

from __future__ import annotations

from dataclasses import dataclass, field

# The version of the extraction (cleaning, splitting, metadata, sections, passages). Bump it
# whenever what ingest extracts changes: sources stored by an older version are extracted
# again the next time their files are ingested, even when the files are unchanged.
PIPELINE_VERSION = 3


@dataclass(frozen=True)
class DecodedFile:
    """A file read from disk and turned into text; ``text`` is not yet cleaned."""

    path: str
    sha256: str
    size: int
    format: str  # txt | html | docx | pdf
    encoding: str | None
    text: str
    title_hint: str | None = None  # e.g. the HTML <title>
    ocr_text: str | None = None  # the part of ``text`` that OCR recognised (scanned pages)


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass
class Section:
    """One heading (or the preamble) and the span of report text it governs."""

    title: str
    marker: str  # marker kind, e.g. "cn_dun" for 一、; "preamble"; "cue"
    depth: int  # 1 = top level
    start: int  # offset of the heading line in the report text
    end: int  # end of the whole section, children included
    body_start: int  # where the section's own text starts (after the heading title)
    role: str
    path: tuple[str, ...] = ()


@dataclass
class ReportSpan:
    """A stretch of a report's text with where it stands: what passages and practices
    (``corpus.practices.Practice``) both are."""

    report_id: str
    ordinal: int
    text: str
    section_path: list[str]
    section_role: str
    start: int
    end: int


@dataclass(kw_only=True)
class Passage(ReportSpan):
    passage_id: str
    dup_group: str | None = None
    ocr: bool = False  # the text was recognised from a page image (may hold OCR errors)


@dataclass
class ReportFields:
    """What is known of a report: found at ingest (``ReportMeta``), stored and served
    (``corpus.store.ReportRecord``). One list, so a new field cannot reach one and not the
    other."""

    title: str | None
    jurisdiction: str | None
    jurisdiction_path: list[str] | None
    level: str | None
    org_type: str | None
    year: int | None
    doc_type: str | None
    script: str
    year_delivered: int | None = None  # when the report was delivered or signed
    date: str | None = None  # ISO date of delivery, where the text states it
    review_period: str | None = None  # "2021-2025" when it reviews a five-year term


@dataclass
class ReportMeta(ReportFields):
    evidence: dict[str, str] = field(default_factory=dict)  # field -> the text that said so


@dataclass
class Report:
    """A single report cut out of a source file, with its metadata and passages."""

    report_id: str
    source: str
    ordinal: int  # position of the report inside its source file
    text: str  # cleaned text in its original script
    simplified: str  # same length as ``text``: offsets are shared
    meta: ReportMeta
    sections: list[Section] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    practices: list = field(default_factory=list)  # corpus.practices.Practice
    # MinHash LSH band keys of the report and of each passage (empty: too short to compare)
    band_keys: list[int] = field(default_factory=list)
    passage_band_keys: list[list[int]] = field(default_factory=list)
    # their MinHash values (uint32 bytes), stored so the writer confirms candidates without
    # re-hashing stored text; b"" for a passage too short to compare
    signature: bytes = b""
    passage_signatures: list[bytes] = field(default_factory=list)
