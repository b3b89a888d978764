"""PNG charts of a simulation: each metric over the periods, one line per policy.

matplotlib with the Agg backend (no display). Labels are English: no CJK font
is installed on the build machines, and Chinese labels would render as empty
boxes (install Debian ``fonts-noto-cjk`` to add Chinese labels later).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scheduler.data.atomic_files import atomic_target
from scheduler.simulation.metrics import HEADLINE_METRICS, summarise
from scheduler.simulation.runner import SimulationResult

__all__ = ["CHART_METRICS", "write_charts"]

CHART_METRICS = HEADLINE_METRICS


def write_charts(result: SimulationResult, out: Path) -> list[Path]:
    """One PNG per metric of ``CHART_METRICS`` plus ``tier_distribution.png``.

    Lines are means across replications, bands the 2.5%-97.5% quantiles.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    spread = summarise(result.values)
    periods = np.arange(1, result.periods + 1)
    written = []
    for name in CHART_METRICS:
        m = result.metric_index(name)
        metric = result.metrics[m]
        if np.all(np.isnan(spread.mean[:, :, m])):
            continue  # e.g. 5-year coverage over a 3-year horizon
        fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
        for p, policy in enumerate(result.policies):
            line = ax.plot(periods, spread.mean[p, :, m], marker="o", ms=3, label=policy.name)
            ax.fill_between(
                periods,
                spread.lo[p, :, m],
                spread.hi[p, :, m],
                color=line[0].get_color(),
                alpha=0.15,
                linewidth=0,
            )
        ax.set_title(metric.label)
        ax.set_xlabel(result.unit)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(metric.unit)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out / f"{name}.png"
        with atomic_target(path) as temporary:
            fig.savefig(temporary, format="png")
        plt.close(fig)
        written.append(path)

    codes = result.tier_codes
    fig, axes = plt.subplots(
        1,
        len(result.policies),
        figsize=(3.2 * len(result.policies) + 1, 3.6),
        dpi=100,
        sharey=True,
        squeeze=False,
    )
    for p, policy in enumerate(result.policies):
        ax = axes[0, p]
        shares = [spread.mean[p, :, result.metric_index(f"tier_share_{c}")] for c in codes]
        ax.stackplot(periods, *shares, labels=[f"tier {c}" for c in codes], alpha=0.85)
        ax.set_title(policy.name, fontsize=9)
        ax.set_xlabel(result.unit)
        ax.set_ylim(0, 100)
    axes[0, 0].set_ylabel("% of entities")
    axes[0, -1].legend(fontsize=7, loc="lower right")
    fig.suptitle("Tier distribution")
    fig.tight_layout()
    path = out / "tier_distribution.png"
    with atomic_target(path) as temporary:
        fig.savefig(temporary, format="png")
    plt.close(fig)
    written.append(path)
    return written
