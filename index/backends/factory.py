"""Index backends keyed by a setting (``JIEJIAN_INDEX_BACKEND``: local | milvus).

``local`` is what the saved index versions hold (tantivy + FAISS + doc table) and needs
nothing else. ``milvus`` versions hold a manifest and the embedding model only: documents,
filter fields and the metadata facets and collapse read live in Milvus collections named
after the index build (index/backends/sync.py fills them), so a rebuild never changes a
collection that a server still searches.
"""

from __future__ import annotations

import re
from pathlib import Path

from index.backends.base import BackendError, IndexBackend
from index.defaults import INDEX_BACKENDS

BACKENDS = INDEX_BACKENDS
PASSAGES = "passages"
PRACTICES = "practices"
KINDS = (PASSAGES, PRACTICES)  # the collections of one build
DEFAULT_MILVUS_FILE = "milvus.db"
# A Milvus-mode version's record of its build and collections.
COLLECTIONS_FILE = "collections.json"


def check_kind(kind: str) -> str:
    if kind not in BACKENDS:
        raise BackendError(f"unknown index backend {kind!r}: choose {' or '.join(BACKENDS)}")
    return kind


def milvus_uri(setting: str, data_dir: Path) -> str:
    """The configured URI; empty means a milvus-lite file in the data directory."""
    return setting or str(data_dir / DEFAULT_MILVUS_FILE)


def build_key(created_at: float) -> str:
    """A build's identity: the manifest's creation time, kept by incremental refreshes
    (doc ids stay valid) and new on a full rebuild (doc ids are renumbered)."""
    return f"b{int(created_at * 1000)}"


def collection_name(prefix: str, key: str, kind: str) -> str:
    name = f"{prefix}_{key}_{kind}"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,254}", name):
        raise BackendError(
            f"Milvus collection name {name!r} is not valid: JIEJIAN_MILVUS_COLLECTION must be "
            "letters, digits and underscores, starting with a letter"
        )
    return name


def open_milvus(
    uri: str, collection: str, dim: int, token: str | None = None, create: bool = True
) -> IndexBackend:
    """``create=False``: a reader, refused with a message when the collection is missing."""
    from index.backends.milvus import MilvusBackend  # pymilvus is an optional extra

    return MilvusBackend(uri, collection, dim, token=token, create=create)


def open_build(
    uri: str, prefix: str, build: str, dim: int, token: str | None, create: bool
) -> dict[str, IndexBackend]:
    """The collections of one build by kind, opened together: ``jiejian index`` creates
    them (``create``), a server opens them as they are. When one cannot be opened, those
    already opened are closed before the error goes on."""
    out: dict[str, IndexBackend] = {}
    try:
        for kind in KINDS:
            out[kind] = open_milvus(uri, collection_name(prefix, build, kind), dim, token, create)
    except BaseException:
        for engine in out.values():
            engine.close()
        raise
    return out
