"""The read side of the application service: search and reading over the store and one
index snapshot, shared by request threads without a lock. Each thread reads the store
through its own read-only connection; the index snapshot is an immutable loaded version
that ``reload`` replaces in one assignment, so a request sees the old or the new index,
never a mix. Writes (ingest, index, delete) live in ``api.service`` and run as jobs."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from corpus.defaults import STORE_READ_POOL
from corpus.store import CorpusStore, PassageRecord, PerThreadStore, ReportRecord
from corpus.themes import Theme, load_taxonomy
from index.bundle import IndexBundle
from index.config import IndexConfig
from index.filters import Filters
from index.manifest import IndexMismatchError
from retrieval.defaults import SEARCH_THREADS
from retrieval.export_docs import collect, render
from retrieval.filters import make_filters
from retrieval.insights import report_facets, themes_overview, trend
from retrieval.parallel import SearchThreads
from retrieval.practice_search import PracticeResult, search_practices
from retrieval.query import QueryError
from retrieval.searcher import Searcher, SearchOptions, SearchResult
from retrieval.synonyms import SynonymLexicon

TREND_DEPTH = 5000  # passages matched by a query before counting their reports

log = logging.getLogger(__name__)


class IndexUnavailableError(RuntimeError):
    """There is no usable index (never built, or built with other settings)."""


class NotFoundError(KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; ours reads as a sentence
        return str(self.args[0]) if self.args else "not found"


@dataclass
class PassageContext:
    passage: PassageRecord
    report: ReportRecord
    before: list[PassageRecord]
    after: list[PassageRecord]


class SearchService:
    def __init__(
        self,
        data_dir: Path,
        config: IndexConfig,
        synonyms: Path | None = None,
        store_url: str | None = None,
        store_pool: int = STORE_READ_POOL,
        search_threads: int = SEARCH_THREADS,
        search_processes: int = 1,
    ):
        self.data_dir = data_dir
        self.config = config
        self.lexicon = SynonymLexicon.load(synonyms)
        # One query's engine searches run side by side on these while cores are idle
        # (``search_processes``: server processes sharing this machine's cores).
        self.threads = (
            SearchThreads(search_threads, processes=search_processes)
            if search_threads > 0
            else None
        )
        CorpusStore(data_dir, url=store_url).close()  # creates the schema read-only reads need
        # Reads forward to the calling thread's own read-only CorpusStore.
        self.store = cast(
            CorpusStore, PerThreadStore(data_dir, url=store_url, pool_size=store_pool)
        )
        self.searcher: Searcher | None = None
        self._retired: IndexBundle | None = None
        self.index_problem: str | None = None
        self.reload()

    def close(self) -> None:
        for bundle in (self._retired, self.searcher.bundle if self.searcher else None):
            if bundle is not None:
                bundle.close()
        if self.threads is not None:
            self.threads.close()
        self.store.close()

    @property
    def taxonomy(self) -> tuple[Theme, ...]:
        """The theme taxonomy of the served index (before one is loaded: the configured
        file's), in which theme filters are resolved."""
        searcher = self.searcher
        if searcher is not None and searcher.bundle.taxonomy:
            return searcher.bundle.taxonomy
        return load_taxonomy(self.config.themes)

    def reload(self, directory: Path | None = None) -> bool:
        """Load the published index (or ``directory``), verified, and make it the snapshot
        new requests use. On failure the previous snapshot, if any, keeps serving and
        ``index_problem`` says why. Returns whether a new snapshot was installed."""
        try:
            bundle = IndexBundle.load(self.data_dir, self.config, directory)
        except (IndexMismatchError, FileNotFoundError, OSError, ValueError) as exc:
            self.index_problem = str(exc)
            log.warning("index not loaded (search degraded): %s", exc)
            return False
        previous = self.searcher
        self.searcher = Searcher(bundle, self.store, self.lexicon, self.threads)  # atomic swap
        self.index_problem = None
        # An engine's connections (Milvus mode) are closed one swap later, when no request
        # can still be using them; local bundles hold none.
        if self._retired is not None:
            self._retired.close()
        self._retired = previous.bundle if previous is not None else None
        # The snapshot lives until the next swap, and its doc table holds Python lists as
        # long as the corpus (three of 1M entries at 1M passages), which every full run of
        # the cyclic collector walked: 36-50 ms, falling on whichever request was running.
        # Frozen, the collector skips what is alive now; what requests allocate is still
        # collected, and a retired snapshot is freed by reference counting (as in the ingest
        # workers, corpus/workers.py). The reference cycles a retired snapshot leaves were
        # frozen with it: one full collection per swap, before freezing again, frees them,
        # so that many swaps in a long-running server do not pile them up.
        if previous is not None:
            gc.unfreeze()
            gc.collect()
        gc.freeze()
        return True

    def _searcher(self) -> Searcher:
        searcher = self.searcher
        if searcher is None:
            raise IndexUnavailableError(self.index_problem or "no index")
        return searcher

    # ----- reading ---------------------------------------------------------------------

    def search(self, query: str, opts: SearchOptions) -> SearchResult:
        return self._searcher().search(query, opts)

    def similar(
        self, passage_id: str, k: int, same_jurisdiction: bool, filters: Filters | None = None
    ) -> SearchResult:
        try:
            return self._searcher().similar(passage_id, k, same_jurisdiction, filters)
        except KeyError as exc:
            raise NotFoundError(f"no passage {passage_id!r}") from exc

    def passage(self, passage_id: str, context: int = 2) -> PassageContext:
        p = self.store.get_passage(passage_id)
        if p is None:
            raise NotFoundError(f"no passage {passage_id!r}")
        report = self.store.get_report(p.report_id, with_text=False)
        if report is None:
            raise NotFoundError(f"no report for passage {passage_id!r}")
        siblings = self.store.passages_of(p.report_id)
        i = next(n for n, s in enumerate(siblings) if s.passage_id == passage_id)
        return PassageContext(
            p, report, siblings[max(0, i - context) : i], siblings[i + 1 : i + 1 + context]
        )

    def report(self, report_id: str) -> tuple[ReportRecord, list[PassageRecord]]:
        r = self.store.get_report(report_id, with_text=True)
        if r is None:
            raise NotFoundError(f"no report {report_id!r}")
        return r, self.store.passages_of(report_id)

    def report_facets(self, **filters: Any) -> dict[str, list[dict[str, Any]]]:
        """Report counts by place, level and year under the filters (empty without index)."""
        f = make_filters(**filters)
        searcher = self.searcher  # one snapshot for the whole answer
        if searcher is None:
            return {}
        return report_facets(*searcher.bundle.select(f))

    def reports(self, limit: int, offset: int, **filters: Any) -> tuple[int, list[ReportRecord]]:
        f = make_filters(**filters)
        return self.store.list_reports(
            places=f.jurisdiction,
            exclude_places=f.exclude_jurisdiction,
            levels=f.level,
            doc_types=f.doc_type,
            year_from=f.year_from,
            year_to=f.year_to,
            limit=limit,
            offset=offset,
        )

    def practices(self, query: str, opts: SearchOptions) -> PracticeResult:
        return search_practices(self._searcher(), query, opts)

    def themes(self, **filters: Any) -> list[dict[str, Any]]:
        searcher = self._searcher()
        f = make_filters(**filters, taxonomy=searcher.bundle.taxonomy)
        view, docs = searcher.bundle.select(f)
        return themes_overview(view, docs, searcher.bundle.taxonomy)

    def trends(
        self, query: str | None, theme: str | None, by: str, **filters: Any
    ) -> list[dict[str, Any]]:
        if not query and not theme:
            raise QueryError("give q or theme")
        s = self._searcher()
        f = make_filters(theme=theme, **filters, taxonomy=s.bundle.taxonomy)
        base = make_filters(**filters)
        # the corpus under the filters; its view also reads the matching passages' rows
        table, base_docs = s.bundle.select(base)
        if query:
            docs = np.array(s.matching_docs(s.parse(query), f, TREND_DEPTH), dtype=np.int64)
        else:
            docs = s.bundle.select(f)[1]
        return trend(table, docs, by, base_docs, (base.year_from, base.year_to))

    def export(self, items: list[dict[str, str]], fmt: str, query: str | None = None) -> bytes:
        return render(collect(self.store, items), fmt, query)

    def health(self) -> dict[str, Any]:
        counts = self.store.counts()
        info: dict[str, Any] = {
            "status": "ok" if self.searcher is not None else "no_index",
            "counts": {
                "reports": counts["reports"],
                "passages": counts["passages"],
                "files": counts["files"],
            },
            "data_version": self.store.data_version(),
            "embedder": None,
            "index_type": None,
            "index_version": None,
            "problem": self.index_problem,
        }
        if self.searcher is not None:
            m = self.searcher.bundle.manifest
            info.update(
                embedder={
                    "setting": m.embedder_setting,
                    "model_id": m.embedder_model_id,
                    "dim": m.embedder_dim,
                },
                index_type=m.vector_index,
                index_version=m.corpus_run,
                indexed_passages=m.counts.get("passages"),
            )
        return info
