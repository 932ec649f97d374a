"""The synonym lexicon: colloquial or alternate wording -> official terms (a data file)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from corpus.script import to_simplified


@dataclass
class SynonymLexicon:
    rules: dict[str, list[str]]
    fingerprint: str

    @classmethod
    def load(cls, path: Path | None = None) -> SynonymLexicon:
        text = (
            path.read_text("utf-8")
            if path is not None
            else resources.files("retrieval").joinpath("data/synonyms.tsv").read_text("utf-8")
        )
        rules: dict[str, list[str]] = {}
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            phrase, sep, terms = line.partition("\t")
            if not sep or not terms.strip():
                raise ValueError(f"synonyms line {n}: expected <phrase> TAB <term>[,<term>]")
            key = to_simplified(phrase.strip())
            rules.setdefault(key, []).extend(
                t.strip() for t in terms.replace("，", ",").split(",") if t.strip()
            )
        return cls(rules, hashlib.sha1(text.encode()).hexdigest()[:12])

    def match(self, simplified_query: str) -> list[tuple[str, list[str]]]:
        """Rules whose phrase occurs in the query, longest phrases first, no overlaps."""
        hits: list[tuple[str, list[str]]] = []
        taken = [False] * len(simplified_query)
        for phrase in sorted(self.rules, key=len, reverse=True):
            start = simplified_query.find(phrase)
            while start != -1:
                span = range(start, start + len(phrase))
                if not any(taken[i] for i in span):
                    for i in span:
                        taken[i] = True
                    hits.append((phrase, self.rules[phrase]))
                    break
                start = simplified_query.find(phrase, start + 1)
        return hits
