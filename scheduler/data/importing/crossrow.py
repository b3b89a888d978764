"""Checks that span the chunks of a streamed table, on compact arrays instead of whole frames.

``scheduler.data.importing.stream`` validates a file a chunk at a time; two
checks need rows of earlier chunks (or earlier tables):

- a natural key repeated in a later chunk: ``SeenKeys`` keeps one 64-bit hash
  and the spreadsheet row of each key seen (16 bytes a row, however wide the key);
- a reference to another table: ``KnownValues`` keeps the target column's values
  as one sorted array of UTF-8 bytes (18 bytes per USCC, not a Python ``str``).

A repeat within one chunk is still found exactly by ``cells.check_unique``.
Across chunks two different keys with the same 64-bit hash would be reported
as a repeat (chance about n^2 / 2^65: 1e-7 for 2.8M ratings, 1e-5 for 28M); a
load is then refused, never silently merged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SeenKeys", "KnownValues", "key_hashes"]


def key_hashes(keys: pd.DataFrame) -> np.ndarray:
    """A ``uint64`` per row, equal for equal keys, the same in every chunk and process."""
    hashed: np.ndarray = pd.util.hash_pandas_object(keys, index=False).to_numpy(np.uint64)
    return hashed


class SeenKeys:
    """The keys of a table's earlier chunks: sorted runs of (hash, first row), merged as they grow.

    Runs are merged like a binary counter, so ``n`` keys cost ``O(n log^2 n)``
    to keep and a lookup searches ``O(log n)`` runs.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def first_rows(self, hashes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Earlier row with the same key as each of ``hashes`` (-1: none); keeps the new ones."""
        first = np.full(len(hashes), -1, dtype=np.int64)
        for run_hashes, run_rows in self._runs:
            if not len(run_hashes):
                continue
            at = np.minimum(np.searchsorted(run_hashes, hashes), len(run_hashes) - 1)
            hit = (run_hashes[at] == hashes) & (first < 0)
            first[hit] = run_rows[at[hit]]
        new = first < 0
        order = np.argsort(hashes[new], kind="stable")
        self._runs.append((hashes[new][order], rows[new].astype(np.int64)[order]))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (h1, r1), (h2, r2) = self._runs.pop(-2), self._runs.pop()
            merged = np.concatenate([h1, h2])
            order = np.argsort(merged, kind="stable")
            self._runs.append((merged[order], np.concatenate([r1, r2])[order]))
        return first


def _utf8(values: pd.Series) -> np.ndarray:
    """Cells as a fixed-width bytes array (``S<n>``).

    Text of one length (USCCs) is read from Arrow's bytes with no Python
    object per cell; other text is encoded cell by cell.
    """
    if values.empty:
        return np.zeros(0, dtype="S1")
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = pa.array(values.array) if hasattr(values.array, "__arrow_array__") else None
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    if arrow is not None and arrow.null_count == 0:
        lengths = pc.min_max(pc.binary_length(arrow)).as_py()
        width = lengths["min"]
        if width == lengths["max"] and width > 0:
            fixed = arrow.cast(pa.binary(width))
            data = np.frombuffer(fixed.buffers()[1], dtype=f"S{width}")
            return data[fixed.offset : fixed.offset + len(fixed)].copy()
    encoded: np.ndarray = np.asarray(
        pd.Series(values.to_numpy(dtype=object)).str.encode("utf-8").to_numpy(dtype=object),
        dtype=np.bytes_,
    )
    return encoded


_MIX = np.uint64(0xBF58476D1CE4E5B9)


def _fixed_hashes(values: np.ndarray) -> np.ndarray:
    """A ``uint64`` per fixed-width bytes value: equal values, equal hashes.

    The bytes are read as 64-bit words and mixed (splitmix-style); no Python
    object per value. Within one width, equal values have equal bytes (numpy
    pads with NULs), so equal hashes are necessary for equality.
    """
    width = values.dtype.itemsize
    words = -(-width // 8)
    padded = np.zeros((len(values), words * 8), dtype=np.uint8)
    padded[:, :width] = np.ascontiguousarray(values).view(np.uint8).reshape(len(values), width)
    mixed = np.full(len(values), 0x9E3779B97F4A7C15, dtype=np.uint64)
    for word in padded.view(np.uint64).T:
        mixed ^= word
        mixed *= _MIX  # wraps modulo 2**64
        mixed ^= mixed >> np.uint64(31)
    return mixed


class KnownValues:
    """Every value of a column that other tables refer to (entities' USCCs, department codes...).

    Looked up by a 64-bit hash of the bytes (``searchsorted`` on integers) and
    then compared byte for byte, so the answer is exact; a value whose hash
    matches another known value's is looked up again in the sorted values.
    (Searching the sorted bytes directly, and ``np.unique`` of them, took about
    a third of the CPU of reading Weifang's ratings.)
    """

    def __init__(self) -> None:
        self._parts: list[np.ndarray] = []
        self._hashed: tuple[np.ndarray, np.ndarray] | None = None
        self._sorted: np.ndarray | None = None

    def add(self, values: pd.Series) -> None:
        self._parts.append(_utf8(values))
        self._hashed = None
        self._sorted = None

    def _all(self) -> np.ndarray:
        parts = [p for p in self._parts if len(p)]
        if not parts:
            return np.zeros(0, "S1")
        whole = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self._parts = [whole]
        return whole

    def _values(self) -> np.ndarray:
        """The values, sorted, each once."""
        if self._sorted is None:
            self._sorted = np.unique(self._all())
        return self._sorted

    def _by_hash(self) -> tuple[np.ndarray, np.ndarray]:
        """``(hashes, values)`` ordered by hash."""
        if self._hashed is None:
            values = self._all()
            hashes = _fixed_hashes(values)
            order = np.argsort(hashes)
            self._hashed = (hashes[order], values[order])
        return self._hashed

    def contains(self, values: pd.Series) -> np.ndarray:
        """Mask of ``values`` that are known."""
        hashes, known = self._by_hash()
        if not len(known) or values.empty:
            return np.zeros(len(values), dtype=bool)
        wanted = _utf8(values)
        width = known.dtype.itemsize
        fits = np.char.str_len(wanted) <= width
        cut = wanted.astype(known.dtype)  # (values longer than any known one are cut: see fits)
        asked = _fixed_hashes(cut)
        at = np.minimum(np.searchsorted(hashes, asked), len(hashes) - 1)
        found: np.ndarray = (known[at] == cut) & fits
        unsure = np.flatnonzero(~found & fits & (hashes[at] == asked))
        if len(unsure):  # another known value has the same hash: the exact search
            exact = self._values()
            where = np.minimum(np.searchsorted(exact, cut[unsure]), len(exact) - 1)
            found[unsure] = exact[where] == cut[unsure]
        return found

    def as_set(self) -> set[str]:
        """The values as Python ``str`` (for the small tables list cells refer to)."""
        return {v.decode("utf-8") for v in self._values().tolist()}
