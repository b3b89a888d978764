"""审计: the append-only audit log, and re-verification of any recorded draw."""

from __future__ import annotations

import streamlit as st

from dashboard.access import require
from dashboard.audit_view import actor_label, describe, event_label, subject_label
from dashboard.i18n import fmt_count, t
from dashboard.state import engine, key, small_directory
from dashboard.verify import verify_section
from dashboard.views import department_options
from scheduler.store.auditlog import event_kinds, read_events

st.title(t("Audit"))
require("view_audit")
st.caption(t("Every consequential action is logged here and can never be changed or deleted."))

kinds = event_kinds(engine())
left, middle, right = st.columns([2, 2, 1])
chosen = left.multiselect(
    t("Event kinds"),
    options=list(kinds),
    format_func={
        kind: f"{event_label(kind)} ({fmt_count(n)})" for kind, n in kinds.items()
    }.__getitem__,
    key=key("audit", "kinds"),
    placeholder=t("Choose options"),
)
subject = middle.text_input(
    t("Subject contains (plan, draw or inspector id)"), key=key("audit", "subject")
)
limit = right.number_input(
    t("Rows"), min_value=10, max_value=10_000, value=200, step=50, key=key("audit", "limit")
)

events = read_events(engine(), kinds=chosen or None, subject=subject or None, limit=int(limit))
if events.empty:
    st.info(t("The audit log is empty."))
else:
    names = department_options(small_directory(), public=True)
    shown = events.assign(
        kind=events["kind"].map(event_label),
        actor=events["actor"].map(actor_label),
        subject=events["subject"].map(subject_label),
        details=[
            describe(kind, details, names)
            for kind, details in zip(events["kind"], events["details"], strict=True)
        ],
    )
    st.dataframe(
        shown.rename(
            columns={
                "id": "#",
                "at": t("Time (UTC)"),
                "actor": t("Actor"),
                "kind": t("Event"),
                "subject": t("Subject"),
                "details": t("Details"),
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            t("Time (UTC)"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")
        },
    )

st.divider()
verify_section("audit")
