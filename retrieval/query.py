"""Query understanding: normalise like passages, cap the length, expand with the lexicon."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.script import to_simplified
from corpus.textnorm import normalize_chars
from index.tokenizer import Tokenizer
from retrieval.defaults import MAX_QUERY_CHARS
from retrieval.synonyms import SynonymLexicon

EXPANSION_WEIGHT = 0.4


class QueryError(ValueError):
    """A query that cannot be run (empty, too long)."""


@dataclass
class ParsedQuery:
    text: str  # normalised, original script
    simplified: str
    tokens: list[str]
    expansions: list[str] = field(default_factory=list)  # official terms added by the lexicon
    rules: list[tuple[str, list[str]]] = field(default_factory=list)

    def lexical_terms(self) -> list[tuple[str, float]]:
        terms = [(t, 1.0) for t in dict.fromkeys(self.tokens)]
        seen = set(self.tokens)
        for t in self.expansions:
            if t not in seen:
                terms.append((t, EXPANSION_WEIGHT))
                seen.add(t)
        return terms

    def dense_text(self) -> str:
        if not self.expansions:
            return self.simplified
        return self.simplified + " " + " ".join(dict.fromkeys(self.expansions))


def parse_query(
    text: str,
    tokenizer: Tokenizer,
    lexicon: SynonymLexicon | None,
    max_chars: int = MAX_QUERY_CHARS,
) -> ParsedQuery:
    norm = " ".join(normalize_chars(text or "").split())
    if not norm:
        raise QueryError("the query is empty")
    if len(norm) > max_chars:
        raise QueryError(f"the query has {len(norm)} characters; the limit is {max_chars}")
    simp = to_simplified(norm)
    tokens = tokenizer.tokenize(norm)
    q = ParsedQuery(norm, simp, tokens)
    if lexicon is not None:
        for phrase, terms in lexicon.match(simp):
            q.rules.append((phrase, terms))
            for term in terms:
                q.expansions.extend([*tokenizer.tokenize(term), term.lower()])
    return q
