"""Coverage of published violation-rate intervals at district and tier sizes (issue 11).

A synthetic city of 12 districts x 4 tiers, a stratified design (district x
tier strata, equal pi within a stratum) drawing about ten entities per
district, and rare violations (true district rates 2%-10%). Each replication
draws a sample, estimates every district and tier rate, and records whether
the Korn–Graubard interval and the old normal interval (rate ± z·se clipped to
[0, 1]) cover the domain's true (finite-population) rate.

Run ``.venv/bin/python tests/interval_coverage.py [replications]`` for the
figures quoted in docs/publication.md.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from scheduler.draw.sampling import draw_sample
from scheduler.publication.estimates import estimate_rates

DISTRICTS = 12
PER_DISTRICT = 1_000
TIERS = ("A", "B", "C", "D")
TIER_MIX = (0.6, 0.25, 0.1, 0.05)
TIER_PI = {"A": 0.005, "B": 0.01, "C": 0.02, "D": 0.04}  # ~9.5 drawn per district
TIER_RISK = {"A": 0.6, "B": 1.0, "C": 1.6, "D": 2.2}  # violation odds relative to the district


@dataclass(frozen=True)
class Coverage:
    """Share of intervals covering the truth, per domain, for the new and the old method."""

    domains: pd.DataFrame
    """domain, value, true rate, mean drawn, kg coverage, normal coverage, zero-width share."""
    replications: int

    def covered(self, domain: str, column: str = "kg") -> tuple[int, int]:
        """(intervals covering, intervals) over all replications of ``domain``'s values."""
        rows = self.domains[self.domains["domain"] == domain]
        return int(rows[column + "_hits"].sum()), int(len(rows) * self.replications)


def city(seed: int) -> pd.DataFrame:
    """The population: district, tier, pi, stratum and the violation indicator."""
    rng = np.random.default_rng(seed)
    n = DISTRICTS * PER_DISTRICT
    district = np.repeat([f"3707{k:02d}" for k in range(DISTRICTS)], PER_DISTRICT)
    tier = rng.choice(TIERS, n, p=TIER_MIX)
    base = np.repeat(np.linspace(0.02, 0.10, DISTRICTS), PER_DISTRICT)
    risk = pd.Series(tier).map(TIER_RISK).to_numpy()
    mean_risk = float(np.dot(TIER_MIX, [TIER_RISK[t] for t in TIERS]))
    y = (rng.random(n) < base * risk / mean_risk).astype(float)
    return pd.DataFrame(
        {
            "uscc": np.arange(n).astype(str),
            "region_code": district,
            "tier": tier,
            "inclusion_prob": pd.Series(tier).map(TIER_PI).to_numpy(),
            "stratum": pd.Series(district) + "/" + tier,
            "violation": y,
        }
    )


def simulate_coverage(replications: int, *, seed: int, confidence: float = 0.95) -> Coverage:
    """Draw ``replications`` independent samples of ``city(seed)`` and score the intervals."""
    pop = city(seed)
    codes = pd.factorize(pop["stratum"])[0]
    pi = pop["inclusion_prob"].to_numpy()
    truth = {
        (column, value): rate
        for column in ("region_code", "tier")
        for value, rate in pop.groupby(column)["violation"].mean().items()
    }
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    keys = sorted(truth)
    kg = dict.fromkeys(keys, 0)
    normal = dict.fromkeys(keys, 0)
    zero_width = dict.fromkeys(keys, 0)
    drawn = dict.fromkeys(keys, 0)
    width = dict.fromkeys(keys, 0.0)
    for rng in np.random.default_rng(seed + 1).spawn(replications):
        sample = pop.iloc[draw_sample(pi, rng=rng, strata=codes)]
        report = estimate_rates(sample, by=("region_code", "tier"), confidence=confidence)
        for e in report.estimates:
            k = (e.domain, e.value)
            if k not in truth:
                continue
            true = truth[k]
            drawn[k] += e.drawn
            kg[k] += e.rate_low <= true <= e.rate_high
            width[k] += e.rate_high - e.rate_low
            low = max(e.rate - z * e.rate_se, 0.0)
            high = min(e.rate + z * e.rate_se, 1.0)
            normal[k] += low <= true <= high
            zero_width[k] += high - low == 0
    rows = [
        {
            "domain": "district" if column == "region_code" else "tier",
            "value": value,
            "true_rate": truth[(column, value)],
            "mean_drawn": drawn[(column, value)] / replications,
            "kg_hits": kg[(column, value)],
            "normal_hits": normal[(column, value)],
            "kg": kg[(column, value)] / replications,
            "kg_width": width[(column, value)] / replications,
            "normal": normal[(column, value)] / replications,
            "normal_zero_width": zero_width[(column, value)] / replications,
        }
        for column, value in keys
    ]
    return Coverage(pd.DataFrame(rows), replications)


def main() -> None:
    replications = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    result = simulate_coverage(replications, seed=11)
    frame = result.domains
    with pd.option_context("display.width", 140, "display.precision", 3):
        print(frame.drop(columns=["kg_hits", "normal_hits"]).to_string(index=False))
    for domain in ("district", "tier"):
        rows = frame[frame["domain"] == domain]
        print(
            f"{domain}: Korn–Graubard mean {rows['kg'].mean():.1%} "
            f"(lowest {rows['kg'].min():.1%}, mean width {rows['kg_width'].mean():.3f}); "
            f"normal mean {rows['normal'].mean():.1%} (lowest {rows['normal'].min():.1%}), "
            f"zero-width normal intervals {rows['normal_zero_width'].mean():.1%}; "
            f"{replications} replications, mean drawn {rows['mean_drawn'].mean():.1f}"
        )


if __name__ == "__main__":
    main()
