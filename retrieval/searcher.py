"""Hybrid search: lexical + dense candidates, fused, de-duplicated, diversified, explained."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any, Literal

from corpus.gazetteer import load_gazetteer
from corpus.script import to_simplified
from corpus.sections import role_of_title
from corpus.segment import boundaries
from corpus.store import CorpusStore, PassageRecord, ReportRecord
from index.bundle import IndexBundle
from index.doctable import DocTable
from index.filters import Filters
from retrieval.constraints import (
    LEVEL_WORDS,
    find_constraints,
    match_factors,
    matches,
    place_names,
)
from retrieval.defaults import DEFAULT_K, LEVEL_BOOST, MAX_K, MAX_OFFSET, PLACE_BOOST
from retrieval.diversity import collapse, demote_per_key, group
from retrieval.floor import (
    FLOOR,
    Concept,
    FloorParams,
    apply_floor,
    coverages_of,
    has_evidence,
    longest_only,
    prior_boost,
    query_concepts,
)
from retrieval.fusion import FUSIONS, RRF_K, Fused, scaled
from retrieval.grams import bigram_bm25, query_grams
from retrieval.highlight import highlight_spans
from retrieval.intent import named_role, section_intent
from retrieval.parallel import SearchThreads, Starter, inline
from retrieval.query import EXPANSION_WEIGHT, ParsedQuery, QueryError, parse_query
from retrieval.synonyms import SynonymLexicon

Mode = Literal["hybrid", "bm25", "dense"]
Sort = Literal["relevance", "date"]
FACETS = ("jurisdiction", "level", "year", "doc_type", "section_role", "theme")
MLT_TERMS = 12
DENSE_FLOOR = 0.0
# RRF weights of the lists hybrid search fuses (tuned on the dev set's tune half). "gram",
# the character-bigram list (retrieval/grams.py), is measured by scripts/tune_fusion.py and
# off: it did not raise the tune half (0.870-0.871 against 0.877 at k = 20).
WEIGHTS = {"bm25": 1.0, "dense": 1.0, "cover": 1.0, "role": 1.0, "gram": 0.0}
# When a query names no section, what was done and what it achieved are what users want
# ahead of one-line 基本情况 intros (a mild prior, tuned on the dev set's tune half).
ROLE_PRIOR = {"主要做法": 1.06, "工作成效": 1.04, "基本情况": 0.94}


@dataclass
class SearchOptions:
    k: int = DEFAULT_K
    offset: int = 0
    filters: Filters | None = None
    mode: Mode = "hybrid"
    use_lexicon: bool = True
    # Diversity: at most this many passages of one report in each round of results; the
    # rest move down the list (later pages), never out of it.
    per_report: int = 2
    group_by: str | None = None  # "jurisdiction"
    fusion: str = "rrf"
    weights: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    depth: int | None = None  # candidates per engine; default from k and offset
    # Dense hits below this share of the best dense score are dropped: a dense engine always
    # returns neighbours, and far ones are noise on a page (chosen on the dev set).
    dense_floor: float = DENSE_FLOOR
    # The relevance floor (retrieval/floor.py): candidates without evidence are no results.
    floor: FloorParams = field(default_factory=lambda: FLOOR)
    role_prior: dict[str, float] = field(default_factory=lambda: dict(ROLE_PRIOR))
    sort: Sort = "relevance"
    rrf_k: int = RRF_K
    # A query naming a section and a topic (困难职工生活问题): the section list answers the
    # words naming the section; the text, the section list and the dense engine are asked
    # for the topic alone (see Searcher.section_words).
    topic_scope: bool = True

    def validate(self) -> None:
        if not 1 <= self.k <= MAX_K:
            raise QueryError(f"k must be between 1 and {MAX_K}")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise QueryError(f"offset must be between 0 and {MAX_OFFSET}")
        if self.mode not in ("hybrid", "bm25", "dense"):
            raise QueryError("mode must be hybrid, bm25 or dense")
        if self.group_by not in (None, "jurisdiction"):
            raise QueryError("group_by must be jurisdiction")
        if self.sort not in ("relevance", "date"):
            raise QueryError("sort must be relevance or date")
        if self.fusion not in FUSIONS:
            raise QueryError(f"fusion must be one of {', '.join(FUSIONS)}")


@dataclass
class Hit:
    passage: PassageRecord
    report: ReportRecord
    score: float
    highlights: list[list[int]]
    explain: dict[str, Any]
    sources: list[dict[str, Any]]
    duplicates: list[str] = field(default_factory=list)  # collapsed near-duplicate passages


# Candidates each engine gives at least: results (and ``total``) are counted among them.
TOTAL_DEPTH = 200


@dataclass
class SearchResult:
    query: str
    total: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[dict[str, Any]]]
    expansions: list[tuple[str, list[str]]] = field(default_factory=list)
    groups: list[tuple[str | None, list[Hit]]] | None = None
    has_more: bool = False  # another page follows this one
    total_exact: bool = True  # False: more matches lie beyond the candidates counted
    absent: list[str] = field(default_factory=list)  # query words the corpus never uses
    # places (as the corpus spells them) and levels the query named; their reports lead
    places: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)


def _question_words() -> frozenset[str]:
    text = resources.files("retrieval").joinpath("data/question_words.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and w[0] != "#")


class Searcher:
    """``threads``: where a query's engine searches run side by side while cores are idle
    (retrieval/parallel.py); without, everything runs in the calling thread. Results are
    the same either way."""

    def __init__(
        self,
        bundle: IndexBundle,
        store: CorpusStore,
        lexicon: SynonymLexicon | None = None,
        threads: SearchThreads | None = None,
    ):
        self.bundle = bundle
        self.store = store
        self.lexicon = lexicon if lexicon is not None else SynonymLexicon.load()
        self.question_words = _question_words()
        self.threads = threads
        self._place_names: dict[str, tuple[str, ...]] | None = None

    # ----- candidate generation --------------------------------------------------------

    def place_names(self) -> dict[str, tuple[str, ...]]:
        """How a query may name each place the corpus's reports come from (built once per
        snapshot: the index's places are fixed)."""
        if self._place_names is None:
            table = self.bundle.table
            # The local doc table holds every indexed place; an engine's hit table (Milvus)
            # holds only rows it returned, so the store names them.
            places = (
                table.places.dictionary.values
                if isinstance(table, DocTable)
                else self.store.places()
            )
            gaz = load_gazetteer()
            self._place_names = place_names(places, {p: gaz.aliases(p) for p in places})
        return self._place_names

    def parse(self, query: str, use_lexicon: bool = True) -> ParsedQuery:
        q = parse_query(query, self.bundle.tokenizer, self.lexicon if use_lexicon else None)
        found = find_constraints(
            q.simplified, self.place_names(), boundaries=boundaries(q.simplified)
        )
        if found.levels and self.intent(q) is None:
            # A level beside a section request says whose sections to show (乡镇工会存在的
            # 问题); in a question it is the topic (乡镇工会干部怎么培训: county reports
            # train township union cadres too).
            found = replace(found, levels=(), level_words=())
        q.constraints = found
        return q

    def _answering(self) -> AbstractContextManager[Starter]:
        """Count a query as being answered, from its first engine search to its last
        highlight; yields how it starts its engine searches (retrieval/parallel.py)."""
        return self.threads.query() if self.threads is not None else nullcontext(inline)

    def candidates(self, q: ParsedQuery, opts: SearchOptions) -> list[Fused]:
        """Fused candidates of every engine that pass the relevance floor."""
        with self._answering() as start:
            return self._candidates(q, opts, start)[0]

    def _candidates(
        self, q: ParsedQuery, opts: SearchOptions, start: Starter = inline
    ) -> tuple[list[Fused], bool | None]:
        """The candidates, and whether passages with a query word lie beyond the lexical
        list: the engine says so with its answer (the local index, or a list that came back
        shorter than asked), or None when only a count can tell."""
        depth = opts.depth or max(TOTAL_DEPTH, 4 * (opts.offset + opts.k))
        lists: dict[str, list[tuple[int, float]]] = {}
        more: bool | None = None
        role = self.intent(q)
        topic_of = self.section_words(q, role) if opts.topic_scope else frozenset()
        # The engines' searches may run side by side (retrieval/parallel.py); the lists are
        # gathered in one order whatever finishes first, so fusion adds them up the same way.
        role_list = None
        if opts.mode == "hybrid" and role and not (opts.filters and opts.filters.section_role):
            # "存在的问题" asks for a kind of section: passages of that role form a third list.
            # The filter answers the words naming the section, so a query that also names a
            # topic ranks the list by the topic alone: else the passages saying 问题 most
            # often would lead it, whatever their topic.
            scoped = replace(opts.filters or Filters(), section_role=(role,))
            role_list = start(self.bundle.lexical_search, q.lexical_terms(topic_of), depth, scoped)
        dense_list = None
        if opts.mode in ("hybrid", "dense"):
            # Beside the section list, the dense engine looks for the topic: the whole query's
            # embedding leans on 问题 and finds every report's problem section (dense-only
            # search, with no section list, keeps the whole query).
            drop = topic_of if opts.mode == "hybrid" else frozenset()
            dense_list = start(self._dense, q.dense_text(drop), depth, opts)
        if opts.mode in ("hybrid", "bm25"):
            lists["bm25"], more = self.bundle.lexical_search_more(
                q.lexical_terms(), depth, opts.filters
            )
        if dense_list is not None:
            lists["dense"] = dense_list()
        if role_list is not None:
            lists["role"] = role_list()
        covers: dict[int, float] = {}
        # Whether each candidate's report is of the place or level the query names: asked
        # once, for the floor and for the boost.
        matched: dict[int, tuple[bool, bool]] = {}
        use_cover = opts.mode == "hybrid" and opts.weights.get("cover", 0) > 0
        use_gram = opts.mode == "hybrid" and opts.weights.get("gram", 0) > 0
        if opts.floor.enabled or use_cover or use_gram:
            pool = list(dict.fromkeys(d for ranked in lists.values() for d, _ in ranked))
            if not q.constraints.empty:
                matched = self.constraint_matches(q, pool)
            t = self.bundle.table
            texts = self.texts([t.passage_ids[d] for d in pool])
            scope = role
            if opts.filters and opts.filters.section_role:
                # "主要做法" filtered to 主要做法 passages (the UI's 同类段落): the filter
                # answers the role words, whatever the role.
                named = named_role(q.simplified, (w for w, _ in self.bundle.tokenizer.terms))
                scope = named if named in opts.filters.section_role else role
            covers = self.coverages(
                q, pool, scope, texts=texts, topic_scope=opts.topic_scope, matched=matched
            )
            if use_gram:
                lists["gram"] = self.gram_list(q, pool, texts)
            if use_cover:
                # The query's content found in the text, by substring: robust to how the
                # segmenter split a compound or an abbreviation (建家 in 建家强家暖家).
                lists["cover"] = sorted(
                    ((d, covers[d]) for d in pool if covers.get(d, 0) > 0), key=lambda x: -x[1]
                )
        fused = FUSIONS[opts.fusion](lists, opts.weights, opts.rrf_k)
        if opts.floor.enabled:
            fused = apply_floor(fused, covers, opts.floor)
        if opts.role_prior and role is None:
            ids = [f.doc_id for f in fused]
            roles = {d: r for d, r in zip(ids, self.bundle.table.roles_of(ids), strict=True) if r}
            fused = prior_boost(fused, roles, opts.role_prior)
        if not q.constraints.empty:
            missing = [f.doc_id for f in fused if f.doc_id not in matched]
            if missing:
                matched = {**matched, **self.constraint_matches(q, missing)}
            fused = scaled(fused, match_factors(matched, PLACE_BOOST, LEVEL_BOOST), "constraint")
        return fused, more

    def constraint_matches(
        self, q: ParsedQuery, doc_ids: list[int], practices: bool = False
    ) -> dict[int, tuple[bool, bool]]:
        """Whether each doc's report is in a place, and of a level, the query names."""
        sub = self.bundle.practices if practices else None
        t = sub.table if sub is not None else self.bundle.table
        return matches(doc_ids, q.constraints, t.places_of, lambda d: t.facet_values(d)["level"])

    def _dense(self, text: str, depth: int, opts: SearchOptions) -> list[tuple[int, float]]:
        dense = self.bundle.dense_search(self.bundle.encode_query(text), depth, opts.filters)
        if dense and opts.dense_floor > 0:
            floor = dense[0][1] * opts.dense_floor
            dense = [(d, sc) for d, sc in dense if sc >= floor]
        return dense

    def gram_list(
        self, q: ParsedQuery, pool: list[int], texts: dict[str, str]
    ) -> list[tuple[int, float]]:
        """The pool ranked by character-bigram BM25 (retrieval/grams.py)."""
        t = self.bundle.table
        grams = query_grams(
            q.simplified.lower(),
            self.question_words,
            [(e, EXPANSION_WEIGHT) for e in q.expansions],
        )
        have = [d for d in pool if t.passage_ids[d] in texts]
        scores = bigram_bm25(grams, [texts[t.passage_ids[d]] for d in have])
        ranked = [(d, sc) for d, sc in zip(have, scores, strict=True) if sc > 0]
        return sorted(ranked, key=lambda x: -x[1])

    def matching_docs(self, q: ParsedQuery, filters: Filters | None, depth: int) -> list[int]:
        """Passages with lexical evidence for ``q`` (the floor without the dense engine),
        for counting: trends count the reports these passages belong to."""
        hits = self.bundle.lexical_search(q.lexical_terms(), depth, filters)
        covers = self.coverages(q, [d for d, _ in hits])
        floor = SearchOptions().floor
        return [d for d, _ in hits if has_evidence(covers.get(d, 0.0), None, floor)]

    def intent(self, q: ParsedQuery) -> str | None:
        return section_intent(q.simplified, (w for w, _ in self.bundle.tokenizer.terms))

    def concepts(self, q: ParsedQuery, ignore: tuple[str, ...] = ()) -> list[Concept]:
        tokens = list(dict.fromkeys(q.tokens))
        if q.idf is None:
            q.idf = self.bundle.idf(tokens + [t.lower() for _, terms in q.rules for t in terms])
        return query_concepts(tokens, q.rules, q.idf, (*ignore, *self.question_words))

    def role_words(self, q: ParsedQuery, role: str | None) -> frozenset[str]:
        """The query's words that name the section ``role`` (问题 and 不足 for 存在问题)."""
        if role is None:
            return frozenset()
        return frozenset(tok for tok in q.tokens if tok in role or role_of_title(tok) == role)

    def section_words(self, q: ParsedQuery, role: str | None) -> frozenset[str]:
        """The words naming the section ``role`` when the query names a topic beside them
        (困难职工生活问题, 活动经费不足怎么办); empty when the section is all it names
        (存在的问题和不足), since then those words are the query."""
        words = self.role_words(q, role)
        return words if words and self.concepts(q, tuple(words)) else frozenset()

    def coverages(
        self,
        q: ParsedQuery,
        doc_ids: list[int],
        role: str | None = None,
        practices: bool = False,
        texts: dict[str, str] | None = None,
        topic_scope: bool = True,
        matched: dict[int, tuple[bool, bool]] | None = None,
    ) -> dict[int, float]:
        """Share of the query's content each passage (or practice) contains, see
        retrieval/floor.py. Passages of the section a query names answer its role words;
        when the query names a topic beside the section (活动经费不足), no passage is asked
        for the role words (``topic_scope``): they describe the topic, and a passage about
        the topic that does not say 不足 still answers it."""
        sub = self.bundle.practices if practices else None
        t = sub.table if sub is not None else self.bundle.table
        if texts is None:
            texts = self.texts([t.passage_ids[d] for d in doc_ids], practices)
        words = self.role_words(q, role)
        scoped = self.concepts(q, tuple(words)) if words else self.concepts(q)
        everywhere = topic_scope and bool(words) and bool(scoped)
        have = [d for d in doc_ids if t.passage_ids[d] in texts]
        in_role = [r == role for r in t.roles_of(have)] if role is not None else [False] * len(have)
        # Passages of the named section are asked for the topic (all of them pass when the
        # section is all the query names); the others for the topic or the whole query.
        # Likewise the passages of a report of the place or level the query names are not
        # asked for the words naming it (retrieval/constraints.py).
        named = q.constraints
        if matched is None:
            matched = self.constraint_matches(q, have, practices) if not named.empty else {}
        place_tokens = tuple(x for x in q.tokens if any(x in w for w in named.place_words))
        level_tokens = tuple(x for x in q.tokens if any(x in w for w in named.level_words))
        groups: dict[tuple[bool, bool, bool], list[int]] = {}
        for d, inside in zip(have, in_role, strict=True):
            in_place, of_level = matched.get(d, (False, False))
            groups.setdefault((inside or everywhere, in_place, of_level), []).append(d)
        out: dict[int, float] = {}
        for (role_answered, in_place, of_level), part in groups.items():
            ignore = (
                tuple(words if role_answered else ())
                + (place_tokens if in_place else ())
                + (level_tokens if of_level else ())
            )
            wanted = self.concepts(q, ignore) if ignore else self.concepts(q)
            if not wanted and ignore:  # the section, place or level is all the query names
                out.update(dict.fromkeys(part, 1.0))
                continue
            found = coverages_of([texts[t.passage_ids[d]] for d in part], wanted)
            out.update(zip(part, found, strict=True))
        return {d: out[d] for d in have}

    def texts(self, ids: list[str], practices: bool = False) -> dict[str, str]:
        """Simplified, lower-cased texts of passages (or practices) for the floor, each
        passage's followed by its report's title: a title says what the whole report is
        about (法律援助工作总结 whose passages say 法律服务), as the BM25 index already counts
        it through the heading field."""
        if practices:
            rows = {k: v.text for k, v in self.store.practices_by_ids(ids).items()}
        else:
            titled = self.store.passage_texts_titled(ids)
            rows = {k: f"{v}\n{title}" if title else v for k, (v, title) in titled.items()}
        keys = list(rows)
        return dict(zip(keys, simplified_lower([rows[k] for k in keys]), strict=True))

    # ----- results ---------------------------------------------------------------------

    def _rank(self, fused: list[Fused], per_report: int) -> list[tuple[Fused, list[Fused]]]:
        """Near-duplicates collapsed into their best hit, then at most ``per_report``
        passages per report in each round (the rest move down); done on the in-memory doc
        table, before touching the store."""
        t = self.bundle.table
        collapsed = collapse(fused, key=lambda f: t.dup_groups[f.doc_id] or t.passage_ids[f.doc_id])
        return demote_per_key(collapsed, key=lambda c: t.report_ids[c[0].doc_id], limit=per_report)

    def _facets(self, fused: list[Fused]) -> dict[str, list[dict[str, Any]]]:
        counts = self.bundle.table.facet_counts([f.doc_id for f in fused])
        return {name: [{"value": v, "count": n} for v, n in counts[name]] for name in FACETS}

    def _hits(self, q: ParsedQuery, ranked: list[tuple[Fused, list[Fused]]]) -> list[Hit]:
        """Hydrate one page of ranked hits from the store, with sources and highlights."""
        t = self.bundle.table
        pids = [t.passage_ids[f.doc_id] for f, _ in ranked]
        passages = self.store.passages_by_ids(pids)
        groups = sorted({p.dup_group or p.passage_id for p in passages.values()})
        members = self.store.group_members(groups)
        member_ids = sorted({m for ms in members.values() for m in ms} - set(pids))
        others = self.store.passages_by_ids(member_ids) if member_ids else {}
        reports = self.store.reports_by_ids(
            [p.report_id for p in [*passages.values(), *others.values()]]
        )
        terms = [term for term, _ in q.lexical_terms()]
        hits = []
        for (f, dupes), pid in zip(ranked, pids, strict=True):
            p = passages.get(pid)
            if p is None or p.report_id not in reports:
                continue  # deleted since the index was built
            r = reports[p.report_id]
            sources = [_source(r)]
            seen = {r.report_id}
            dup_ids = [m for m in members.get(p.dup_group or pid, []) if m != pid]
            for m in dup_ids:
                other = others.get(m)
                if other is not None and other.report_id in reports and other.report_id not in seen:
                    seen.add(other.report_id)
                    sources.append(_source(reports[other.report_id]))
            hits.append(
                Hit(
                    passage=p,
                    report=r,
                    score=f.score,
                    highlights=highlight_spans(p.text, terms),
                    explain={
                        "fused": round(f.score, 6),
                        **{
                            k: {"rank": v["rank"], "score": round(v["score"], 4)}
                            for k, v in f.parts.items()
                            if "rank" in v
                        },
                        # the factors that moved this hit: the section-role prior, and the
                        # place or level the query names when this hit's report is of it
                        **{
                            k: f.parts[k]["factor"] for k in ("prior", "constraint") if k in f.parts
                        },
                    },
                    sources=sources,
                    duplicates=dup_ids or [t.passage_ids[d.doc_id] for d in dupes],
                )
            )
        return hits

    def search(self, query: str, opts: SearchOptions | None = None) -> SearchResult:
        with self._answering() as start:
            return self._search(query, opts or SearchOptions(), start)

    def _search(self, query: str, opts: SearchOptions, start: Starter) -> SearchResult:
        opts.validate()
        t0 = time.perf_counter()
        q = self.parse(query, opts.use_lexicon)
        fused, more = self._candidates(q, opts, start)
        ranked = self._rank(fused, opts.per_report)
        if opts.sort == "date":
            t = self.bundle.table
            # Newest first; relevance order (with its diversity) kept within a year.
            ranked.sort(key=lambda c: -int(t.facet_values(c[0].doc_id)["year"] or 0))
        groups = None
        if opts.group_by == "jurisdiction":
            t = self.bundle.table
            grouped = group(ranked, key=lambda c: t.facet_values(c[0].doc_id)["jurisdiction"])
            page_groups = grouped[opts.offset : opts.offset + opts.k]
            hits = self._hits(q, [c for _, cs in page_groups for c in cs])
            by_pid = {h.passage.passage_id: h for h in hits}
            groups = [
                (
                    g,
                    [by_pid[pid] for c in cs if (pid := t.passage_ids[c[0].doc_id]) in by_pid],
                )
                for g, cs in page_groups
            ]
            total = len(grouped)  # places among the candidates: a lower bound
            exact = False
            has_more = len(grouped) > opts.offset + opts.k
        else:
            hits = self._hits(q, ranked[opts.offset : opts.offset + opts.k])
            # Results are the passages that pass the relevance floor. All of them were
            # candidates, and ``total`` is exact and the same for every page, when every
            # passage holding a query word was among the candidates; else it is a lower bound.
            total = len(ranked)
            depth = opts.depth or max(TOTAL_DEPTH, 4 * (opts.offset + opts.k))
            if more is None and opts.mode != "dense":
                more = self.count(q, opts) > depth
            exact = opts.mode != "dense" and not more
            has_more = len(ranked) > opts.offset + opts.k
        return SearchResult(
            has_more=has_more,
            total_exact=exact,
            query=q.text,
            total=total,
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
            hits=hits,
            facets=self._facets(fused),
            expansions=q.rules,
            groups=groups,
            absent=self.absent_words(q),
            places=list(q.constraints.places),
            levels=list(q.constraints.levels),
        )

    def absent_words(self, q: ParsedQuery) -> list[str]:
        """The query's words that no passage uses, neither they nor any word inside them
        (技术推广 is not absent where 技术 and 推广 are used), in query order: shown to the
        user ("语料中没有出现：补办"), since results can only match the query's other words.
        Question words (怎么办) and words a lexicon rule stands for are not reported."""
        ruled = {t for phrase, _ in q.rules for t in q.tokens if t in phrase}
        # A place or level the query names is what the corpus's reports are of (江苏 in the
        # jurisdiction path of Jiangsu's reports), not a word missing from it; nor is a level
        # word used as a topic (县级 in 县级工会困难职工帮扶): reports are filed by level.
        named = q.constraints.words
        words = [
            t
            for t in dict.fromkeys(q.tokens)
            if len(t) >= 2
            and t not in self.question_words
            and t not in ruled
            and t not in LEVEL_WORDS
            and not any(t in w for w in named)
        ]
        if not words:
            return []
        unused = {t for t, df in self.bundle.backend.doc_freq(words).items() if df == 0}
        # A word only a title or section heading uses is not absent: the engine searches
        # headings too (a one-word search each, only for the few words no body holds).
        unused = {t for t in unused if not self.bundle.lexical_search([(t, 1.0)], 1)}
        absent = [t for t in words if t in unused and all(o in unused for o in words if o in t)]
        return longest_only(absent)

    def count(self, q: ParsedQuery, opts: SearchOptions) -> int:
        """Matches in the whole corpus, whatever page is asked: passages holding any query
        word within the filters (for ``mode=dense``, every passage within the filters)."""
        if opts.mode == "dense":
            return self.bundle.count(opts.filters)
        return self.bundle.lexical_count(q.lexical_terms(), opts.filters)

    def similar(
        self,
        passage_id: str,
        k: int = 10,
        same_jurisdiction: bool = False,
        filters: Filters | None = None,
    ) -> SearchResult:
        """Passages like this one from other reports; other places unless asked."""
        source = self.store.get_passage(passage_id)
        if source is None:
            raise KeyError(passage_id)
        report = self.store.get_report(source.report_id, with_text=False)
        base = filters or Filters()
        exclude = (
            (report.jurisdiction,)
            if report and report.jurisdiction and not (same_jurisdiction)
            else ()
        )
        f = replace(
            base,
            exclude_reports=(source.report_id,),
            exclude_jurisdiction=base.exclude_jurisdiction + exclude,
        )
        opts = SearchOptions(k=k, filters=f)
        opts.validate()
        t0 = time.perf_counter()
        tokens = [
            t
            for t in self.bundle.tokenizer.tokenize(source.text)
            if len(t) >= 2 and not any(ch.isdigit() for ch in t)  # years and counts: not topics
        ]
        # The passage's most distinctive words (tf x idf) form the BM25 query: a
        # more-like-this query made of common words would find every report's preamble.
        tf = Counter(tokens)
        idf = self.bundle.idf(list(tf))
        ranked_terms = sorted(tf, key=lambda t: -(tf[t] * idf.get(t, 0.0)))[:MLT_TERMS]
        terms = [(t, 1.0) for t in ranked_terms]
        lists = {
            "bm25": self.bundle.lexical_search(terms, 100, f),
            "dense": self.bundle.dense_search(self.bundle.encode_query(source.text), 100, f),
        }
        q = ParsedQuery(source.text[:40], source.text[:40], [t for t, _ in terms])
        fused = FUSIONS["rrf"](lists)
        ranked = self._rank(fused, opts.per_report)
        return SearchResult(
            query=source.text[:40],
            total=len(ranked),
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
            hits=self._hits(q, ranked[:k]),
            facets=self._facets(fused),
        )


# Joins the texts converted in one call: a line break keeps OpenCC's phrases (and its
# line-by-line fallback, see corpus.script) inside each text; \x1e marks the joins.
_JOIN = "\n\x1e\n"


def simplified_lower(texts: list[str]) -> list[str]:
    """``to_simplified(text).lower()`` of each text, converted in one OpenCC call: one call
    per text cost more than the conversion itself for a page's 400 short passages."""
    if not texts or any(_JOIN in t or "\x1e" in t for t in texts):
        return [to_simplified(t).lower() for t in texts]
    out = to_simplified(_JOIN.join(texts)).lower().split(_JOIN)
    if len(out) != len(texts):  # a conversion changed a join: convert one by one
        return [to_simplified(t).lower() for t in texts]
    return out


def _source(r: ReportRecord) -> dict[str, Any]:
    return {
        "report_id": r.report_id,
        "title": r.title,
        "jurisdiction": r.jurisdiction,
        "year": r.year,
        "path": r.source,
    }
