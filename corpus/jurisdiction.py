"""Which place a report is about, and where that place sits (province → ... → township).

The rule, in order:
1. The report's own level is read from how it speaks of itself (我镇, 市总工会, 街道工会联合会...).
2. The subject is the most specific place named in the title, else in the opening lines,
   that is not below the report's own level (a city report that visits 某某镇 is not about it).
3. Without a named subject, a county or city report whose text names at least two townships
   under one single county (or city) is about that county (or city), when its own level says
   the same kind of place (县 for a county, 市 for a county-level city).
4. A name with several candidates is settled by the other places the text names (its
   ancestors, its neighbours) and by whether the report answers to a 市 or a 县; a tie stays
   unresolved: the name is kept, the path is null.
Placeholders such as xx市 are never places.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from corpus.gazetteer import KIND_RANK, Gazetteer
from corpus.lexicon import cue_map, cue_table
from corpus.linejoin import plain_words

_SUFFIX_CHARS = set("省市县区旗州盟镇乡道")
_SUFFIX_RE = re.compile("[" + "".join(sorted(_SUFFIX_CHARS)) + "]")
_ENUMERATION = re.compile(
    r"((?:[\u4e00-\u9fff]{2,4}、)+[\u4e00-\u9fff]{2,4})等(?:个)?(乡镇|镇|乡|街道|县|县区|区县)"
)
# What every _ENUMERATION match holds after its list: most texts have none, and one search
# for the literal 等 says so, where _ENUMERATION tries its list at every character.
_ENUMERATION_HINT = re.compile(r"等个?[乡镇街县区]")
_DESTINATION_BEFORE = re.compile(r"(?:到|赴|去|前往|走进|参观|考察|来自|途经)$")


def _after_ancestor(text: str, start: int, gaz: Gazetteer, candidates: list[int]) -> bool:
    before = text[max(0, start - 8) : start]
    return any(
        before.endswith(a.name) or (a.alias and before.endswith(a.alias))
        for c in candidates
        for a in gaz.ancestors(c)
    )


@dataclass
class Mention:
    name: str
    start: int
    candidates: list[int]


@dataclass
class Jurisdiction:
    name: str | None
    path: list[str] | None
    kind: str | None  # gazetteer kind of the place
    evidence: str


# Characters that, in front of a bare suffix, are a word of their own far more often than the
# first half of a two-character place name: 镇党委和县总工会 is 和 + 县, not 和县.
_FUNCTION_CHARS = set("和与及或在对向为从至到由经把被同跟给比")


def _crosses_word(text: str, start: int, end: int) -> bool:
    """True when the segmenter puts a word across the name's start (天津市市长 has the word
    天津市 across the start of 津市市). The end is not checked: a suffix often fuses with
    what follows (县总工会, 市长) without making the name any less a name."""
    lo = max(0, start - 4)
    return _window_crosses(text[lo:end], start - lo)


@lru_cache(maxsize=65536)
def _window_crosses(window: str, start: int) -> bool:
    pos = 0
    for token in plain_words(window):
        if pos < start < pos + len(token):
            return True
        pos += len(token)
    return False


@lru_cache(maxsize=65536)
def _candidates(gaz: Gazetteer, name: str) -> list[int]:
    """``_keep_provinces`` of a name's places, once per name: a report names its own places
    again and again. The list is shared, as ``gaz.by_name``'s own lists already are."""
    return _keep_provinces(gaz, gaz.by_name[name])


def _keep_provinces(gaz: Gazetteer, candidates: list[int]) -> list[int]:
    """北京市 is a province and a city of the same name under it: the province it is."""
    provinces = {c for c in candidates if gaz.get(c).kind == "province"}
    if not provinces:
        return candidates
    return [
        c
        for c in candidates
        if c in provinces or not any(a.pid in provinces for a in gaz.ancestors(c))
    ]


@lru_cache(maxsize=4)
def _name_lengths(gaz: Gazetteer) -> dict[str, tuple[int, ...]]:
    """Lengths (2 and up, longest first) of the gazetteer's names by their last two
    characters: at a suffix only the lengths some name ending in them has need a dictionary
    look-up. Keyed by one character (区, 镇) a suffix had up to 16 lengths to try; by two,
    1.4 on average, and most pairs before a suffix (工会, 全市) end no name at all."""
    lengths: dict[str, set[int]] = {}
    for name in gaz.by_name:
        if len(name) >= 2:
            lengths.setdefault(name[-2:], set()).add(len(name))
    return {ch: tuple(sorted(ks, reverse=True)) for ch, ks in lengths.items()}


def preload(gaz: Gazetteer) -> None:
    """Build the look-up tables now (before worker processes fork: each would build its
    own)."""
    _name_lengths(gaz)


def find_mentions(text: str, gaz: Gazetteer) -> list[Mention]:
    """Place names in (simplified) text: the longest gazetteer name ending at each suffix,
    accepted only on word boundaries; of overlapping names the leftmost wins."""
    out: list[Mention] = []
    taken_until = -1
    lengths = _name_lengths(gaz)
    for hit in _SUFFIX_RE.finditer(text):  # suffix positions found in C, not char by char
        p = hit.start()
        # p = 0 ends no name of two characters or more (the slice would wrap to the end).
        for k in lengths.get(text[p - 1 : p + 1], ()) if p else ():
            if k > p + 1:
                continue
            name = text[p - k + 1 : p + 1]
            if (k >= 3 or name.endswith("县")) and name in gaz.by_name:
                start = p - k + 1
                if start < taken_until:
                    break  # overlaps a name already found (天津市|市长 → not 津市市)
                if (
                    k == 2
                    and name[0] in _FUNCTION_CHARS
                    and not _after_ancestor(text, start, gaz, gaz.by_name[name])
                ):
                    break
                if _crosses_word(text, start, p + 1):
                    break
                out.append(Mention(name, start, _candidates(gaz, name)))
                taken_until = p + 1
                break
    for m in _ENUMERATION.finditer(text) if _ENUMERATION_HINT.search(text) else ():
        suffixes = {
            "乡镇": ("镇", "乡", "街道"),
            "镇": ("镇", "街道"),
            "乡": ("乡",),
            "街道": ("街道",),
            "县": ("县",),
        }.get(m.group(2), ("县", "区"))
        for item in m.group(1).split("、"):
            for suffix in suffixes:
                if item + suffix in gaz.by_name:
                    out.append(Mention(item + suffix, m.start(), gaz.by_name[item + suffix]))
                    break
    return out


def self_level(title: str, opening: str, body: str, page_title: str = "") -> str | None:
    """The level the report speaks from: self words when dominant, else its org name in
    its title, the compilation's page title, or its opening."""
    counts = {lvl: len(p.findall(body)) for lvl, p in cue_map("self_words").items()}
    best = max(counts, key=lambda k: counts[k])
    if counts[best] >= 2 and sorted(counts.values())[-2] < counts[best]:
        return best
    for region in (title, page_title, opening):
        hits = [(m.start(), lvl) for lvl, p in cue_table("org_level") if (m := p.search(region))]
        if hits:
            return min(hits)[1]
    # Last resort: a single self word early on ("此次调查在全区19个乡、办展开").
    first = [
        (m.start(), lvl) for lvl, p in cue_map("self_words").items() if (m := p.search(body[:1000]))
    ]
    return min(first)[1] if first else None


def _level_rank(level: str | None) -> int | None:
    return KIND_RANK.get(level) if level else None


def _score(pid: int, gaz: Gazetteer, text: str, others: list[Mention]) -> int:
    score = 0
    for anc in gaz.ancestors(pid):
        if anc.name in text or (anc.alias and len(anc.alias) >= 2 and anc.alias in text):
            score += 2
    # Neighbours: other places named in the text under the same county or city.
    near = {a.pid for a in gaz.ancestors(pid) if a.kind in ("county", "city")}
    for m in others:
        if any(near & {a.pid for a in gaz.ancestors(c)} for c in m.candidates if c != pid):
            score += 1
    place = gaz.get(pid)
    if place.kind in ("township", "street") and place.parent is not None:
        county = gaz.get(place.parent).name
        answers_city = bool(re.search(r"市(?:总工会|委|政府)", text))
        answers_county = bool(re.search(r"县(?:总工会|委|政府)", text))
        if county.endswith("市") and answers_city and not answers_county:
            score += 1
        if county.endswith("县") and answers_county and not answers_city:
            score += 1
    return score


def _pick(m: Mention, gaz: Gazetteer, text: str, others: list[Mention]) -> int | None:
    if len(m.candidates) == 1:
        return m.candidates[0]
    scored = sorted(((_score(c, gaz, text, others), c) for c in m.candidates), reverse=True)
    if scored[0][0] > 0 and scored[0][0] > scored[1][0]:
        return scored[0][1]
    return None


def _consensus(mentions: list[Mention], gaz: Gazetteer, level: str) -> int | None:
    """The single county (or city) under which at least two named townships lie."""
    towns = [
        m for m in mentions if any(gaz.get(c).kind in ("township", "street") for c in m.candidates)
    ]
    for kind in ("county", "city"):
        votes: Counter[int] = Counter()
        for name in {m.name for m in towns}:
            parents = set()
            for m in towns:
                if m.name == name:
                    for c in m.candidates:
                        anc = gaz.ancestor_of_kind(c, kind)
                        if anc is not None:
                            parents.add(anc.pid)
            votes.update(parents)
        if not votes:
            return None
        ranked = votes.most_common(2)
        pid, n = ranked[0]
        unique = len(ranked) == 1 or ranked[1][1] < n
        if n < 2 or not unique:
            continue
        name = gaz.get(pid).name
        if level == "county" and kind == "county" and name.endswith(("县", "旗", "区")):
            return pid
        if level == "city" and (kind == "city" or name.endswith("市")):
            return pid
    return None


NATIONAL = Jurisdiction("中国", ["中国"], "national", "speaks for the nation")
VOICE_CHARS = 800
_NATIONAL_VOICE = re.compile(
    r"我代表国务院|国务院总理|在第[一二三四五六七八九十]+届全国人民代表大会|"
    r"我代表中华全国总工会|中国工会第[一二三四五六七八九十]+次全国代表大会上"
)
# The author names itself: "我代表海拉尔区人民政府", "——在兰溪市工会第十七次代表大会上",
# "在云南省第十四届人民代表大会第四次会议上".
_VOICE = [
    re.compile(
        r"我代表(?P<org>[^，。；\s]{2,40}?)(?:人民政府|政府|总工会|工会|委员会|常委会|向大会)"
    ),
    re.compile(
        r"在(?P<org>[^，。；\n]{2,30}?)(?:第[一二三四五六七八九十\d]{1,3}届人民代表大会"
        r"|(?:总)?工会第[一二三四五六七八九十\d]{1,3}次(?:会员)?代表大会)"
    ),
]


def _from_voice(title: str, opening: str, gaz: Gazetteer) -> Jurisdiction | None:
    """The place the report speaks for, when it says so in its own voice."""
    if _NATIONAL_VOICE.search(title) or _NATIONAL_VOICE.search(opening):
        return NATIONAL
    for pattern in _VOICE:
        for m in pattern.finditer(opening):
            mentions = find_mentions(m.group("org"), gaz)
            if not mentions:
                continue
            subject = max(
                mentions, key=lambda x: max(KIND_RANK[gaz.get(c).kind] for c in x.candidates)
            )
            pid = _pick(subject, gaz, title + opening, [x for x in mentions if x is not subject])
            if pid is None:
                return Jurisdiction(subject.name, None, None, "own voice: ambiguous name")
            return Jurisdiction(subject.name, gaz.path(pid), gaz.get(pid).kind, "own voice")
    return None


_SIGNATURE_ORG = re.compile(
    r"(?:^|\n)[ \t]*(?P<org>[^\n，。；]{2,30}?(?:总工会|工会委员会|工会联合会|工会|人民政府|妇联))"
    r"[ \t]*(?:\n|$)"
)


def _from_signature(body: str, gaz: Gazetteer) -> Jurisdiction | None:
    """The organisation that signs the report at its end ("某某镇工会 / 2019年12月25日")."""
    tail = body[-160:]
    for m in _SIGNATURE_ORG.finditer(tail):
        mentions = find_mentions(m.group("org"), gaz)
        if mentions:
            subject = mentions[-1]
            pid = _pick(subject, gaz, body, mentions[:-1])
            if pid is not None:
                return Jurisdiction(subject.name, gaz.path(pid), gaz.get(pid).kind, "signature")
    return None


def resolve_jurisdiction(
    title: str, opening: str, body: str, level: str | None, gaz: Gazetteer
) -> Jurisdiction:
    """All inputs are simplified text; ``level`` is what :func:`self_level` found."""
    voice = _from_voice(title, body[:VOICE_CHARS], gaz) or _from_signature(body, gaz)
    if voice is not None:
        return voice
    rank = _level_rank(level)
    body_mentions = find_mentions(body, gaz)
    regions = [("title", title)]
    if level not in ("enterprise", "agency"):
        # An agency or enterprise union names places it visits, not places it governs.
        regions.append(("opening", opening))
    for region_name, region in regions:
        mentions = find_mentions(region, gaz)
        eligible = []
        for m in mentions:
            if _DESTINATION_BEFORE.search(region[max(0, m.start - 3) : m.start]):
                continue  # "赴某某市考察": a destination, not the subject
            kinds = {gaz.get(c).kind for c in m.candidates}
            deepest = max(KIND_RANK[k] for k in kinds)
            county_city = level == "city" and m.name.endswith("市")
            if rank is not None and min(KIND_RANK[k] for k in kinds) > rank and not county_city:
                continue  # a subordinate place, not the report's own
            eligible.append((deepest, -m.start, m))
        if not eligible:
            continue
        _, _, subject = max(eligible, key=lambda t: (t[0], t[1]))
        others = [m for m in body_mentions if m.name != subject.name]
        pid = _pick(subject, gaz, title + body, others)
        if pid is None:
            return Jurisdiction(subject.name, None, None, f"{region_name}: ambiguous name")
        return Jurisdiction(subject.name, gaz.path(pid), gaz.get(pid).kind, region_name)
    if level in ("county", "city"):
        pid = _consensus(body_mentions, gaz, level)
        if pid is not None:
            place = gaz.get(pid)
            return Jurisdiction(
                place.name, gaz.path(pid), place.kind, "townships named in the text lie under it"
            )
    return Jurisdiction(None, None, None, "no place named")
