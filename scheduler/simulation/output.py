"""Tables and files of a simulation result: tidy CSVs, a JSON summary, a markdown table.

The JSON summary holds no wall-clock field (no creation time, no duration), so
two runs with the same inputs and seed give byte-identical files, whatever the
number of workers: that is how reproducibility is checked.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scheduler.simulation.metrics import HEADLINE_METRICS, summarise
from scheduler.simulation.runner import SimulationResult

__all__ = [
    "TABLE_METRICS",
    "tidy_frame",
    "summary_frame",
    "summary_dict",
    "markdown_table",
    "write_results",
]

TABLE_METRICS = HEADLINE_METRICS
"""Metrics shown in the markdown comparison table (tier shares follow)."""

_DIGITS = 6


def tidy_frame(result: SimulationResult) -> pd.DataFrame:
    """One row per replication, policy, period and metric (``period`` counts from 1)."""
    r, p, t, m = result.values.shape
    grid = np.indices((r, p, t, m)).reshape(4, -1)
    return pd.DataFrame(
        {
            "replication": grid[0],
            "policy": np.array([x.name for x in result.policies], dtype=object)[grid[1]],
            "period": grid[2] + 1,
            "metric": np.array([x.name for x in result.metrics], dtype=object)[grid[3]],
            "value": result.values.reshape(-1),
        }
    )


def summary_frame(result: SimulationResult) -> pd.DataFrame:
    """Mean, standard error and 95% quantile interval per policy, period and metric."""
    spread = summarise(result.values)
    _, p, t, m = result.values.shape
    grid = np.indices((p, t, m)).reshape(3, -1)
    return pd.DataFrame(
        {
            "policy": np.array([x.name for x in result.policies], dtype=object)[grid[0]],
            "period": grid[1] + 1,
            "metric": np.array([x.name for x in result.metrics], dtype=object)[grid[2]],
            "mean": spread.mean.reshape(-1),
            "se": spread.se.reshape(-1),
            "lo": spread.lo.reshape(-1),
            "hi": spread.hi.reshape(-1),
        }
    )


def _clean(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), _DIGITS)


def _horizon_values(result: SimulationResult) -> np.ndarray:
    """Per replication, policy and metric: the mean over the periods where it is defined."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN (e.g. 5y coverage in 3 years)
        values: np.ndarray = np.nanmean(result.values, axis=2)
    # Time to first detection is cumulative: its horizon figure is the last period's.
    i = result.metric_index("time_to_detection")
    values[:, :, i] = result.values[:, :, -1, i]
    return values


def summary_dict(result: SimulationResult) -> dict[str, Any]:
    """The JSON summary: inputs, the equal budget, and per policy and metric the
    horizon figure (mean over periods) and the last period's, each as mean, se,
    lo, hi over replications."""
    horizon = summarise(_horizon_values(result))
    final = summarise(result.values[:, :, -1, :])
    results: dict[str, Any] = {}
    for p, policy in enumerate(result.policies):
        results[policy.name] = {
            metric.name: {
                label: {
                    "mean": _clean(s.mean[p, m]),
                    "se": _clean(s.se[p, m]),
                    "lo": _clean(s.lo[p, m]),
                    "hi": _clean(s.hi[p, m]),
                }
                for label, s in (("horizon", horizon), ("final_period", final))
            }
            for m, metric in enumerate(result.metrics)
        }
    return {
        "seed": result.seed,
        "periods": result.periods,
        "period_unit": result.unit,
        "replications": result.replications,
        "budget": {
            "inspections_per_period": result.budget_per_period,
            "inspections_per_year": result.budget_per_period * result.periods_per_year,
            "set_by": result.budget_source,
        },
        "population": result.population,
        "parameters": result.parameters,
        "policies": [
            {
                "name": policy.name,
                "kind": policy.kind,
                "tier_rates": dict(zip(result.tier_codes, policy.weights, strict=True))
                if policy.weights
                else None,
                "initial_annual_inclusion": {
                    k: _clean(v) for k, v in result.initial_rates[policy.name].items()
                },
            }
            for policy in result.policies
        ],
        "metrics": {m.name: {"label": m.label, "unit": m.unit} for m in result.metrics},
        "results": results,
    }


def _cell(mean: float, lo: float, hi: float, unit: str) -> str:
    if not np.isfinite(mean):
        return "n/a"
    digits = 2 if unit == "years" else 1
    return f"{mean:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def markdown_table(result: SimulationResult) -> str:
    """Policies side by side: horizon mean and 95% interval across replications."""
    horizon = summarise(_horizon_values(result))
    names = [p.name for p in result.policies]
    wanted = list(TABLE_METRICS) + [f"tier_share_{c}" for c in result.tier_codes]
    lines = [
        "| metric | " + " | ".join(f"`{n}`" for n in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for name in wanted:
        m = result.metric_index(name)
        metric = result.metrics[m]
        unit = "%" if metric.unit == "%" else metric.unit
        cells = [
            _cell(horizon.mean[p, m], horizon.lo[p, m], horizon.hi[p, m], metric.unit)
            for p in range(len(names))
        ]
        lines.append(f"| {metric.label} ({unit}) | " + " | ".join(cells) + " |")
    budget = result.budget_per_period
    lines += [
        "",
        f"Equal budget: {budget} inspections per {result.unit} "
        f"(set by `{result.budget_source}`); population {result.population['size']} "
        f"entities ({result.population['source']}); {result.periods} {result.unit}s x "
        f"{result.replications} replications, seed {result.seed}. Cells: mean over the "
        "horizon [2.5%, 97.5%] across replications; time to detection at the horizon.",
    ]
    return "\n".join(lines) + "\n"


def write_results(result: SimulationResult, out: Path, *, charts: bool = True) -> list[Path]:
    """Write ``metrics.csv`` (tidy, per replication), ``summary.csv``, ``summary.json``,
    ``summary.md`` and, unless ``charts=False``, the PNG charts; returns the paths."""
    from scheduler.data.atomic_files import atomic_target, write_text

    written = []
    for name, frame in (
        ("metrics.csv", tidy_frame(result)),
        ("summary.csv", summary_frame(result)),
    ):
        path = out / name
        with atomic_target(path) as temporary:
            frame.to_csv(temporary, index=False, float_format="%.10g")
        written.append(path)
    summary = json.dumps(summary_dict(result), ensure_ascii=False, indent=2, sort_keys=False)
    written.append(write_text(out / "summary.json", summary + "\n"))
    written.append(write_text(out / "summary.md", markdown_table(result)))
    if charts:
        from scheduler.simulation.charts import write_charts

        written += write_charts(result, out)
    return written
