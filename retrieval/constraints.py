"""Places and levels a query names: who the user wants to hear from, not what about.

"江苏 送温暖" asks for 送温暖 in Jiangsu's reports, "乡镇工会存在的问题" for the problem
sections of township reports. A report rarely writes its own place or level in every
passage (the place is in its title and metadata), so asking each passage's text for these
words, as the relevance floor asks for content words, turns the right passages away and
reports the word as absent from the corpus. Instead the words are recognised here against
what the corpus holds (the places of its reports' jurisdiction paths, the level words of
:data:`LEVEL_WORDS` naming a union), the floor asks a matching report's passages for the
rest of the query only (as it asks a named section's passages for the topic only), and they
move up (:func:`boost_matching`): a preference, not a filter, since 乡镇工会建设 in a county
report is a topic, and a place with nothing on the topic still leaves the rest.

Everything here is a pure function of strings and lists; the searcher supplies the corpus's
places and each candidate's place path and level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from retrieval.fusion import Fused

# Words a query names a level of reporting body with, as a modifier (乡镇工会, 县级工会) ->
# the level (corpus.vocab.LEVELS). 企业 and 机关 are left out: 企业工会, 机关作风 are far more
# often a topic than a wish to read enterprise or agency reports.
LEVEL_WORDS: dict[str, str] = {
    "乡镇": "township",
    "乡级": "township",
    "镇级": "township",
    "街道": "street",
    "县级": "county",
    "区县": "county",
    "县区": "county",
    "市级": "city",
    "省级": "province",
}
# A union named right after a level or place (乡镇工会, 县级工会, 广州市总工会) is that level's or
# place's union: the word goes with the constraint, else 工会, which every passage holds, would
# be all the topic left. Longest first.
ORG_WORDS = ("工会联合会", "总工会", "工会")
# The endings of administrative names a query may leave off (江苏 for 江苏省, 广州 for 广州市).
PLACE_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "街道",
    "地区",
    *("省", "市", "县", "区", "盟", "旗", "镇", "乡"),
)
# Part of speech of a place name in jieba's dictionary: a short form counts only where the
# dictionary knows it as a place, so 和平 (和平区) or 新城 (新城区) in a query stay words.
PLACE_TAG = "ns"


@dataclass(frozen=True)
class Constraints:
    places: tuple[str, ...] = ()  # places of the corpus (as its jurisdiction paths spell them)
    levels: tuple[str, ...] = ()  # corpus.vocab.LEVELS values
    place_words: tuple[str, ...] = ()  # the query's words that named them, in query order
    level_words: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.places and not self.levels

    @property
    def words(self) -> tuple[str, ...]:
        return self.place_words + self.level_words


def place_names(places: Iterable[str], tag: Callable[[str], str | None]) -> dict[str, str]:
    """How a query may name each place: its full name, and its name without the
    administrative ending where the rest is two characters or more and ``tag`` (the
    dictionary's part of speech) says it is a place name. -> place."""
    out: dict[str, str] = {}
    for place in places:
        out.setdefault(place, place)
        for suffix in PLACE_SUFFIXES:
            short = place[: -len(suffix)]
            if place.endswith(suffix) and len(short) >= 2 and tag(short) == PLACE_TAG:
                out.setdefault(short, place)
                break
    return out


def find_constraints(
    simplified: str, names: Mapping[str, str], level_words: Mapping[str, str] = LEVEL_WORDS
) -> Constraints:
    """The places (``names``: surface -> place, from :func:`place_names`) and levels a
    simplified query names; longest names first, no two overlapping."""
    surfaces = sorted({*names, *level_words}, key=len, reverse=True)
    taken = [False] * len(simplified)
    found: list[tuple[int, str]] = []
    for word in surfaces:
        start = simplified.find(word)
        while start != -1:
            span = range(start, start + len(word))
            if not any(taken[i] for i in span):
                for i in span:
                    taken[i] = True
                found.append((start, word))
            start = simplified.find(word, start + len(word))
    found.sort()
    places: list[str] = []
    levels: list[str] = []
    place_words: list[str] = []
    level_named: list[str] = []
    for start, word in found:
        end = start + len(word)
        org = next((o for o in ORG_WORDS if simplified.startswith(o, end)), "")
        named = word + org if org and not any(taken[end : end + len(org)]) else word
        if word in names:
            places.append(names[word])
            place_words.append(named)
        elif org:
            levels.append(level_words[word])
            level_named.append(named)
        # else 乡镇党委, 街道社区: the level word modifies a topic, not a union
    return Constraints(
        *(tuple(dict.fromkeys(x)) for x in (places, levels, place_words, level_named))
    )


def boost_matching(
    fused: Sequence[Fused], factors: Mapping[int, float], key: str = "constraint"
) -> list[Fused]:
    """Multiply the fused score of each doc id in ``factors`` by its factor and re-sort
    (stable); a hit that moved records the factor in its parts under ``key``."""
    out = []
    for f in fused:
        factor = factors.get(f.doc_id, 1.0)
        parts = f.parts if factor == 1.0 else {**f.parts, key: {"factor": factor}}
        out.append(Fused(f.doc_id, f.score * factor, parts))
    return sorted(out, key=lambda f: -f.score)


def matches(
    doc_ids: Iterable[int],
    constraints: Constraints,
    places_of: Callable[[int], Sequence[str]],
    level_of: Callable[[int], str | None],
) -> dict[int, tuple[bool, bool]]:
    """For each doc: whether its report is in a named place, and whether it is of a named
    level."""
    wanted = set(constraints.places)
    return {
        d: (
            bool(wanted) and not wanted.isdisjoint(places_of(d)),
            bool(constraints.levels) and level_of(d) in constraints.levels,
        )
        for d in doc_ids
    }


def match_factors(
    matched: Mapping[int, tuple[bool, bool]], place_factor: float, level_factor: float
) -> dict[int, float]:
    """The boost of each doc of a named place and/or level (the two multiply); docs
    matching neither are left out."""
    out: dict[int, float] = {}
    for d, (in_place, of_level) in matched.items():
        factor = (place_factor if in_place else 1.0) * (level_factor if of_level else 1.0)
        if factor != 1.0:
            out[d] = factor
    return out
