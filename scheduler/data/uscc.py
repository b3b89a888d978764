"""Unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters: registration authority (1), entity category (1), administrative
division (6), organisation code (9, the last of which is its own GB 11714 check
character) and a final check character over the first 17.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ALPHABET",
    "check_character",
    "is_valid",
    "invalid_reason",
    "valid_mask",
    "valid_mask_ascii",
    "make",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of GB 32100 (no I, O, S, V, Z); a character's value is its index."""

_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_LOOKUP = np.full(256, -1, dtype=np.int64)
for _c, _v in _VALUE.items():
    _LOOKUP[ord(_c)] = _v
_LOOKUP16 = _LOOKUP.astype(np.int16)
_WEIGHTS16 = _WEIGHTS.astype(np.int16)


def check_character(first17: str) -> str:
    """The 18th character for the given first 17 characters."""
    total = sum(_VALUE[c] * int(w) for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def invalid_reason(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or ``None`` if it is valid."""
    if len(code) != 18:
        return f"USCC must have 18 characters; got {len(code)} in {code!r}"
    bad = [c for c in code if c not in _VALUE]
    if bad:
        return f"USCC {code!r} has characters outside GB 32100: {''.join(sorted(set(bad)))!r}"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"USCC {code!r} has check character {code[17]!r}; expected {expected!r}"
    return None


def is_valid(code: str) -> bool:
    return invalid_reason(code) is None


def valid_mask(codes: np.ndarray | list[str]) -> np.ndarray:
    """Vectorised validity test for many codes at once (a million in well under a second)."""
    arr = np.asarray(codes, dtype=object)
    n = arr.shape[0]
    if n == 0:
        return np.zeros(0, dtype=bool)
    # fixed-width unicode: one C-level conversion, then code points as a (n, 19) array;
    # 19 wide so that a longer code is seen as too long, not truncated to 18
    text = arr.astype("U19")
    lengths = np.strings.str_len(text)
    points = text.view(np.uint32).reshape(n, 19)[:, :18]
    mask: np.ndarray = (lengths == 18) & valid_mask_ascii(np.minimum(points, 255).astype(np.uint8))
    return mask


def valid_mask_ascii(chars: np.ndarray) -> np.ndarray:
    """Validity of codes given as an ``(n, 18)`` ``uint8`` array of their bytes.

    The zero-copy path for text already held as bytes (e.g. an Arrow column).
    """
    values = _LOOKUP16[chars]  # int16: 17 * 30 * 30 < 2**15, a quarter of int64's traffic
    ok = (values >= 0).all(axis=1)
    total = values[:, :17] @ _WEIGHTS16
    expected = (31 - total % 31) % 31
    mask: np.ndarray = ok & (values[:, 17] == expected)
    return mask


def make(
    rng: np.random.Generator, n: int, region_codes: np.ndarray, category: np.ndarray
) -> np.ndarray:
    """Generate ``n`` valid, random USCCs for sample data.

    ``category`` holds the two leading characters per code (e.g. ``"91"`` for an
    enterprise registered by market regulation, ``"92"`` for an individual
    business, ``"93"`` for a farmers' cooperative).
    """
    body = rng.integers(0, 31, size=(n, 9))
    # organisation code digits are restricted to 0-9A-Z without I/O/S/V/Z in practice
    alphabet = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
    head = np.char.add(np.asarray(category, dtype=str), np.asarray(region_codes, dtype=str))
    head_bytes = np.frombuffer(head.astype("S8").tobytes(), dtype=np.uint8).reshape(n, 8)
    chars17 = np.concatenate([head_bytes, alphabet[body]], axis=1)
    values = _LOOKUP[chars17]
    check = (31 - (values * _WEIGHTS).sum(axis=1) % 31) % 31
    full = np.concatenate([chars17, alphabet[check][:, None]], axis=1)
    return np.frombuffer(full.tobytes(), dtype="S18").astype(str)
