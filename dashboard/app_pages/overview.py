"""总览: the directory by division, department and credit tier, and data-quality warnings."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.access import require
from dashboard.commitments_view import commitments_section
from dashboard.i18n import fmt_count, fmt_pct, t
from dashboard.state import directory_version, engine, key, missing, small_directory, upstream
from dashboard.views import department_options, tier_labels
from scheduler import clock

st.title(t("Overview"))
require("view_overview")
data = small_directory()  # reference tables and inspectors only: entities stay in the database
if data is None:
    st.info(t("The database holds no directory yet. Import one on the Data import page."))
    st.stop()


@st.cache_data(show_spinner=False)
def _summary(version: int | None, today: date) -> tuple:
    """The overview of one directory version, computed in SQL once per load and stored."""
    from scheduler.views.overview_store import stored_overview

    found = stored_overview(engine(), today=today)
    return found.totals, found.by_region, found.by_type, found.by_department, found.warnings


totals, by_region, by_type, by_department, warnings = _summary(directory_version(), clock.today())

cols = st.columns(5)
cols[0].metric(t("Entities"), fmt_count(totals.entities))
cols[1].metric(t("Operating"), fmt_count(totals.active_entities))
cols[2].metric(
    t("Individual businesses"), fmt_pct(totals.individual_businesses / max(totals.entities, 1))
)
cols[3].metric(t("Active inspectors"), fmt_count(totals.active_inspectors))
cols[4].metric(t("Inspection capacity"), fmt_count(totals.capacity))

st.subheader(t("Entities by division"))
in_code_order = by_region.sort_values("region_code", kind="stable")
st.altair_chart(
    alt.Chart(in_code_order)
    .mark_bar()
    .encode(
        # divisions in the order of their administrative codes, as every official table lists them
        y=alt.Y("region_name:N", sort=list(in_code_order["region_name"]), title=t("Division")),
        x=alt.X("entities:Q", title=t("Entities")),
        tooltip=[
            alt.Tooltip("region_name:N", title=t("Division")),
            alt.Tooltip("entities:Q", title=t("Entities"), format=","),
        ],
    )
    .properties(height=320),
    width="stretch",
)

left, right = st.columns(2)
with left:
    st.subheader(t("Entity types"))
    pie = (
        alt.Chart(by_type)
        .mark_arc(innerRadius=50)
        .encode(
            theta="entities:Q",
            color=alt.Color("entity_type:N", title=t("Entity type")),
            tooltip=["entity_type", "entities"],
        )
    )
    st.altair_chart(pie, width="stretch")
with right:
    st.subheader(t("Inspectors by department"))
    shown = by_department.head(15).rename(
        columns={
            "department_name": t("Department"),
            "inspectors": t("Inspectors"),
            "active": t("Active"),
            "capacity": t("Capacity"),
        }
    )
    st.dataframe(shown.drop(columns=["department_code"]), hide_index=True, width="stretch")

st.subheader(t("Credit tier mix"))
tiers = upstream("scheduler.draw.tiers")
if tiers is None:
    missing(t("credit tiers (scheduler.draw.tiers)"))
else:
    options = department_options(data)
    department = st.selectbox(
        t("Rating department"),
        options=list(options),
        format_func=lambda code: options[code],
        key=key("overview", "department"),
        placeholder=t("Choose an option"),
    )

    @st.cache_data(show_spinner=False)
    def _mix(version: int | None, department: str, on: date) -> pd.DataFrame:
        from scheduler.views.overview_store import tier_mix_from_db

        order = tuple(tier_labels())
        return tier_mix_from_db(engine(), department, on=on, tier_order=order)

    mix = _mix(directory_version(), department, clock.today())
    names = data.regions.set_index("code")["name"]
    long = (
        mix.rename(index=names)
        .reset_index()
        .melt(id_vars="region_code", var_name="tier", value_name="entities")
    )
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("region_code:N", sort=list(names.sort_index()), title=t("Division")),
            x=alt.X("entities:Q", stack="normalize", title=t("Share"), axis=alt.Axis(format="%")),
            color=alt.Color(
                "tier:N", title=t("Tier"), scale=alt.Scale(scheme="redyellowgreen", reverse=True)
            ),
            tooltip=[
                alt.Tooltip("region_code:N", title=t("Division")),
                alt.Tooltip("tier:N", title=t("Tier")),
                alt.Tooltip("entities:Q", title=t("Entities"), format=","),
            ],
        )
    )
    st.altair_chart(bars, width="stretch")
    share = mix.sum() / max(int(mix.to_numpy().sum()), 1)
    st.caption(" · ".join(f"{code}: {fmt_pct(share[code])}" for code in mix.columns))

commitments_section(data)

st.subheader(t("Data quality"))
if not warnings:
    st.success(t("No data-quality warnings."))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("Warning"): [t(f"quality:{w.kind}") for w in warnings],
                t("Records"): [fmt_count(w.count) for w in warnings],
                t("Examples"): [", ".join(w.examples) for w in warnings],
            }
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("Divisions"))
st.dataframe(
    by_region.rename(
        columns={
            "region_code": t("Code"),
            "region_name": t("Division"),
            "entities": t("Entities"),
            "active": t("Operating"),
            "inspectors": t("Active inspectors"),
        }
    ),
    hide_index=True,
    width="stretch",
)
