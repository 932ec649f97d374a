"""Zip, 7z and rar archives: every member is read as a file of its own, with the archive path
as source.

Folders handed over between offices are zipped, often on Chinese Windows, whose zip tools
write member names in GBK without the UTF-8 flag; those names are recovered here. Bounds, the
same for every kind: member count and total decompressed size (checked on the declared sizes
before anything is inflated; for 7z and rar also counted while inflating) and nesting depth.

7z is read by py7zr (pure Python on PyPI, with compiled codecs from wheels); without it a 7z
file is skipped with the install hint. RAR is read by rarfile (pure Python, on PyPI): members
stored without compression it reads itself; compressed members it inflates through an external
tool, the free ``unar`` or ``bsdtar`` (Debian: ``apt install unar`` or ``libarchive-tools``) or
unrar. Without one, each compressed member is skipped with that hint. No free tool writes RAR,
so the tests build stored archives byte by byte.
"""

from __future__ import annotations

import importlib
import io
import zipfile
from pathlib import PurePosixPath
from typing import Any

from corpus.limits import LimitExceeded, ReadLimits, check_members, inflated_past
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
    from corpus.readers import check_zip

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
            fmt, problem = _member_format(name, info.file_size)
            if problem:
                out.append(SkippedFile(mpath, problem))
                continue
            if info.flag_bits & 0x1:
                out.append(SkippedFile(mpath, "encrypted zip member"))
                continue
            try:
                member = zf.read(info)
            except Exception as exc:  # CRC errors, unsupported compression, lying sizes
                out.append(SkippedFile(mpath, f"unreadable zip member: {exc}"))
                continue
            out.extend(_member_documents(mpath, member, fmt, limits, depth))
    return out


ARCHIVE_FORMATS = ("zip", "7z", "rar")
# Formats read by an optional library: its module, and the skip reason when it is missing.
_LIBRARIES = {
    "7z": ("py7zr", "7z archives need py7zr (pip install py7zr)"),
    "rar": ("rarfile", "RAR archives need rarfile (pip install rarfile)"),
}


def _member_format(name: str, size: int) -> tuple[str, str | None]:
    """The reader format of an archive member, and why it is not read (None: it is)."""
    from corpus.readers import EXTENSIONS  # corpus.readers imports this module

    ext = PurePosixPath(name).suffix.lower()
    if ext not in EXTENSIONS:
        return "", f"unsupported file type {ext or '(no extension)'}"
    if size == 0:
        return EXTENSIONS[ext], "empty file"
    return EXTENSIONS[ext], None


def read_archive(
    spath: str, data: bytes, fmt: str, limits: ReadLimits, depth: int
) -> list[DecodedFile | SkippedFile]:
    """The documents of a zip, 7z or rar archive (``fmt``)."""
    if fmt not in _LIBRARIES:
        return read_zip(spath, data, limits, depth)
    module, hint = _LIBRARIES[fmt]
    library = _optional(module)
    if library is None:
        return [SkippedFile(spath, hint)]
    reader = read_7z if fmt == "7z" else read_rar
    return reader(library, spath, data, limits, depth)


def _member_documents(
    mpath: str, member: bytes, declared: str, limits: ReadLimits, depth: int
) -> list[DecodedFile | SkippedFile]:
    """One archive member: a document, or an archive nested in the archive."""
    from corpus.readers import decode_document, sniff_format

    if declared in ARCHIVE_FORMATS and sniff_format(member) == declared:
        if depth >= limits.max_archive_depth:
            too_deep = LimitExceeded(
                "archive nesting", depth + 1, limits.max_archive_depth, "MAX_ARCHIVE_DEPTH"
            )
            return [SkippedFile(mpath, str(too_deep))]
        return read_archive(mpath, member, declared, limits, depth + 1)
    return [decode_document(mpath, member, declared, limits)]


def _check_7z(infos: list[Any], limits: ReadLimits) -> None:
    total = sum(int(i.uncompressed or 0) for i in infos if not i.is_directory)
    check_members("7z", len(infos), total, limits)


def _capped_factory(cap: int, limits: ReadLimits) -> Any:
    """A py7zr writer factory that keeps members in memory and stops the extraction once
    they hold more than ``cap`` bytes together: a 7z header may understate its sizes."""
    from py7zr.io import Py7zIO, WriterFactory

    class Writer(Py7zIO):
        def __init__(self, owner: Factory) -> None:
            self.owner = owner
            self.buf = io.BytesIO()

        def write(self, s: bytes | bytearray) -> int:
            self.owner.total += len(s)
            if self.owner.total > cap:
                raise inflated_past("7z", cap, limits)
            return self.buf.write(s)

        def read(self, size: int | None = None) -> bytes:
            return self.buf.read(size)

        def seek(self, offset: int, whence: int = 0) -> int:
            return self.buf.seek(offset, whence)

        def flush(self) -> None:
            pass

        def size(self) -> int:
            return self.buf.getbuffer().nbytes

    class Factory(WriterFactory):
        def __init__(self) -> None:
            self.total = 0
            self.products: dict[str, Writer] = {}

        def create(self, filename: str) -> Py7zIO:
            self.products[filename] = Writer(self)
            return self.products[filename]

    return Factory()


def _optional(module: str) -> Any:
    """An optional archive library, or None when it is not installed (its archives are then
    skipped with an install hint)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def read_7z(
    py7zr: Any, spath: str, data: bytes, limits: ReadLimits, depth: int
) -> list[DecodedFile | SkippedFile]:
    from corpus.readers import EXTENSIONS

    try:
        with py7zr.SevenZipFile(io.BytesIO(data), mode="r") as sz:
            if sz.needs_password():
                return [SkippedFile(spath, "encrypted 7z archive")]
            infos = sz.list()
            _check_7z(infos, limits)
            wanted = [
                i.filename
                for i in infos
                if not i.is_directory
                and not _skippable(i.filename)
                and PurePosixPath(i.filename).suffix.lower() in EXTENSIONS
                and i.uncompressed
            ]
            factory = _capped_factory(limits.max_unzipped_bytes, limits)
            if wanted:
                sz.extract(targets=wanted, factory=factory)
    except LimitExceeded as exc:
        return [SkippedFile(spath, str(exc))]
    except Exception as exc:  # py7zr raises many kinds on broken or unsupported archives
        return [SkippedFile(spath, f"unreadable 7z: {type(exc).__name__}: {exc}")]
    out: list[DecodedFile | SkippedFile] = []
    for info in infos:
        name = info.filename
        if info.is_directory or _skippable(name):
            continue
        mpath = f"{spath}/{name}"
        fmt, problem = _member_format(name, info.uncompressed or 0)
        if problem:
            out.append(SkippedFile(mpath, problem))
            continue
        got = factory.products.get(name)
        if got is None:
            out.append(SkippedFile(mpath, "unreadable 7z member"))
            continue
        member = got.buf.getvalue()
        out.extend(_member_documents(mpath, member, fmt, limits, depth))
    return out


_NO_RAR_TOOL = (
    "compressed RAR member: needs unar or bsdtar (Debian: apt install unar or "
    "libarchive-tools) or unrar"
)


def _read_rar_member(rf: Any, info: Any, budget: int, limits: ReadLimits) -> bytes:
    """A member's bytes, counted while they are read: a RAR header may understate sizes."""
    out = io.BytesIO()
    with rf.open(info) as fh:
        while chunk := fh.read(1 << 16):
            if out.tell() + len(chunk) > budget:
                raise inflated_past("rar", limits.max_unzipped_bytes, limits)
            out.write(chunk)
    return out.getvalue()


def read_rar(
    rarfile: Any, spath: str, data: bytes, limits: ReadLimits, depth: int
) -> list[DecodedFile | SkippedFile]:
    out: list[DecodedFile | SkippedFile] = []
    try:
        with rarfile.RarFile(io.BytesIO(data)) as rf:
            if rf.needs_password():
                return [SkippedFile(spath, "encrypted rar archive")]
            infos = [i for i in rf.infolist() if not i.is_dir()]
            if not infos:  # rarfile reads a damaged header as an archive with no members
                return [SkippedFile(spath, "unreadable rar: no members (empty or damaged)")]
            check_members("rar", len(infos), sum(int(i.file_size or 0) for i in infos), limits)
            budget = limits.max_unzipped_bytes
            for info in infos:
                name = info.filename
                if _skippable(name):
                    continue
                mpath = f"{spath}/{name}"
                fmt, problem = _member_format(name, int(info.file_size or 0))
                if problem:
                    out.append(SkippedFile(mpath, problem))
                    continue
                if info.needs_password():
                    out.append(SkippedFile(mpath, "encrypted rar member"))
                    continue
                try:
                    member = _read_rar_member(rf, info, budget, limits)
                except LimitExceeded:
                    raise
                except rarfile.RarCannotExec:
                    out.append(SkippedFile(mpath, _NO_RAR_TOOL))
                    continue
                except Exception as exc:  # CRC errors, a tool that fails, lying sizes
                    out.append(SkippedFile(mpath, f"unreadable rar member: {exc}"))
                    continue
                budget -= len(member)
                out.extend(_member_documents(mpath, member, fmt, limits, depth))
    except LimitExceeded as exc:
        return [SkippedFile(spath, str(exc))]
    except Exception as exc:  # rarfile raises many kinds on broken or unsupported archives
        return [SkippedFile(spath, f"unreadable rar: {type(exc).__name__}: {exc}")]
    return out
