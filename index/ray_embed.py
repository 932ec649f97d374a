"""Passages embedded in Ray actors: ``jiejian index --ray ADDRESS|auto|local``.

The embedder the index build loaded (the corpus-built static model or a sentence-transformers
model) is sent to the cluster once through Ray's object store; each actor holds a copy and
encodes a contiguous slice of every batch, so vectors come back in passage order. When the
cluster has GPUs and the model is a transformer, there is one actor per GPU and each moves
its copy to its GPU; otherwise one actor per CPU. The corpus-static model stays on CPUs: it
is a table lookup, which a GPU cannot speed up. Small calls (a query, theme labels) are
encoded here, as a round trip to the cluster would cost more than the work.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from corpus.ray_ingest import cluster_cpus, connect
from index.embedders.base import Embedder, Kind

log = logging.getLogger(__name__)
LOCAL_BELOW = 64  # texts: fewer are encoded in this process


class _EncodeActor:
    def __init__(self, embedder: Embedder, gpu: bool, threads: int):
        self.embedder = embedder
        model = getattr(embedder, "model", None)  # a torch model; static models are numpy
        if model is not None:
            import torch

            torch.set_num_threads(max(1, threads))
            if gpu:
                model.to("cuda")

    def encode(self, texts: list[str], kind: Kind, batch_size: int) -> np.ndarray:
        return self.embedder.encode(texts, kind, batch_size=batch_size)


class RayEmbedder(Embedder):
    def __init__(self, inner: Embedder, address: str, transformer: bool):
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.address = address
        self.transformer = transformer
        self.gpu = False
        self.ray: Any = None
        self.actors: list[Any] = []  # started on the first batch worth sending

    def _start(self) -> list[Any]:
        if self.actors:
            return self.actors
        ray = self.ray = connect(self.address)
        gpus = int(ray.cluster_resources().get("GPU", 0))
        self.gpu = self.transformer and gpus > 0
        n = gpus if self.gpu else cluster_cpus(ray)
        actor = ray.remote(_EncodeActor)
        ref = ray.put(self.inner)
        opts: dict[str, Any] = {"num_gpus": 1, "num_cpus": 1} if self.gpu else {"num_cpus": 1}
        self.actors = [actor.options(**opts).remote(ref, self.gpu, 1) for _ in range(n)]
        log.info("embedding in %d Ray actors (%s)", n, "GPU" if self.gpu else "CPU")
        return self.actors

    def encode(self, texts: list[str], kind: Kind = "passage", batch_size: int = 64) -> np.ndarray:
        if len(texts) < LOCAL_BELOW:
            return self.inner.encode(texts, kind, batch_size=batch_size)
        actors = self._start()
        step = -(-len(texts) // len(actors))
        refs = [
            a.encode.remote(texts[i : i + step], kind, batch_size)
            for a, i in zip(actors, range(0, len(texts), step), strict=False)
        ]
        return np.vstack(self.ray.get(refs)).astype(np.float32, copy=False)

    def close(self) -> None:
        for a in self.actors:
            self.ray.kill(a)
        self.actors = []
