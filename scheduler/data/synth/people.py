"""Synthetic Chinese personal names and mobile numbers."""

from __future__ import annotations

import numpy as np

from scheduler.data.synth.pick import choose, concat
from scheduler.data.synth.words import GIVEN_CHARS, MOBILE_PREFIXES, SURNAMES

__all__ = ["person_names", "mobile_phones"]

_SURNAMES = np.array(list(SURNAMES))
_SURNAME_WEIGHTS = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.9
_GIVEN = np.array(list(GIVEN_CHARS))


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` names: a surname (Zipf-like frequencies) and one or two given-name characters."""
    surname = _SURNAMES[choose(rng, _SURNAME_WEIGHTS, n)]
    first = _GIVEN[rng.integers(0, len(_GIVEN), n)]
    second = _GIVEN[rng.integers(0, len(_GIVEN), n)]
    single = rng.random(n) < 0.25
    return concat(surname, first, np.where(single, "", second))


def mobile_phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` eleven-digit mainland mobile numbers with real carrier prefixes."""
    prefix = np.array(MOBILE_PREFIXES)[rng.integers(0, len(MOBILE_PREFIXES), n)]
    digits = np.strings.zfill(rng.integers(0, 10**8, n).astype(str), 8)
    return concat(prefix, digits)
