"""How much work one input file may cause: the bounds every reader and the ingest workers obey.

A file over a bound is skipped with a reason that names the bound and the setting that raises
it; it never stops the batch. The defaults are far above any real report (the largest real
compilation seen is a few MB of text) and far below what hurts a 2-core, 24 GB machine.
The API/CLI settings (``JIEJIAN_READ_*``) map onto these fields one to one.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    max_file_mb: float = 200.0  # raw bytes of one file (an archive: of the archive)
    max_chars: int = 2_000_000  # characters of text one file (or archive member) may yield
    max_unzipped_mb: float = 256.0  # decompressed bytes of a docx/ofd/zip, all parts together
    max_xml_mb: float = 64.0  # decompressed bytes of one XML part (docx document.xml, OFD page)
    max_pdf_pages: int = 2000  # pages of one PDF
    max_archive_members: int = 2000  # entries of one zip (or docx/ofd package)
    max_archive_depth: int = 2  # zips inside zips: 1 = no nested archive is opened
    ocr: bool = True  # OCR scanned pages and images (when the OCR engine is installed)
    ocr_max_pages: int = 100  # scanned pages per PDF given to OCR
    timeout_s: float = 300.0  # wall clock for reading and processing one file, in a worker
    memory_mb: int = 2560  # address space a worker may add while reading one file

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_unzipped_bytes(self) -> int:
        return int(self.max_unzipped_mb * MB)

    @property
    def max_xml_bytes(self) -> int:
        return int(self.max_xml_mb * MB)


DEFAULT_LIMITS = ReadLimits()


class LimitExceeded(ValueError):
    """A file is over one of the bounds; the message is the skip reason shown to users."""

    def __init__(self, what: str, value: float | str, limit: float | str, setting: str):
        super().__init__(f"over the limit: {what} {value} > {limit} (JIEJIAN_READ_{setting})")


def check_members(kind: str, count: int, total: int, limits: ReadLimits) -> None:
    """The bounds on a package's or archive's declared member count and decompressed size
    (docx, OFD, zip, 7z, rar: one rule for all)."""
    if count > limits.max_archive_members:
        raise LimitExceeded(
            f"{kind} entries", count, limits.max_archive_members, "MAX_ARCHIVE_MEMBERS"
        )
    if total > limits.max_unzipped_bytes:
        raise LimitExceeded(
            f"{kind} decompressed MB",
            round(total / 2**20, 1),
            limits.max_unzipped_mb,
            "MAX_UNZIPPED_MB",
        )


def inflated_past(kind: str, cap: int, limits: ReadLimits) -> LimitExceeded:
    """The error for an archive whose members inflate past ``cap`` bytes while they are read
    (7z and RAR headers may understate sizes, so they are counted as they come)."""
    return LimitExceeded(
        f"{kind} decompressed MB",
        f">{round(cap / 2**20, 1)}",
        limits.max_unzipped_mb,
        "MAX_UNZIPPED_MB",
    )
