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
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import MinHash
# datasketch is imported where a MinHash is made: its package imports scipy.integrate and
# more (~1 CPU-s), which every server worker paid through the store, and reads never hash.

NUM_PERM = 64
BANDS = 8  # 8 bands x 8 rows: pairs above ~0.77 Jaccard collide in at least one band
ROWS = NUM_PERM // BANDS
SHINGLE = 5
SEED = 1
SCHEME = "affine32"  # 32-bit shingle hashes
THRESHOLD = 0.8
_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _permutations() -> np.ndarray:
    """datasketch's affine32 permutations (a odd, b any 32-bit value) for NUM_PERM and SEED,
    drawn the way its ``MinHash._init_permutations`` draws them; a test checks they equal
    ``MinHash(...).permutations``. Made here rather than through datasketch: importing it
    (scipy.integrate and more) cost each ingest worker about 1 CPU-s, a third of the CPU of
    ingesting the real reports with one worker."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return np.array([a, b])


def _identity(x: int) -> int:
    return x


def shingle_hashes(simplified: str) -> np.ndarray:
    """32-bit hashes of the character 5-grams, computed with numpy instead of one Python call
    per shingle (the shingles are never materialised as strings)."""
    s = _STRIP.sub("", simplified)
    if not s:
        return np.zeros(0, dtype=np.uint32)
    cps = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cps) < SHINGLE:
        cps = np.concatenate([cps, np.zeros(SHINGLE - len(cps), dtype=np.uint64)])
    return _shingle_polynomial(cps)


def _shingle_polynomial(cps: np.ndarray) -> np.ndarray:
    """The hash of each run of SHINGLE code points (uint64, at least SHINGLE of them): a
    polynomial in 1_000_003 wrapping modulo 2**64, folded, low 32 bits. Computed in place
    from the first term (0 * c + x is x)."""
    n = len(cps) - SHINGLE + 1
    h = cps[:n].copy()
    for k in range(1, SHINGLE):
        h *= np.uint64(1_000_003)
        h += cps[k : k + n]
    h ^= h >> np.uint64(29)
    return h.astype(np.uint32)  # the cast keeps the low 32 bits


def _fmix32(h: np.ndarray) -> np.ndarray:
    # MurmurHash3's 32-bit finaliser, as datasketch's affine32 scheme applies it before the
    # affine permutations (tests compare with datasketch's own update_batch).
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


_BLOCK = 16_384  # shingles permuted at once: 16k x 64 x 4 bytes = 4 MB


def _permuted(hv: np.ndarray) -> np.ndarray:
    """(NUM_PERM, n) permuted hash values of n shingle hashes (uint32 arithmetic wraps): a
    row per permutation, so that its minimum over a run of shingles is taken along
    contiguous memory (twice as fast as the (n, NUM_PERM) layout for a report and its
    passages)."""
    a, b = _permutations()
    with np.errstate(over="ignore"):
        out = a.reshape(-1, 1) * _fmix32(hv)
        out += b.reshape(-1, 1)  # in place: one array fewer to allocate and fill
        return out


def _min_values(hv: np.ndarray) -> np.ndarray:
    values = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    for i in range(0, len(hv), _BLOCK):
        np.minimum(values, _permuted(hv[i : i + _BLOCK]).min(axis=1), out=values)
    return values


def _from_values(values: np.ndarray) -> MinHash:
    from datasketch import MinHash

    return MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=_identity,
        permutations=_permutations(),
        scheme=SCHEME,
        hashvalues=values,
    )


def signature(simplified: str) -> MinHash:
    return _from_values(_min_values(shingle_hashes(simplified)))


def signature_values(simplified: str) -> np.ndarray:
    return _min_values(shingle_hashes(simplified))


_STRIP_ONE = re.compile(r"[\s\W_]", re.UNICODE)


def signatures_with_parts(
    simplified: str, spans: list[tuple[int, int]]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """``signature_values`` of ``simplified`` and of each ``simplified[a:b]``, hashing every
    shingle once: a passage's shingles are a run of the report's shingles (the stripped
    characters are removed one by one, so a slice strips to a slice), and its minimum per
    permutation is taken over that run of the report's permuted rows. Passages used to be
    hashed and permuted again on their own, doubling the MinHash work."""
    marked = _STRIP_ONE.sub("\0", simplified)  # same length; stripped characters become NUL
    cps = np.frombuffer(marked.encode("utf-32-le"), dtype=np.uint32)
    keep = cps != 0
    kept = cps[keep].astype(np.uint64)
    if len(kept) < SHINGLE:  # padded shingles: nothing to share
        return signature_values(simplified), [signature_values(simplified[a:b]) for a, b in spans]
    n = len(kept) - SHINGLE + 1
    hv = _shingle_polynomial(kept)
    prefix = np.concatenate([[0], np.cumsum(keep)])
    top = np.iinfo(np.uint32).max
    report = np.full(NUM_PERM, top, dtype=np.uint32)
    parts: list[np.ndarray] = []
    rows: list[tuple[int, int, int]] = []  # (part, first row, end row) sharing the report's
    for a, b in spans:
        ka, kb = int(prefix[a]), int(prefix[b])
        if kb - ka < SHINGLE:
            parts.append(signature_values(simplified[a:b]))
        else:
            rows.append((len(parts), ka, kb - SHINGLE + 1))
            parts.append(np.full(NUM_PERM, top, dtype=np.uint32))
    for lo in range(0, n, _BLOCK):
        hi = min(n, lo + _BLOCK)
        permuted = _permuted(hv[lo:hi])  # a row per permutation: minima along rows
        np.minimum(report, permuted.min(axis=1), out=report)
        for i, r0, r1 in rows:
            s, e = max(r0, lo), min(r1, hi)
            if s < e:
                np.minimum(parts[i], permuted[:, s - lo : e - lo].min(axis=1), out=parts[i])
    return report, parts


def band_keys_of(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (SQLite integers are signed)."""
    raw = np.asarray(values, dtype=np.uint64).tobytes()  # sliced as bytes: no array per band
    width = ROWS * 8
    keys = []
    for b in range(BANDS):
        digest = hashlib.blake2b(
            bytes([b]) + raw[b * width : (b + 1) * width], digest_size=8
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def band_keys(mh: MinHash) -> list[int]:
    return band_keys_of(mh.hashvalues)


def similarity(a: MinHash, b: MinHash) -> float:
    return float(a.jaccard(b))


def values_similarity(a: bytes | np.ndarray, b: bytes | np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures stored as uint32 bytes."""
    va = np.frombuffer(a, dtype=np.uint32) if isinstance(a, bytes) else a
    vb = np.frombuffer(b, dtype=np.uint32) if isinstance(b, bytes) else b
    return float(np.count_nonzero(va == vb)) / NUM_PERM
