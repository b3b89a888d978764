"""总览 page, credit-commitment section: what falls due per department, and the revoked list.

Counts come from ``scheduler.publication.commitments.due_and_overdue`` over the shared
directory; the 不再适用信用承诺制 list from ``revoked_list`` (the same table
``scheduler commitments revoked`` exports, with the same Chinese headers).
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import fmt_count, t
from dashboard.state import engine, key
from scheduler import clock
from scheduler.data.directory import Directory
from scheduler.publication.commitments import REVOKED_ZH, due_and_overdue, revoked_list

__all__ = ["commitments_section"]

PAGE = "overview"
REVOKED_EN = {
    "uscc": "USCC",
    "name": "Name",
    "department_code": "Department",
    "item": "Commitment",
    "committed_on": "Committed on",
    "due_on": "Due on",
}
"""The list's headers in the English interface (the Chinese ones are ``REVOKED_ZH``)."""


def commitments_section(data: Directory) -> None:
    """Due, overdue and broken commitments per department; the revoked list with a download."""
    st.subheader(t("Credit commitments"))
    if data.commitments.empty:
        st.info(t("No credit commitments in the directory."))
        return
    horizon = int(
        st.number_input(
            t("Due within (days)"), min_value=1, max_value=365, value=30,
            key=key(PAGE, "commitment_days"),
        )
    )  # fmt: skip
    counts = due_and_overdue(data.commitments, on=clock.today(), horizon_days=horizon)
    names = data.departments.set_index("code")["name"]
    counts.insert(1, "name", counts["department_code"].map(names).fillna(""))
    st.caption(
        t(
            "{due} due within {days} days, {overdue} overdue, {broken} broken",
            due=fmt_count(int(counts["due"].sum())),
            days=horizon,
            overdue=fmt_count(int(counts["overdue"].sum())),
            broken=fmt_count(int(counts["broken"].sum())),
        )
    )
    st.dataframe(
        counts.rename(
            columns={
                "department_code": t("Code"),
                "name": t("Department"),
                "due": t("Due"),
                "overdue": t("Overdue"),
                "broken": t("Broken"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown(f"**{t('No longer eligible for credit commitments')}**")
    revoked = revoked_list(engine())
    if revoked.empty:
        st.caption(t("No entity has broken a commitment."))
        return
    shown = revoked.rename(columns=REVOKED_ZH if _zh() else REVOKED_EN)
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button(
        t("Download the list (CSV)"),
        data=revoked.rename(columns=REVOKED_ZH).to_csv(index=False).encode("utf-8-sig"),
        file_name="不再适用信用承诺制名单.csv",
        mime="text/csv",
        key=key(PAGE, "revoked_download"),
    )


def _zh() -> bool:
    from dashboard.i18n import language

    return language() == "zh"
