"""The "verify a draw" panel, shared by the draw and audit pages.

Anyone can recompute a draw: a recorded draw by its id, from the frame
snapshot kept with it (``scheduler.draw.verify.verify_recorded_draw``), or a
receipt and draw file handed over by a witness, from the directory. Given the
commitment hash witnesses published, the draw is also checked against it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.i18n import t
from dashboard.state import (
    audit,
    directory,
    engine,
    frame_input,
    key,
    missing,
    show_error,
    small_directory,
    upstream,
)
from scheduler.data.directory import Directory
from scheduler.errors import SchedulerError

__all__ = ["verify_section"]


def _show(report, recorded: bool = False) -> None:
    if report.ok:
        message = (
            "Draw {id} reproduced exactly from its frame snapshot and its receipt."
            if recorded
            else "Draw {id} reproduced exactly from the directory and its receipt."
        )
        st.success(t(message, id=report.draw_id))
    else:
        st.error(t("Draw {id} does NOT match its receipt.", id=report.draw_id))
        for difference in report.differences:
            st.write(f"- {difference}")
    for warning in report.warnings:
        st.warning(warning)
    audit(
        "draw.verified", report.draw_id, {"ok": report.ok, "differences": list(report.differences)}
    )


def _json(raw: bytes) -> dict:
    import json

    try:
        found = json.loads(raw)
    except ValueError:
        return {}  # the verification reports the unreadable receipt
    return found if isinstance(found, dict) else {}


def _frame_data(receipt: dict) -> Directory | None:
    """What recomputing the receipt's frame reads: selected in the database by its rules.

    A receipt whose parameters do not parse gets the whole directory, so that
    the verification itself reports what is wrong with it.
    """
    from scheduler.draw.run import DrawParameters

    try:
        rules = DrawParameters.from_dict(receipt["parameters"]).rules
    except (KeyError, TypeError, ValueError, SchedulerError):
        return directory()
    return frame_input(rules)


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
    verification = upstream("scheduler.draw.verify")
    plans = upstream("scheduler.draw.plans")
    if verification is None or plans is None:
        missing(t("draw receipts and verification (scheduler.draw.receipt)"))
        return
    if small_directory() is None:
        st.info(t("The database holds no directory yet. Import one on the Data import page."))
        return
    published = st.text_input(
        t("Published commitment SHA-256 (optional, for witnessed draws)"),
        key=key(page, "verify_commitment"),
    ).strip()
    recorded, uploaded = st.tabs([t("A recorded draw"), t("A receipt and draw file")])
    with recorded:
        draws = _visible(plans.list_draws(engine()))
        if draws.empty:
            st.caption(t("No draw recorded yet."))
        else:
            draw_id = st.selectbox(
                t("Draw"),
                list(draws["draw_id"]),
                key=key(page, "verify_draw"),
                placeholder=t("Choose an option"),
            )
            if st.button(t("Verify"), key=key(page, "verify_recorded")):
                try:
                    report = verification.verify_recorded_draw(
                        engine(), draw_id, commitment_sha256=published or None
                    )
                except SchedulerError as error:
                    show_error(error)
                else:
                    _show(report, recorded=True)
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
                    report = verification.verify(
                        _frame_data(_json(receipt.getvalue())),
                        draw_path,
                        receipt_path,
                        commitment_sha256=published or None,
                    )
                except SchedulerError as error:
                    show_error(error)
                else:
                    _show(report)
