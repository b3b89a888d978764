"""随机抽取: commit and reveal, the draw with progress, expected vs drawn, probabilities, receipt."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import workflow
from dashboard.i18n import fmt_count, fmt_pct, t
from dashboard.state import audit, cached_frame, directory, key, show_error
from dashboard.verify import verify_section
from dashboard.views import department_options, region_options, tier_labels
from scheduler import receipt as receipts
from scheduler.draw import draw_from_frame
from scheduler.errors import InvalidInputError, SchedulerError
from scheduler.plan_summary import count_table
from scheduler.publication.safe_cells import neutralise_frame

PAGE = "draw"
st.title(t("Random draw"))
data = directory()
plans = workflow.plans()
if data is None or not plans:
    st.info(t("Save a plan on the Inspection plans page first."))
    verify_section(PAGE)
    st.stop()

departments = department_options(data)
ids = list(plans)
current = st.session_state.get("current_plan")
plan_id = st.selectbox(
    t("Plan"),
    ids,
    index=ids.index(current) if current in ids else len(ids) - 1,
    format_func=lambda i: f"{i} · {plans[i].name}",
    key=key(PAGE, "plan"),
)
st.session_state["current_plan"] = plan_id
plan = plans[plan_id]
st.caption(
    t("Departments: {departments}; window {start} – {end}.",
      departments="、".join(departments.get(d, d) for d in plan.departments), start=plan.start, end=plan.end)
)

mode = st.radio(
    t("Seed"),
    ["reveal", "given"],
    format_func=lambda m: t("Commit, then reveal a public value (for witnessed draws)")
    if m == "reveal"
    else t("Enter a seed"),
    horizontal=True,
    key=key(PAGE, "mode"),
)
commitments_key = key(PAGE, f"commitments_{plan_id}")
seeds: dict[str, int] = {}
sources: dict[str, dict] = {}
if mode == "reveal":
    st.markdown(
        t(
            "1. Publish the commitment (frame fingerprint and parameters) before the public value exists. "
            "2. When the value is announced (e.g. a lottery result), enter it: it fixes the seed, "
            "so no one can steer the draw."
        )
    )
    reveal_at = st.text_input(t("When the value will be announced"), key=key(PAGE, "reveal_at"))
    value_source = st.text_input(t("Source of the public value"), key=key(PAGE, "value_source"))
    if st.button(t("Publish the commitment"), key=key(PAGE, "commit")):
        try:
            st.session_state[commitments_key] = {
                d: receipts.make_commitment(
                    cached_frame(plan.parameters_for(d).rules), plan.parameters_for(d),
                    reveal_at=reveal_at, value_source=value_source,
                )
                for d in plan.departments
            }
        except SchedulerError as error:
            show_error(error)
        else:
            audit("draw.commit", plan_id, {d: receipts.commitment_digest(c) for d, c in
                                           st.session_state[commitments_key].items()})
    commitments = st.session_state.get(commitments_key)
    if commitments:
        for d, c in commitments.items():
            st.code(f"{departments.get(d, d)}  sha256 {receipts.commitment_digest(c)}", language=None)
        st.download_button(
            t("Download the commitment"),
            json.dumps(commitments, ensure_ascii=False, indent=2).encode("utf-8"),
            file_name=f"{plan_id}-commitment.json",
            mime="application/json",
            key=key(PAGE, "commitment_file"),
        )
        value = st.text_input(t("The public value, as announced"), key=key(PAGE, "reveal"))
        if value.strip():
            for d, c in commitments.items():
                seeds[d] = receipts.seed_from_reveal(c, value)
                sources[d] = {"kind": "reveal", "commitment_sha256": receipts.commitment_digest(c),
                              "value": receipts.normalise_reveal(value)}
else:
    seed = st.number_input(t("Seed"), min_value=0, value=20260101, step=1, key=key(PAGE, "seed"))
    for i, d in enumerate(plan.departments):
        seeds[d] = int(seed) + i
        sources[d] = {"kind": "given"}

ready = len(seeds) == len(plan.departments)
if st.button(t("Run the draw"), type="primary", disabled=not ready, key=key(PAGE, "run")):
    bar = st.progress(0.0, text=t("Building the sampling frame..."))
    results = []
    try:
        for i, d in enumerate(plan.departments):
            parameters = plan.parameters_for(d)
            frame = cached_frame(parameters.rules)
            if mode == "reveal":
                problems = receipts.check_commitment(st.session_state[commitments_key][d], frame, parameters)
                if problems:
                    raise InvalidInputError("; ".join(problems))
            bar.progress((i + 0.5) / len(plan.departments), text=t("Drawing for {department}...",
                                                                    department=departments.get(d, d)))
            results.append(draw_from_frame(frame, parameters, seeds[d], seed_source=sources[d]))
        bar.progress(1.0, text=t("Done."))
    except SchedulerError as error:
        show_error(error)
    else:
        workflow.save_draws(plan_id, tuple(results))
        for result in results:
            audit("draw.run", result.draw_id, {"plan_id": plan_id, "seed": str(result.seed),
                                               "department_code": result.parameters.rules.department_code,
                                               "sample_size": result.size, "seed_source": result.receipt["seed_source"]})

draws = workflow.draws_of(plan_id)
if not draws:
    st.info(t("Not drawn yet."))
    st.divider()
    verify_section(PAGE)
    st.stop()

tiers = tier_labels()
regions = region_options(data)
for result in draws:
    d = result.parameters.rules.department_code
    counts = result.receipt["counts"]
    st.subheader(f"{departments.get(d, d)} · {result.draw_id}")
    cols = st.columns(4)
    cols[0].metric(t("Entities in the frame"), fmt_count(result.receipt["frame_size"]))
    cols[1].metric(t("Drawn"), fmt_count(result.size))
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
        long = by_tier.melt(id_vars=["name"], value_vars=["expected", "drawn"], var_name="what", value_name="n")
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
    by_region = count_table(counts["region"], regions)
    st.markdown(f"**{t('Expected and drawn per division')}**")
    st.bar_chart(
        by_region.rename(columns={"name": t("Division"), "expected": t("Expected"), "drawn": t("Drawn")}),
        x=t("Division"),
        y=[t("Expected"), t("Drawn")],
        stack=False,
        height=260,
    )
    with st.expander(t("Drawn entities and their inclusion probabilities")):
        st.dataframe(
            result.rows.rename(
                columns={"uscc": "统一社会信用代码", "name": "名称", "region_code": t("Division"),
                         "tier": t("Tier"), "inclusion_prob": t("Inclusion probability"), "stratum": t("Stratum")}
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
