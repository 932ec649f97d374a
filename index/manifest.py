"""The manifest every saved index directory carries, and the check made before loading."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from corpus.files import sha256_of, write_text

FORMAT_VERSION = 3  # 2: theme fields and the practices index; 3: file sizes and checksums
MANIFEST = "manifest.json"
# Written by tantivy while the index is open (locks) or rewritten by every commit: not part
# of what a published version promises.
UNCHECKED = (".tantivy-writer.lock", ".tantivy-meta.lock", ".managed.json")


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
    # corpus.themes.taxonomy_fingerprint of the taxonomy the passages were tagged with
    # ("" in manifests written before it was recorded: unknown, so stale)
    themes: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    corpus_run: int = 0  # the store's last ingest run the index reflects
    # relative path -> [size, sha256] of every file of the version, recorded at publish
    files: dict[str, list] = field(default_factory=dict)
    # Where the version's documents are searched (index.defaults.INDEX_BACKENDS): "local"
    # (its own tantivy + FAISS files and doc table) or "milvus" (the collections of
    # ``build``; the version then holds only this manifest and the embedding model).
    backend: str = "local"
    build: str = ""

    def record_files(self, directory: Path) -> None:
        self.files = {
            rel: [path.stat().st_size, sha256_of(path)] for rel, path in _files(directory)
        }

    def save(self, directory: Path) -> None:
        write_text(directory / MANIFEST, json.dumps(asdict(self), ensure_ascii=False, indent=2))

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError as exc:
            raise IndexMismatchError(
                f"{directory} has no {MANIFEST}: run `jiejian index` to build the index"
            ) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise IndexMismatchError(f"{path} is damaged ({exc}): {REPAIR}") from exc
        if not isinstance(data, dict):
            raise IndexMismatchError(f"{path} is damaged: {REPAIR}")
        if data.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"index format {data.get('format_version')} is not {FORMAT_VERSION} (this "
                "jiejian's): run `jiejian index --rebuild`"
            )
        known = {f for f in cls.__dataclass_fields__}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as exc:
            raise IndexMismatchError(f"{path} is incomplete ({exc}): {REPAIR}") from exc


REPAIR = "run `jiejian index --repair` to rebuild it"


def _files(directory: Path) -> list[tuple[str, Path]]:
    out = []
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.name != MANIFEST and path.name not in UNCHECKED:
            out.append((path.relative_to(directory).as_posix(), path))
    return out


def verify_files(m: Manifest, directory: Path, checksums: bool = True) -> list[str]:
    """What differs between ``directory`` and the files its manifest recorded: missing,
    resized or (with ``checksums``) changed files. Empty when the version is intact."""
    problems = []
    if not m.files:
        return [f"{directory.name}: the manifest records no files"]
    for rel, (size, digest) in m.files.items():
        path = directory / rel
        if not path.is_file():
            problems.append(f"{rel} is missing")
        elif path.stat().st_size != size:
            problems.append(f"{rel} is {path.stat().st_size} bytes, {size} were published")
        elif checksums and sha256_of(path) != digest:
            problems.append(f"{rel} does not match its published checksum")
    return problems


def check_compatible(
    m: Manifest,
    embedder_setting: str,
    tokenizer: str,
    chunk_min: int,
    chunk_max: int,
    themes: str | None = None,
    backend: str | None = None,
) -> None:
    """Refuse an index built with another embedder, tokenizer, chunking, (when given)
    theme taxonomy or index backend."""
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
    if themes is not None and m.themes != themes:
        problems.append(
            f"themes: the index was tagged with taxonomy {m.themes or '(not recorded)'}, the "
            f"themes file (JIEJIAN_THEMES or the packaged one) is now {themes}; its tags are "
            "stale"
        )
    if backend is not None and m.backend != backend:
        problems.append(
            f"index backend: the published version is searched by {m.backend!r}, "
            f"JIEJIAN_INDEX_BACKEND says {backend!r}"
        )
    if problems:
        raise IndexMismatchError(
            "the saved index does not match the settings: "
            + "; ".join(problems)
            + ". Run `jiejian index --rebuild --data DIR` (or change the settings back)."
        )
