"""人员匹配 page, swap section: one inspector changed on one visit, re-checked and audited.

The swap is ``scheduler.matching.actions.swap_in_run`` through ``dashboard.workflow.swap``
(the CLI's ``scheduler swap --run-id`` calls the same); this module lays it out.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import workflow
from dashboard.access import allowed
from dashboard.i18n import t
from dashboard.state import flash, key, show_error
from scheduler.errors import SchedulerError
from scheduler.matching import exclusion_reasons

__all__ = ["swap_section"]

PAGE = "matching"


@st.cache_data(show_spinner=False, max_entries=256)
def _candidates(_directory: Any, directory_id: int, department_code: str, uscc: str) -> Any:
    """Every inspector of the department with eligibility and the reason (cached per visit)."""
    return exclusion_reasons(_directory, department_code, uscc)


def swap_section(plan: Any, run_id: int, result: Any, used: Any, calendar: Any) -> None:
    """Pick a visit, the inspector to replace and an eligible one to put on it."""
    st.subheader(t("Swap an inspector"))

    visits_by_uscc = {a.uscc: a for a in result.assignments}
    uscc = st.selectbox(
        t("Visit"),
        list(visits_by_uscc),
        format_func=lambda u: f"{visits_by_uscc[u].name} ({u})",
        key=key(PAGE, "swap_visit"),
        placeholder=t("Choose an option"),
    )
    visit = visits_by_uscc[uscc]
    old = st.selectbox(
        t("Replace"), list(visit.team), key=key(PAGE, "swap_old"), placeholder=t("Choose an option")
    )
    candidates = _candidates(used, id(used), visit.department_code, uscc)
    eligible = [
        i for i in candidates.loc[candidates["eligible"], "inspector_id"] if i not in visit.team
    ]
    new = st.selectbox(
        t("By"), eligible, key=key(PAGE, "swap_new"), placeholder=t("Choose an option")
    )
    with st.expander(t("Why are other inspectors not eligible?")):
        st.dataframe(candidates.loc[~candidates["eligible"]], hide_index=True)
    swap_reason = st.text_input(
        t("Reason for the swap (recorded in the audit log)"), key=key(PAGE, "swap_reason")
    )
    if (
        st.button(
            t("Swap and re-check"),
            disabled=not allowed("staff", plan.department_code),
            key=key(PAGE, "swap"),
        )
        and new
    ):
        try:
            workflow.swap(run_id, uscc, old, new, used, calendar=calendar, reason=swap_reason)
        except SchedulerError as error:
            show_error(error)
        else:
            flash(t("Swapped {old} for {new}; every rule still holds.", old=old, new=new))
            st.rerun()
