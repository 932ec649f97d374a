"""Query understanding: normalise like passages, cap the length, expand with the lexicon."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.script import to_simplified
from corpus.textnorm import normalize_chars
from index.tokenizer import Tokenizer
from retrieval.constraints import Constraints
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
    # phrase of each matched rule -> the expansion tokens it added
    rule_tokens: dict[str, list[str]] = field(default_factory=dict)
    # Places and levels the query names (retrieval/constraints.py)
    constraints: Constraints = field(default_factory=Constraints)
    # idf of the tokens and rule terms, asked of the index once per query (the floor builds
    # the concepts for several groups of passages)
    idf: dict[str, float] | None = field(default=None, repr=False, compare=False)

    def lexical_terms(self, without: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
        """Query tokens (weight 1) and lexicon expansions (lower weight). ``without``: words
        left out, with the expansions of the rules they are the phrase of (问题 and the
        存在问题 its rule adds, for a list already confined to problem sections)."""
        dropped = {t for phrase in without for t in self.rule_tokens.get(phrase, [])}
        kept = {t for p, toks in self.rule_tokens.items() if p not in without for t in toks}
        terms = [(t, 1.0) for t in dict.fromkeys(self.tokens) if t not in without]
        seen = set(self.tokens)
        for t in self.expansions:
            if t not in seen and (t not in dropped or t in kept):
                terms.append((t, EXPANSION_WEIGHT))
                seen.add(t)
        return terms

    def dense_text(self, without: frozenset[str] = frozenset()) -> str:
        """The simplified query and its lexicon expansions; ``without``: words taken out of
        it, with the expansions of the rules they are the phrase of."""
        text = self.simplified
        for word in sorted(without, key=len, reverse=True):
            text = text.replace(word, " ")
        text = " ".join(text.split())
        expansions = [t for t, w in self.lexical_terms(without) if w < 1.0]
        if not expansions:
            return text
        return text + " " + " ".join(expansions)


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
            added = [tok for term in terms for tok in (*tokenizer.tokenize(term), term.lower())]
            q.rule_tokens[phrase] = added
            q.expansions.extend(added)
    return q
