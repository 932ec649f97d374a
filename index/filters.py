"""Search filters, shared by the lexical and the dense engine (each applies them itself)."""

from __future__ import annotations

from dataclasses import dataclass, field


class FilterError(ValueError):
    """A filter value that cannot be applied (bad range, unknown role...)."""


@dataclass(frozen=True)
class Filters:
    """All values in simplified script. ``jurisdiction`` matches a place anywhere on a
    report's jurisdiction path (a province matches its townships)."""

    jurisdiction: tuple[str, ...] = ()
    exclude_jurisdiction: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    doc_type: tuple[str, ...] = ()
    section_role: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    exclude_reports: tuple[str, ...] = field(default=())
    theme: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (
            self.year_from is not None
            and self.year_to is not None
            and (self.year_from > self.year_to)
        ):
            raise FilterError(f"year_from {self.year_from} is after year_to {self.year_to}")

    @property
    def empty(self) -> bool:
        return not (
            self.jurisdiction
            or self.exclude_jurisdiction
            or self.level
            or self.doc_type
            or self.section_role
            or self.year_from is not None
            or self.year_to is not None
            or self.exclude_reports
            or self.theme
        )
