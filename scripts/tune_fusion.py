"""Compare fusion settings on the development set: choose on the tune half only.

    python scripts/tune_fusion.py --data DIR

DIR must hold the seed reports, indexed. Every setting runs as served (per-report cap,
relevance floor); the table shows nDCG@10 of the tune half (where settings are chosen), of
the check half and of the fresh check set (never tuned on: they tell whether a choice
generalises, not which to make). The defaults in retrieval/searcher.py and
retrieval/fusion.py came from this table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.settings import Settings
from corpus.store import CorpusStore
from index.bundle import IndexBundle
from retrieval.evaluation import DEFAULT_DEVSET, evaluate, load_devset
from retrieval.searcher import WEIGHTS, Searcher


def _systems() -> dict[str, dict[str, Any]]:
    systems: dict[str, dict[str, Any]] = {}
    for k in (5, 10, 20, 40, 60):
        systems[f"bm25, k={k}"] = {"mode": "bm25", "rrf_k": k}
        for dense in (0.5, 1.0, 1.3):
            systems[f"rrf k={k}, dense×{dense}"] = {
                "mode": "hybrid",
                "rrf_k": k,
                "weights": {**WEIGHTS, "dense": dense},
            }
        for gram in (0.5, 1.0):
            systems[f"rrf k={k}, + bigram list ×{gram}"] = {
                "mode": "hybrid",
                "rrf_k": k,
                "weights": {**WEIGHTS, "gram": gram},
            }
        systems[f"rrf k={k}, no coverage list"] = {
            "mode": "hybrid",
            "rrf_k": k,
            "weights": {**WEIGHTS, "cover": 0.0},
        }
    # Section words left to the section list when a query also names a topic, or not.
    systems["rrf, section words asked of the text"] = {"mode": "hybrid", "topic_scope": False}
    for dense in (0.3, 0.5, 1.0):
        systems[f"weighted sum, dense×{dense}"] = {
            "mode": "hybrid",
            "fusion": "weighted",
            "weights": {**WEIGHTS, "dense": dense},
        }
    return systems


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    args = ap.parse_args()
    settings = Settings(data=args.data)
    store = CorpusStore(args.data)
    searcher = Searcher(IndexBundle.load(args.data, settings.index_config()), store)
    queries = load_devset(DEFAULT_DEVSET)
    report = evaluate(searcher, queries, _systems())
    tables = report["tables"]
    print("| setting | tune nDCG@10 | check nDCG@10 | fresh nDCG@10 | no-answer empty |")
    print("|---|---|---|---|---|")
    for name in tables["tune half"]:
        tune, check = tables["tune half"][name], tables["check half"][name]
        fresh = tables["fresh check set"][name]
        empty = tables["kind: no-answer"][name]["empty"]
        print(
            f"| {name} | {tune['ndcg@10']:.3f} | {check['ndcg@10']:.3f} | "
            f"{fresh['ndcg@10']:.3f} | {empty:.0%} |"
        )


if __name__ == "__main__":
    main()
