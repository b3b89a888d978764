"""承诺核查: which pending commitments a plan verifies, so their entities are drawn with
probability 1 (``scheduler.draw.frame``; the lifecycle is ``scheduler.publication.commitments``).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

__all__ = ["pending_due"]


def pending_due(commitments: pd.DataFrame, department_code: str, until: date) -> pd.Series:
    """USCC -> reason, for the pending commitments to a department due on or before ``until``.

    One reason per entity (its commitments joined), in USCC order.
    """
    if commitments.empty:
        return pd.Series(dtype=object)
    due = pd.to_datetime(commitments["due_on"])
    hit = commitments[
        (commitments["department_code"] == department_code)
        & (commitments["status"] == "pending")
        & (due <= pd.Timestamp(until))
    ]
    if hit.empty:
        return pd.Series(dtype=object)
    text = (
        "commitment check: "
        + hit["item"].astype(str)
        + " due "
        + pd.to_datetime(hit["due_on"]).dt.strftime("%Y-%m-%d")
    )
    reasons = text.groupby(hit["uscc"].to_numpy()).agg("; ".join).sort_index()
    reasons.index = reasons.index.astype(object)
    return reasons.astype(object)
