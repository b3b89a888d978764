"""The frontier chart: one picture a planner reads at a glance, labelled in Chinese.

Each policy is a point: across, the share of inspections spent on compliant
entities (left is better); up, violations found per 100 inspections (up is
better); colour, the burden on the best tier (lighter is better); size, 3-year
coverage of the directory (bigger is better).  Frontier policies are drawn
with a black edge, their 95% intervals and their scaled annual rates; the rest
are faded.  Labels use the font shipped in the package (``fonts``), so the
Chinese text renders on any machine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.simulation.fonts import use_cjk_font
from scheduler.simulation.sweep import SweepResult

__all__ = ["LABELS", "MAX_LISTED", "point_label", "write_frontier_chart"]

MAX_LISTED = 40
"""Frontier policies listed beside the plot; the rest are in ``frontier.csv``."""

LABELS: dict[str, str] = {
    "title": "政策前沿：同等预算下（每年 {budget} 次检查）无一方案全面更优的费率",
    "x": "检查落在守法主体上的比例（%，越低越好）",
    "y": "每百次检查发现违法数（越高越好）",
    "colour": "{best}级主体年受检比例（%，越低越好）",
    "size": "点越大：三年内至少受检一次的主体比例越高",
    "frontier": "前沿方案（黑框，误差线为 95% 区间）",
    "others": "被其他方案全面占优的方案",
    "list": "前沿方案（按发现率排序）\n按预算缩放后的各等级年抽查比例（%）",
    "more": "…另有 {count} 个前沿方案见 frontier.csv",
    "footer": "{population} 户主体，{periods} {unit} × {reps} 次重复模拟，种子 {seed}；"
    "网格未列出的等级沿用 {preset} 的费率",
    "year": "年",
    "quarter": "季度",
    "uniform": "不分级（均匀抽查）",
    "risk": "风险自适应",
}
"""Every Chinese text of the chart; the shipped font's tests check each character."""


def point_label(row: pd.Series, codes: tuple[str, ...]) -> str:
    """``A1.2 B6 C18 D61``: scaled annual rates in %, or the policy's Chinese name."""
    if row["kind"] in ("uniform", "risk"):
        return LABELS[str(row["kind"])]
    rates = " ".join(f"{c}{100 * row[f'scaled_rate_{c}']:.3g}" for c in codes)
    name = str(row["policy"])
    return rates if "=" in name else f"{name} {rates}"  # a preset keeps its name


def write_frontier_chart(sweep: SweepResult, policies: pd.DataFrame, path: Path) -> Path:
    """Draw ``policies`` (``sweep_output.policies_frame``) to ``path`` as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = sweep.result
    codes = result.tier_codes
    family = use_cjk_font()
    with plt.rc_context({"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}):
        fig, (ax, side) = plt.subplots(
            1, 2, figsize=(13, 6.8), dpi=110, gridspec_kw={"width_ratios": [3.2, 1]}
        )
        x, y = policies["compliant_share_mean"], policies["hit_rate_mean"]
        burden = policies["best_tier_inspected_mean"]
        coverage = policies["coverage_3y_mean"].to_numpy()
        span = max(float(np.ptp(coverage)), 1e-9)
        sizes = 40 + 260 * (coverage - coverage.min()) / span
        on = policies["on_frontier"].to_numpy()
        norm = matplotlib.colors.Normalize(vmin=float(burden.min()), vmax=float(burden.max()))
        cmap = matplotlib.colormaps["viridis_r"]
        ax.scatter(x[~on], y[~on], s=sizes[~on], c=burden[~on], cmap=cmap, norm=norm,
                   alpha=0.35, linewidths=0, label=LABELS["others"])  # fmt: skip
        ax.errorbar(
            x[on],
            y[on],
            xerr=[
                x[on] - policies["compliant_share_lo"][on],
                policies["compliant_share_hi"][on] - x[on],
            ],
            yerr=[y[on] - policies["hit_rate_lo"][on], policies["hit_rate_hi"][on] - y[on]],
            fmt="none",
            ecolor="0.4",
            elinewidth=0.8,
            zorder=2,
        )
        points = ax.scatter(x[on], y[on], s=sizes[on], c=burden[on], cmap=cmap, norm=norm,
                            edgecolors="black", linewidths=1.4, zorder=3,
                            label=LABELS["frontier"])  # fmt: skip
        # Numbers on the points, their rates listed beside the plot: frontier points
        # crowd along a curve, and full labels there would overprint each other.
        ranked = policies.loc[on].sort_values("hit_rate_mean", ascending=False, kind="stable")
        lines = []
        for number, (_, row) in enumerate(ranked.iterrows(), start=1):
            ax.annotate(
                str(number),
                (row["compliant_share_mean"], row["hit_rate_mean"]),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=7,
            )
            if number <= MAX_LISTED:
                lines.append(f"{number:>2}  {point_label(row, codes)}")
        if len(ranked) > MAX_LISTED:
            lines.append(LABELS["more"].format(count=len(ranked) - MAX_LISTED))
        side.axis("off")
        side.set_title(LABELS["list"], fontsize=9, loc="left")
        side.text(0, 1, "\n".join(lines), va="top", ha="left", fontsize=8, transform=side.transAxes)
        bar = fig.colorbar(points, ax=ax, pad=0.02)
        bar.set_label(LABELS["colour"].format(best=codes[0]))
        ax.set_xlabel(LABELS["x"])
        ax.set_ylabel(LABELS["y"])
        ax.set_title(
            LABELS["title"].format(budget=result.budget_per_period * result.periods_per_year)
        )
        ax.grid(alpha=0.3)
        legend = ax.legend(loc="lower left", fontsize=8, title=LABELS["size"], title_fontsize=8)
        for handle in legend.legend_handles:
            handle.set_sizes([60])
        fig.text(
            0.99,
            0.01,
            LABELS["footer"].format(
                population=result.population["size"],
                periods=result.periods,
                unit=LABELS[result.unit],
                reps=result.replications,
                seed=result.seed,
                preset=sweep.preset,
            ),
            fontsize=8,
            color="0.3",
            ha="right",
        )
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        fig.savefig(path, metadata={"Software": None})
        plt.close(fig)
    return path
