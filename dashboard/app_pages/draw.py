"""随机抽取: commit and reveal, the draw, expected vs drawn, probabilities, the receipt."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import workflow
from dashboard.access import allowed, require
from dashboard.i18n import fmt_count, fmt_pct, t
from dashboard.state import audit, cached_frame, flash, key, show_error, show_flash, small_directory
from dashboard.verify import verify_section
from dashboard.views import department_options, region_options, tier_labels
from scheduler.data.safe_cells import neutralise_frame
from scheduler.draw import ceremony
from scheduler.draw.witnessed import commit_to_frame, seed_from_reveal
from scheduler.errors import SchedulerError
from scheduler.views.plan_summary import count_table

PAGE = "draw"
st.title(t("Random draw"))
require("view_plans")
show_flash()
data = small_directory()
plans = workflow.plans()
if data is None or not plans:
    st.info(t("Save a plan on the Inspection plans page first."))
    verify_section(PAGE)
    st.stop()

departments = department_options(data)
plan_id = workflow.select_plan(PAGE, plans)
plan = plans[plan_id]
st.caption(
    t(
        "Departments: {departments}; window {start} – {end}.",
        departments="、".join(departments.get(d, d) for d in plan.departments),
        start=plan.start,
        end=plan.end,
    )
)
live = workflow.live_draw(plan_id)
can_draw = allowed("draw", plan.department_code)

mode = st.radio(
    t("Seed"),
    ["reveal", "given"],
    format_func={
        "reveal": t("Commit, then reveal a public value (for witnessed draws)"),
        "given": t("Enter a seed"),
    }.get,
    horizontal=True,
    key=key(PAGE, "mode"),
)
commitment_key = key(PAGE, f"commitment_{plan_id}")
seed: int | None = None
source: dict = {}
reveal_value = ""
if mode == "reveal":
    st.markdown(
        t(
            "1. Publish the commitment (frame fingerprint and parameters) "
            "before the public value exists. "
            "2. When the value is announced (e.g. a lottery result), enter it: it fixes the seed, "
            "so no one can steer the draw."
        )
    )
    reveal_at = st.text_input(t("When the value will be announced"), key=key(PAGE, "reveal_at"))
    value_source = st.text_input(t("Source of the public value"), key=key(PAGE, "value_source"))
    digits = int(
        st.number_input(
            t("Digits in the public value (0 = any number)"),
            min_value=0,
            max_value=64,
            value=0,
            step=1,
            key=key(PAGE, "digits"),
        )
    )
    if st.button(t("Publish the commitment"), disabled=not can_draw, key=key(PAGE, "commit")):
        try:
            commitment = commit_to_frame(
                cached_frame(plan.parameters.rules),
                plan.parameters,
                reveal_at=reveal_at,
                value_source=value_source,
                digits=digits or None,
            )
        except SchedulerError as error:
            show_error(error)
        else:
            st.session_state[commitment_key] = commitment
            audit(
                "draw.commit",
                f"plan:{plan_id}",
                {
                    "commitment_sha256": ceremony.commitment_digest(commitment),
                    "reveal_at": reveal_at,
                    "value_source": value_source,
                },
            )
    commitment = st.session_state.get(commitment_key) or {}
    if commitment:
        st.code(f"sha256 {ceremony.commitment_digest(commitment)}", language=None)
        st.download_button(
            t("Download the commitment"),
            json.dumps(commitment, ensure_ascii=False, indent=2).encode("utf-8"),
            file_name=f"plan-{plan_id}-commitment.json",
            mime="application/json",
            key=key(PAGE, "commitment_file"),
        )
        value = st.text_input(t("The public value, as announced"), key=key(PAGE, "reveal"))
        reveal_value = value
        if value.strip():
            try:
                opened = ceremony.open_ceremony(commitment, value)
            except SchedulerError as error:
                show_error(error)
            else:
                st.caption(t("Canonical value: {value}", value=opened.canonical_value))
                seed, source = opened.seed, opened.record()
else:
    seed = int(
        st.number_input(t("Seed"), min_value=0, value=20260101, step=1, key=key(PAGE, "seed"))
    )
    source = ceremony.GivenSeed(seed).record()

reason = None
if live is not None:
    reason = st.text_input(
        t("Reason for drawing again (required, recorded in the audit log)"), key=key(PAGE, "reason")
    )
ready = can_draw and seed is not None and (live is None or bool(reason and reason.strip()))
run = st.button(t("Run the draw"), type="primary", disabled=not ready, key=key(PAGE, "run"))
if run and seed is not None:  # the button is disabled without a seed
    bar = st.progress(0.0, text=t("Building the sampling frame..."))
    try:
        frame = cached_frame(plan.parameters.rules)
        if mode == "reveal":  # refused when the frame or parameters changed since the commitment
            seed, source = seed_from_reveal(
                st.session_state[commitment_key], reveal_value, frame, plan.parameters
            )
        bar.progress(
            0.5,
            text=t(
                "Drawing for {department}...",
                department=departments.get(plan.department_code, plan.department_code),
            ),
        )
        draw_id = workflow.run_draw(plan_id, seed, seed_source=source, reason=reason)
        bar.progress(1.0, text=t("Done."))
    except SchedulerError as error:
        show_error(error)
    else:
        flash(t("Draw {id} recorded.", id=draw_id))
        st.rerun()

if live is None:
    st.info(t("Not drawn yet."))
    st.divider()
    verify_section(PAGE)
    st.stop()

tiers = tier_labels()
regions = region_options(data)
for result in (live,):
    d = result.department_code
    counts = result.receipt["counts"]
    st.subheader(f"{departments.get(d, d)} · {result.draw_id}")
    cols = st.columns(4)
    cols[0].metric(t("Entities in the frame"), fmt_count(result.receipt["frame_size"]))
    cols[1].metric(t("Drawn"), fmt_count(len(result.rows)))
    cols[2].metric(t("Expected"), f"{result.receipt['expected_size']:.1f}")
    cols[3].metric(t("Seed"), str(result.seed)[:12] + ("…" if len(str(result.seed)) > 12 else ""))

    by_tier = count_table(counts["tier"], tiers)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('Expected and drawn per tier')}**")
        st.dataframe(
            pd.DataFrame(
                {
                    t("Tier"): by_tier["name"],
                    t("Entities"): [fmt_count(v) for v in by_tier["population"]],
                    t("Expected"): by_tier["expected"].round(2),
                    t("Drawn"): by_tier["drawn"],
                    t("Inclusion probability"): [fmt_pct(v) for v in by_tier["probability"]],
                }
            ),
            hide_index=True,
            key=key(PAGE, f"tiers_{result.draw_id}"),
        )
    with right:
        long = by_tier.melt(
            id_vars=["name"], value_vars=["expected", "drawn"], var_name="what", value_name="n"
        )
        long["what"] = long["what"].map({"expected": t("Expected"), "drawn": t("Drawn")})
        st.altair_chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X("name:N", title=t("Tier")),
                xOffset="what:N",
                y=alt.Y("n:Q", title=t("Inspections")),
                color=alt.Color("what:N", title=""),
                tooltip=["name", "what", alt.Tooltip("n:Q", format=".1f")],
            ),
            width="stretch",
        )
    st.caption(
        t(
            "Drawn per tier: {counts}",
            counts=" · ".join(
                f"{code} {drawn}/{expected:.1f}"
                for code, drawn, expected in zip(
                    by_tier["key"], by_tier["drawn"], by_tier["expected"], strict=True
                )
            ),
        )
    )
    if "commitment_checks" in result.receipt:  # 承诺核查, counted apart from the sample
        checks = result.receipt["commitment_checks"]
        st.caption(t("Commitment checks: {drawn} drawn with probability 1 (pending, due by "
                     "{until}); {others} drawn at random", drawn=checks["drawn"],
                     until=checks["until"], others=checks["others_drawn"]))  # fmt: skip
    by_region = count_table(counts["region"], regions)
    st.markdown(f"**{t('Expected and drawn per division')}**")
    st.bar_chart(
        by_region.rename(
            columns={"name": t("Division"), "expected": t("Expected"), "drawn": t("Drawn")}
        ),
        x=t("Division"),
        y=[t("Expected"), t("Drawn")],
        stack=False,
        height=260,
    )
    with st.expander(t("Drawn entities and their inclusion probabilities")):
        st.dataframe(
            result.rows.rename(
                columns={
                    "uscc": "统一社会信用代码",
                    "name": "名称",
                    "region_code": t("Division"),
                    "tier": t("Tier"),
                    "inclusion_prob": t("Inclusion probability"),
                    "stratum": t("Stratum"),
                }
            ),
            hide_index=True,
            width="stretch",
        )
    a, b = st.columns(2)
    a.download_button(
        t("Download the receipt (JSON)"),
        json.dumps(result.receipt, ensure_ascii=False, indent=2).encode("utf-8"),
        file_name=f"{result.draw_id}-receipt.json",
        mime="application/json",
        key=key(PAGE, f"receipt_{result.draw_id}"),
    )
    b.download_button(
        t("Download the draw (CSV)"),
        neutralise_frame(result.rows).to_csv(index=False).encode("utf-8-sig"),
        file_name=f"{result.draw_id}.csv",
        mime="text/csv",
        key=key(PAGE, f"csv_{result.draw_id}"),
    )

st.divider()
verify_section(PAGE)
