"""Query-encoding latency and passage throughput of transformer embedders, on this machine.

    python scripts/bench_encoder.py

No model can be downloaded here, so the transformers are built with random weights in the
shapes of common Chinese sentence encoders (speed depends on the shape, not on the weights):
small (384 hidden, 12 layers, like bge-small) and base (768 hidden, 12 layers, like bge-base).
The corpus-built static model is measured beside them on the same texts.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from demo.reports_a import REPORTS_A  # noqa: E402
from demo.reports_b import REPORTS_B  # noqa: E402
from index.embedders.corpus_static import build_static_model  # noqa: E402
from index.embedders.sentence_transformer import SentenceTransformerEmbedder  # noqa: E402
from retrieval.evaluation import DEFAULT_DEVSET, load_devset  # noqa: E402
from tests.random_models import random_sentence_transformer  # noqa: E402

SHAPES = {"small (384×12)": (384, 12, 12, 1536), "base (768×12)": (768, 12, 12, 3072)}


def random_model(root: Path, hidden: int, layers: int, heads: int, inter: int) -> Path:
    # bge-small's vocabulary size, so the embedding table weighs what a real model's does
    chars = {ch for r in REPORTS_A + REPORTS_B for ch in r["text"]}
    return random_sentence_transformer(
        root, chars, hidden=hidden, layers=layers, heads=heads, inter=inter,
        vocab_size=21128, max_seq_length=512,
    )  # fmt: skip


def main() -> None:
    queries = [q.query for q in load_devset(DEFAULT_DEVSET)]
    passages = [
        line for r in REPORTS_A + REPORTS_B for line in r["text"].split("\n") if len(line) > 40
    ]
    passages = (passages * (1 + 512 // len(passages)))[:512]
    with tempfile.TemporaryDirectory() as tmp:
        models = {"corpus-static (256)": build_static_model(passages, Path(tmp) / "static")}
        for name, shape in SHAPES.items():
            models[name] = random_model(Path(tmp) / name.split()[0], *shape)
        print(
            f"{len(queries)} dev queries one at a time; {len(passages)} passages "
            f"(avg {sum(map(len, passages)) / len(passages):.0f} chars) at batch 32; CPU\n"
        )
        print("| embedder | query p50 ms | query p95 ms | passages/s |")
        print("|---|---|---|---|")
        for name, path in models.items():
            emb = SentenceTransformerEmbedder(path, query_prefix="")
            for q in queries[:3]:
                emb.encode([q], "query")
            lat = []
            for q in queries:
                t0 = time.perf_counter()
                emb.encode([q], "query")
                lat.append((time.perf_counter() - t0) * 1000)
            lat.sort()
            t0 = time.perf_counter()
            emb.encode(passages, "passage", batch_size=32)
            rate = len(passages) / (time.perf_counter() - t0)
            p95 = lat[round(0.95 * (len(lat) - 1))]
            print(f"| {name} | {statistics.median(lat):.2f} | {p95:.2f} | {rate:.0f} |")


if __name__ == "__main__":
    main()
