"""The ingest speed-ups change no output: each faster form is checked against the form it
replaced (scripts/ingest_digest.py checks whole stores on the real and generated corpora)."""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import random
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from corpus import furniture, textnorm
from corpus.dedup import BANDS, ROWS, band_keys_of
from corpus.gazetteer import parse_location_text
from corpus.linejoin import plain_words, word_frequencies
from corpus.script import detect_script, to_simplified
from corpus.workers import BoundedPool
from demo.reports_a import REPORTS_A

_CJK = textnorm._CJK
# The plain spellings the normalisation patterns had before they were written to start with
# the character they match.
PLAIN = {
    "punct": (textnorm._PUNCT_NEAR_CJK, rf"(?<={_CJK})[,;:?!]|[,;:?!](?={_CJK})"),
    "space": (
        textnorm._SPACE_AROUND_NUMBER,
        r"(?<=[\u4e00-\u9fff]) +(?=\d)|(?<=\d) +(?=[\u4e00-\u9fff])",
    ),
    "digits": (textnorm._SPACED_DIGITS, r"(?<![\d.])\d(?: \d){2,}(?![\d.])"),
}
ALPHABET = [*"工会年 1234.5\n,;:?!“”《》a()（）", "\u3400", "\uf900", "\u9fff", "\ufaff"]
DIGITS = [*"1 2 3 . 工", "1 9 9 3"]


def _fuzz(pieces: list[str], n: int, longest: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, longest))) for _ in range(n)]


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_normalisation_patterns_match_their_plain_spelling(name: str) -> None:
    fast, plain = PLAIN[name][0], re.compile(PLAIN[name][1])
    alphabet = DIGITS if name == "digits" else ALPHABET
    strings = _fuzz(alphabet, 20_000, 24)
    spans = [[m.span() for m in plain.finditer(s)] for s in strings]
    assert sum(map(bool, spans)) > 100  # the fuzz does exercise the pattern
    assert [[m.span() for m in fast.finditer(s)] for s in strings] == spans


FURNITURE_PIECES = [
    *"。！？，:：()（）【】[]>›»网字 ",
    "记者",
    "张三",
    "摄",
    "摄影",
    "原创",
    "文库",
    "网站",
    "百范文网",
    "yè",
    "jin",
    "summary",
    "字号",
    "大 中 小",
    "下载",
    "打印",
    "分享",
    "位置",
    "首页",
    "要闻",
    "2021年3月4日",
    "10:20",
    "此处隐藏",
    "1,200",
    "个字",
    "工会",
    "总结",
    "（yè）",
    "(jin)",
    "(summary)",
    "百范文网：",
    "网站:",
    "【字号：",
    "。记者",
]


def test_inline_rules_never_match_without_what_they_need() -> None:
    """A rule is skipped on a line without its strings: that must never skip a match."""
    strings = _fuzz(FURNITURE_PIECES, 30_000, 10)
    for name, pattern, _, needs in furniture._INLINE_RULES:
        matched = [s for s in strings if pattern.search(s)]
        assert len(matched) > 10, name  # the fuzz does exercise the rule
        assert all(furniture._may_match(s, needs) for s in matched), name


LINE_PIECES = [
    "好范文网", "范文", "文库", "網", "站", "工会", "的", ".", "的.", "。", "．", " ", "\t",
    "（", ")", "http://", "HTTPS://", "http:/", "www.", "WWW.", "ｗｗｗ", "abc", "x-y",
    ".com", ".CN", ".net", "/a?b=1", "学习", "學習", "com", "cn", "：", "2021",
    ".vip", ".Info", "3.5%", "wWw", "İ", "ı", ".top",
]  # fmt: skip


def test_line_rules_never_match_without_what_they_need() -> None:
    """clean_lines tries the ad-address and watermark-dot rules only on lines holding what
    they need: that must never skip a match."""
    from corpus import noise

    strings = _fuzz(LINE_PIECES, 30_000, 10)
    urls = [s for s in strings if noise.AD_URL.search(s)]
    dots = [s for s in strings if noise.WATERMARK_DOT.search(s)]
    assert len(urls) > 100 and len(dots) > 100  # the fuzz does exercise the rules
    assert all(noise._may_hold_url(s) for s in urls)
    assert all("的." in s for s in dots)
    assert not any(noise.AD_URL.search(s) for s in strings if not noise._may_hold_url(s))


def test_plain_words_cut_as_jieba_does() -> None:
    """The boundary checks moved from jieba (Python) to rjieba: same words, windows of the
    sizes they look at (4 + 4 characters at a line break, a place name and 4 before it)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    text = "".join(r["text"] for r in REPORTS_A)
    rng = random.Random(5)
    windows = []
    for _ in range(3000):
        k = rng.randint(2, 12)
        i = rng.randrange(0, len(text) - k)
        windows.append(text[i : i + k])
    assert [plain_words(w) for w in windows] == [jieba.lcut(w, HMM=False) for w in windows]


def test_word_frequencies_are_jiebas() -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    freq = word_frequencies()
    assert len(freq) > 300_000
    assert all(jieba.dt.FREQ[w] == n for w, n in freq.items())


@pytest.mark.parametrize("index", range(len(REPORTS_A)))
def test_clean_text_from_handed_lines_equals_clean_text(index: int) -> None:
    """The second pass cleans from the lines the first pass normalized: same text, same
    statistics."""
    from corpus.clean import boilerplate_keys, clean_text, normalize

    raw = REPORTS_A[index]["text"].replace("\n", "\r\n", 3) + "\n第 2 页\n"
    known = frozenset(boilerplate_keys(normalize(raw)))
    assert clean_text(raw, known, normalize(raw)) == clean_text(raw, known)


def test_part_of_speech_table_is_jiebas() -> None:
    """segment._tags reads dict.txt itself instead of importing jieba.posseg: same table."""
    from jieba import posseg

    from corpus import segment

    segment._tags.cache_clear()
    assert segment._tags() == posseg.dt.word_tag_tab
    assert segment.tag("工会") == posseg.dt.word_tag_tab["工会"]


def test_gazetteer_drops_villages_only() -> None:
    text = (
        "甲省\t1\t甲\r\n\t甲市\t2\t甲\r\n\t\t乙县\t3\t乙\r\n\t\t\t丙镇\r\n\t\t\t\t丁村\r\n"
        "\t\t\t\t\t\r\n\t\t\t戊街道\r\n\t\t\t\t己社区\r\n\r\n\t\t庚区\t4\t庚\r\n"
    )
    got = [(p.name, p.kind, p.parent) for p in parse_location_text(text)]
    assert got == [
        ("甲省", "province", None),
        ("甲市", "city", 0),
        ("乙县", "county", 1),
        ("丙镇", "township", 2),
        ("戊街道", "street", 2),
        ("庚区", "county", 1),
    ]


def test_band_keys_are_blake2b_of_each_band() -> None:
    rng = np.random.default_rng(1)
    for _ in range(50):
        values = rng.integers(0, 2**32, BANDS * ROWS, dtype=np.uint64).astype(np.uint32)
        wide = values.astype(np.uint64)
        want = [
            int.from_bytes(
                hashlib.blake2b(
                    bytes([b]) + wide[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8
                ).digest(),
                "big",
                signed=True,
            )
            for b in range(BANDS)
        ]
        assert band_keys_of(values) == want


def _make_pair(n: int) -> list[tuple[int, int]]:
    return [(i, n) for i in range(n)]  # containers: unpickling them used to set off collections


def _never(job: int, reason: str) -> list[tuple[int, int]]:
    raise AssertionError(reason)


def test_pool_answers_with_the_collector_back_on() -> None:
    pool: BoundedPool[int, list[tuple[int, int]]] = BoundedPool(_make_pair, _never, workers=2)
    assert list(pool.imap([3, 0, 5])) == [_make_pair(3), [], _make_pair(5)]
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("国家总工会关于开展职工技能竞赛的通知", "simplified"),  # simplified-only characters
        ("工会工作总结", "simplified"),  # none either script alone writes
        ("", "simplified"),
        ("國家總工會關於開展職工技能競賽的通知", "traditional"),
        ("国家总工会關於開展職工技能競賽", "mixed"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    """Text its simplified twin equals is simplified without counting characters."""
    assert detect_script(text) == script
    assert detect_script(text, to_simplified(text)) == script


def _docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    return path


def test_preread_document_is_used_only_while_the_file_is_unchanged(tmp_path: Path) -> None:
    from corpus import pipeline
    from corpus.limits import DEFAULT_LIMITS, ReadLimits
    from corpus.readers import read_documents

    f = _docx(tmp_path / "a.docx", ["凤凰镇工会2019年工作总结", "一、主要做法"])
    spath = str(f)
    stamp = pipeline._stamp(spath)
    assert stamp is not None
    fake = (stamp, "sha-from-first-pass", [], [])
    pipeline._preread[(spath, DEFAULT_LIMITS)] = fake
    try:
        assert pipeline._read(spath, DEFAULT_LIMITS) == ("sha-from-first-pass", [], [])
        # Other limits are another reading.
        other = ReadLimits(timeout_s=DEFAULT_LIMITS.timeout_s + 1)
        assert pipeline._read(spath, other) == (*read_documents(spath, other), None)
        _docx(f, ["青山乡工会2020年工作总结", "二、存在问题", "经费不足"])  # changed
        fresh = (*read_documents(spath, DEFAULT_LIMITS), None)
        assert pipeline._read(spath, DEFAULT_LIMITS) == fresh
        # Rewritten with its size and modification time put back (cp -p, rsync -t): the
        # status-change time still tells.
        t = tmp_path / "t.txt"
        t.write_text("甲乙丙", encoding="utf-8")
        before = os.stat(t)
        pipeline._preread[(str(t), DEFAULT_LIMITS)] = (pipeline._stamp(str(t)), "old", [], [])
        time.sleep(0.01)
        t.write_text("丁戊己", encoding="utf-8")
        os.utime(t, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert os.stat(t).st_size == before.st_size
        assert pipeline._read(str(t), DEFAULT_LIMITS)[0] != "old"
    finally:
        pipeline._preread.clear()


def test_second_pass_reuses_what_the_first_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file is read once per ingest (the first pass hands it to the second); the store
    is the same as when every file is read twice."""
    from corpus import pipeline
    from corpus.store import CorpusStore
    from scripts.ingest_digest import table_digests

    src = tmp_path / "src"
    text = REPORTS_A[0]["text"]
    _docx(src / "a.docx", text.split("\n"))
    (src / "b.txt").write_text(REPORTS_A[1]["text"], encoding="utf-8")
    reads = tmp_path / "reads.log"
    real_read = pipeline.read_documents

    def counting(path: str, limits: object) -> object:
        with reads.open("a") as fh:  # the workers are forked processes: count in a file
            fh.write(Path(path).name + "\n")
        return real_read(path, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "read_documents", counting)

    class NoPreread(BoundedPool):  # type: ignore[type-arg]
        forks = False  # as for Ray: the first pass hands nothing on

    digests = []
    for preread in (True, False):
        reads.write_text("")
        with CorpusStore(tmp_path / f"data-{preread}") as store:
            pool = BoundedPool if preread else NoPreread
            summary = pipeline.ingest([src], store, workers=1, pool=pool)
            assert summary.files_read == 2
            digests.append(table_digests(store))
        counts = Counter(reads.read_text().split())
        assert counts == {"a.docx": 1 if preread else 2, "b.txt": 1 if preread else 2}
        assert pipeline._preread == {}
    assert digests[0] == digests[1]


def test_path_resolver_equals_path_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus.pipeline import PathResolver

    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "a.txt").write_text("甲")
    (real / "b.txt").write_text("乙")
    (tmp_path / "linkdir").symlink_to(real)
    (real / "link.txt").symlink_to(real / "sub" / "a.txt")
    (real / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    monkeypatch.chdir(real)
    paths = [
        real / "b.txt",
        real / "sub" / "a.txt",
        tmp_path / "linkdir" / "b.txt",
        tmp_path / "linkdir" / "sub" / "a.txt",
        real / "link.txt",
        real / "dangling.txt",
        real / "missing.txt",
        real / "sub" / ".." / "b.txt",
        real / "sub" / ".",
        real / "sub" / "",
        Path("b.txt"),
        Path("./sub/a.txt"),
        Path("sub/../b.txt"),
        Path("../linkdir/sub/a.txt"),
    ]
    resolve = PathResolver()
    for p in paths * 2:  # the second round comes from the folder cache
        assert resolve(p) == str(p.resolve()), p
        assert resolve(str(p)) == str(Path(str(p)).resolve()), p


@pytest.mark.parametrize(
    ("folder", "path", "inside"),
    [
        ("/data", "/data", True),
        ("/data", "/data/a.txt", True),
        ("/data", "/data2/a.txt", False),
        ("/data", "/dat", False),
        ("/", "/x", True),
    ],
)
def test_under_equals_is_relative_to(folder: str, path: str, inside: bool) -> None:
    from corpus.pipeline import _under

    assert _under(Path(folder))(path) is inside
    assert Path(path).is_relative_to(folder) is inside


def test_json_lists_written_as_the_encoder_writes_them() -> None:
    import json

    from corpus.store import _json_list

    rng = random.Random(4)
    pieces = ["工会", "一、", '"', "\\", "\n", "\t", "\x00", "\x1f", "\u2028", "é", "a b", ",", ""]
    lists = [[]] + [
        ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) for _ in range(k)]
        for k in [rng.randint(1, 4) for _ in range(3000)]
    ]
    for values in lists:
        assert _json_list(values) == json.dumps(values, ensure_ascii=False), values
