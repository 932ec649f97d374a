"""The vocabularies and bounds the web UI builds its menus from, in one answer.

Defined once in the layers that own them (``corpus.vocab``, the theme taxonomy,
``corpus.defaults``, ``retrieval.defaults``); the page receives them rendered into
``index.html`` as JSON and API clients from ``GET /api/vocab``: the JavaScript and HTML
hold no copy.
"""

from __future__ import annotations

from api.schemas import LevelOut, ThemeName, VocabLimits, VocabResponse
from corpus.defaults import YEAR_MAX, YEAR_MIN
from corpus.themes import Theme
from corpus.vocab import DOC_TYPES, LEVEL_LABELS, SECTION_ROLES
from retrieval.defaults import MAX_K, MAX_QUERY_CHARS, PAGE_SIZES


def vocabulary(taxonomy: tuple[Theme, ...]) -> VocabResponse:
    return VocabResponse(
        levels=[LevelOut(value=v, label=label) for v, label in LEVEL_LABELS.items()],
        doc_types=list(DOC_TYPES),
        section_roles=list(SECTION_ROLES),
        themes=[
            ThemeName(theme_id=t.theme_id, name=t.name, description=t.description) for t in taxonomy
        ],
        limits=VocabLimits(
            year_min=YEAR_MIN,
            year_max=YEAR_MAX,
            max_query_chars=MAX_QUERY_CHARS,
            max_k=MAX_K,
            page_sizes=list(PAGE_SIZES),
        ),
    )
