"""政策模拟: compare tier-rate policies over the years, with 95% intervals across replications."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.access import require
from dashboard.i18n import fmt_count, t
from dashboard.state import (
    database_url,
    directory_version,
    engine,
    key,
    missing,
    show_error,
    small_directory,
    upstream,
)
from dashboard.sweep_view import sweep_section
from dashboard.views import department_options, preset_options
from scheduler import clock
from scheduler.data.reference import tier_scheme
from scheduler.errors import SchedulerError

PAGE = "simulation"
st.title(t("Policy simulation"))
require("simulate")
st.caption(
    t(
        "A Monte Carlo model of the directory under inspection: each policy spends the same "
        "number of inspections; bands show the range seen in 95% of the simulated futures."
    )
)

simulation = upstream("scheduler.simulation")
if simulation is None:
    missing(t("the policy simulation (scheduler.simulation)"))
    st.stop()
from scheduler.simulation.output import TABLE_METRICS, summary_frame  # noqa: E402
from scheduler.simulation.population import Population  # noqa: E402
from scheduler.simulation.seeded import seeded_population  # noqa: E402

data = small_directory()  # the population is read from the database only when a run needs it
scheme = tier_scheme()


@st.cache_resource(show_spinner=False, max_entries=4)
def _population(url: str, version: int | None, department: str, on: date) -> Population:
    from scheduler.simulation.db_population import population_from_db

    return population_from_db(engine(), on=on, department=department)


def stored_population(department: str) -> Population:
    """The imported directory's population: three entity columns and two raters' ratings."""
    return _population(database_url(), directory_version(), department, clock.today())


with st.form(key("simulation", "form")):
    left, right = st.columns(2)
    sources = ["directory", "synthetic"] if data is not None else ["synthetic"]
    source = left.radio(
        t("Population"),
        sources,
        format_func={
            "directory": t("The imported directory"),
            "synthetic": t("A synthetic population"),
        }.get,
        horizontal=True,
        key=key(PAGE, "source"),
    )
    size = left.number_input(
        t("Synthetic population size"),
        min_value=100,
        max_value=2_000_000,
        value=20_000,
        step=1_000,
        key=key(PAGE, "size"),
    )
    departments = department_options(data)
    department = left.selectbox(
        t("Rating department"),
        list(departments),
        format_func=lambda code: departments.get(code, code),
        key=key(PAGE, "department"),
        placeholder=t("Choose an option"),
    )
    choices = ["uniform", "risk", *preset_options()]
    policies = right.multiselect(
        t("Policies to compare"),
        choices,
        default=["uniform", "weifang-default", "risk"],
        format_func=(
            {"uniform": t("uniform (no credit weighting)"), "risk": t("risk-adaptive")}
            | preset_options()
        ).__getitem__,
        key=key(PAGE, "policies"),
        placeholder=t("Choose options"),
    )
    custom = right.text_input(
        t("Custom rates (optional), e.g. A=0.02,B=0.05,C=0.2,D=0.6"), key=key(PAGE, "custom")
    )
    a, b, c = right.columns(3)
    years = a.number_input(t("Years"), min_value=1, max_value=20, value=5, key=key(PAGE, "years"))
    replications = b.number_input(
        t("Replications"), min_value=2, max_value=500, value=20, key=key(PAGE, "replications")
    )
    seed = c.number_input(t("Seed"), min_value=0, value=2026, step=1, key=key(PAGE, "seed"))
    run = st.form_submit_button(t("Run the simulation"), type="primary")

if run:
    try:
        chosen = [simulation.parse_policy(p, scheme) for p in policies]
        if custom.strip():
            chosen.append(simulation.parse_policy(custom, scheme))
        population: Population | int
        if source == "directory" and data is not None:
            population = stored_population(department)
        else:
            population = int(size)  # built from the seed by simulate_seeded, as in the CLI
        bar = st.progress(0.0, text=t("Simulating..."))
        result = simulation.simulate_seeded(
            int(seed),
            population,
            chosen,
            scheme=scheme,
            periods=int(years),
            replications=int(replications),
            progress=lambda done, total: bar.progress(done / total, text=t("Simulating...")),
        )
        bar.empty()
    except SchedulerError as error:
        show_error(error)
    else:
        st.session_state[key(PAGE, "result")] = result


def population_of(seed: int) -> Population:
    """The population chosen above, for the sweep section (synthetic: from the user's seed)."""
    assert simulation is not None  # the page stopped above otherwise
    if source == "directory" and data is not None:
        return stored_population(department)
    return seeded_population(seed, int(size), scheme)


result = st.session_state.get(key(PAGE, "result"))
if result is None:
    st.info(t("Choose policies and run the simulation."))
    sweep_section(population_of)
    st.stop()

summary = summary_frame(result)  # policy, period, metric, mean, se, lo, hi
st.caption(
    t(
        "{reps} replications, seed {seed}; "
        "budget {budget} inspections per {unit} (set by {source}).",
        reps=result.replications,
        seed=result.seed,
        budget=fmt_count(result.budget_per_period),
        unit=t(result.unit),
        source=result.budget_source,
    )
)
metrics = {m.name: m for m in result.metrics}
metric = st.selectbox(
    t("Metric"),
    [m for m in metrics if metrics[m].unit != "count"],
    format_func={name: t(m.label) for name, m in metrics.items()}.__getitem__,
    key=key(PAGE, "metric"),
    placeholder=t("Choose an option"),
)
long = summary.loc[summary["metric"] == metric]
base = alt.Chart(long).encode(
    x=alt.X("period:O", title=t("Period ({unit})", unit=t(result.unit))),
    color=alt.Color("policy:N", title=t("Policy")),
)
band = base.mark_area(opacity=0.2).encode(y="lo:Q", y2="hi:Q")
line = base.mark_line(point=True).encode(
    y=alt.Y("mean:Q", title=f"{t(metrics[metric].label)} ({metrics[metric].unit})"),
    tooltip=[
        "policy",
        "period",
        alt.Tooltip("mean:Q", format=".2f"),
        alt.Tooltip("lo:Q", format=".2f"),
        alt.Tooltip("hi:Q", format=".2f"),
    ],
)
st.altair_chart(band + line, width="stretch")

st.subheader(t("At the end of the horizon"))
final = summary.loc[(summary["period"] == result.periods) & summary["metric"].isin(TABLE_METRICS)]
cells = final.assign(
    cell=[
        "–" if pd.isna(m) else f"{m:.1f} [{lo:.1f}, {hi:.1f}]"
        for m, lo, hi in zip(final["mean"], final["lo"], final["hi"], strict=True)
    ]
)
table = cells.pivot(index="policy", columns="metric", values="cell")
table = table.reindex(
    index=[p.name for p in result.policies], columns=[m for m in TABLE_METRICS if m in metrics]
)
table = table.rename(columns=lambda m: t(metrics[m].label)).rename_axis(t("Policy")).reset_index()
st.dataframe(table, hide_index=True, width="stretch")
st.caption(t("Mean [2.5%, 97.5%] across replications."))
sweep_section(population_of)
