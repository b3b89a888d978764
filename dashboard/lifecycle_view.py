"""结果公示 page, lifecycle tabs: the deadline tracker (overdue in red), objections, credit repair.

Every write is one action of ``scheduler.publication.actions`` (the CLI's
``deadlines``, ``report-ratings``, ``objection`` and ``repair`` commands call the
same); this module lays the tabs out and opens no transaction itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n import t
from dashboard.state import current_actor, engine, flash, key, refresh, show_error
from dashboard.views import dash_if_missing, tier_labels
from scheduler.data.calendar import WorkingCalendar
from scheduler.errors import SchedulerError
from scheduler.publication import actions
from scheduler.publication.deadlines import KIND_LABELS

__all__ = ["Lifecycle", "tracker_section", "objections_section", "repairs_section"]

PAGE = "publication"
MAX_ROWS = 2_000


@dataclass(frozen=True)
class Lifecycle:
    """What every tab works with: the day, the rules, the tier scheme and the page's choices."""

    today: date
    calendar: WorkingCalendar
    rules: Any
    scheme: Any
    departments: dict[str, str]
    manage: bool


STATUS_COLOURS = {
    "overdue": "background-color: #f8d0d0",
    "late": "background-color: #fde9c8",
    "due": "",
    "done": "color: #6b6b6b",
}


def tracker_section(ctx: Lifecycle) -> None:
    """Every duty with its deadline and status; publish and report in bulk."""
    today, departments = ctx.today, ctx.departments
    deadlines = actions.deadlines_on(engine(), today, ctx.calendar)
    if not deadlines:
        st.info(t("No deadlines yet: record results first."))
    else:
        frame = pd.DataFrame([d.__dict__ for d in deadlines])
        counts = frame["status"].value_counts()
        cols = st.columns(4)
        for col, status in zip(cols, ["overdue", "due", "late", "done"], strict=True):
            col.metric(t(f"status:{status}"), int(counts.get(status, 0)))
        shown = frame.assign(
            department_code=frame["department_code"]
            .map(departments)
            .fillna(frame["department_code"]),
            kind=frame["kind"].map(KIND_LABELS).fillna(frame["kind"]),
            done_on=frame["done_on"].map(dash_if_missing),
            working_days_left=frame["working_days_left"].map(dash_if_missing),
            status_label=frame["status"].map(lambda s: t(f"status:{s}")),
        )[
            [
                "kind",
                "uscc",
                "department_code",
                "since",
                "due_on",
                "done_on",
                "status_label",
                "working_days_left",
                "status",
            ]
        ]
        if not st.checkbox(t("Show completed duties"), key=key(PAGE, "show_done")):
            shown = shown.loc[shown["status"].isin(["overdue", "due"])]
        if len(shown) > MAX_ROWS:
            st.caption(
                t(
                    "The first {n} of {total} duties, soonest due first.",
                    n=MAX_ROWS,
                    total=len(shown),
                )
            )
            shown = shown.head(MAX_ROWS)
        styled = shown.style.apply(
            lambda row: [STATUS_COLOURS.get(row["status"], "")] * len(row), axis=1
        )
        st.dataframe(
            styled,
            hide_index=True,
            width="stretch",
            column_order=[
                "kind",
                "uscc",
                "department_code",
                "since",
                "due_on",
                "done_on",
                "status_label",
                "working_days_left",
            ],
            column_config={
                "kind": t("Duty"),
                "uscc": "统一社会信用代码",
                "department_code": t("Department"),
                "since": t("Since"),
                "due_on": t("Due"),
                "done_on": t("Done"),
                "status_label": t("Status"),
                "working_days_left": t("Working days left"),
            },
        )
        left, right = st.columns(2)
        pending = [d.ref for d in deadlines if d.kind == "publish_result" and d.done_on is None]
        if left.button(
            t("Mark {n} results as published today", n=len(pending)),
            disabled=not pending,
            key=key(PAGE, "publish"),
        ):
            n = actions.mark_published(engine(), pending, on=today, actor=current_actor())
            flash(t("{n} results marked as published.", n=n))
            st.rerun()
        if right.button(
            t("Report pending tier changes to the city platform"), key=key(PAGE, "report")
        ):
            n = actions.report_ratings(engine(), on=today, actor=current_actor())
            flash(t("{n} tier changes reported.", n=n))
            st.rerun()


def objections_section(ctx: Lifecycle) -> None:
    """File an objection; decide an open one."""
    today, departments, manage = ctx.today, ctx.departments, ctx.manage
    st.markdown(f"**{t('File an objection')}**")
    with st.form(key(PAGE, "objection_form")):
        cols = st.columns(3)
        uscc = cols[0].text_input("统一社会信用代码", key=key(PAGE, "obj_uscc"))
        dept = cols[1].selectbox(
            t("Department"),
            list(departments),
            format_func=lambda code: departments.get(code, code),
            key=key(PAGE, "obj_dept"),
            placeholder=t("Choose an option"),
        )
        reason = cols[2].text_input(t("Reason"), key=key(PAGE, "obj_reason"))
        if st.form_submit_button(t("Submit the objection"), disabled=not manage):
            try:
                _, due = actions.file_objection(
                    engine(),
                    uscc=uscc.strip(),
                    department_code=dept,
                    filed_on=today,
                    reason=reason,
                    calendar=ctx.calendar,
                    rules=ctx.rules,
                    actor=current_actor(),
                )
            except SchedulerError as error:
                show_error(error)
            else:
                st.success(t("Objection filed; decide it by {due}.", due=due))
    open_objections = [
        d
        for d in actions.deadlines_on(engine(), today, ctx.calendar)
        if d.kind == "decide_objection" and d.done_on is None
    ]
    st.markdown(f"**{t('Decide an objection')}**")
    if not open_objections:
        st.caption(t("No open objection."))
    else:
        by_id = {d.ref: d for d in open_objections}
        with st.form(key(PAGE, "decide_form")):
            ref = st.selectbox(
                t("Objection"),
                list(by_id),
                format_func={
                    r: f"#{r} {d.uscc} · {t('Due')} {d.due_on}" for r, d in by_id.items()
                }.__getitem__,
                key=key(PAGE, "decide_id"),
                placeholder=t("Choose an option"),
            )
            cols = st.columns(3)
            upheld = cols[0].checkbox(t("Upheld"), key=key(PAGE, "decide_upheld"))
            tiers: dict[str, str] = tier_labels()
            corrected = cols[1].selectbox(
                t("Corrected tier (if upheld)"),
                ["", *tiers],
                format_func=({"": t("the tier before the change")} | tiers).__getitem__,
                key=key(PAGE, "decide_tier"),
                placeholder=t("Choose an option"),
            )
            note = cols[2].text_input(t("Note"), key=key(PAGE, "decide_note"))
            if st.form_submit_button(t("Decide"), disabled=not manage) and ref is not None:
                try:
                    actions.decide_objection(
                        engine(),
                        ref,
                        decided_on=today,
                        upheld=upheld,
                        corrected_tier=corrected or None,
                        note=note,
                        scheme=ctx.scheme,
                        calendar=ctx.calendar,
                        rules=ctx.rules,
                        actor=current_actor(),
                    )
                except SchedulerError as error:
                    show_error(error)
                else:
                    flash(t("Objection #{id} decided.", id=ref))
                    st.rerun()


def repairs_section(ctx: Lifecycle) -> None:
    """Apply for, complete and report credit repair."""
    today, departments, manage = ctx.today, ctx.departments, ctx.manage
    st.caption(
        t(
            "Credit repair is possible after the minimum publicity period; "
            "a completed repair is reported "
            "to the city platform within 2 working days."
        )
    )
    with st.form(key(PAGE, "repair_form")):
        cols = st.columns(2)
        uscc = cols[0].text_input("统一社会信用代码", key=key(PAGE, "rep_uscc"))
        dept = cols[1].selectbox(
            t("Department"),
            list(departments),
            format_func=lambda code: departments.get(code, code),
            key=key(PAGE, "rep_dept"),
            placeholder=t("Choose an option"),
        )
        if st.form_submit_button(t("Record an application"), disabled=not manage):
            try:
                repair_id = actions.apply_repair(
                    engine(),
                    uscc=uscc.strip(),
                    department_code=dept,
                    applied_on=today,
                    scheme=ctx.scheme,
                    rules=ctx.rules,
                    actor=current_actor(),
                )
            except SchedulerError as error:
                show_error(error)
            else:
                st.success(t("Application #{id} recorded.", id=repair_id))
    with st.form(key(PAGE, "complete_form")):
        repair_id = st.number_input(
            t("Application number"), min_value=1, step=1, key=key(PAGE, "rep_id")
        )
        cols = st.columns(2)
        complete = cols[0].form_submit_button(t("Complete the repair"), disabled=not manage)
        report = cols[1].form_submit_button(t("Report the completed repair"), disabled=not manage)
        if complete or report:
            try:
                if complete:
                    actions.complete_repair(
                        engine(),
                        int(repair_id),
                        completed_on=today,
                        scheme=ctx.scheme,
                        calendar=ctx.calendar,
                        rules=ctx.rules,
                        actor=current_actor(),
                    )
                else:
                    actions.report_repair(engine(), int(repair_id), on=today, actor=current_actor())
            except SchedulerError as error:
                show_error(error)
            else:
                refresh()
                flash(t("Repair #{id} updated.", id=int(repair_id)))
                st.rerun()
