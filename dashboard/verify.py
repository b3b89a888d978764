"""The "verify a draw" panel, shared by the draw and audit pages.

Anyone can recompute a draw from the directory and its receipt: a recorded
draw by its id, or a receipt and draw file handed over by a witness.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.i18n import t
from dashboard.state import audit, directory, engine, key, missing, show_error, upstream
from scheduler.errors import SchedulerError

__all__ = ["verify_section"]


def _show(report) -> None:  # noqa: ANN001
    if report.ok:
        st.success(
            t("Draw {id} reproduced exactly from the directory and its receipt.", id=report.draw_id)
        )
    else:
        st.error(t("Draw {id} does NOT match its receipt.", id=report.draw_id))
        for difference in report.differences:
            st.write(f"- {difference}")
    for warning in report.warnings:
        st.warning(warning)
    audit(
        "draw.verified", report.draw_id, {"ok": report.ok, "differences": list(report.differences)}
    )


def _visible(draws: pd.DataFrame) -> pd.DataFrame:
    """The draws of plans the user may see; a draw of no stored plan counts as no department's."""
    from dashboard import workflow
    from dashboard.access import allowed

    plans = workflow.plans()
    keep = [
        (pid in plans) if pd.notna(pid) else allowed("view_plans", "") for pid in draws["plan_id"]
    ]
    return draws[keep] if len(draws) else draws


def verify_section(page: str) -> None:
    """Recompute a recorded or uploaded draw and say whether it matches its receipt."""
    st.subheader(t("Verify a draw"))
    verification = upstream("scheduler.verification")
    plans = upstream("scheduler.plans")
    if verification is None or plans is None:
        missing(t("draw receipts and verification (scheduler.receipt)"))
        return
    data = directory()
    if data is None:
        st.info(t("The database holds no directory yet. Import one on the Data import page."))
        return
    recorded, uploaded = st.tabs([t("A recorded draw"), t("A receipt and draw file")])
    with recorded:
        draws = _visible(plans.list_draws(engine()))
        if draws.empty:
            st.caption(t("No draw recorded yet."))
        else:
            draw_id = st.selectbox(t("Draw"), list(draws["draw_id"]), key=key(page, "verify_draw"))
            if st.button(t("Verify"), key=key(page, "verify_recorded")):
                try:
                    report = verification.verify(
                        data,
                        plans.draw_rows(engine(), draw_id),
                        plans.draw_receipt(engine(), draw_id),
                    )
                except SchedulerError as error:
                    show_error(error)
                else:
                    _show(report)
    with uploaded:
        receipt = st.file_uploader(
            t("Receipt (JSON)"), type=["json"], key=key(page, "verify_receipt")
        )
        draw_file = st.file_uploader(
            t("Draw file (CSV)"), type=["csv"], key=key(page, "verify_csv")
        )
        if receipt and draw_file and st.button(t("Verify"), key=key(page, "verify_files")):
            with tempfile.TemporaryDirectory(prefix="scheduler-verify-") as tmp:
                receipt_path = Path(tmp) / "receipt.json"
                draw_path = Path(tmp) / (draw_file.name or "draw.csv")
                receipt_path.write_bytes(receipt.getvalue())
                draw_path.write_bytes(draw_file.getvalue())
                try:
                    report = verification.verify(data, draw_path, receipt_path)
                except SchedulerError as error:
                    show_error(error)
                else:
                    _show(report)
