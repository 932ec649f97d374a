"""BM25 over pre-tokenized passages in tantivy.

Fields get whitespace-joined tokens from :class:`index.tokenizer.Tokenizer` (tantivy's
whitespace tokenizer then only splits on the spaces we put), so the segmentation used for
indexing and querying is one function. Filters are tantivy clauses on raw and fast fields,
evaluated inside the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import tantivy

from index.backends.base import HEADING_BOOST, Scored, Terms
from index.filters import Filters

WRITER_HEAP = 256 * 1024 * 1024


@dataclass
class LexDoc:
    doc_id: int
    body: list[str]  # tokens
    heading: list[str]  # tokens of the report title and section path
    places: list[str]
    report_id: str
    level: str | None
    doc_type: str | None
    section_role: str
    year: int | None
    themes: list[str] = field(default_factory=list)


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("doc_id", stored=True, indexed=True, fast=True)
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("heading", tokenizer_name="whitespace", index_option="freq")
    # "key" is the doc id as a raw term: deletes by an unsigned term do not match in the
    # Python binding, a raw string term does.
    for name in ("key", "place", "report", "level", "doc_type", "role", "theme"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("year", indexed=True, fast=True)
    return sb.build()


# Extra hits fetched beyond k, so that documents tied at the k-th score are picked by doc id
# (and, being at least one, so that a search tells whether more than k documents match).
TIE_MARGIN = 32


class LexicalIndex:
    def __init__(self, path: Path | None = None):
        self.schema = build_schema()
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        else:
            self.index = tantivy.Index(self.schema)
        # One searcher until this object writes: asking the index for a new one cost ~0.2 ms
        # a call at 1M passages, and a served query asked up to five times (search, idf,
        # doc_freq). A tantivy searcher is an immutable view, shared by threads; ``add`` and
        # ``delete`` drop it, so the next read sees what they wrote.
        self._searcher: tantivy.Searcher | None = None

    def searcher(self) -> tantivy.Searcher:
        searcher = self._searcher
        if searcher is None:
            searcher = self._searcher = self.index.searcher()
        return searcher

    # ----- writing ---------------------------------------------------------------------

    def add(self, docs: Iterable[LexDoc], threads: int = 0) -> int:
        writer = self.index.writer(WRITER_HEAP, threads)
        n = 0
        for d in docs:
            doc = tantivy.Document()
            doc.add_unsigned("doc_id", d.doc_id)
            doc.add_text("key", str(d.doc_id))
            doc.add_text("body", " ".join(d.body))
            doc.add_text("heading", " ".join(d.heading))
            doc.add_text("report", d.report_id)
            doc.add_text("role", d.section_role)
            for place in d.places:
                doc.add_text("place", place)
            for theme in d.themes:
                doc.add_text("theme", theme)
            if d.level:
                doc.add_text("level", d.level)
            if d.doc_type:
                doc.add_text("doc_type", d.doc_type)
            if d.year:
                doc.add_integer("year", d.year)
            writer.add_document(doc)
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self._searcher = None
        return n

    def delete(self, doc_ids: Iterable[int]) -> None:
        writer = self.index.writer(WRITER_HEAP // 4, 1)
        for doc_id in doc_ids:
            writer.delete_documents_by_term("key", str(int(doc_id)))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self._searcher = None

    # ----- searching -------------------------------------------------------------------

    def _filter_clauses(self, f: Filters) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        s = self.schema
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []

        def any_of(name: str, values: tuple[str, ...]) -> tantivy.Query:
            return tantivy.Query.term_set_query(s, name, list(values))

        for name, values in (
            ("place", f.jurisdiction),
            ("level", f.level),
            ("doc_type", f.doc_type),
            ("role", f.section_role),
            ("theme", f.theme),
        ):
            if values:
                clauses.append((tantivy.Occur.Must, any_of(name, values)))
        if f.exclude_jurisdiction:
            clauses.append((tantivy.Occur.MustNot, any_of("place", f.exclude_jurisdiction)))
        if f.exclude_reports:
            clauses.append((tantivy.Occur.MustNot, any_of("report", f.exclude_reports)))
        if f.year_from is not None or f.year_to is not None:
            clauses.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        s, "year", tantivy.FieldType.Integer, f.year_from, f.year_to
                    ),
                )
            )
        return clauses

    def search(
        self, terms: Terms, k: int, filters: Filters | None = None, boost: float = HEADING_BOOST
    ) -> Scored:
        """``terms``: (token, weight) pairs; returns (doc_id, score), best first (heading
        matches weighted by ``boost``)."""
        if k <= 0:
            return []
        return self.search_more(terms, k, filters, boost)[0]

    def search_more(
        self, terms: Terms, k: int, filters: Filters | None = None, boost: float = HEADING_BOOST
    ) -> tuple[Scored, bool]:
        """:meth:`search`, and whether more than ``k`` documents match: the margin fetched
        for ties answers that, so a caller needs no :meth:`count` (which visits every match,
        a whole corpus for 工会, and cost as much as the search at 1M passages)."""
        if k <= 0:
            return [], self.count(terms, filters) > 0
        query = self._query(terms, filters, boost)
        if query is None:
            return [], False
        searcher = self.searcher()
        # Equal scores are common (same counts, same length). tantivy orders them by where
        # the documents sit, which depends on how its writer threads split the segments: two
        # builds of one corpus could rank ties differently. Ties go by doc id instead, and a
        # margin is fetched so that ties at the cut are chosen the same way too.
        hits = searcher.search(query, limit=k + TIE_MARGIN, count=False).hits
        if not hits:
            return [], False
        # doc_id is a u64 fast field set on every document: each value is an int
        ids = cast("list[int]", searcher.fast_field_values("doc_id", [a for _, a in hits]))
        ranked = sorted(
            ((int(i), float(score)) for (score, _), i in zip(hits, ids, strict=True)),
            key=lambda hit: (-hit[1], hit[0]),
        )
        # tantivy returns every match up to the limit, so a full margin means more than k
        return ranked[:k], len(hits) > k

    def count(self, terms: list[tuple[str, float]], filters: Filters | None = None) -> int:
        """How many documents match any of ``terms`` (within ``filters``): exact."""
        query = self._query(terms, filters, HEADING_BOOST)
        if query is None:
            return 0
        result = self.searcher().search(query, limit=1, count=True)
        # tantivy's stub lacks SearchResult.count (the extension has it)
        return int(result.count or 0)  # type: ignore[attr-defined]

    def _query(
        self, terms: list[tuple[str, float]], filters: Filters | None, heading_boost: float
    ) -> tantivy.Query | None:
        s = self.schema
        should: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for token, weight in terms:
            body = tantivy.Query.term_query(s, "body", token)
            should.append((tantivy.Occur.Should, tantivy.Query.boost_query(body, weight)))
            if heading_boost > 0:
                head = tantivy.Query.term_query(s, "heading", token)
                should.append(
                    (tantivy.Occur.Should, tantivy.Query.boost_query(head, weight * heading_boost))
                )
        if not should:
            return None
        query = tantivy.Query.boolean_query(should)
        if filters is not None and not filters.empty:
            # Filters only restrict: a zero constant score keeps them out of the ranking.
            parts = [(tantivy.Occur.Must, query)]
            for occur, clause in self._filter_clauses(filters):
                parts.append(
                    (
                        occur,
                        tantivy.Query.const_score_query(clause, 0.0)
                        if occur == tantivy.Occur.Must
                        else clause,
                    )
                )
            query = tantivy.Query.boolean_query(parts)
        return query

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """BM25-style inverse document frequency of each token in the body field."""
        import math

        searcher = self.searcher()
        n = max(1, int(searcher.num_docs))
        out = {}
        for t in set(tokens):
            df = int(searcher.doc_freq("body", t))
            out[t] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return out

    def num_docs(self) -> int:
        return int(self.searcher().num_docs)
