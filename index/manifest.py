"""The manifest every saved index directory carries, and the check made before loading."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

FORMAT_VERSION = 2  # 2: theme fields and the practices index
MANIFEST = "manifest.json"


class IndexMismatchError(RuntimeError):
    """The saved index was built differently from what the settings ask for."""


@dataclass
class Manifest:
    embedder_setting: str
    embedder_model_id: str
    embedder_dim: int
    tokenizer: str
    vector_index: str
    chunk_min_chars: int
    chunk_max_chars: int
    counts: dict[str, int] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    corpus_run: int = 0  # the store's last ingest run the index reflects

    def save(self, directory: Path) -> None:
        tmp = directory / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), "utf-8")
        tmp.replace(directory / MANIFEST)

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError as exc:
            raise IndexMismatchError(
                f"{directory} has no {MANIFEST}: run `jiejian index` to build the index"
            ) from exc
        if data.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"index format {data.get('format_version')} is not {FORMAT_VERSION} (this "
                "jiejian's): run `jiejian index --rebuild`"
            )
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def check_compatible(
    m: Manifest, embedder_setting: str, tokenizer: str, chunk_min: int, chunk_max: int
) -> None:
    """Refuse an index built with another embedder, tokenizer or chunking."""
    problems = []
    if m.embedder_setting != embedder_setting:
        problems.append(
            f"embedder: index has {m.embedder_setting!r}, settings say {embedder_setting!r}"
        )
    if m.tokenizer != tokenizer:
        problems.append(
            f"tokenizer/dictionary: index has {m.tokenizer}, now {tokenizer} (the domain "
            "dictionary or stopwords changed)"
        )
    if (m.chunk_min_chars, m.chunk_max_chars) != (chunk_min, chunk_max):
        problems.append(
            f"chunking: index has {m.chunk_min_chars}-{m.chunk_max_chars}, settings say "
            f"{chunk_min}-{chunk_max}"
        )
    if problems:
        raise IndexMismatchError(
            "the saved index does not match the settings: "
            + "; ".join(problems)
            + ". Run `jiejian index --rebuild --data DIR` (or change the settings back)."
        )
