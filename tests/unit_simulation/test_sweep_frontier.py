"""Tests of ``scheduler.simulation.frontier``: the non-dominated set on hand-made policies."""

from __future__ import annotations

import numpy as np
import pytest

from scheduler.errors import InvalidInputError
from scheduler.simulation.frontier import OBJECTIVES, non_dominated

SENSES = [o.maximise for o in OBJECTIVES]  # hit rate up, compliant down, burden down, coverage up


def test_objectives_are_the_issues_four():
    assert [(o.metric, o.maximise) for o in OBJECTIVES] == [
        ("hit_rate", True),
        ("compliant_share", False),
        ("best_tier_inspected", False),
        ("coverage_3y", True),
    ]


def test_hand_made_set():
    values = np.array(
        [
            [6.0, 92.0, 3.0, 13.0],  # 0: good all round
            [5.0, 93.0, 3.0, 13.0],  # 1: dominated by 0 (worse hit rate and compliant share)
            [6.0, 92.0, 3.0, 12.9],  # 2: dominated by 0 on coverage alone
            [7.0, 91.0, 5.0, 12.0],  # 3: best detection, but burdens the best tier: kept
            [3.0, 96.0, 5.4, 14.0],  # 4: uniform-like: worst detection, best coverage: kept
            [6.0, 92.0, 3.0, 13.0],  # 5: a tie with 0: neither dominates, both kept
            [2.9, 96.1, 5.5, 13.9],  # 6: dominated by 4 on every objective
        ]
    )
    assert non_dominated(values, SENSES).tolist() == [True, False, False, True, True, True, False]


def test_direction_matters():
    values = np.array([[1.0, 1.0], [2.0, 2.0]])
    assert non_dominated(values, [True, True]).tolist() == [False, True]
    assert non_dominated(values, [False, False]).tolist() == [True, False]
    assert non_dominated(values, [True, False]).tolist() == [True, True]


def test_frontier_members_are_undominated_and_others_dominated():
    rng = np.random.default_rng(4)
    values = rng.normal(size=(300, 4)).round(1)  # rounding makes ties likely
    mask = non_dominated(values, SENSES)
    better = np.where(SENSES, values, -values)
    for i in range(len(values)):
        beats = (better >= better[i]).all(axis=1) & (better > better[i]).any(axis=1)
        assert mask[i] == (not beats.any())
    assert 0 < mask.sum() < len(values)


@pytest.mark.parametrize(
    ("values", "match"),
    [
        (np.zeros((3, 3)), r"must be \(policies, 4\) objectives; got shape \(3, 3\)"),
        (np.array([[1.0, np.nan, 1.0, 1.0]]), r"undefined \(NaN\) for row\(s\) \[0\]"),
    ],
)
def test_bad_values(values, match):
    with pytest.raises(InvalidInputError, match=match):
        non_dominated(values, SENSES)
