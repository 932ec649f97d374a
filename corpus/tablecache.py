"""A disk cache for tables built from package data files (the gazetteer), shared by every
ingest and server process of this user.

Building the gazetteer from jionlp's zipped location file takes ~0.23 CPU-s, and every ingest
builds it (about a tenth of the CPU of ingesting the 3.5 MB of real reports); reading the built
table back takes ~0.09. An entry lives in ``$XDG_CACHE_HOME/jiejian`` (default
``~/.cache/jiejian``) under a name derived from the source file's identity (path, size,
modification time) and the bytes of the module that builds it, so a new data file or new
parsing code reads as a miss and is built again.

Entries are ``marshal`` data (plain lists and strings): loading one runs no code, unlike
pickle. Any failure to read or write an entry only means the table is built as before; an
entry is published by temp name + fsync + rename, so a reader never sees half of one.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus.files import write_bytes

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jiejian"


def entry_key(name: str, source: Path, builder_file: str) -> str:
    """Names the entry for ``source`` as built by the code in ``builder_file``."""
    st = source.stat()
    h = hashlib.sha256()
    h.update(f"{name}\0{source.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    h.update(Path(builder_file).read_bytes())
    return f"{name}-{h.hexdigest()[:24]}.marshal"


def _read(path: Path) -> Any:
    try:
        return marshal.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError, MemoryError) as exc:
        log.info("table cache entry %s unreadable (%s): building the table", path, exc)
        return None


def _write(path: Path, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, marshal.dumps(value))
    except OSError as exc:  # read-only home, full disk: the built table serves all the same
        log.info("table cache entry %s not written (%s)", path, exc)


def cached(
    name: str,
    source: Path,
    builder_file: str,
    build: Callable[[], Any],
    valid: Callable[[Any], bool],
) -> Any:
    """The marshal-able value ``build()`` makes from ``source``, from the cache when an entry
    for this source and builder exists and passes ``valid``, else built and stored."""
    try:
        path = cache_dir() / entry_key(name, source, builder_file)
    except (OSError, RuntimeError):  # RuntimeError: no home directory (a uid without passwd)
        return build()
    value = _read(path)
    if value is not None and valid(value):
        return value
    value = build()
    _write(path, value)
    _drop_others(path, name)
    return value


def _drop_others(keep: Path, name: str) -> None:
    """Entries for an older source or builder are never read again: one entry per table."""
    try:
        for old in keep.parent.glob(f"{name}-*.marshal"):
            if old != keep:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.info("old table cache entries not removed (%s)", exc)
