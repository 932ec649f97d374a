"""Chinese administrative place names, province down to township and street.

The data is the location file shipped in the ``jionlp`` package (province / city / county /
town / village, tab-indented). Only the file is read: importing jionlp itself would load its
whole NLP toolkit, which this project does not need.
"""

from __future__ import annotations

import importlib.util
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus import tablecache

KIND_RANK = {"national": -1, "province": 0, "city": 1, "county": 2, "township": 3, "street": 3}
_PLACEHOLDER_LEVELS = ("直辖", "市辖区")


@dataclass(frozen=True)
class Place:
    pid: int
    name: str
    alias: str | None
    kind: str  # province | city | county | township | street
    parent: int | None


class Gazetteer:
    def __init__(self, places: list[Place]):
        self.places = places
        self.by_name: dict[str, list[int]] = {}
        self.by_alias: dict[str, list[int]] = {}
        for p in places:
            self.by_name.setdefault(p.name, []).append(p.pid)
            if p.alias and p.alias != p.name:
                self.by_alias.setdefault(p.alias, []).append(p.pid)
        self.max_name_len = max((len(n) for n in self.by_name), default=0)

    def get(self, pid: int) -> Place:
        return self.places[pid]

    def aliases(self, name: str) -> list[str]:
        """The short names of the places called ``name`` (江苏 for 江苏省), as ``by_alias``
        holds them."""
        return [
            a for pid in self.by_name.get(name, ()) if (a := self.places[pid].alias) and a != name
        ]

    def ancestors(self, pid: int) -> list[Place]:
        """From the place's parent up to its province."""
        out = []
        parent = self.places[pid].parent
        while parent is not None:
            out.append(self.places[parent])
            parent = self.places[parent].parent
        return out

    def path(self, pid: int) -> list[str]:
        chain = [self.places[pid], *self.ancestors(pid)]
        names: list[str] = []
        for p in reversed(chain):
            if not names or names[-1] != p.name:  # 重庆市 / 重庆市
                names.append(p.name)
        return names

    def ancestor_of_kind(self, pid: int, kind: str) -> Place | None:
        for p in [self.places[pid], *self.ancestors(pid)]:
            if p.kind == kind:
                return p
        return None


def location_file() -> Path:
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the jionlp package (place-name data) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location.zip"


def _town_kind(name: str) -> str:
    return "street" if name.endswith("街道") else "township"


# Every line break str.splitlines knows but "\n" and "\r\n".
_ODD_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# A line that is not four tabs deep, up to its break.
_KEPT_LINE = re.compile(rf"^(?!\t\t\t\t)[^\n\r{_ODD_BREAKS}]*", re.M)


def _kept_lines(text: str) -> list[str]:
    """The lines of ``text`` (as ``str.splitlines`` cuts them) that are not villages or
    communities (four tabs deep, 14 of every 15 lines): they are below what reports are
    about. One regex finds the others without making a string of every line (0.04 CPU-s
    instead of 0.1, in every ingest); text with other breaks than \n and \r\n takes the
    plain route."""
    if text.count("\r") != text.count("\r\n") or any(c in text for c in _ODD_BREAKS):
        return [line for line in text.splitlines() if not line.startswith("\t\t\t\t")]
    return _KEPT_LINE.findall(text)


def parse_location_text(text: str) -> list[Place]:
    places: list[Place] = []
    stack: list[int | None] = [None, None, None, None]
    for raw in _kept_lines(text):
        if not raw.strip():
            continue
        depth = len(raw) - len(raw.lstrip("\t"))
        cols = raw.strip().split("\t")
        name = cols[0].strip()
        alias = cols[2].strip() if len(cols) > 2 else None
        parent = stack[depth - 1] if depth > 0 else None
        if depth == 1 and any(t in name for t in _PLACEHOLDER_LEVELS):
            # "省直辖行政区划": counties directly under the province hang off the province.
            stack[1] = parent
            continue
        if depth == 3 and parent is not None:
            # "济源市思礼镇" -> "思礼镇": some towns carry their county's name as a prefix.
            prefix = places[parent].name
            if name.startswith(prefix) and len(name) > len(prefix) + 1:
                name = name[len(prefix) :]
        kind = ("province", "city", "county")[depth] if depth < 3 else _town_kind(name)
        pid = len(places)
        places.append(Place(pid, name, alias, kind, parent))
        stack[depth] = pid
        for d in range(depth + 1, 4):
            stack[d] = None
    return places


def _parse_location_file(path: Path) -> list[Place]:
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".txt"))
        text = zf.read(name).decode("utf-8")  # one decode: a text stream took twice as long
    return parse_location_text(text)


# The cached form of the places: four columns (name, alias, kind, parent), pid = position.
_Columns = tuple[list[str], list[str | None], list[str], list[int | None]]


def _columns(places: list[Place]) -> _Columns:
    return (
        [p.name for p in places],
        [p.alias for p in places],
        [p.kind for p in places],
        [p.parent for p in places],
    )


def _valid_columns(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 4
        and all(isinstance(c, list) for c in value)
        and len({len(c) for c in value}) == 1
        and len(value[0]) > 0
    )


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer of jionlp's location file; parsed once per user and kept in the table
    cache (corpus.tablecache), which every later process reads in a third of the time."""
    source = location_file()
    names, aliases, kinds, parents = tablecache.cached(
        "gazetteer",
        source,
        __file__,
        lambda: _columns(_parse_location_file(source)),
        _valid_columns,
    )
    return Gazetteer(list(map(Place, range(len(names)), names, aliases, kinds, parents)))
