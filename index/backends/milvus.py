"""The Milvus backend: one collection per kind of document (passages, practices).

The same pymilvus client code targets milvus-lite (``JIEJIAN_MILVUS_URI`` = a local
``.db`` file) or a server/cluster (``http://host:19530``). The engine gets jiejian's
tokens joined by spaces: BM25 is Milvus's own BM25 function over a whitespace analyzer
(milvus-lite 3.x, a pure-Python stand-in, has no whitespace tokenizer: its ``standard``
tokenizer with ``lowercase`` splits our joined tokens the same way). Filters are Milvus
expressions (:mod:`index.backends.milvus_expr`), evaluated inside the engine; the
jurisdiction path is an array field, with the province, city, county and township copied
into their own fields and the province as the partition key.

Where engines differ, the difference is handled here, named, not hidden:
- milvus-lite 3.x reports BM25 as negative distances: scores are taken as magnitudes.
- milvus-lite 2.5 rejects filtered searches on a collection with a partition key and has
  no TEXT_MATCH: the partition key is left out there, and counts and document frequencies
  fall back to counting BM25 hits (a lower bound beyond ``COUNT_CAP``).
- Per-term weights (the lexicon's expansions weigh 0.4) are not part of a Milvus BM25
  query: each weight group, over body and heading, is one search, and the weighted sum is
  taken here over the union of their top-k (exact for every document in all lists).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from index.backends.base import (
    HEADING_BOOST,
    BackendError,
    IndexBackend,
    IndexDoc,
    Scored,
    Terms,
)
from index.backends.milvus_expr import both, filter_expr, literals, text_match
from index.doctable import DocRow
from index.filters import Filters

log = logging.getLogger(__name__)

# Milvus refuses a top-k or a query window larger than this.
COUNT_CAP = 16384
WRITE_BATCH = 1000
DELETE_BATCH = 500
ID_WINDOW = 10_000
MAX_PLACES = 16
MAX_THEMES = 32
LEVELS = ("province", "city", "county", "township")  # denormalised path fields, in order
WHITESPACE = {"tokenizer": "whitespace"}
STANDARD = {"tokenizer": "standard", "filter": ["lowercase"]}
# What a Milvus-mode server reads per hit instead of a doc table row (index/backends/hits.py).
META_FIELDS = (
    "passage_id",
    "report_id",
    "dup_group",
    "places",
    "level",
    "doc_type",
    "role",
    "year",
    "themes",
)
SCAN_BATCH = 2000
# tantivy's BM25 constants (milvus-lite 3.x would default k1 to 1.5)
BM25_PARAMS = {"bm25_k1": 1.2, "bm25_b": 0.75}


def is_local_uri(uri: str) -> bool:
    """A file path (milvus-lite) rather than a server address."""
    return "://" not in uri


def lite_version() -> str | None:
    try:
        return metadata.version("milvus-lite")
    except metadata.PackageNotFoundError:
        return None


def path_fields(places: list[str]) -> dict[str, str]:
    """Province, city, county and township copied from the jurisdiction path (broadest
    first); "" where the path is shorter."""
    return {name: (places[i] if i < len(places) else "") for i, name in enumerate(LEVELS)}


def doc_row(entity: dict[str, Any]) -> DocRow:
    """A stored document's metadata as the doc table would hold it ("" and 0: unknown)."""
    return DocRow(
        passage_id=str(entity["passage_id"]),
        report_id=str(entity["report_id"]),
        level=entity.get("level") or None,
        doc_type=entity.get("doc_type") or None,
        section_role=str(entity.get("role") or ""),
        year=int(entity.get("year") or 0) or None,
        places=list(entity.get("places") or []),
        dup_group=entity.get("dup_group") or None,
        themes=list(entity.get("themes") or []),
    )


MetaSink = Callable[[dict[int, DocRow]], None]


def _import_pymilvus() -> Any:
    try:
        import pymilvus
    except ImportError as exc:  # an optional extra
        raise BackendError(
            "JIEJIAN_INDEX_BACKEND=milvus needs pymilvus (and milvus-lite for a local file): "
            'pip install "jiejian[milvus]"'
        ) from exc
    return pymilvus


class MilvusBackend(IndexBackend):
    name = "milvus"

    def __init__(
        self,
        uri: str,
        collection: str,
        dim: int,
        token: str | None = None,
        dense_index: str = "auto",
        create: bool = True,
    ):
        pm = _import_pymilvus()
        self._pm = pm
        self.uri = uri
        self.collection = collection
        self.dim = dim
        self.local = is_local_uri(uri)
        if self.local:
            Path(uri).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        try:
            self.client = pm.MilvusClient(uri=uri, token=token or "")
        except Exception as exc:
            raise BackendError(f"cannot connect to Milvus at {uri}: {exc}") from exc
        lite = lite_version() if self.local else None
        # milvus-lite 2.x fails every filtered search on a partition-keyed collection.
        self.partition_key = not (lite is not None and lite.startswith("2."))
        self.dense_index = (
            ("FLAT" if self.local else "HNSW") if dense_index == "auto" else dense_index
        )
        # milvus-lite 3.x has no whitespace tokenizer (its standard one splits on spaces)
        self.analyzers = (
            (STANDARD,)
            if lite is not None and lite.startswith("3.")
            else (
                WHITESPACE,
                STANDARD,
            )
        )
        self.analyzer: dict[str, Any] | None = None
        self.text_match = True
        self._df: dict[str, int] = {}
        # Set by a Milvus-mode bundle: searches then return each hit's metadata (output
        # fields) to it, so no server process holds a table of the whole corpus.
        self.sink: MetaSink | None = None
        if not self.client.has_collection(collection):
            if not create:  # a server reads what `jiejian index` made; it never makes one
                self.client.close()
                raise BackendError(
                    f"Milvus collection {collection} does not exist at {uri}: run `jiejian "
                    "index` with JIEJIAN_INDEX_BACKEND=milvus (and the same JIEJIAN_MILVUS_URI)"
                )
            self._create()
        else:
            self._check_existing()
        self.text_match = self._probe_text_match()

    # ----- schema ------------------------------------------------------------------------

    def _schema(self, analyzer: dict[str, Any], match: bool) -> Any:
        pm = self._pm
        dt = pm.DataType
        s = self.client.create_schema(auto_id=False, description=f"jiejian dim={self.dim}")
        s.add_field("id", dt.INT64, is_primary=True)
        s.add_field("passage_id", dt.VARCHAR, max_length=256)
        s.add_field("report_id", dt.VARCHAR, max_length=256)
        s.add_field("dup_group", dt.VARCHAR, max_length=256)
        for name, length in (("body", 65535), ("heading", 8192)):
            s.add_field(
                name,
                dt.VARCHAR,
                max_length=length,
                enable_analyzer=True,
                analyzer_params=analyzer,
                enable_match=match,
            )
            s.add_field(f"{name}_bm25", dt.SPARSE_FLOAT_VECTOR)
            s.add_function(
                pm.Function(
                    name=f"{name}_bm25_fn",
                    function_type=pm.FunctionType.BM25,
                    input_field_names=[name],
                    output_field_names=[f"{name}_bm25"],
                )
            )
        s.add_field("vector", dt.FLOAT_VECTOR, dim=self.dim)
        s.add_field(
            "places", dt.ARRAY, element_type=dt.VARCHAR, max_capacity=MAX_PLACES, max_length=128
        )
        for i, name in enumerate(LEVELS):
            s.add_field(
                name, dt.VARCHAR, max_length=128, is_partition_key=self.partition_key and i == 0
            )
        for name in ("level", "doc_type", "role"):
            s.add_field(name, dt.VARCHAR, max_length=64)
        s.add_field("year", dt.INT64)
        s.add_field(
            "themes", dt.ARRAY, element_type=dt.VARCHAR, max_capacity=MAX_THEMES, max_length=64
        )
        return s

    def _index_params(self) -> Any:
        ip = self.client.prepare_index_params()
        for name in ("body_bm25", "heading_bm25"):
            ip.add_index(
                name, index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25_PARAMS
            )
        params = {"M": 32, "efConstruction": 200} if self.dense_index == "HNSW" else {}
        ip.add_index("vector", index_type=self.dense_index, metric_type="IP", params=params)
        return ip

    def _create(self) -> None:
        errors = []
        # The whitespace tokenizer keeps our tokens whole on a server; lite 3.x lacks it.
        for analyzer in self.analyzers:
            for match in (True, False):
                try:
                    kwargs: dict[str, Any] = {"consistency_level": "Strong"}
                    if self.partition_key:
                        kwargs["num_partitions"] = 64
                    self.client.create_collection(
                        self.collection, schema=self._schema(analyzer, match), **kwargs
                    )
                    # The collection is empty, so its indexes have nothing to build: pymilvus's
                    # synchronous create_index would still poll every 0.5 s, once per index
                    # (1.5 s per collection, 3 s per build of passages and practices).
                    self.client.create_index(self.collection, self._index_params(), sync=False)
                    self.client.load_collection(self.collection)
                    self.analyzer = analyzer
                    log.info(
                        "milvus collection %s created (analyzer %s, text match %s)",
                        self.collection,
                        analyzer["tokenizer"],
                        match,
                    )
                    return
                except Exception as exc:
                    errors.append(f"{analyzer['tokenizer']}/match={match}: {exc}")
                    if self.client.has_collection(self.collection):
                        self.client.drop_collection(self.collection)
        raise BackendError(f"cannot create Milvus collection {self.collection}: {errors}")

    def _check_existing(self) -> None:
        info = self.client.describe_collection(self.collection)
        names = {f.get("name") for f in info.get("fields", [])}
        if "dup_group" not in names:
            raise BackendError(
                f"Milvus collection {self.collection} was made by an older jiejian (no "
                "dup_group field): run `jiejian index --rebuild` with JIEJIAN_INDEX_BACKEND=milvus"
            )
        for f in info.get("fields", []):
            if f.get("name") == "vector":
                dim = int(f.get("params", {}).get("dim", self.dim))
                if dim != self.dim:
                    raise BackendError(
                        f"Milvus collection {self.collection} holds {dim}-dimension vectors, "
                        f"the embedder makes {self.dim}: rebuild the index"
                    )
            if f.get("name") == "province":
                self.partition_key = bool(f.get("is_partition_key", False))
        self.client.load_collection(self.collection)

    def _probe_text_match(self) -> bool:
        try:
            self.client.query(
                self.collection, filter=text_match("body", ["工会"]), output_fields=["id"], limit=1
            )
            return True
        except Exception:
            log.info("milvus at %s has no TEXT_MATCH: counts come from BM25 hits", self.uri)
            return False

    def drop(self) -> None:
        self.client.drop_collection(self.collection)

    # ----- writing -----------------------------------------------------------------------

    @staticmethod
    def row(d: IndexDoc) -> dict[str, Any]:
        return {
            "id": int(d.doc_id),
            "passage_id": d.passage_id,
            "report_id": d.report_id,
            "dup_group": d.dup_group or "",
            "body": " ".join(d.body),
            "heading": " ".join(d.heading),
            "vector": np.asarray(d.vector, dtype=np.float32).tolist(),
            "places": d.places[:MAX_PLACES],
            **path_fields(d.places),
            "level": d.level or "",
            "doc_type": d.doc_type or "",
            "role": d.section_role or "",
            "year": int(d.year or 0),
            "themes": d.themes[:MAX_THEMES],
        }

    def upsert(self, docs: Sequence[IndexDoc]) -> int:
        self._df.clear()
        for i in range(0, len(docs), WRITE_BATCH):
            self.client.upsert(self.collection, [self.row(d) for d in docs[i : i + WRITE_BATCH]])
        return len(docs)

    def delete(self, doc_ids: Iterable[int]) -> None:
        self._df.clear()
        ids = sorted({int(i) for i in doc_ids})
        for i in range(0, len(ids), DELETE_BATCH):
            chunk = ids[i : i + DELETE_BATCH]
            self.client.delete(self.collection, filter=f"id in {chunk}")

    def delete_reports(self, report_ids: Iterable[str]) -> None:
        self._df.clear()
        ids = sorted(set(report_ids))
        for i in range(0, len(ids), DELETE_BATCH):
            chunk = ids[i : i + DELETE_BATCH]
            self.client.delete(self.collection, filter=f"report_id in {literals(chunk)}")

    def flush(self) -> None:
        if hasattr(self.client, "flush"):
            try:
                self.client.flush(self.collection)
            except Exception:  # milvus-lite may not implement it; its writes are visible
                log.debug("flush not supported by %s", self.uri)

    def ids_between(self, lo: int, hi: int) -> list[int]:
        """Stored ids in [lo, hi) (hi - lo at most ID_WINDOW)."""
        rows = self.client.query(
            self.collection, filter=f"id >= {int(lo)} and id < {int(hi)}", output_fields=[]
        )
        return [int(r["id"]) for r in rows]

    def passages_of_ids(self, ids: Sequence[int]) -> dict[int, str]:
        """The passage (or practice) id stored under each of ``ids`` that exists."""
        out: dict[int, str] = {}
        for i in range(0, len(ids), DELETE_BATCH):
            chunk = [int(x) for x in ids[i : i + DELETE_BATCH]]
            rows = self.client.query(
                self.collection, filter=f"id in {chunk}", output_fields=["passage_id"]
            )
            out.update({int(r["id"]): str(r["passage_id"]) for r in rows})
        return out

    def meta_of(self, ids: Sequence[int]) -> dict[int, DocRow]:
        """Stored metadata of documents by id (those that exist)."""
        out: dict[int, DocRow] = {}
        for i in range(0, len(ids), DELETE_BATCH):
            chunk = [int(x) for x in ids[i : i + DELETE_BATCH]]
            rows = self.client.query(
                self.collection, filter=f"id in {chunk}", output_fields=list(META_FIELDS)
            )
            out.update({int(r["id"]): doc_row(r) for r in rows})
        return out

    def scan(self, filters: Filters | None = None) -> Iterator[tuple[int, DocRow]]:
        """Every document passing ``filters`` with its metadata, in batches from the engine
        (a query iterator: memory follows the batch, not the collection)."""
        it = self.client.query_iterator(
            self.collection,
            batch_size=SCAN_BATCH,
            filter=filter_expr(filters),
            output_fields=list(META_FIELDS),
        )
        try:
            while rows := it.next():
                for r in rows:
                    yield int(r["id"]), doc_row(r)
        finally:
            it.close()

    # ----- searching ---------------------------------------------------------------------

    def _hits(self, result: Any, score: Callable[[float], float]) -> list[tuple[int, float]]:
        hits = [(int(h["id"]), score(float(h["distance"]))) for h in result]
        if self.sink is not None:
            self.sink({int(h["id"]): doc_row(h["entity"]) for h in result})
        return hits

    def _output(self) -> list[str]:
        return list(META_FIELDS) if self.sink is not None else []

    def _bm25(
        self, field: str, text: str, k: int, expr: str, meta: bool = True
    ) -> list[tuple[int, float]]:
        """``meta=False``: hits only counted (engines without TEXT_MATCH), not shown."""
        res = self.client.search(
            self.collection,
            data=[text],
            anns_field=f"{field}_bm25",
            limit=min(k, COUNT_CAP),
            filter=expr,
            search_params={"metric_type": "BM25"},
            output_fields=self._output() if meta else [],
        )
        return self._hits(res[0], abs) if meta else [(int(h["id"]), 0.0) for h in res[0]]

    def lexical_search(
        self, terms: Terms, k: int, filters: Filters | None = None, boost: float = HEADING_BOOST
    ) -> Scored:
        if k <= 0 or not terms:
            return []
        expr = filter_expr(filters)
        groups: dict[float, list[str]] = {}
        for token, weight in terms:
            groups.setdefault(weight, []).append(token)
        scores: dict[int, float] = {}
        for weight, tokens in groups.items():
            text = " ".join(tokens)
            fields = [("body", weight)]
            if boost > 0:
                fields.append(("heading", weight * boost))
            for field, w in fields:
                for doc_id, s in self._bm25(field, text, k, expr):
                    scores[doc_id] = scores.get(doc_id, 0.0) + w * s
        ranked = sorted(scores.items(), key=lambda x: (-x[1], x[0]))
        return ranked[:k]

    def dense_search(
        self, qvec: np.ndarray, k: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        params: dict[str, Any] = {"metric_type": "IP"}
        if self.dense_index == "HNSW":
            params["params"] = {"ef": max(k, 128)}
        res = self.client.search(
            self.collection,
            data=[np.asarray(qvec, dtype=np.float32).reshape(-1).tolist()],
            anns_field="vector",
            limit=min(k, COUNT_CAP),
            filter=filter_expr(filters),
            search_params=params,
            output_fields=self._output(),
        )
        return self._hits(res[0], float)

    def _count(self, expr: str) -> int:
        rows = self.client.query(self.collection, filter=expr, output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def lexical_count(self, terms: list[tuple[str, float]], filters: Filters | None = None) -> int:
        tokens = list(dict.fromkeys(t for t, _ in terms))
        if not tokens:
            return 0
        if self.text_match:
            any_field = f"{text_match('body', tokens)} or {text_match('heading', tokens)}"
            return self._count(both(any_field, filter_expr(filters)))
        hits = {d for d, _ in self.lexical_search(terms, COUNT_CAP, filters)}
        return len(hits)

    def count(self, filters: Filters | None = None) -> int:
        return self._count(filter_expr(filters))

    def doc_freq(self, tokens: Iterable[str]) -> dict[str, int]:
        out = {}
        for t in set(tokens):
            if t not in self._df:
                if self.text_match:
                    self._df[t] = self._count(text_match("body", [t]))
                else:
                    self._df[t] = len(self._bm25("body", t, COUNT_CAP, "", meta=False))
            out[t] = self._df[t]
        return out

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # closing a dead connection is not an error worth raising
            log.debug("closing milvus client failed", exc_info=True)
