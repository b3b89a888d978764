"""人员匹配: lawful random teams on working days; workloads, calendar; diagnosis; swaps."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import workflow
from dashboard.access import allowed, require
from dashboard.i18n import fmt_count, fmt_pct, language, t
from dashboard.state import (
    audit,
    key,
    show_error,
    show_flash,
    small_directory,
    staffing_directory,
)
from dashboard.swap_view import swap_section
from dashboard.views import calendar_labels, department_options, region_options
from scheduler import clock
from scheduler.data.calendar import CalendarFallbackWarning, WorkingCalendar
from scheduler.errors import InfeasiblePlanError, SchedulerError
from scheduler.matching import AssignSettings
from scheduler.views.demo import DEMO_SEED
from scheduler.views.plan_summary import (
    apply_relaxation,
    load_distribution,
    team_table,
    visits_per_day,
    workload_table,
)

PAGE = "matching"
TOP_INSPECTORS = 40
HOLIDAY_FALLBACK = (
    "No official holiday schedule for {year} yet: only weekends are treated as days off. "
    "Supply the State Council schedule as a holiday file (SCHEDULER_HOLIDAY_FILE)."
)
st.title(t("Inspector matching"))
require("view_plans")
show_flash()
data = small_directory()
plans = workflow.plans()
if data is None or not plans:
    st.info(t("Draw a plan on the Random draw page first."))
    st.stop()

departments = department_options(data)
regions = region_options(data)
plan_id = workflow.select_plan(PAGE, plans)
plan = plans[plan_id]
draw = workflow.live_draw(plan_id)
if draw is None:
    st.info(t("Draw a plan on the Random draw page first."))
    st.stop()
# Staffing reads the drawn entities' rows and the inspectors, not the whole directory.
data = staffing_directory(draw.draw_id, tuple(draw.rows["uscc"].astype(str)))
st.caption(
    t(
        "Draw {draw}: {n} entities; departments {departments}.",
        draw=draw.draw_id,
        n=len(draw.rows),
        departments="、".join(departments.get(d, d) for d in plan.departments),
    )
)

with st.form(key(PAGE, "form")):
    cols: Sequence[DeltaGenerator] = st.columns(5)
    start = cols[0].date_input(
        t("Inspections from"), value=plan.start or clock.today(), key=key(PAGE, "start")
    )
    end = cols[1].date_input(
        t("Inspections until"),
        value=plan.end or clock.today() + timedelta(days=30),
        key=key(PAGE, "end"),
    )
    team_size = cols[2].number_input(
        t("Inspectors per visit"), min_value=2, max_value=6, value=2, key=key(PAGE, "team")
    )
    daily = cols[3].number_input(
        t("Visits per inspector per day"),
        min_value=1,
        max_value=10,
        value=4,
        key=key(PAGE, "daily"),
    )
    seed = cols[4].number_input(
        t("Seed"), min_value=0, value=DEMO_SEED, step=1, key=key(PAGE, "seed")
    )
    cross = st.checkbox(
        t("Allow inspectors from other divisions"), value=True, key=key(PAGE, "cross")
    )
    rerun_reason = st.text_input(
        t("Reason for assigning again (required once the draw is assigned; audited)"),
        key=key(PAGE, "rerun_reason"),
    )
    run = st.form_submit_button(
        t("Run the assignment"),
        type="primary",
        disabled=not allowed("staff", plan.department_code),
    )

inputs = workflow.draw_inputs(plan, draw)
calendar = WorkingCalendar()
pending_key = key(PAGE, f"pending_{plan_id}")


def _run(directory_used, settings: AssignSettings, until, note: str | None = None) -> None:
    """Staff and record the plan, or keep the diagnosis of why it cannot be staffed."""
    bar = st.progress(0.0, text=t("Matching inspectors..."))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CalendarFallbackWarning)
            run_id = workflow.staff(
                inputs,
                directory=directory_used,
                reason=rerun_reason,
                start=start,
                end=until,
                settings=settings,
                calendar=calendar,
                seed=int(seed),
                progress=lambda what, done, total: bar.progress(
                    min(done / max(total, 1), 1.0), text=f"{t('Matching inspectors...')} {what}"
                ),
            ).run_id
        for year in sorted(
            {w.message.year for w in caught if isinstance(w.message, CalendarFallbackWarning)}
        ):
            st.warning(t(HOLIDAY_FALLBACK, year=year))
    except InfeasiblePlanError as error:
        bar.empty()
        st.session_state[pending_key] = {
            "diagnosis": error.diagnosis,
            "message": str(error),
            "directory": directory_used,
            "settings": settings,
            "end": until,
        }
    except SchedulerError as error:
        bar.empty()
        show_error(error)
    else:
        bar.empty()
        st.session_state.pop(pending_key, None)
        st.session_state[key(PAGE, f"directory_{run_id}")] = directory_used
        if note:
            audit("assignment.relaxed", f"run:{run_id}", {"relaxation": note})


if run:
    _run(
        data,
        AssignSettings(team_size=int(team_size), daily_limit=int(daily), allow_cross_region=cross),
        end,
    )

pending = st.session_state.get(pending_key)
if pending is not None:
    diagnosis = pending["diagnosis"]
    st.error(t("The plan cannot be staffed as it stands: {msg}", msg=pending["message"]))
    st.subheader(t("Diagnosis"))
    st.dataframe(pd.DataFrame(diagnosis.to_rows(language())), hide_index=True, width="stretch")
    if diagnosis.relaxations:
        st.markdown(
            t("Smallest changes that make the plan feasible (each verified by re-solving):")
        )
        for i, relaxation in enumerate(diagnosis.relaxations):
            if st.button(
                t("Apply: {what}", what=relaxation.description),
                disabled=not allowed("staff", plan.department_code),
                key=key(PAGE, f"relax_{i}"),
            ):
                relaxed = apply_relaxation(
                    relaxation,
                    diagnosis,
                    directory=pending["directory"],
                    settings=pending["settings"],
                    end=pending["end"],
                    calendar=calendar,
                )
                _run(relaxed.directory, relaxed.settings, relaxed.end, note=relaxation.description)
                st.rerun()
    else:
        st.warning(
            t(
                "No single relaxation makes the plan feasible: "
                "add qualified inspectors to the divisions above."
            )
        )

record = workflow.assignment_of(draw.draw_id)
if record is None:
    if pending is None:
        st.info(t("Not assigned yet."))
    st.stop()
run_id, result = record
# A relaxation applied in this session (e.g. raised capacities) changed the directory
# the run was checked against; swaps are re-checked against that one.
used = st.session_state.get(key(PAGE, f"directory_{run_id}"), data)

loads = workload_table(result, used)
visits = len({a.visit_id for a in result.assignments})
cols = st.columns(4)
cols[0].metric(t("Visits"), fmt_count(visits))
cols[1].metric(t("Inspectors used"), fmt_count(int((loads["visits"] > 0).sum())))
cols[2].metric(t("Cross-division share"), fmt_pct(1 - result.same_region_share()))
cols[3].metric(t("Busiest inspector"), f"{int(loads['visits'].max()) if len(loads) else 0}")

st.subheader(t("Workload against capacity"))
division = st.selectbox(
    t("Division"),
    ["", *sorted(set(loads["region_code"]))],
    format_func=lambda code: ({"": t("All divisions")} | regions).get(code, code),
    key=key(PAGE, "load_region"),
    placeholder=t("Choose an option"),
)
subset = loads if not division else loads.loc[loads["region_code"] == division]
shown = subset.head(TOP_INSPECTORS).assign(label=lambda f: f["name"] + " " + f["inspector_id"])
bars = alt.Chart(shown).encode(y=alt.Y("label:N", sort=list(shown["label"]), title=t("Inspector")))
chart = bars.mark_bar(color="#c8d3e0").encode(
    x=alt.X("capacity:Q", title=t("Visits"))
) + bars.mark_bar(color="#d62728", height=8).encode(
    x="visits:Q", tooltip=["inspector_id", "name", "region_code", "visits", "capacity"]
)
st.altair_chart(chart.properties(height=max(160, 16 * len(shown))), width="stretch")
st.caption(
    t("Grey: capacity; red: visits in this plan.")
    + " "
    + t("The {n} busiest of {total} inspectors.", n=len(shown), total=len(subset))
)
st.bar_chart(
    load_distribution(subset).rename(
        columns={"visits": t("Visits"), "inspectors": t("Inspectors")}
    ),
    x=t("Visits"),
    y=t("Inspectors"),
    height=200,
)

st.subheader(t("Calendar"))
days = calendar_labels(visits_per_day(result), language())
st.altair_chart(
    alt.Chart(days)
    .mark_rect()
    .encode(
        # dates as text labels: Vega-Lite would print them in English ("Nov 30, 2026")
        x=alt.X("week_label:O", sort=list(dict.fromkeys(days["week_label"])), title=t("Week of")),
        y=alt.Y(
            "weekday_label:O",
            sort=list(dict.fromkeys(days.sort_values("weekday")["weekday_label"])),
            title=t("Weekday"),
        ),
        color=alt.Color("visits:Q", title=t("Visits"), scale=alt.Scale(scheme="blues")),
        tooltip=[
            alt.Tooltip("day_label:N", title=t("Date")),
            alt.Tooltip("visits:Q", title=t("Visits")),
        ],
    ),
    width="stretch",
)

st.subheader(t("Teams"))
teams = team_table(result, used)
st.dataframe(
    teams.assign(
        department_code=teams["department_code"].map(departments).fillna(teams["department_code"]),
        region_code=teams["region_code"].map(regions).fillna(teams["region_code"]),
    ).rename(
        columns={
            "visit_id": t("Visit"),
            "scheduled_on": t("Date"),
            "department_code": t("Department"),
            "uscc": "统一社会信用代码",
            "name": "名称",
            "region_code": t("Division"),
            "lead": t("Team lead"),
            "members": t("Members"),
            "cross_region": t("Cross-division"),
        }
    ),
    hide_index=True,
    width="stretch",
    key=key(PAGE, "teams"),
)

swap_section(plan, run_id, result, used, calendar)
