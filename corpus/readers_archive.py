"""Zip archives: every member is read as a file of its own, with the archive path as source.

Folders handed over between offices are zipped, often on Chinese Windows, whose zip tools
write member names in GBK without the UTF-8 flag; those names are recovered here. Bounds:
member count and total decompressed size (``check_zip``) and nesting depth.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from corpus.limits import LimitExceeded, ReadLimits
from corpus.models import DecodedFile, SkippedFile

_UTF8_FLAG = 0x800


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: zipfile decodes names without the UTF-8 flag as cp437."""
    name = info.filename
    if info.flag_bits & _UTF8_FLAG:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return name


def _skippable(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def read_zip(
    spath: str, data: bytes, limits: ReadLimits, depth: int
) -> list[DecodedFile | SkippedFile]:
    from corpus.readers import EXTENSIONS, check_zip, decode_document, sniff_format

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return [SkippedFile(spath, f"unreadable zip: {exc}")]
    out: list[DecodedFile | SkippedFile] = []
    with zf:
        try:
            check_zip(zf, limits, "zip")
        except LimitExceeded as exc:
            return [SkippedFile(spath, str(exc))]
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = member_name(info)
            if _skippable(name):
                continue
            mpath = f"{spath}/{name}"
            ext = PurePosixPath(name).suffix.lower()
            if ext not in EXTENSIONS:
                out.append(SkippedFile(mpath, f"unsupported file type {ext or '(no extension)'}"))
                continue
            if info.file_size == 0:
                out.append(SkippedFile(mpath, "empty file"))
                continue
            if info.flag_bits & 0x1:
                out.append(SkippedFile(mpath, "encrypted zip member"))
                continue
            try:
                member = zf.read(info)
            except Exception as exc:  # CRC errors, unsupported compression, lying sizes
                out.append(SkippedFile(mpath, f"unreadable zip member: {exc}"))
                continue
            declared = EXTENSIONS[ext]
            if declared == "zip" and sniff_format(member) == "zip":
                if depth >= limits.max_archive_depth:
                    out.append(
                        SkippedFile(
                            mpath,
                            str(
                                LimitExceeded(
                                    "archive nesting",
                                    depth + 1,
                                    limits.max_archive_depth,
                                    "MAX_ARCHIVE_DEPTH",
                                )
                            ),
                        )
                    )
                else:
                    out.extend(read_zip(mpath, member, limits, depth + 1))
                continue
            out.append(decode_document(mpath, member, declared, limits))
    return out
