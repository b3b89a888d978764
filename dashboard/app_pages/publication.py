"""结果公示: results entry, the deadline tracker (overdue in red), objections and credit repair."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import workflow
from dashboard.access import allowed, require
from dashboard.i18n import fmt_pct, t
from dashboard.state import (
    current_actor,
    directory,
    engine,
    flash,
    key,
    missing,
    refresh,
    show_error,
    show_flash,
    upstream,
)
from dashboard.views import dash_if_missing, department_options, tier_labels
from scheduler import clock
from scheduler.data.calendar import WorkingCalendar
from scheduler.data.reference import result_codes, tier_scheme
from scheduler.errors import SchedulerError
from scheduler.store.engine import session_scope

PAGE = "publication"
MAX_ROWS = 2_000
st.title(t("Results and publication"))
require("record_results")
manage = allowed("manage_publication")
show_flash()
lifecycle = upstream("scheduler.publication.lifecycle")
results_module = upstream("scheduler.publication.results")
deadlines_module = upstream("scheduler.publication.deadlines")
if lifecycle is None or results_module is None or deadlines_module is None:
    missing(t("results, deadlines and objections (scheduler.publication)"))
    st.stop()
from scheduler.publication import jobs  # noqa: E402
from scheduler.publication.estimates import INSUFFICIENT_ZH  # noqa: E402
from scheduler.publication.intervals import MIN_EFFECTIVE_N  # noqa: E402
from scheduler.publication.rules import LifecycleRules  # noqa: E402

# the result cell of a visit not yet reported (an empty cell would show a grey "None")
NO_RESULT = "—"

data = directory()
departments = department_options(data, public=False)
codes = {r.code: f"{r.code} {r.name}" for r in result_codes()}
scheme = tier_scheme()
rules = LifecycleRules()
calendar = WorkingCalendar()
today = st.date_input(t("Today"), value=clock.today(), key=key(PAGE, "today"))

entry, tracker, objections, repairs = st.tabs(
    [t("Enter results"), t("Deadlines"), t("Objections"), t("Credit repair")]
)

with entry:
    record = None
    known_plans = workflow.plans()
    plan_id = workflow.select_plan(PAGE, known_plans) if known_plans else None
    draw = workflow.live_draw(plan_id) if plan_id is not None else None
    if draw is not None:
        record = workflow.assignment_of(draw.draw_id)
    if record is None:
        st.info(t("Assign a plan on the Inspector matching page to enter its results here."))
    else:
        _, result = record
        assert plan_id is not None  # a recorded assignment is of the chosen plan
        rows = pd.DataFrame(
            [
                {
                    "uscc": a.uscc,
                    "name": a.name,
                    "department_code": a.department_code,
                    "department": departments.get(a.department_code, a.department_code),
                    "draw_id": a.draw_id,
                    "inspected_on": a.scheduled_on,
                    "result_code": NO_RESULT,
                    "notes": "",
                }
                for a in result.assignments
            ]
        )
        st.caption(
            t(
                "Plan {id}: one row per visit and department. "
                "Fill in the result code of the inspections done.",
                id=plan_id,
            )
        )
        edited = st.data_editor(
            rows,
            column_config={
                "uscc": st.column_config.TextColumn("统一社会信用代码", disabled=True),
                "name": st.column_config.TextColumn("名称", disabled=True),
                "department_code": None,
                "department": st.column_config.TextColumn(t("Department"), disabled=True),
                "draw_id": None,
                "inspected_on": st.column_config.DateColumn(t("Inspected on")),
                "result_code": st.column_config.SelectboxColumn(
                    t("Result"),
                    options=[NO_RESULT, *codes],
                    format_func=lambda c: codes.get(str(c), str(c)),
                ),
                "notes": st.column_config.TextColumn(t("Notes")),
            },
            hide_index=True,
            width="stretch",
            key=key(PAGE, "editor"),
        )
        if st.button(
            t("Record the results"),
            type="primary",
            disabled=not allowed("record_results", known_plans[plan_id].department_code),
            key=key(PAGE, "record"),
        ):
            filled = edited.loc[~edited["result_code"].fillna(NO_RESULT).isin([NO_RESULT, ""])]
            filled = filled.assign(inspected_on=pd.to_datetime(filled["inspected_on"]))
            try:
                with session_scope(engine()) as session:
                    stored = results_module.import_results(
                        session,
                        filled[
                            [
                                "uscc",
                                "department_code",
                                "inspected_on",
                                "result_code",
                                "draw_id",
                                "notes",
                            ]
                        ],
                        calendar=calendar,
                        rules=rules,
                        source=plan_id,
                        actor=current_actor(),
                    )
                    changes = lifecycle.apply_findings(
                        session, stored, scheme=scheme, rules=rules, calendar=calendar
                    )
            except SchedulerError as error:
                show_error(error)
            else:
                refresh()
                flash(
                    t(
                        "Recorded {n} results; {c} credit tier changes to report.",
                        n=len(stored),
                        c=len(changes),
                    )
                )
                st.rerun()
    if draw is not None:
        st.subheader(t("Estimated violation rates"))
        report = jobs.estimate_recorded(engine(), draw.draw_id)
        if report is None:
            st.info(t("Estimates appear once results of this draw are recorded."))
        else:
            st.caption(
                t(
                    "{c:.0%} Korn–Graubard intervals; 样本量不足: effective sample size below "
                    "{n:.0f}, read the rate with care.",
                    c=report.confidence,
                    n=MIN_EFFECTIVE_N,
                )
            )
            domains = {"all": t("All"), "tier": t("Tier"), "region_code": t("Division")}
            st.dataframe(
                pd.DataFrame(
                    {
                        t("Domain"): [domains.get(e.domain, e.domain) for e in report.estimates],
                        t("Value"): [e.value for e in report.estimates],
                        t("With result"): [e.observed for e in report.estimates],
                        t("Violations"): [e.violations for e in report.estimates],
                        t("Rate"): [fmt_pct(e.rate) for e in report.estimates],
                        t("Interval"): [
                            f"{fmt_pct(e.rate_low)}–{fmt_pct(e.rate_high)}"
                            for e in report.estimates
                        ],
                        "n_eff": [round(e.effective_n, 1) for e in report.estimates],
                        t("Flag"): [
                            INSUFFICIENT_ZH if e.insufficient_sample else ""
                            for e in report.estimates
                        ],
                    }
                ),
                hide_index=True,
                key=key(PAGE, "estimates"),
            )

STATUS_COLOURS = {
    "overdue": "background-color: #f8d0d0",
    "late": "background-color: #fde9c8",
    "due": "",
    "done": "color: #6b6b6b",
}

with tracker:
    with session_scope(engine()) as session:
        deadlines = deadlines_module.all_deadlines(session, on=today, calendar=calendar)
    if not deadlines:
        st.info(t("No deadlines yet: record results first."))
    else:
        frame = pd.DataFrame([d.__dict__ for d in deadlines])
        counts = frame["status"].value_counts()
        cols: Sequence[DeltaGenerator] = st.columns(4)
        for col, status in zip(cols, ["overdue", "due", "late", "done"], strict=True):
            col.metric(t(f"status:{status}"), int(counts.get(status, 0)))
        shown = frame.assign(
            department_code=frame["department_code"]
            .map(departments)
            .fillna(frame["department_code"]),
            kind=frame["kind"].map(deadlines_module.KIND_LABELS).fillna(frame["kind"]),
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
            with session_scope(engine()) as session:
                n = results_module.mark_published(session, pending, on=today, actor=current_actor())
            flash(t("{n} results marked as published.", n=n))
            st.rerun()
        if right.button(
            t("Report pending tier changes to the city platform"), key=key(PAGE, "report")
        ):
            with session_scope(engine()) as session:
                n = lifecycle.report_ratings(session, on=today, actor=current_actor())
            flash(t("{n} tier changes reported.", n=n))
            st.rerun()

with objections:
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
                with session_scope(engine()) as session:
                    filed = lifecycle.file_objection(
                        session,
                        uscc=uscc.strip(),
                        department_code=dept,
                        filed_on=today,
                        reason=reason,
                        calendar=calendar,
                        rules=rules,
                        actor=current_actor(),
                    )
                    due = filed.due_on
            except SchedulerError as error:
                show_error(error)
            else:
                st.success(t("Objection filed; decide it by {due}.", due=due))
    with session_scope(engine()) as session:
        open_objections = [
            d
            for d in deadlines_module.all_deadlines(session, on=today, calendar=calendar)
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
            tiers = tier_labels()
            corrected = cols[1].selectbox(
                t("Corrected tier (if upheld)"),
                ["", *tiers],
                format_func=({"": t("the tier before the change")} | tiers).__getitem__,
                key=key(PAGE, "decide_tier"),
                placeholder=t("Choose an option"),
            )
            note = cols[2].text_input(t("Note"), key=key(PAGE, "decide_note"))
            if st.form_submit_button(t("Decide"), disabled=not manage):
                try:
                    with session_scope(engine()) as session:
                        lifecycle.decide_objection(
                            session,
                            ref,
                            decided_on=today,
                            upheld=upheld,
                            corrected_tier=corrected or None,
                            note=note,
                            scheme=scheme,
                            calendar=calendar,
                            rules=rules,
                            actor=current_actor(),
                        )
                except SchedulerError as error:
                    show_error(error)
                else:
                    flash(t("Objection #{id} decided.", id=ref))
                    st.rerun()

with repairs:
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
                with session_scope(engine()) as session:
                    repair = lifecycle.apply_repair(
                        session,
                        uscc=uscc.strip(),
                        department_code=dept,
                        applied_on=today,
                        scheme=scheme,
                        rules=rules,
                        actor=current_actor(),
                    )
                    repair_id = repair.id
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
        report_it = cols[1].form_submit_button(
            t("Report the completed repair"), disabled=not manage
        )
        if complete or report_it:
            try:
                with session_scope(engine()) as session:
                    if complete:
                        lifecycle.complete_repair(
                            session,
                            int(repair_id),
                            completed_on=today,
                            scheme=scheme,
                            calendar=calendar,
                            rules=rules,
                            actor=current_actor(),
                        )
                    else:
                        lifecycle.report_repair(
                            session, int(repair_id), on=today, actor=current_actor()
                        )
            except SchedulerError as error:
                show_error(error)
            else:
                refresh()
                flash(t("Repair #{id} updated.", id=int(repair_id)))
                st.rerun()
