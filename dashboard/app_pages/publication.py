"""结果公示: results entry and estimates; the lifecycle tabs are ``dashboard.lifecycle_view``.

Every write goes through ``scheduler.publication.actions``; the page opens no transaction.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import workflow
from dashboard.access import allowed, require
from dashboard.i18n import fmt_pct, t
from dashboard.state import (
    current_actor,
    engine,
    flash,
    key,
    missing,
    refresh,
    show_error,
    show_flash,
    small_directory,
    upstream,
)
from dashboard.views import department_options
from scheduler import clock
from scheduler.data.calendar import WorkingCalendar
from scheduler.data.reference import result_codes, tier_scheme
from scheduler.errors import SchedulerError

PAGE = "publication"
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
from dashboard.lifecycle_view import (  # noqa: E402
    Lifecycle,
    objections_section,
    repairs_section,
    tracker_section,
)
from scheduler.publication import actions, jobs  # noqa: E402
from scheduler.publication.estimates import INSUFFICIENT_ZH  # noqa: E402
from scheduler.publication.intervals import MIN_EFFECTIVE_N  # noqa: E402
from scheduler.publication.rules import LifecycleRules  # noqa: E402

# the result cell of a visit not yet reported (an empty cell would show a grey "None")
NO_RESULT = "—"

data = small_directory()
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
        from scheduler.publication.commitments import BROKEN_KINDS

        assert draw is not None  # a record exists only for a live draw
        checked = actions.commitments_checked_by(engine(), draw.draw_id)
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
                    "commitment_check": "；".join(checked.get(a.uscc, [])),
                    "commitment_breach": "",
                    "commitment_item": (
                        checked[a.uscc][0] if len(checked.get(a.uscc, [])) == 1 else ""
                    ),
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
                **(
                    {
                        "commitment_check": st.column_config.TextColumn(
                            t("Commitment check"), disabled=True
                        ),
                        "commitment_breach": st.column_config.SelectboxColumn(
                            t("Commitment finding"), options=["", *BROKEN_KINDS]
                        ),
                        "commitment_item": st.column_config.TextColumn(t("Commitment item")),
                    }
                    if checked
                    else {
                        "commitment_check": None,
                        "commitment_breach": None,
                        "commitment_item": None,
                    }
                ),
            },
            hide_index=True,
            width="stretch",
            key=key(PAGE, "editor"),
        )
        if st.button(
            t("Record the results"),
            type="primary",
            disabled=plan_id is None
            or not allowed("record_results", known_plans[plan_id].department_code),
            key=key(PAGE, "record"),
        ):
            filled = edited.loc[~edited["result_code"].fillna(NO_RESULT).isin([NO_RESULT, ""])]
            filled = filled.assign(inspected_on=pd.to_datetime(filled["inspected_on"]))
            columns = ["uscc", "department_code", "inspected_on", "result_code", "draw_id", "notes"]
            columns += ["commitment_breach", "commitment_item"]
            try:
                done = actions.record_results(
                    engine(),
                    filled[columns].fillna({"commitment_breach": "", "commitment_item": ""}),
                    calendar=calendar,
                    rules=rules,
                    scheme=scheme,
                    source=str(plan_id),
                    actor=current_actor(),
                )
            except SchedulerError as error:
                show_error(error)
            else:
                refresh()
                flash(
                    t(
                        "Recorded {n} results; {c} credit tier changes to report; "
                        "{b} commitments marked broken.",
                        n=done.results,
                        c=done.tier_changes,
                        b=done.commitments_broken,
                    )
                    if done.commitments_broken
                    else t(
                        "Recorded {n} results; {c} credit tier changes to report.",
                        n=done.results,
                        c=done.tier_changes,
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

ctx = Lifecycle(today, calendar, rules, scheme, departments, manage)
with tracker:
    tracker_section(ctx)
with objections:
    objections_section(ctx)
with repairs:
    repairs_section(ctx)
