"""Files of a sweep: tidy metrics with intervals, one row per policy, the frontier, a JSON summary.

Like ``output``, nothing here depends on the wall clock or on where the tasks
ran, so a sweep on a cluster and one in-process write byte-identical files.

* ``sweep.csv``: tidy, one row per policy and metric: the horizon figure (mean
  over periods) as mean, se and the 2.5%/97.5% quantiles across replications;
* ``policies.csv``: one row per policy: its input rates, the rates after scaling
  to the budget (annual inclusion probability per tier in the first period), the
  four frontier objectives with intervals, and ``on_frontier``;
* ``frontier.csv``: the rows of ``policies.csv`` on the frontier;
* ``sweep.json``: inputs, budget, grid, and the frontier's names;
* ``frontier.png`` (``frontier_chart``) unless ``charts=False``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scheduler.simulation.frontier import OBJECTIVES, non_dominated
from scheduler.simulation.metrics import Spread, summarise
from scheduler.simulation.output import _clean, _horizon_values
from scheduler.simulation.sweep import SweepResult

__all__ = ["horizon_spread", "policies_frame", "sweep_frame", "sweep_summary", "write_sweep"]

_FLOAT = "%.10g"


def horizon_spread(sweep: SweepResult) -> Spread:
    """Per policy and metric, the horizon figure's mean, se and interval over replications."""
    return summarise(_horizon_values(sweep.result))


def sweep_frame(sweep: SweepResult) -> pd.DataFrame:
    """Tidy: policy, metric, mean, se, lo, hi."""
    result = sweep.result
    spread = horizon_spread(sweep)
    p, m = spread.mean.shape
    grid = np.indices((p, m)).reshape(2, -1)
    return pd.DataFrame(
        {
            "policy": np.array([x.name for x in result.policies], dtype=object)[grid[0]],
            "metric": np.array([x.name for x in result.metrics], dtype=object)[grid[1]],
            "mean": spread.mean.reshape(-1),
            "se": spread.se.reshape(-1),
            "lo": spread.lo.reshape(-1),
            "hi": spread.hi.reshape(-1),
        }
    )


def policies_frame(sweep: SweepResult) -> pd.DataFrame:
    """One row per policy: rates given, rates after budget scaling, objectives, frontier flag."""
    result = sweep.result
    spread = horizon_spread(sweep)
    codes = result.tier_codes
    index = [result.metric_index(o.metric) for o in OBJECTIVES]
    frontier = non_dominated(spread.mean[:, index], [o.maximise for o in OBJECTIVES])
    rows = []
    for p, policy in enumerate(result.policies):
        row: dict[str, Any] = {"policy": policy.name, "kind": policy.kind}
        row["on_frontier"] = bool(frontier[p])
        for j, code in enumerate(codes):
            row[f"rate_{code}"] = policy.weights[j] if policy.weights else np.nan
        for code in codes:
            row[f"scaled_rate_{code}"] = result.initial_rates[policy.name].get(code, np.nan)
        for objective, m in zip(OBJECTIVES, index, strict=True):
            for stat in ("mean", "lo", "hi"):
                row[f"{objective.metric}_{stat}"] = getattr(spread, stat)[p, m]
        rows.append(row)
    return pd.DataFrame(rows)


def sweep_summary(sweep: SweepResult, policies: pd.DataFrame) -> dict[str, Any]:
    """The JSON summary: inputs and the frontier (numbers live in the CSVs)."""
    result = sweep.result
    return {
        "seed": result.seed,
        "periods": result.periods,
        "period_unit": result.unit,
        "replications": result.replications,
        "preset": sweep.preset,
        "grid": {code: list(values) for code, values in sweep.grid.items()},
        "budget": {
            "inspections_per_period": result.budget_per_period,
            "inspections_per_year": result.budget_per_period * result.periods_per_year,
            "set_by": result.budget_source,
        },
        "population": result.population,
        "parameters": result.parameters,
        "objectives": [
            {"metric": o.metric, "better": "higher" if o.maximise else "lower"} for o in OBJECTIVES
        ],
        "policies": [
            {
                "name": policy.name,
                "kind": policy.kind,
                "scaled_annual_rates": {
                    k: _clean(v) for k, v in result.initial_rates[policy.name].items()
                },
            }
            for policy in result.policies
        ],
        "frontier": policies.loc[policies["on_frontier"], "policy"].tolist(),
    }


def write_sweep(sweep: SweepResult, out: Path, *, charts: bool = True) -> list[Path]:
    """Write the sweep's files to ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    policies = policies_frame(sweep)
    written = []
    for name, frame in (
        ("sweep.csv", sweep_frame(sweep)),
        ("policies.csv", policies),
        ("frontier.csv", policies.loc[policies["on_frontier"]]),
    ):
        path = out / name
        frame.to_csv(path, index=False, float_format=_FLOAT)
        written.append(path)
    path = out / "sweep.json"
    path.write_text(
        json.dumps(sweep_summary(sweep, policies), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    written.append(path)
    if charts:
        from scheduler.simulation.frontier_chart import write_frontier_chart

        written.append(write_frontier_chart(sweep, policies, out / "frontier.png"))
    return written
