"""Corpus fidelity: how well stored reports match hand-read labels (``jiejian eval-corpus``).

Labels are JSON lines, one per source file: ``file`` (relative to the labels file), and any
of ``title, jurisdiction, jurisdiction_path (› separated), level, year, doc_type``; ``accept``
maps a field to further values that also count as right (a text that allows two readings).
A label's ``year`` is the year the report reviews.

Noise is checked with the patterns below. They are deliberately *not* the cleaner's rules:
they describe what a reader would call page furniture, so the check can fail where the
cleaner's own features miss something. Prose retention reads each labelled raw file again
and looks for every prose sentence in what was stored, so a cleaner that removes report text
shows up as lost sentences.

Files are split in label order: odd positions (1st, 3rd, …) are the *tune* half, even ones
the *check* half, so rules tuned on one half can be checked on the other.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.models import DecodedFile
from corpus.readers import read_file
from corpus.script import to_simplified
from corpus.store import CorpusStore
from corpus.textnorm import normalize_chars

FIELDS = ("title", "jurisdiction", "jurisdiction_path", "level", "year", "doc_type")
HALVES = ("all", "tune", "check")

# Page furniture a reader would point at, by class (evaluation only; see module docstring).
NOISE_CHECKS: dict[str, re.Pattern[str]] = {
    "breadcrumb": re.compile(r"您的位置|当前位置|首页\s*[>›»]|\S{1,12}\s*[>›»]\s*\S{1,12}\s*[>›»]"),
    "controls": re.compile(
        r"字[号体][:：]?\s*[【\[]?\s*(?:加大|大|中|小|默认)|(?:下载|打印|全屏|收藏|分享)"
        r"\s+(?:下载|打印|全屏|收藏|分享)|分享到|关闭窗口|返回顶部|打印本页"
    ),
    "download_notice": re.compile(
        r"(?:点击|免费|立即)下载|下载(?:文档|本文|地址|券)|文档(?:格式|大小|页数)|本文档?由"
        r"|上传(?:时间|者)|版权(?:所有|声明|归|有争议)|Copyright|©|文秘网|范文网|文库(?![》”」])"
        r"|(?<!问)题库|下载前|放心下载|联系客服|向本站|著作权法|公有领域|public domain",
        re.IGNORECASE,
    ),
    "url": re.compile(r"https?://|www\.|\b[a-z0-9-]{2,}\.(?:com|cn|net|org)\b", re.IGNORECASE),
    "page_counter": re.compile(r"第\s*\d+\s*页|共\s*\d+\s*页|\d+\s*/\s*\d+\s*页"),
    "datetime": re.compile(r"\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}日?\s*\d{1,2}:\d{2}"),
    "source_meta": re.compile(
        r"(?:来源|作者|责任编辑|编辑|发布时间|发布日期|浏览次数|阅读量|点击数|热度)[:：]"
    ),
    "pinyin": re.compile(r"[\u4e00-\u9fff][（(][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]"),
    "hidden_text": re.compile(r"此处隐藏|隐藏\d+个字"),
    # A news page's trailers: a "related" heading on a line of its own, a scan or click prompt.
    "related_links": re.compile(
        r"^\W*相关(?:报道|新闻|阅读|链接|文章|推荐|专题|视频|稿件)\W*$", re.MULTILINE
    ),
    "prompt": re.compile(
        r"^\W*(?:扫一扫|扫描二维码|点击(?:图片|进入|查看|这里|此处))[^。，；！？\n]{0,16}$",
        re.MULTILINE,
    ),
    "aggregator": re.compile(
        r"小编|以下是.{0,12}(?:为|整理)|仅供参考|欢迎(?:阅读|下载|分享)|精选\d+篇|热选\d+篇"
        r"|希望.{0,10}(?:对|能).{0,8}帮助|(?:总结|报告)是(?:指)?.{0,120}书面材料|下面是.{0,10}整理"
    ),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NON_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_SENTENCE = re.compile(r"[^。！？；]+[。！？；]")
_TITLE_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)
PROSE_MIN_CJK = 15


def noise_classes(text: str) -> list[str]:
    return [name for name, pattern in NOISE_CHECKS.items() if pattern.search(text)]


def _norm_title(value: str | None) -> str | None:
    if not value:
        return None
    return _TITLE_STRIP.sub("", to_simplified(value)) or None


def _norm(field_name: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if field_name == "title":
        return _norm_title(value)
    if field_name == "jurisdiction_path":
        parts = value if isinstance(value, list) else re.split(r"\s*[›>]\s*", str(value))
        return "›".join(to_simplified(p) for p in parts if p)
    if field_name == "jurisdiction":
        return to_simplified(str(value))
    if field_name == "year":
        return int(value)
    return value


def _accepted(label: dict[str, Any], field_name: str) -> set[Any]:
    values = [label.get(field_name), *label.get("accept", {}).get(field_name, [])]
    out = {_norm(field_name, v) for v in values}
    if label.get("level") == "national" and field_name in ("jurisdiction", "jurisdiction_path"):
        # The shared labels' README: a vocabulary without a national level answers null.
        out.add(None)
    return out


@dataclass
class FieldTally:
    right: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class HalfResult:
    files: int = 0
    fields: dict[str, FieldTally] = field(default_factory=lambda: {f: FieldTally() for f in FIELDS})
    invented_places: int = 0
    split_errors: int = 0  # files whose report count differs from the label's
    passages: int = 0
    noisy_passages: int = 0
    noise: Counter[str] = field(default_factory=Counter)
    prose_sentences: int = 0
    prose_lost: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "accuracy": {f: round(t.accuracy, 4) for f, t in self.fields.items()},
            "counts": {f: [t.right, t.total] for f, t in self.fields.items()},
            "invented_places": self.invented_places,
            "split_errors": self.split_errors,
            "passages": self.passages,
            "noisy_passages": self.noisy_passages,
            "noise_by_class": dict(self.noise),
            "prose_sentences": self.prose_sentences,
            "prose_lost": self.prose_lost,
        }


@dataclass
class CorpusEval:
    halves: dict[str, HalfResult]
    misses: list[dict[str, Any]]
    noise_examples: list[dict[str, Any]]
    lost_examples: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "halves": {k: v.as_dict() for k, v in self.halves.items()},
            "misses": self.misses,
            "noise_examples": self.noise_examples,
            "lost_prose_examples": self.lost_examples,
        }


def load_labels(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or "file" not in row:
            raise ValueError(f"{path}:{n}: each line needs a 'file' field")
        rows.append(row)
    if not rows:
        raise ValueError(f"{path}: no labels")
    return rows


def prose_sentences(raw_text: str) -> list[str]:
    """Sentences of report prose in a raw file: CJK-only keys of sentences that read as
    text (long enough, ending in sentence punctuation, no furniture by the checks above)."""
    out = []
    for line in normalize_chars(raw_text).split("\n"):
        for m in _SENTENCE.finditer(line):
            sentence = m.group()
            if noise_classes(sentence):
                continue
            key = _NON_CJK.sub("", to_simplified(sentence))
            if len(key) >= PROSE_MIN_CJK:
                out.append(key)
    return out


def _stored_key(texts: list[str]) -> str:
    return _NON_CJK.sub("", to_simplified("".join(texts)))


def evaluate_corpus(store: CorpusStore, labels_path: Path) -> CorpusEval:
    labels = load_labels(labels_path)
    base = labels_path.resolve().parent
    halves = {h: HalfResult() for h in HALVES}
    misses: list[dict[str, Any]] = []
    noise_examples: list[dict[str, Any]] = []
    lost_examples: list[dict[str, Any]] = []
    for i, label in enumerate(labels):
        path = (base / label["file"]).resolve()
        records = store.reports_of_source(str(path), with_text=True)
        targets = [halves["all"], halves["tune" if i % 2 == 0 else "check"]]
        first = records[0] if records else None
        got = {
            "title": first.title if first else None,
            "jurisdiction": first.jurisdiction if first else None,
            "jurisdiction_path": first.jurisdiction_path if first else None,
            "level": first.level if first else None,
            "year": first.year if first else None,
            "doc_type": first.doc_type if first else None,
        }
        expected_reports = label.get("n_reports_in_file", 1)
        for h in targets:
            h.files += 1
            if len(records) != expected_reports:
                h.split_errors += 1
        for f in FIELDS:
            if f not in label:
                continue
            ok = _norm(f, got[f]) in _accepted(label, f)
            for h in targets:
                h.fields[f].total += 1
                h.fields[f].right += ok
            if not ok:
                misses.append(
                    {"file": label["file"], "field": f, "expected": label.get(f), "got": got[f]}
                )
        ok_places = _accepted(label, "jurisdiction")
        if got["jurisdiction"] and None in ok_places:
            invented = _norm("jurisdiction", got["jurisdiction"]) not in ok_places
            for h in targets:
                h.invented_places += invented
        passages = [p for r in records for p in store.passages_of(r.report_id)]
        for p in passages:
            classes = noise_classes(p.text)
            for h in targets:
                h.passages += 1
                h.noisy_passages += bool(classes)
                h.noise.update(classes)
            if classes and len(noise_examples) < 50:
                noise_examples.append(
                    {"file": label["file"], "classes": classes, "passage": p.text[:200]}
                )
        raw = read_file(path) if path.is_file() else None
        if isinstance(raw, DecodedFile):
            stored = _stored_key([r.text or "" for r in records])
            sentences = prose_sentences(raw.text)
            lost = [s for s in sentences if s not in stored]
            for h in targets:
                h.prose_sentences += len(sentences)
                h.prose_lost += len(lost)
            for s in lost[:3]:
                if len(lost_examples) < 50:
                    lost_examples.append({"file": label["file"], "sentence": s[:120]})
    return CorpusEval(halves, misses, noise_examples, lost_examples)
