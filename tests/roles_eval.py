"""Score section roles and practices against hand labels on real reports (tests/data/).

The labels name a file of ../shared/corpus/{real,seeds} and quote the first characters of a
paragraph or a practice (never more than 30: the texts stay outside the repository):

    {"kind": "paragraph", "file": "r0003.docx", "quote": "在肯定成绩的同时，…", "problem": true,
     "half": "tune"}
    {"kind": "practice", "file": "r0012.txt", "quote": "（二）…", "practice": false,
     "half": "check"}

A paragraph counts as found 存在问题 when the passage it starts in has that role; a labelled
practice is scored when the extraction still yields a practice that starts with its quote.

    python tests/roles_eval.py [LABELS] [--shared DIR]   prints the table, tune and check half
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as a script: python tests/roles_eval.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.shared_paths import CORPUS as SHARED
from tests.shared_paths import REPO

LABELS = REPO / "tests" / "data" / "roles_labels.jsonl"


@dataclass
class Scores:
    labels: int = 0
    problem_gold: int = 0
    problem_found: int = 0  # gold problem paragraphs whose passage is 存在问题
    problem_flagged: int = 0  # labelled paragraphs whose passage is 存在问题
    practice_scored: int = 0  # labelled practices still extracted
    practice_right: int = 0  # ... of which the label says it is a practice
    practice_gold: int = 0  # labelled items that are practices
    practice_missing: list[str] | None = None

    @property
    def problem_recall(self) -> float:
        return self.problem_found / self.problem_gold if self.problem_gold else 0.0

    @property
    def problem_precision(self) -> float:
        return self.problem_found / self.problem_flagged if self.problem_flagged else 0.0

    @property
    def practice_precision(self) -> float:
        return self.practice_right / self.practice_scored if self.practice_scored else 0.0

    @property
    def practice_kept(self) -> float:
        return self.practice_right / self.practice_gold if self.practice_gold else 0.0


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _source(shared: Path, name: str) -> Path:
    for sub in ("real", "seeds"):
        p = shared / sub / name
        if p.exists():
            return p
    raise FileNotFoundError(f"labelled file {name} not found under {shared}")


def _reports(path: Path):  # type: ignore[no-untyped-def]
    from corpus.gazetteer import load_gazetteer
    from corpus.models import DecodedFile
    from corpus.passages import ChunkParams
    from corpus.pipeline import build_reports
    from corpus.readers import read_file

    doc = read_file(path)
    if not isinstance(doc, DecodedFile):
        raise ValueError(f"{path} was not read: {doc}")
    return build_reports(doc, _gazetteer(load_gazetteer), ChunkParams())


_GAZ: list = []


def _gazetteer(loader):  # type: ignore[no-untyped-def]
    if not _GAZ:
        _GAZ.append(loader())
    return _GAZ[0]


def score(labels: Iterable[dict], shared: Path = SHARED) -> dict[str, Scores]:
    """Scores per half ("tune", "check") and for "all"."""
    labels = list(labels)
    by_file: dict[str, list] = {}
    for lab in labels:
        if lab["file"] not in by_file:
            by_file[lab["file"]] = _reports(_source(shared, lab["file"]))
    out = {h: Scores(practice_missing=[]) for h in ("tune", "check", "all")}
    for lab in labels:
        reports = by_file[lab["file"]]
        for s in (out[lab["half"]], out["all"]):
            s.labels += 1
            if lab["kind"] == "paragraph":
                role = None
                for rep in reports:
                    pos = rep.text.find(lab["quote"])
                    if pos >= 0:
                        role = next(
                            (p.section_role for p in rep.passages if p.start <= pos < p.end), None
                        )
                        break
                flagged = role == "存在问题"
                s.problem_gold += lab["problem"]
                s.problem_flagged += flagged
                s.problem_found += flagged and lab["problem"]
            elif lab["kind"] == "practice":
                found = any(
                    pr.text.startswith(lab["quote"]) for rep in reports for pr in rep.practices
                )
                s.practice_gold += lab["practice"]
                if found:
                    s.practice_scored += 1
                    s.practice_right += lab["practice"]
                elif lab["practice"] and s.practice_missing is not None:
                    s.practice_missing.append(f"{lab['file']}: {lab['quote']}")
    return out


def table(scores: dict[str, Scores]) -> str:
    rows = [
        "| half | labels | 存在问题 recall | 存在问题 precision | practice precision | "
        "labelled practices kept |",
        "|---|---|---|---|---|---|",
    ]
    for half, s in scores.items():
        rows.append(
            f"| {half} | {s.labels} | {s.problem_found}/{s.problem_gold} = "
            f"{s.problem_recall:.2f} | {s.problem_found}/{s.problem_flagged} = "
            f"{s.problem_precision:.2f} | {s.practice_right}/{s.practice_scored} = "
            f"{s.practice_precision:.2f} | {s.practice_right}/{s.practice_gold} = "
            f"{s.practice_kept:.2f} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labels", nargs="?", default=str(LABELS))
    ap.add_argument("--shared", default=str(SHARED))
    args = ap.parse_args(argv)
    print(table(score(load_labels(Path(args.labels)), Path(args.shared))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
