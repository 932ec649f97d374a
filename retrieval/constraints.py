"""Places and levels a query names: who the user wants to hear from, not what about.

"江苏 送温暖" asks for 送温暖 in Jiangsu's reports, "乡镇工会存在的问题" for the problem
sections of township reports. A report rarely writes its own place or level in every
passage (the place is in its title and metadata), so asking each passage's text for these
words, as the relevance floor asks for content words, turns the right passages away and
reports the word as absent from the corpus. Instead the words are recognised here against
what the corpus holds (the places of its reports' jurisdiction paths, by full or short name,
and the level words of :data:`LEVEL_WORDS` naming a union); the floor asks a matching
report's passages for the rest of the query only (as it asks a named section's passages for
the topic only), and they move up (``retrieval.fusion.scaled``): a preference, not a filter, since
乡镇工会建设 in a county report is a topic, and a place with nothing on the topic still
leaves the rest.

Everything here is a pure function of strings and lists; the searcher supplies the corpus's
places and each candidate's place path and level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

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
# Place names that are also ordinary words of these reports: the country (a national
# report's path), and the generic names some units carry (城区, 开发区 ...). A query saying
# them names no place.
GENERIC_PLACE_NAMES = frozenset(
    {
        *("中国", "全国", "中华人民共和国"),
        *("城区", "郊区", "矿区", "社区", "新区", "街道", "市辖区", "县城"),
        *("开发区", "高新区", "经济开发区", "工业园区", "园区", "农场", "林场"),
    }
)


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


def place_names(
    places: Iterable[str], aliases: Mapping[str, Iterable[str]]
) -> dict[str, tuple[str, ...]]:
    """How a query may name each place: its full name and its short names (``aliases``: the
    gazetteer's, 江苏 for 江苏省, 新疆 for 新疆维吾尔自治区), less generic names. -> every place
    a name may stand for (吉林: 吉林省 and 吉林市), in a fixed order."""
    out: dict[str, set[str]] = {}
    for place in places:
        for name in (place, *aliases.get(place, ())):
            if len(name) >= 2 and name not in GENERIC_PLACE_NAMES:
                out.setdefault(name, set()).add(place)
    return {name: tuple(sorted(found)) for name, found in out.items()}


def find_constraints(
    simplified: str,
    names: Mapping[str, tuple[str, ...]],
    level_words: Mapping[str, str] = LEVEL_WORDS,
    boundaries: frozenset[int] | None = None,
) -> Constraints:
    """The places (``names``: from :func:`place_names`) and levels a simplified query names.
    Read left to right, the longest name at each position; a name must start and end on a
    word boundary (``boundaries``, from the segmenter: 西安 is no name in 江西安全生产), and a
    level word counts only before a union word (乡镇工会, not 乡镇党委)."""
    n = len(simplified)
    cuts = boundaries if boundaries is not None else frozenset(range(n + 1))
    longest = max(map(len, (*names, *level_words)), default=0)
    places: list[str] = []
    levels: list[str] = []
    place_words: list[str] = []
    level_named: list[str] = []
    i = 0
    while i < n:
        if i not in cuts:
            i += 1
            continue
        for size in range(min(longest, n - i), 1, -1):
            word = simplified[i : i + size]
            end = i + size
            if end not in cuts or (word not in names and word not in level_words):
                continue
            org = next((o for o in ORG_WORDS if simplified.startswith(o, end)), "")
            if word in names:
                places.extend(names[word])
                place_words.append(word + org)
            elif org:
                levels.append(level_words[word])
                level_named.append(word + org)
            else:
                continue  # 乡镇党委, 街道社区: the level word modifies a topic, not a union
            i = end + len(org) - 1
            break
        i += 1
    return Constraints(
        *(tuple(dict.fromkeys(x)) for x in (places, levels, place_words, level_named))
    )


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
