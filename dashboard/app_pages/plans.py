"""抽查计划: department, items, divisions, entity types, rates or budget, window, joint visits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import joint_rule_view, views, workflow
from dashboard.access import allowed, require
from dashboard.i18n import fmt_count, fmt_pct, t
from dashboard.programme_view import programme_section
from dashboard.state import cached_frame, division_sizes, key, show_error, small_directory
from dashboard.views import department_options, preset_options, region_options, sector_options
from scheduler import clock
from scheduler.data.reference import default_min_months, default_weights, preset, tier_scheme
from scheduler.draw.frame import FrameRules
from scheduler.draw.policy import make_policy
from scheduler.errors import SchedulerError
from scheduler.views.plan_summary import frame_summary

PAGE = "plans"
st.title(t("Inspection plans"))
require("view_plans")
data = small_directory()
if data is None:
    st.info(t("The database holds no directory yet. Import one on the Data import page."))
    st.stop()

scheme = tier_scheme()
tiers = views.tier_labels()
departments = department_options(data, public=False)
with_inspectors = set(data.inspectors["department_code"])
# Departments with inspectors first: only they can staff a plan.
ordered = sorted(departments, key=lambda code: (code not in with_inspectors, code != "MARKET"))
ordered = [code for code in ordered if allowed("edit_plans", code)] or ordered

left, right = st.columns(2)
name = left.text_input(
    t("Plan name"),
    value=t("Random inspection {year}", year=clock.today().year),
    key=key(PAGE, "name"),
)
department = left.selectbox(
    t("Department"),
    ordered,
    format_func=lambda code: departments.get(code, code),
    key=key(PAGE, "department"),
    placeholder=t("Choose an option"),
)
sectors = sector_options(data, department)
chosen_sectors = left.multiselect(
    t("Inspection items (sectors; empty = all of the department's)"),
    list(sectors),
    format_func=lambda code: sectors.get(code, code),
    key=key(PAGE, "sectors"),
    placeholder=t("Choose options"),
)
regions = region_options(data)
chosen_regions = left.multiselect(
    t("Divisions (empty = all)"),
    list(regions),
    format_func=lambda code: regions.get(code, code),
    key=key(PAGE, "regions"),
    placeholder=t("Choose options"),
)
from scheduler.data.formats import ENTITY_TYPES  # noqa: E402

chosen_types = left.multiselect(
    t("Entity types (empty = all)"),
    list(ENTITY_TYPES),
    key=key(PAGE, "types"),
    placeholder=t("Choose options"),
)
joint = left.multiselect(
    t("Joint departments (one visit, several departments' items)"),
    [code for code in ordered if code != department],
    format_func=lambda code: departments.get(code, code),
    key=key(PAGE, "joint"),
    placeholder=t("Choose options"),
)
joint_tier_rule = joint_rule_view.rule_input(left, joint, key(PAGE, "joint_tier_rule"))

mode = right.radio(
    t("How much to inspect"),
    ["preset", "rates", "budget"],
    format_func={"preset": t("Preset rates"), "rates": t("Own rates"), "budget": t("Budget")}.get,
    horizontal=True,
    key=key(PAGE, "mode"),
)
policy_args: dict = {}
if mode == "preset":
    presets = preset_options()
    policy_args["preset_name"] = right.selectbox(
        t("Preset"),
        list(presets),
        format_func=lambda code: presets.get(code, code),
        key=key(PAGE, "preset"),
        placeholder=t("Choose an option"),
    )
elif mode == "rates":
    cols: Sequence[DeltaGenerator] = right.columns(len(scheme.codes))
    defaults = {"A": 3.0, "B": 5.0, "C": 15.0, "D": 50.0}
    policy_args["rates"] = {
        code: cols[i].number_input(
            f"{tiers[code]} %",
            min_value=0.1,
            max_value=100.0,
            value=defaults.get(code, 10.0),
            step=0.5,
            key=key(PAGE, f"rate_{code}"),
        )
        / 100
        for i, code in enumerate(scheme.codes)
    }
else:
    policy_args["budget"] = int(
        right.number_input(
            t("Inspections in total"), min_value=1, value=100, step=10, key=key(PAGE, "budget")
        )
    )
    cols = right.columns(len(scheme.codes))
    weights = default_weights()
    policy_args["weights"] = {
        code: cols[i].number_input(
            t("Weight {tier}", tier=code),
            min_value=0.1,
            value=float(weights.get(code, 1.0)),
            step=0.5,
            key=key(PAGE, f"weight_{code}"),
        )
        for i, code in enumerate(scheme.codes)
    }
start = right.date_input(
    t("Inspections from"), value=clock.today() + timedelta(days=7), key=key(PAGE, "start")
)
end = right.date_input(
    t("Inspections until"), value=clock.today() + timedelta(days=60), key=key(PAGE, "end")
)
control = right.radio(
    t("Repeat control"),
    ["tier", "window"],
    format_func={
        "tier": t("By credit tier (minimum months between inspections)"),
        "window": t("One window for every tier"),
    }.get,
    horizontal=True,
    key=key(PAGE, "control"),
)
repeat = 12
tier_months: dict[str, int] = {}
if control == "tier":  # the preset's min_months, which the planner may override
    chosen = policy_args.get("preset_name")
    base = preset(chosen).min_months if chosen else default_min_months()
    cols = right.columns(len(scheme.codes))
    tier_months = {
        code: int(
            cols[i].number_input(
                t("{tier}: months", tier=tiers[code]),
                min_value=0,
                max_value=60,
                value=int(base.get(code, 12)),
                key=key(PAGE, f"months_{policy_args.get('preset_name', mode)}_{code}"),
            )
        )
        for i, code in enumerate(scheme.codes)
    }
else:
    repeat = int(
        right.number_input(
            t("Repeat control: skip entities inspected within (months)"),
            min_value=0,
            max_value=36,
            value=12,
            key=key(PAGE, "repeat"),
        )
    )
verify_commitments = right.checkbox(
    t("Commitment checks (承诺核查): draw every pending commitment due by the last day"),
    key=key(PAGE, "verify_commitments"),
)

try:
    policy = make_policy(scheme, **policy_args)
    rules = FrameRules(
        department_code=department,
        on=start,
        regions=tuple(chosen_regions),
        sectors=tuple(chosen_sectors),
        entity_types=tuple(chosen_types),
        repeat_window_months=repeat,
        tier_months=tuple(sorted(tier_months.items())),
        joint_departments=tuple(sorted(joint)),  # the joint frame the plan will draw from
        joint_tier_rule=joint_tier_rule,
        verify_commitments=end if verify_commitments else None,
    )
except SchedulerError as error:
    show_error(error)
    st.stop()

st.subheader(t("Preview"))
# A frame of many divisions is read from the database row by row (minutes for a whole city):
# it is built on request, never on the way to choosing the divisions.
sizes = division_sizes()
candidates = sum(sizes.get(code, 0) for code in (chosen_regions or sizes))
requested = st.session_state.get(key(PAGE, "preview_rules")) == rules
if candidates > views.AUTO_PREVIEW_ENTITIES and not requested:
    st.info(
        t(
            "{n} entities in the chosen divisions: the preview is built on request "
            "(it reads them all from the database). Choose divisions for an instant preview.",
            n=fmt_count(candidates),
        )
    )
    if st.button(t("Build the preview"), key=key(PAGE, "preview")):
        st.session_state[key(PAGE, "preview_rules")] = rules
        st.rerun()
else:
    try:
        frame = cached_frame(rules)
        summary = frame_summary(frame, policy)
    except SchedulerError as error:
        show_error(error)
        st.stop()
    cols = st.columns(3)
    cols[0].metric(t("Entities in the frame"), fmt_count(frame.size))
    cols[1].metric(t("Excluded"), fmt_count(len(frame.excluded)))
    cols[2].metric(t("Expected inspections"), fmt_count(round(summary["expected"].sum(), 1)))
    st.dataframe(
        pd.DataFrame(
            {
                t("Tier"): [tiers.get(c, c) for c in summary.index],
                t("Entities"): [fmt_count(v) for v in summary["population"]],
                t("Inclusion probability"): [fmt_pct(v) for v in summary["probability"]],
                t("Expected inspections"): [f"{v:.1f}" for v in summary["expected"]],
            }
        ),
        hide_index=True,
    )

can_edit = allowed("edit_plans", department)
if not can_edit:
    st.caption(t("Your role can read plans but not save them."))
if st.button(t("Save the plan"), type="primary", disabled=not can_edit, key=key(PAGE, "save")):
    try:
        plan_id = workflow.create(
            department_code=department,
            policy=policy,
            name=name,
            sectors=tuple(chosen_sectors),
            regions=tuple(chosen_regions),
            entity_types=tuple(chosen_types),
            joint_departments=tuple(joint),
            joint_tier_rule=joint_tier_rule,
            start=start,
            end=end,
            repeat_window_months=repeat,
            tier_months=tier_months,
            verify_commitments=verify_commitments,
        )
    except SchedulerError as error:
        show_error(error)
    else:
        st.session_state["current_plan"] = plan_id
        st.success(t("Saved plan {id}. Go to the Random draw page to draw it.", id=plan_id))

saved = workflow.plans()
if saved:
    st.subheader(t("Plans"))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("Plan"): p.plan_id,
                    t("Plan name"): p.name,
                    t("Departments"): "、".join(departments.get(d, d) for d in p.departments),
                    t("Tier in the joint plan"): joint_rule_view.rule_cell(p),
                    t("Window"): f"{p.start} – {p.end}",
                    t("Repeat control"): "、".join(
                        f"{tiers.get(c, c)} {m}" for c, m in p.parameters.rules.tier_months
                    )
                    or t(
                        "{months} months, every tier",
                        months=p.parameters.rules.repeat_window_months,
                    ),
                }
                for p in saved.values()
            ]
        ),
        hide_index=True,
    )

programme_section(data)
