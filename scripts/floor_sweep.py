"""The relevance floor's trade-off on the development set: answerable queries kept against
unanswerable ones turned away, for a range of floor settings.

    python scripts/floor_sweep.py --data DIR [--devset FILE]

DIR must hold the seed reports, indexed. Every setting runs hybrid search as served (the
per-report cap, the same fusion); only the floor's thresholds change (retrieval/floor.py):
``lexical`` is the share of the query's concept weight a passage must contain, ``dense`` the
cosine a passage found by the dense engine alone needs (with ``dense_overlap`` of lexical
evidence). Each row shows nDCG@10 and the share of answerable queries answered with nothing,
and the share of no-answer queries answered with nothing, over the splits the floor was
tuned on (``tune``) and over the blind ones (every other split). A setting is worth serving
only if it turns the unanswerable away without emptying the answerable: the table is the
evidence for where the shipped floor (:data:`retrieval.floor.FLOOR`) sits, and the script to
rerun when a different embedder (a hub model) or a new resource changes what evidence means.
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
from retrieval.evaluation import DEFAULT_DEVSET, NO_ANSWER, evaluate, load_devset
from retrieval.floor import FLOOR, FloorParams
from retrieval.searcher import Searcher

LEXICAL = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
DENSE = (FLOOR.dense, 0.5)


def _systems() -> dict[str, dict[str, Any]]:
    systems: dict[str, dict[str, Any]] = {}
    for dense in DENSE:
        for lexical in LEXICAL:
            floor = FloorParams(lexical=lexical, dense=dense, dense_overlap=FLOOR.dense_overlap)
            shipped = " (shipped)" if floor == FLOOR else ""
            systems[f"lexical {lexical}, dense {dense}{shipped}"] = {
                "mode": "hybrid",
                "floor": floor,
            }
    return systems


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    args = ap.parse_args()
    settings = Settings(data=args.data)
    store = CorpusStore(args.data)
    searcher = Searcher(IndexBundle.load(args.data, settings.index_config()), store)
    queries = load_devset(args.devset)
    systems = _systems()
    per_query = evaluate(searcher, queries, systems)["per_query"]
    groups = {"tuned on": [q for q in queries if q.split == "tune"]}
    groups["blind"] = [q for q in queries if q.split != "tune"]
    header = ["floor"]
    for g, qs in groups.items():
        n_ans = sum(q.kind != NO_ANSWER for q in qs)
        n_no = len(qs) - n_ans
        header += [
            f"{g}: nDCG@10 ({n_ans})",
            f"{g}: answerable empty",
            f"{g}: no-answer empty ({n_no})",
        ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in systems:
        cells = [name]
        for qs in groups.values():
            ans = [per_query[q.qid][name] for q in qs if q.kind != NO_ANSWER]
            no = [per_query[q.qid][name]["empty"] for q in qs if q.kind == NO_ANSWER]
            cells += [
                f"{_mean([r['ndcg@10'] for r in ans]):.3f}",
                f"{_mean([r['empty'] for r in ans]):.0%}",
                f"{_mean(no):.0%}",
            ]
        print("| " + " | ".join(cells) + " |")
    store.close()


if __name__ == "__main__":
    main()
