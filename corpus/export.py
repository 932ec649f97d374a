"""JSON Lines export: one report per line, with its passages."""

from __future__ import annotations

import json
from typing import Any, TextIO

from corpus.store import CorpusStore


def report_json(store: CorpusStore, report_id: str) -> dict[str, Any] | None:
    r = store.get_report(report_id, with_text=True)
    if r is None:
        return None
    return {
        "report_id": r.report_id,
        "title": r.title,
        "jurisdiction": r.jurisdiction,
        "jurisdiction_path": r.jurisdiction_path,
        "level": r.level,
        "org_type": r.org_type,
        "year": r.year,
        "year_delivered": r.year_delivered,
        "date": r.date,
        "review_period": r.review_period,
        "doc_type": r.doc_type,
        "script": r.script,
        "source": r.source,
        "sources": r.sources,
        "text": r.text,
        "passages": [
            {
                "passage_id": p.passage_id,
                "text": p.text,
                "section_path": p.section_path,
                "section_role": p.section_role,
                "start": p.start,
                "end": p.end,
                "dup_group": p.dup_group,
            }
            for p in store.passages_of(r.report_id)
        ],
        "practices": [
            {
                "practice_id": x.practice_id,
                "text": x.text,
                "passage_id": x.passage_id,
                "section_path": x.section_path,
                "section_role": x.section_role,
                "figures": x.figures,
                "start": x.start,
                "end": x.end,
            }
            for x in store.practices_of(r.report_id)
        ],
    }


def export_jsonl(store: CorpusStore, out: TextIO) -> int:
    n = 0
    for rec in store.iter_reports():
        doc = report_json(store, rec.report_id)
        if doc is not None:
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
            n += 1
    return n
