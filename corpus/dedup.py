"""Near-duplicate detection with MinHash (datasketch) and banded LSH keys.

Signatures are computed by datasketch over character 5-gram shingles of the simplified text
with punctuation and spaces removed, so a repost in the other script, with different
punctuation or a few edits, still matches. The band keys are what the store persists and
looks up (an LSH table in SQLite survives between ingest runs); a candidate is confirmed by
recomputing both signatures and comparing their estimated Jaccard similarity.
"""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
BANDS = 8  # 8 bands x 8 rows: pairs above ~0.77 Jaccard collide in at least one band
ROWS = NUM_PERM // BANDS
SHINGLE = 5
THRESHOLD = 0.8
_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


def _hash32(data: bytes) -> int:
    # crc32 is ample for shingle hashing and many times faster than datasketch's sha1 default.
    return zlib.crc32(data)


def shingles(simplified: str) -> list[bytes]:
    s = _STRIP.sub("", simplified)
    if len(s) <= SHINGLE:
        return [s.encode()] if s else []
    return [s[i : i + SHINGLE].encode() for i in range(len(s) - SHINGLE + 1)]


def signature(simplified: str) -> MinHash:
    mh = MinHash(num_perm=NUM_PERM, hashfunc=_hash32)
    sh = shingles(simplified)
    if sh:
        mh.update_batch(sh)
    return mh


def band_keys(mh: MinHash) -> list[int]:
    """One signed 64-bit key per band (SQLite integers are signed)."""
    values = np.asarray(mh.hashvalues, dtype=np.uint64)
    keys = []
    for b in range(BANDS):
        digest = hashlib.blake2b(
            bytes([b]) + values[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similarity(a: MinHash, b: MinHash) -> float:
    return float(a.jaccard(b))


def is_near_duplicate(a: MinHash, b: MinHash, threshold: float = THRESHOLD) -> bool:
    return similarity(a, b) >= threshold
