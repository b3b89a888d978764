"""政策模拟 page, sweep section: a grid of tier rates at one budget and its frontier.

Runs in the dashboard's own process (a Dask cluster is for ``scheduler sweep
--cluster``); the frontier chart is the same PNG the CLI writes, with its
Chinese labels drawn in the font shipped in the package.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard.i18n import fmt_count, t
from dashboard.state import key, show_error
from dashboard.views import preset_options
from scheduler.errors import SchedulerError

__all__ = ["sweep_section"]

PAGE = "sweep"


def _run(grid: str, named: list[str], preset: str, budget: float, years: int, reps: int,
         seed: int, population_of) -> None:  # fmt: skip
    from scheduler.simulation.cluster import run_tasks
    from scheduler.simulation.seeded import seed_sequences
    from scheduler.simulation.sweep import run_sweep, sweep_policies
    from scheduler.simulation.sweep_output import policies_frame, write_sweep

    _, simulation_seed = seed_sequences(seed)
    population = population_of(seed)
    axes, base, chosen = sweep_policies(grid, named, preset, population.scheme)
    bar = st.progress(0.0, text=t("Simulating..."))

    def execute(payload, tasks):
        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=t("Simulating..."))

        return run_tasks(payload, tasks, cluster=None, progress=progress)

    sweep = run_sweep(
        population,
        chosen,
        periods=years,
        replications=reps,
        seed=seed,
        simulation_seed=simulation_seed,
        preset=base,
        grid=axes,
        annual_budget=budget or None,
        execute=execute,
    )
    bar.empty()
    with tempfile.TemporaryDirectory() as folder:
        write_sweep(sweep, Path(folder))
        files = {p.name: p.read_bytes() for p in Path(folder).iterdir()}
    st.session_state[key(PAGE, "result")] = (sweep, policies_frame(sweep), files)


def sweep_section(population_of) -> None:
    """Render the section; ``population_of(seed)`` builds the starting population."""
    st.divider()
    st.subheader(t("Rate sweep and frontier"))
    st.caption(
        t(
            "Every rate vector of the grid is scaled to the same number of inspections; "
            "the frontier keeps the policies no other policy beats on all four objectives."
        )
    )
    presets = list(preset_options())
    with st.form(key(PAGE, "form")):
        left, right = st.columns(2)
        grid = left.text_input(
            t("Rate grid (start:stop:step per tier)"),
            value="A=0.01:0.05:0.02,D=0.3:0.7:0.2",
            key=key(PAGE, "grid"),
        )
        labels = {
            "uniform": t("uniform (no credit weighting)"),
            "risk": t("risk-adaptive"),
        } | preset_options()
        preset = left.selectbox(
            t("Base preset (other tiers' rates and the budget)"),
            presets,
            format_func=lambda code: labels.get(code, code),
            key=key(PAGE, "preset"),
            placeholder=t("Choose an option"),
        )
        named = right.multiselect(
            t("Policies to compare"),
            ["uniform", "risk", *presets],
            default=["uniform", presets[0]],
            format_func=lambda code: labels.get(code, code),
            key=key(PAGE, "named"),
            placeholder=t("Choose options"),
        )
        budget = right.number_input(
            t("Inspections a year (0: the preset's)"), min_value=0, value=0, key=key(PAGE, "budget")
        )
        a, b, c = st.columns(3)
        years = a.number_input(
            t("Years"), min_value=1, max_value=20, value=5, key=key(PAGE, "years")
        )
        reps = b.number_input(
            t("Replications"), min_value=2, max_value=200, value=10, key=key(PAGE, "reps")
        )
        seed = c.number_input(t("Seed"), min_value=0, value=2026, step=1, key=key(PAGE, "seed"))
        run = st.form_submit_button(t("Run the sweep"))
    if run:
        try:
            values = (float(budget), int(years), int(reps), int(seed))
            _run(grid, named, preset, *values, population_of)
        except SchedulerError as error:
            show_error(error)
    stored = st.session_state.get(key(PAGE, "result"))
    if stored is None:
        return
    sweep, policies, files = stored
    result = sweep.result
    st.caption(
        t(
            "{n} policies, {on} on the frontier; budget {budget} inspections a year.",
            n=len(policies),
            on=int(policies["on_frontier"].sum()),
            budget=fmt_count(result.budget_per_period * result.periods_per_year),
        )
    )
    st.image(files["frontier.png"])
    st.dataframe(policies, hide_index=True, width="stretch")
    for name in ("policies.csv", "sweep.csv"):
        st.download_button(name, files[name], file_name=name, key=key(PAGE, name))
