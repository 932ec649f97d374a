"""Compare fusion methods and engine weights on the development set.

    python scripts/tune_fusion.py --data DIR

DIR must hold the seed reports, indexed. Prints nDCG@10 / recall@10 / MRR per setting; the
defaults in retrieval/searcher.py were chosen from this table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.settings import Settings
from corpus.store import CorpusStore
from index.bundle import IndexBundle
from retrieval.evaluation import DEFAULT_DEVSET, evaluate, load_devset
from retrieval.searcher import Searcher


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    args = ap.parse_args()
    settings = Settings(data=args.data)
    store = CorpusStore(args.data)
    searcher = Searcher(IndexBundle.load(args.data, settings.index_config()), store)
    queries = load_devset(DEFAULT_DEVSET)
    systems = {}
    for fusion in ("rrf", "weighted"):
        for wd in (0.3, 0.5, 0.7, 1.0, 1.5):
            systems[f"{fusion} dense×{wd}"] = {
                "mode": "hybrid",
                "fusion": fusion,
                "weights": {"bm25": 1.0, "dense": wd},
            }
    for floor in (0.3, 0.5, 0.6, 0.7):
        systems[f"rrf, dense floor {floor}"] = {"mode": "hybrid", "dense_floor": floor}
    report = evaluate(searcher, queries, systems)
    print("| setting | nDCG@10 | recall@10 | MRR |")
    print("|---|---|---|---|")
    for name, row in report["tables"]["all queries"].items():
        print(f"| {name} | {row['ndcg@10']:.3f} | {row['recall@10']:.3f} | {row['mrr']:.3f} |")


if __name__ == "__main__":
    main()
