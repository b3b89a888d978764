"""The "verify a draw" panel, shared by the draw and audit pages."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.state import missing, upstream

__all__ = ["verify_section"]


def verify_section(page: str) -> None:
    """Recompute a recorded draw from its receipt and say whether it matches."""
    st.subheader(t("Verify a draw"))
    receipt = upstream("scheduler.receipt")
    if receipt is None:
        missing(t("draw receipts and verification (scheduler.receipt)"))
        return
