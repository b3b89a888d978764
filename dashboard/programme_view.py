"""抽查计划 page, annual-programme section: rounds a year, inspections per tier, what binds.

The numbers are ``scheduler.draw.programme.annual_programme`` (the CLI's
``scheduler programme``); this module only lays them out.
"""

from __future__ import annotations

import streamlit as st

from dashboard import workflow
from dashboard.connection import database_url, engine_for
from dashboard.i18n import fmt_count, t
from dashboard.state import directory_version, key, show_error
from dashboard.views import department_options, preset_options
from scheduler import clock
from scheduler.data.directory import Directory
from scheduler.draw.programme import TierPopulations
from scheduler.errors import SchedulerError

__all__ = ["programme_section"]

PAGE = "programme"


@st.cache_data(show_spinner=False, max_entries=8)
def _populations(
    url: str, version: int | None, department: str, year: int, scheme: str | None
) -> TierPopulations:
    from scheduler.draw.programme import populations_from_db

    return populations_from_db(engine_for(url), department, year, scheme)


def _counted(department: str, year: int, scheme: str | None) -> TierPopulations | None:
    """The department's frame per tier, counted once the user asks (a city's takes tens
    of seconds); later choices in the session count at once. Cached per directory
    version: a new load counts again.
    """
    asked = key(PAGE, "asked")
    if not st.session_state.get(asked) and not st.button(
        t("Count the department's entities"), key=key(PAGE, "count")
    ):
        st.caption(t("Counted over the department's whole frame (a city: tens of seconds)."))
        return None
    st.session_state[asked] = True
    with st.spinner(t("Counting the department's entities…")):
        return _populations(database_url(), directory_version(), department, year, scheme)


def programme_section(data: Directory) -> None:
    """A department's year: expected inspections per tier and whether rates or frequency bind."""
    from scheduler.data.reference import preset
    from scheduler.draw.programme import annual_programme

    st.subheader(t("Annual programme"))
    departments = department_options(data, public=False)
    presets = preset_options()
    a, b, c, d = st.columns(4)
    department = a.selectbox(
        t("Department"), list(departments), format_func=lambda x: departments[x],
        key=key(PAGE, "department"), placeholder=t("Choose an option"),
    )  # fmt: skip
    year = int(b.number_input(t("Year"), 2000, 2100, clock.today().year, key=key(PAGE, "year")))
    name = c.selectbox(
        t("Preset"), list(presets), format_func=lambda x: presets[x], key=key(PAGE, "preset"),
        placeholder=t("Choose an option"),
    )  # fmt: skip
    try:  # the year's stored plans: their number and the months per tier their draws apply
        planned = workflow.planned_year(department, year)
    except SchedulerError as error:
        show_error(error)
        return
    rounds = int(
        d.number_input(
            t("Rounds a year"), 1, 12, min(planned.rounds, 12) or 4,
            key=key(PAGE, f"rounds_{department}_{year}"),
        )
    )  # fmt: skip
    found = preset(name)
    try:
        populations = _counted(department, year, found.scheme)
        if populations is None:
            return
        months = planned.tier_months or found.min_months
        result = annual_programme(
            populations, department, year, rates=found.rates, min_months=months,
            rounds=rounds, scheme=found.scheme,
        )  # fmt: skip
    except SchedulerError as error:
        show_error(error)
        return
    st.caption(
        t("Months per tier from the {year} plans {plans}.", year=year,
          plans="、".join(map(str, sorted(planned.months_by_plan))))
        if planned.tier_months
        else t("Months per tier from the preset.")
    )  # fmt: skip
    table = result.table()[
        [
            "tier",
            "population",
            "rate",
            "min_months",
            "blocked_rounds",
            "nominal",
            "expected",
            "binds",
        ]
    ]
    table["binds"] = table["binds"].map(lambda b: t(f"binds:{b}"))
    st.dataframe(
        table.rename(
            columns={
                "tier": t("Tier"),
                "population": t("Entities"),
                "rate": t("Inspection rate"),
                "min_months": t("Minimum months between inspections"),
                "blocked_rounds": t("Rounds kept out after an inspection"),
                "nominal": t("Inspections at the stated rate"),
                "expected": t("Expected inspections"),
                "binds": t("Binding limit"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    total = sum(row.expected for row in result.tiers)
    if result.consistent:
        st.success(t("Rates and frequency limits agree: the rates bind in every tier."))
    else:
        tiers = "、".join(row.tier for row in result.tiers if row.binds == "frequency")
        st.warning(t("The frequency limit binds in tier(s) {tiers}.", tiers=tiers))
    st.caption(
        t(
            "{total} inspections expected in {year}; probabilities apply to the frame after "
            "repeat control by tier.",
            total=fmt_count(round(total)),
            year=year,
        )
    )
