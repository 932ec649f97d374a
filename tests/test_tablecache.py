"""The table cache: a built table comes back equal from its entry, and a stale, broken or
unwritable entry only means building it again."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import gazetteer, tablecache


def _build_counter(value: object) -> tuple[list[int], object]:
    calls: list[int] = []

    def build() -> object:
        calls.append(1)
        return value

    return calls, build


@pytest.fixture()
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "jiejian"


def test_entry_is_built_once_then_read(tmp_path: Path, cache_home: Path) -> None:
    src = tmp_path / "data.txt"
    src.write_text("甲\n乙\n", encoding="utf-8")
    value = (["甲", "乙"], [None, "乙"])
    calls, build = _build_counter(value)
    assert tablecache.cached("t", src, __file__, build, lambda v: True) == value
    assert tablecache.cached("t", src, __file__, build, lambda v: True) == value
    assert len(calls) == 1
    assert len(list(cache_home.glob("t-*.marshal"))) == 1


def test_changed_source_or_builder_is_a_miss_and_replaces_the_entry(
    tmp_path: Path, cache_home: Path
) -> None:
    src = tmp_path / "data.txt"
    src.write_text("甲\n", encoding="utf-8")
    builder = tmp_path / "builder.py"
    builder.write_text("# v1\n")
    calls, build = _build_counter(["a"])
    tablecache.cached("t", src, str(builder), build, lambda v: True)
    src.write_text("甲\n乙\n", encoding="utf-8")  # new size: another key
    tablecache.cached("t", src, str(builder), build, lambda v: True)
    builder.write_text("# v2\n")
    tablecache.cached("t", src, str(builder), build, lambda v: True)
    assert len(calls) == 3
    assert len(list(cache_home.glob("t-*.marshal"))) == 1


@pytest.mark.parametrize("content", [b"", b"\x00garbage", b"\xe9" * 40])
def test_broken_or_invalid_entry_is_rebuilt(
    tmp_path: Path, cache_home: Path, content: bytes
) -> None:
    src = tmp_path / "data.txt"
    src.write_text("甲\n", encoding="utf-8")
    cache_home.mkdir(parents=True)
    (cache_home / tablecache.entry_key("t", src, __file__)).write_bytes(content)
    calls, build = _build_counter([["甲"]])
    got = tablecache.cached("t", src, __file__, build, lambda v: isinstance(v, list))
    assert got == [["甲"]] and len(calls) == 1


def test_unwritable_cache_still_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # jiejian/ cannot be made under it
    src = tmp_path / "data.txt"
    src.write_text("甲\n", encoding="utf-8")
    calls, build = _build_counter([1, 2])
    assert tablecache.cached("t", src, __file__, build, lambda v: True) == [1, 2]
    assert tablecache.cached("t", src, __file__, build, lambda v: True) == [1, 2]
    assert len(calls) == 2


def test_cached_gazetteer_equals_the_parsed_one(cache_home: Path) -> None:
    parsed = gazetteer._parse_location_file(gazetteer.location_file())
    gazetteer.load_gazetteer.cache_clear()
    try:
        built = gazetteer.load_gazetteer()  # a miss: parsed and stored
        gazetteer.load_gazetteer.cache_clear()
        read = gazetteer.load_gazetteer()  # read back from the entry
    finally:
        gazetteer.load_gazetteer.cache_clear()
    assert len(list(cache_home.glob("gazetteer-*.marshal"))) == 1
    assert built.places == parsed and read.places == parsed
    assert read.by_name == built.by_name and read.by_alias == built.by_alias
    assert read.max_name_len == built.max_name_len


def test_no_home_directory_still_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A uid without a passwd entry and no HOME or XDG_CACHE_HOME (containers with -u 12345):
    Path.home() raises RuntimeError, and the table is simply built."""
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(tablecache.Path, "home", staticmethod(no_home))
    src = tmp_path / "data.txt"
    src.write_text("甲\n", encoding="utf-8")
    calls, build = _build_counter([3])
    assert tablecache.cached("t", src, __file__, build, lambda v: True) == [3]
    assert len(calls) == 1
