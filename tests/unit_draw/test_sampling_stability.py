"""Known-answer vectors: a seed and a frame select the same units on every numpy and platform.

``tests/data/sampling_v2.json`` was written by algorithm version 2 when it was
introduced; ``tests/data/draw_v1/sampling_v1.json`` by version 1 before it was
replaced. A numpy upgrade, a platform change or an edit of the algorithm that
alters a selection fails here: then bump ``ALGORITHM_VERSION`` and keep the old
path (``scheduler.draw.sampling_v1`` for version 1) so recorded draws still verify.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scheduler.draw import sampling, sampling_v1
from scheduler.draw.sampling import ALGORITHM_VERSION, draw_sample

DATA = Path(__file__).resolve().parents[1] / "data"


def _vectors(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _frame(vector: dict) -> tuple[np.ndarray, np.ndarray]:
    if "pi_runs" in vector:
        pi = np.concatenate([np.full(n, p) for n, p, _ in vector["pi_runs"]])
        strata = np.concatenate([np.full(n, s) for n, _, s in vector["pi_runs"]])
        return pi, strata
    return np.array(vector["pi"]), np.array(vector["strata"])


def test_algorithm_version_is_2() -> None:
    assert ALGORITHM_VERSION == "2"


@pytest.mark.parametrize("vector", _vectors(DATA / "sampling_v2.json"))
def test_version_2_known_answers(vector: dict) -> None:
    pi, strata = _frame(vector)
    chosen = draw_sample(pi, rng=vector["seed"], strata=strata)
    assert chosen.tolist() == vector["selected"]


@pytest.mark.parametrize("vector", _vectors(DATA / "draw_v1" / "sampling_v1.json"))
def test_version_1_path_still_gives_version_1_answers(vector: dict) -> None:
    pi, strata = _frame(vector)
    chosen = sampling_v1.draw_sample(pi, rng=vector["seed"], strata=strata)
    assert chosen.tolist() == vector["selected"]


def test_a_generator_a_bit_generator_and_a_seed_give_one_draw() -> None:
    vector = _vectors(DATA / "sampling_v2.json")[0]
    pi, strata = _frame(vector)
    seed = vector["seed"]
    for rng in (seed, np.random.PCG64(seed), np.random.Generator(np.random.PCG64(seed))):
        assert draw_sample(pi, rng=rng, strata=strata).tolist() == vector["selected"]


def test_only_raw_words_are_read_in_the_documented_order() -> None:
    """Systematic path: word 0 the start, then one word per open unit, nothing else."""
    pi = np.array([0.2, 1.0, 0.0, 0.7, 0.35, 0.75])
    bits = np.random.PCG64(42)
    draw_sample(pi, rng=bits)
    reference = np.random.PCG64(42)
    reference.random_raw(1 + 4)  # four units with 0 < pi < 1
    assert bits.state == reference.state
    # SRS path: word 0 the comb's start, then ceil(N / 4) words of 16-bit keys (no tie here)
    pi = np.full(10, 0.5)
    bits = np.random.PCG64(42)
    draw_sample(pi, rng=bits, strata=np.zeros(10, dtype=int))
    reference = np.random.PCG64(42)
    reference.random_raw(1 + 3)
    assert bits.state == reference.state


def test_keys_are_little_endian_lanes_of_raw_words() -> None:
    bits = np.random.PCG64(9)
    word = int(np.random.PCG64(9).random_raw())
    keys = sampling._uniform_keys(bits, 4)
    assert keys.tolist() == [(word >> (16 * lane)) & 0xFFFF for lane in range(4)]
