"""Where the tests find ../shared (the real report texts, never copied into the repository).

One definition for conftest, tests/format_inputs.py, tests/roles_eval.py and the benchmark
scripts that import them; light to import (no project packages). JIEJIAN_SHARED and
JIEJIAN_SEEDS point elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("JIEJIAN_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"
SEEDS = Path(os.environ.get("JIEJIAN_SEEDS", CORPUS / "seeds"))
REAL = CORPUS / "real"


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"
