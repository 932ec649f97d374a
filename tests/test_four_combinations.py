"""The four deployments side by side: store SQLite or PostgreSQL × index backend local or
Milvus. The same corpus (seeds + demo) goes through the path users take (the write service's
ingest and index, the search service's search), and every combination must answer the
dev-set queries as the embedded default (SQLite × local) does: the same served pages where
only the store differs, and where the engine differs the overlap bound and the exact filters
of the index contract suite (tests/test_index_backends.py, which says why milvus-lite ranks
BM25 a little differently). Scores are never compared.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.service import WriteService
from api.settings import Settings
from retrieval.evaluation import DEFAULT_DEVSET, load_devset
from retrieval.filters import make_filters
from retrieval.searcher import SearchOptions, SearchResult
from retrieval.service import SearchService
from tests import pgserver
from tests.conftest import DEMO, seed_files
from tests.test_index_backends import PAGE_OVERLAP
from tests.test_index_backends import _need_milvus as need_milvus

STORES = ("sqlite", "postgresql")
BACKENDS = ("local", "milvus")
QUERIES = 16
FILTERS = {
    "none": {},
    "jiangsu-2018": {"jurisdiction": "江苏省", "year_from": 2018},
    "township": {"level": "township"},
}


@dataclass
class Deployment:
    store: str
    backend: str
    service: SearchService

    def search(self, query: str, fname: str) -> SearchResult:
        filters = make_filters(**FILTERS[fname]) if FILTERS[fname] else None
        return self.service.search(query, SearchOptions(k=10, filters=filters))


def _need(backend: str) -> None:
    if backend == "milvus":
        need_milvus()


def _deploy(
    store: str, backend: str, root: Path, pg: pgserver.PgServer | None
) -> Iterator[Deployment]:
    _need(backend)
    url = ""
    if store == "postgresql":
        assert pg is not None
        url = pg.create_database(f"four_{backend}_{os.getpid()}")
    settings = Settings(data=root / "data", store_url=url, index_backend=backend, ingest_workers=1)
    writer = WriteService(settings)
    writer.ingest([*seed_files(), DEMO])
    writer.index()
    with writer.open_store() as s:
        config = writer.config(s)
    service = SearchService(settings.data, config, store_url=url or None)
    try:
        assert service.searcher is not None, service.index_problem
        assert service.searcher.bundle.backend.name == backend
        yield Deployment(store, backend, service)
    finally:
        if service.searcher is not None:
            service.searcher.bundle.close()
        service.close()


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    yield from _deploy("sqlite", "local", tmp_path_factory.mktemp("four-ref"), None)


@pytest.fixture(scope="session")
def built(
    tmp_path_factory: pytest.TempPathFactory, pg: pgserver.PgServer
) -> Iterator[dict[tuple[str, str], Deployment]]:
    """Each deployment built once, when a test first asks for it (a parametrized
    session fixture is set up again whenever pytest's order alternates its params)."""
    with contextlib.ExitStack() as stack:
        cache: dict[tuple[str, str], Deployment] = _Deployments(stack, tmp_path_factory, pg)
        yield cache


class _Deployments(dict[tuple[str, str], Deployment]):
    def __init__(
        self, stack: contextlib.ExitStack, tmp: pytest.TempPathFactory, pg: pgserver.PgServer
    ):
        super().__init__()
        self.stack, self.tmp, self.pg = stack, tmp, pg

    def __missing__(self, key: tuple[str, str]) -> Deployment:
        store, backend = key
        gen = _deploy(store, backend, self.tmp.mktemp(f"four-{store}-{backend}"), self.pg)
        made = next(gen)
        self.stack.callback(lambda: next(gen, None))
        self[key] = made
        return made


@pytest.fixture(
    params=[(s, b) for s in STORES for b in BACKENDS if (s, b) != ("sqlite", "local")],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def deployment(
    request: pytest.FixtureRequest, built: dict[tuple[str, str], Deployment]
) -> Deployment:
    return built[request.param]


def _queries() -> list[str]:
    return [q.query for q in load_devset(DEFAULT_DEVSET)][:QUERIES]


def _ids(result: SearchResult) -> list[str]:
    return [h.passage.passage_id for h in result.hits]


def page_overlap(a: Deployment, ref: Deployment, fname: str) -> float:
    """Mean share of the reference's served first page that the deployment also serves."""
    shares = []
    for q in _queries():
        mine, theirs = _ids(a.search(q, fname)), _ids(ref.search(q, fname))
        shares.append(len(set(mine) & set(theirs)) / len(theirs) if theirs else float(not mine))
    return sum(shares) / len(shares)


@pytest.mark.parametrize("fname", FILTERS)
def test_served_pages_agree_with_the_embedded_default(
    deployment: Deployment, reference: Deployment, fname: str
) -> None:
    overlap = page_overlap(deployment, reference, fname)
    if deployment.backend == "local":
        # Only the store differs: the same passages, ids and index, so the same pages.
        for q in _queries():
            mine, theirs = deployment.search(q, fname), reference.search(q, fname)
            assert _ids(mine) == _ids(theirs), q
            assert mine.total == theirs.total, q
    assert overlap >= PAGE_OVERLAP, (deployment.store, deployment.backend, fname, overlap)


@pytest.mark.parametrize("fname", ["jiangsu-2018", "township"])
def test_filtered_results_pass_the_filter(deployment: Deployment, fname: str) -> None:
    served = 0
    for q in _queries():
        for h in deployment.search(q, fname).hits:
            served += 1
            r = h.report
            if fname == "township":
                assert r.level == "township", (q, r.report_id)
            else:
                assert "江苏省" in (r.jurisdiction_path or []), (q, r.report_id)
                assert r.year is not None and r.year >= 2018, (q, r.report_id)
    assert served > 0  # the filters select something in this corpus
