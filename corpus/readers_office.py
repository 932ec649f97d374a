"""Word 97-2003 ``.doc`` and Kingsoft ``.wps`` through a Debian converter.

Chosen by measurement on Chinese text (see the closing note of issue 11): ``catdoc`` recovered
the seed report's characters exactly, in 3 ms, installs in 0.7 MB and writes table rows as
tab-separated cells, the form the docx reader uses. ``antiword`` is as exact but pads tables
into ASCII boxes; LibreOffice headless is as exact but takes ~1.5 s a file and 264 MB. The
others are fallbacks when catdoc is missing or gives nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from corpus.limits import ReadLimits
from corpus.readers import ReadError


class ConverterMissing(ReadError):
    pass


def _catdoc(path: Path, out_dir: Path, timeout: float) -> str:
    # -d utf-8: output charset; -w: no line wrapping (paragraphs stay one line)
    run = subprocess.run(
        ["catdoc", "-d", "utf-8", "-w", str(path)],
        capture_output=True,
        timeout=timeout,
        check=True,
    )
    return run.stdout.decode("utf-8", errors="replace")


def _antiword(path: Path, out_dir: Path, timeout: float) -> str:
    run = subprocess.run(
        ["antiword", "-m", "UTF-8.txt", "-w", "0", str(path)],
        capture_output=True,
        timeout=timeout,
        check=True,
    )
    return run.stdout.decode("utf-8", errors="replace")


def _soffice(path: Path, out_dir: Path, timeout: float) -> str:
    # A private profile per call: concurrent soffice processes sharing one profile block.
    profile = out_dir / "profile"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            str(out_dir),
            str(path),
        ],
        capture_output=True,
        timeout=timeout,
        check=True,
    )
    return (out_dir / (path.stem + ".txt")).read_text("utf-8", errors="replace").lstrip("\ufeff")


CONVERTERS = (("catdoc", _catdoc), ("antiword", _antiword), ("soffice", _soffice))


def available_converters() -> list[str]:
    return [name for name, _ in CONVERTERS if shutil.which(name)]


def doc_to_text(data: bytes, limits: ReadLimits) -> str:
    """Text of a Word binary document; raises ValueError with the reason when none works."""
    names = available_converters()
    if not names:
        raise ConverterMissing(
            "no .doc/.wps converter installed (apt-get install catdoc, or antiword, or "
            "libreoffice-writer-nogui)"
        )
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="jiejian-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        for name, convert in CONVERTERS:
            if name not in names:
                continue
            try:
                text = convert(src, Path(tmp), limits.timeout_s)
            except subprocess.TimeoutExpired:
                errors.append(f"{name} timed out")
                continue
            except (subprocess.CalledProcessError, OSError) as exc:
                detail = getattr(exc, "stderr", b"") or b""
                errors.append(f"{name}: {detail.decode(errors='replace').strip()[:120] or exc}")
                continue
            text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
            if text.strip():
                return text
            errors.append(f"{name}: no text")
    raise ValueError("; ".join(errors) or "no text")


__all__ = ["ConverterMissing", "available_converters", "doc_to_text"]
