"""Confidence intervals for a proportion estimated from a complex sample (Korn–Graubard).

Why not ``rate ± z·se``: at the sizes the project publishes (about ten
inspections per district, violation rates of a few percent) the sampling
distribution of a rate is skewed and its variance estimate is often zero, so
the normal interval is far too short (district coverage 48.5% at a nominal 95%)
and collapses to [0, 0] for a domain with no violation found.

Korn & Graubard (1998, *Survey Methodology* 24:193–201) use the exact binomial
(Clopper–Pearson) interval with the *effective* sample size of the design,
``n_eff = p (1 - p) / var(p)``: the number of simple-random-sample observations
that would give the same variance. Following their recommendation and the NCHS
standards (Parker et al. 2017), ``n_eff`` is capped at the observed count ``n``
(a design effect below 1 earns no narrower interval), is ``n`` when ``p`` is 0
or 1 or the variance estimate is 0, and is shrunk by the degrees-of-freedom
factor ``(t_{n-1} / t_df)^2`` because the variance itself is estimated from few
units. The interval is never of zero width while ``n`` is finite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["ProportionInterval", "korn_graubard", "MIN_EFFECTIVE_N"]

MIN_EFFECTIVE_N = 30.0
"""Below this effective sample size an estimate is flagged as resting on too few
observations (样本量不足): NCHS data presentation standards for proportions
(Parker et al. 2017, Vital Health Stat 2(175)) suppress such estimates."""


@dataclass(frozen=True)
class ProportionInterval:
    """A confidence interval for a rate, and the effective sample size it rests on."""

    low: float
    high: float
    effective_n: float
    """Korn–Graubard ``n_eff`` after the degrees-of-freedom factor (0 with no observation)."""
    df: int
    """Degrees of freedom of the variance estimate (observed units minus strata)."""

    @property
    def insufficient(self) -> bool:
        """Too few observations for a reliable rate (``effective_n < MIN_EFFECTIVE_N``)."""
        return self.effective_n < MIN_EFFECTIVE_N


def korn_graubard(
    rate: float, variance: float, n: int, *, df: int, confidence: float = 0.95
) -> ProportionInterval:
    """Clopper–Pearson interval of ``rate`` at the design's effective sample size.

    Parameters
    ----------
    rate, variance
        The estimated proportion and its design-based variance estimate.
    n
        Observed units in the domain.
    df
        Degrees of freedom of ``variance`` (units minus strata in the domain);
        values below 1 are taken as 1.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"`confidence` must be in (0, 1); got {confidence}.")
    # scipy.stats costs ~1 s CPU to import: only a page that shows an interval pays it
    from scipy import stats

    if n < 1 or not math.isfinite(rate):
        return ProportionInterval(0.0, 1.0, 0.0, max(int(df), 0))
    p = min(max(float(rate), 0.0), 1.0)
    n_eff = float(n)
    if 0.0 < p < 1.0 and variance > 0.0:
        n_eff = min(n_eff, p * (1.0 - p) / variance)
    df = max(int(df), 1)
    upper = 0.5 + confidence / 2
    if n > 1:
        n_eff *= (stats.t.ppf(upper, n - 1) / stats.t.ppf(upper, df)) ** 2
    x = p * n_eff
    alpha = 1.0 - confidence
    low = 0.0 if x <= 0.0 else float(stats.beta.ppf(alpha / 2, x, n_eff - x + 1.0))
    high = 1.0 if x >= n_eff else float(stats.beta.ppf(1.0 - alpha / 2, x + 1.0, n_eff - x))
    return ProportionInterval(low, high, n_eff, df)
