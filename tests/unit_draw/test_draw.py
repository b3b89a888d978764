"""Draws from a generated directory: policies, strata, determinism, reserves, substitutions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from scheduler.data.directory import Directory
from scheduler.data.reference import tier_scheme
from scheduler.data.synth.generate import generate_directory
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.draw.policy import make_policy, parse_tier_values, unit_probabilities
from scheduler.draw.reserve import Substitution
from scheduler.draw.run import DrawParameters, draw_from_frame, run_draw
from scheduler.errors import InvalidInputError

ON = date(2026, 11, 1)
SCHEME = tier_scheme("weifang-4")


@pytest.fixture(scope="module")
def directory() -> Directory:
    return generate_directory(3000, 200, rng=7)


def params(**policy: object) -> DrawParameters:
    return DrawParameters(FrameRules("MARKET", ON), make_policy(SCHEME, **policy))  # type: ignore[arg-type]


def test_rates_draw_rows_probabilities_and_strata(directory: Directory) -> None:
    result = run_draw(directory, params(preset_name="weifang-default"), 3)
    rows = result.rows
    assert list(rows["uscc"]) == sorted(rows["uscc"])
    rates = {"A": 0.03, "B": 0.05, "C": 0.15, "D": 0.5}
    assert all(
        float(p) == rates[t] for p, t in zip(rows["inclusion_prob"], rows["tier"], strict=True)
    )
    assert all(
        s == f"{r}/{t}"
        for s, r, t in zip(rows["stratum"], rows["region_code"], rows["tier"], strict=True)
    )
    units = result.frame.units
    for (region, tier), group in units.groupby(["region_code", "tier"]):
        expected = len(group) * rates[tier]
        drawn = int(((rows["region_code"] == region) & (rows["tier"] == tier)).sum())
        assert np.floor(expected) <= drawn <= np.ceil(expected)
    counts = result.receipt["counts"]["tier"]
    assert sum(c["drawn"] for c in counts.values()) == len(rows)


def test_budget_mode_is_fixed_size_and_capped(directory: Directory) -> None:
    p = params(budget=120, weights={"A": 1, "B": 2, "C": 5, "D": 400})
    result = run_draw(directory, p, 1)
    assert len(result.rows) == 120
    assert result.pi.sum() == pytest.approx(120)
    assert (result.pi[result.frame.units["tier"].to_numpy() == "D"] == 1.0).all()  # capped


def test_forced_units_are_drawn_and_count_against_the_budget(directory: Directory) -> None:
    frame = build_frame(directory, FrameRules("MARKET", ON))
    forced = tuple(frame.units["uscc"].iloc[[0, 5, 9]])
    p = DrawParameters(
        FrameRules("MARKET", ON, force_include=forced), make_policy(SCHEME, budget=50)
    )
    result = run_draw(directory, p, 2)
    assert set(forced) <= set(result.rows["uscc"])
    assert len(result.rows) == 50
    assert all(
        s.endswith("/forced") for s in result.rows.set_index("uscc").loc[list(forced), "stratum"]
    )


def test_same_seed_same_draw_other_seed_other_draw(directory: Directory) -> None:
    p = params(preset_name="henan-2021")
    a, b, c = (run_draw(directory, p, s) for s in (11, 11, 12))
    assert a.rows.equals(b.rows) and a.draw_id == b.draw_id
    strip = lambda r: {k: v for k, v in r.items() if k != "created_at"}  # noqa: E731
    assert strip(a.receipt) == strip(b.receipt)
    assert not a.rows["uscc"].equals(c.rows["uscc"]) and a.draw_id != c.draw_id


def test_reserves_are_undrawn_units_of_their_stratum(directory: Directory) -> None:
    result = run_draw(directory, params(preset_name="weifang-default"), 5)
    reserves = result.reserves
    assert not set(reserves["uscc"]) & set(result.rows["uscc"])
    for stratum, group in reserves.groupby("stratum"):
        assert list(group["reserve_rank"]) == list(range(1, len(group) + 1))
        drawn = int((result.rows["stratum"] == stratum).sum())
        population = int((result.strata == stratum).sum())
        assert len(group) == min(population - drawn, max(3, int(np.ceil(0.1 * drawn))))
    assert set(reserves["stratum"]) == {
        s
        for s in result.strata.unique()
        if (result.strata == s).sum() > (result.rows["stratum"] == s).sum()
    }


def test_substitution_takes_next_reserve_and_keeps_strata(directory: Directory) -> None:
    p = params(preset_name="weifang-default")
    frame = build_frame(directory, p.rules)
    base = draw_from_frame(frame, p, 5)
    out = base.rows.iloc[0]
    first = base.reserves[base.reserves["stratum"] == out["stratum"]].iloc[0]
    sub = Substitution(out["uscc"], first["uscc"], out["stratum"], "已注销", "2026-11-02T09:00:00Z")
    after = draw_from_frame(frame, p, 5, substitutions=(sub,))
    assert out["uscc"] not in set(after.rows["uscc"]) and first["uscc"] in set(after.rows["uscc"])
    sizes = after.rows["stratum"].value_counts().sort_index()
    assert sizes.equals(base.rows["stratum"].value_counts().sort_index())
    assert after.receipt["substitutions"][0]["reason"] == "已注销"
    wrong = replace(
        sub, uscc_in=base.reserves[base.reserves["stratum"] == out["stratum"]].iloc[1]["uscc"]
    )
    with pytest.raises(InvalidInputError, match="next reserve of stratum"):
        draw_from_frame(frame, p, 5, substitutions=(wrong,))


@pytest.mark.parametrize(
    ("policy", "match"),
    [
        (
            {"rates": {"A": 0.0, "B": 0.1, "C": 0.2, "D": 0.5}},
            r"`rates\['A'\]` must be in \(0, 1\]; got 0.0",
        ),
        (
            {"rates": {"A": 0.1, "B": 0.1, "C": 0.2, "D": 1.5}},
            r"`rates\['D'\]` must be in \(0, 1\]; got 1.5",
        ),
        ({"rates": {"A": 0.1, "B": 0.1, "C": 0.2}}, r"no value for tier 'D'"),
        ({"preset_name": "nowhere-2020"}, r"unknown preset 'nowhere-2020'"),
        ({"budget": 0}, r"`budget` must be a whole number >= 1; got 0"),
        (
            {"budget": 5, "weights": {"A": 1, "B": 0, "C": 1, "D": 1}},
            r"`weights\['B'\]` must be a positive number",
        ),
        ({}, r"exactly one of a preset, per-tier rates or a budget; got none"),
    ],
)
def test_policy_rejects(policy: dict, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        make_policy(SCHEME, **policy)


def test_budget_larger_than_frame_and_empty_frame_are_rejected(directory: Directory) -> None:
    frame = build_frame(directory, FrameRules("MARKET", ON))
    with pytest.raises(
        InvalidInputError, match=r"`budget` \(\d+\) is larger than the sampling frame"
    ):
        unit_probabilities(frame, make_policy(SCHEME, budget=frame.size + 1))
    empty = build_frame(directory, FrameRules("MARKET", ON, exempt=tuple(frame.units["uscc"])))
    with pytest.raises(InvalidInputError, match="the sampling frame is empty"):
        unit_probabilities(empty, make_policy(SCHEME, preset_name="weifang-default"))


def test_parse_tier_values() -> None:
    assert parse_tier_values("A=0.03, B=5%", "--rates") == {"A": 0.03, "B": 0.05}
    with pytest.raises(InvalidInputError, match="`--rates` must look like"):
        parse_tier_values("A:0.03", "--rates")


def test_parameters_round_trip() -> None:
    p = DrawParameters(
        FrameRules(
            "MARKET", ON, regions=("370705", "370702"), repeat_exempt_tiers=("D",), exempt=("X",)
        ),
        make_policy(SCHEME, budget=10),
    )
    assert DrawParameters.from_dict(p.as_dict()).as_dict() == p.as_dict()
