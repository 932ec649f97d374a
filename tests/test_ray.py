"""`--ray`: the per-file parse as Ray tasks and the embedding in Ray actors give what the
single-process path gives. One private Ray cluster on 127.0.0.1 serves the whole module
(starting one costs ~20 s), so it is one test in stages."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pytest

from corpus.store import CorpusStore
from retrieval.searcher import Searcher
from tests.conftest import seed_files

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'jiejian[ray]')")


def _fails(job: float, reason: str) -> str:
    return reason


def test_ray_ingest_and_index_match_the_local_path(
    tmp_path: Path, seed_store: CorpusStore, seed_searcher: Searcher
) -> None:
    from typer.testing import CliRunner

    from api.cli import app
    from corpus.ray_ingest import RayPool, connect
    from index.builder import _embedder_for, current_dir
    from index.config import IndexConfig
    from index.ray_embed import RayEmbedder

    files = seed_files()
    data = tmp_path / "ray"
    runner = CliRunner()
    env = {"JIEJIAN_STORE_URL": "", "JIEJIAN_DATA": str(data)}
    try:
        connect("local")
        # Ingest: the files parsed as Ray tasks, the same store as the local processes make.
        args = ["ingest", *map(str, files), "--ray", "local", "--json"]
        r = runner.invoke(app, args, env=env)
        assert r.exit_code == 0, r.output
        with CorpusStore(data) as store:
            assert [dataclasses.asdict(x) for x in store.iter_reports(with_text=True)] == [
                dataclasses.asdict(x) for x in seed_store.iter_reports(with_text=True)
            ]
            assert list(store.iter_passages()) == list(seed_store.iter_passages())

        # A task over its time limit is cancelled and reported, the others come back.
        pool: RayPool[float, object] = RayPool(time.sleep, _fails, timeout_s=2.0)
        got = list(pool.imap([0.0, 30.0, 0.0]))
        assert got[0] is None and got[2] is None
        assert "over the time limit" in str(got[1])

        # Index: `index --ray` embeds through Ray actors holding the model; they give the
        # vectors the local model gives (its copy here is broken once the model was sent).
        version = current_dir(seed_store.data_dir)
        assert version is not None
        embedder = _embedder_for(IndexConfig(ray_address="local"), version)
        assert isinstance(embedder, RayEmbedder)
        inner = embedder.inner
        texts = [p.text for p in seed_store.iter_passages()][:80]
        want = inner.encode(texts)
        embedder._start()
        inner.encode = None  # type: ignore[method-assign]
        np.testing.assert_allclose(embedder.encode(texts), want, atol=1e-5)
        assert len(embedder.actors) == int(ray.cluster_resources()["CPU"])
        embedder.close()

        # `build --ray`: both steps on the cluster, the same index as the local path's.
        built = tmp_path / "built"
        env_built = {**env, "JIEJIAN_DATA": str(built)}
        r = runner.invoke(app, ["build", str(files[0]), "--ray", "local"], env=env_built)
        assert r.exit_code == 0, r.output
        with CorpusStore(built) as store:
            n_passages = store.counts()["passages"]
        from index.manifest import Manifest

        published = current_dir(built)
        assert published is not None and n_passages > 0
        assert Manifest.load(published).counts["passages"] == n_passages
    finally:
        ray.shutdown()
