"""Hostile files are skipped with a reason under the read limits, and never stop a batch."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

import corpus.readers as readers
from corpus.limits import ReadLimits
from corpus.models import DecodedFile, SkippedFile
from corpus.pipeline import ingest
from corpus.readers import read_documents, read_file
from corpus.store import CorpusStore
from tests import hostile_inputs as H

GOOD = "凤凰镇工会2019年工作总结\n一、主要做法\n我镇工会积极开展送温暖活动，慰问困难职工120户。\n"


def _skipped(path: Path, limits: ReadLimits | None = None) -> str:
    t0 = time.perf_counter()
    doc = read_file(path, limits or ReadLimits())
    assert time.perf_counter() - t0 < 30
    assert isinstance(doc, SkippedFile), doc
    return doc.reason


def test_docx_paragraph_bomb(tmp_path: Path) -> None:
    path = H.docx_paragraph_bomb(tmp_path)
    assert path.stat().st_size < 2 * 2**20  # small on disk...
    reason = _skipped(path)
    assert "over the limit" in reason and "document.xml" in reason and "MAX_XML_MB" in reason


def test_docx_many_parts_bomb(tmp_path: Path) -> None:
    reason = _skipped(
        H.docx_many_parts_bomb(tmp_path, parts=5, mb_each=20), ReadLimits(max_unzipped_mb=64)
    )
    assert "decompressed" in reason and "MAX_UNZIPPED_MB" in reason


def test_docx_under_limits_still_reads(tmp_path: Path) -> None:
    path = H.docx_paragraph_bomb(tmp_path, mb=2)
    doc = read_file(path)
    assert isinstance(doc, DecodedFile) and "送温暖" in doc.text
    assert "MAX_CHARS" in _skipped(path, ReadLimits(max_chars=100_000))


def test_long_single_line_text(tmp_path: Path) -> None:
    reason = _skipped(H.txt_single_line(tmp_path, mb=50))
    assert "over the limit" in reason and "MAX_CHARS" in reason


def test_text_over_char_limit_after_decoding(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(GOOD * 100, encoding="utf-8")
    assert isinstance(read_file(path), DecodedFile)
    assert "characters" in _skipped(path, ReadLimits(max_chars=4000))


def test_pdf_huge_page_count(tmp_path: Path) -> None:
    path = H.pdf_huge_page_count(tmp_path)
    assert path.stat().st_size < 700_000
    reason = _skipped(path)
    assert "PDF pages 99000 > 2000" in reason and "MAX_PDF_PAGES" in reason


@pytest.mark.parametrize("maker", [H.docx_billion_laughs, H.ofd_billion_laughs])
def test_billion_laughs_is_not_expanded(tmp_path: Path, maker) -> None:  # type: ignore[no-untyped-def]
    reason = _skipped(maker(tmp_path))
    assert reason  # skipped (no text / no pages / unreadable), quickly, with bounded memory
    assert "lol" * 50 not in reason


@pytest.mark.parametrize("ext", H.RANDOM_EXTENSIONS)
def test_random_bytes(tmp_path: Path, ext: str) -> None:
    reason = _skipped(H.random_bytes(tmp_path, ext, size=256 * 1024))
    assert reason


def test_nested_zip_depth(tmp_path: Path) -> None:
    path = H.zip_bomb_nested(tmp_path, depth=3)
    _, docs = read_documents(path, ReadLimits(max_archive_depth=2))
    assert len(docs) == 1 and isinstance(docs[0], SkippedFile)
    assert "MAX_ARCHIVE_DEPTH" in docs[0].reason
    _, docs = read_documents(path, ReadLimits(max_archive_depth=3))
    assert isinstance(docs[0], DecodedFile)
    assert docs[0].path == f"{path}/level1.zip/level0.zip/report.txt"


# ----- the worker bounds: time, memory, crashes; the batch goes on -------------------------


def _slow(data: bytes, limits: ReadLimits) -> readers.Extracted:
    if b"HANG" in data:
        time.sleep(120)
    if b"GREEDY" in data:
        hog = [bytearray(2**20) for _ in range(4096)]  # 4 GB
        del hog
    if b"CRASH" in data:
        os.kill(os.getpid(), signal.SIGKILL)
    return readers.Extracted(data.decode())


@pytest.mark.parametrize("workers", [1, 2])
def test_hostile_file_never_stops_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setitem(readers.READERS, "txt", _slow)  # the forked workers inherit it
    src = tmp_path / "src"
    src.mkdir()
    for i in range(6):
        (src / f"good{i}.txt").write_text(GOOD.replace("2019", str(2010 + i)), encoding="utf-8")
    (src / "a_hang.txt").write_text(GOOD + "HANG", encoding="utf-8")
    (src / "b_greedy.txt").write_text(GOOD + "GREEDY", encoding="utf-8")
    (src / "c_crash.txt").write_text(GOOD + "CRASH", encoding="utf-8")
    with CorpusStore(tmp_path / "data") as store:
        t0 = time.perf_counter()
        s = ingest([src], store, workers=workers, limits=ReadLimits(timeout_s=2, memory_mb=512))
        assert time.perf_counter() - t0 < 60
        assert s.files_read == 6, s.skipped and store.counts()["reports"] == 6
        reasons = dict(s.skipped)
        assert "time limit" in reasons[str(src / "a_hang.txt")]
        assert "memory" in reasons[str(src / "b_greedy.txt")]
        assert "signal 9" in reasons[str(src / "c_crash.txt")]
        assert [o["path"] for o in s.outcomes] == sorted(str(p) for p in src.iterdir())


def test_chunks_group_small_text_files_and_keep_order(tmp_path: Path) -> None:
    from corpus.limits import DEFAULT_LIMITS
    from corpus.passages import ChunkParams
    from corpus.pipeline import CHUNK_FILES, chunk_jobs

    names = [f"{i:02d}.txt" for i in range(CHUNK_FILES + 2)]
    names[3] = "03.pdf"  # a format that can be slow travels alone
    names[5] = "05_big.txt"
    for name in names:
        (tmp_path / name).write_bytes(b"x" * (300_000 if "big" in name else 100))
    jobs = [(str(tmp_path / n), ChunkParams(), DEFAULT_LIMITS) for n in names]
    chunks = chunk_jobs(jobs)
    assert [j for c in chunks for j in c] == jobs  # order kept
    sizes = [len(c) for c in chunks]
    assert sizes == [3, 1, 1, 1, CHUNK_FILES - 4]
    # files of a chunk that failed in the first pass travel alone in the second
    alone = {jobs[1][0], jobs[7][0]}
    chunks = chunk_jobs(jobs, alone)
    assert [j for c in chunks for j in c] == jobs
    assert [len(c) for c in chunks] == [1, 1, 1, 1, 1, 1, 1, 1, CHUNK_FILES - 6]
