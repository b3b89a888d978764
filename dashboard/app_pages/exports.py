"""导出: the inspection list, the task sheets and the public list as XLSX or CSV downloads."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard import workflow
from dashboard.access import allowed, require
from dashboard.i18n import fmt_count, t
from dashboard.state import (
    engine,
    export_masker,
    key,
    missing,
    show_error,
    small_directory,
    staffing_directory,
    upstream,
)
from dashboard.views import department_options
from scheduler.errors import SchedulerError

PAGE = "exports"
# Larger draws get their files on request: at Weifang size (2,209 visits, 2,189 teams) the six
# files take ~4 s of CPU (XLSX task sheets, one worksheet per team, most of it): not a page render.
# (A comment, not a docstring: Streamlit's "magic" would print a bare string on the page.)
AUTO_PREPARE_ROWS = 500
st.title(t("Exports"))
require("view_public")
data = small_directory()  # the entities stay in the database: a draw's rows are read below
# Internal lists (addresses, phones, legal representatives) for the plans of the user's own
# departments; a viewer gets the public lists of every plan.
internal = allowed("export")
plans = workflow.plans("export" if internal else "view_public")
jobs = upstream("scheduler.publication.jobs")
if jobs is None:
    missing(t("exports (scheduler.publication)"))
    st.stop()
if data is None or not plans:
    st.info(t("Draw a plan on the Random draw page first."))
    st.stop()

departments = department_options(data)
plan_id = workflow.select_plan(PAGE, plans)
draw = workflow.live_draw(plan_id)
internal = allowed("export", plans[plan_id].department_code)
if draw is None:
    st.info(t("Draw a plan on the Random draw page first."))
    st.stop()
draw_id = draw.draw_id
record = workflow.assignment_of(draw_id)
assignment = record[1].to_frame() if record else None
if assignment is None:
    st.caption(
        t(
            "The plan is not assigned yet: lists come without teams and dates, "
            "and there are no task sheets."
        )
    )

split = st.radio(
    t("Split by"),
    ["none", "division", "department"],
    format_func={
        "none": t("Nothing"),
        "division": t("Division"),
        "department": t("Department"),
    }.get,
    horizontal=True,
    key=key(PAGE, "split"),
)
KINDS = {
    "list": (t("Inspection list (internal)"), "检查对象名单"),
    "tasks": (t("Task sheets, one per team (internal)"), "检查任务单"),
    "public": (t("Public list (masked, for 一公开)"), "抽查结果公示"),
}
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


@st.cache_data(show_spinner=False, max_entries=64)
def _export(
    _data,
    _masker,
    _draw,
    _assignment,
    draw_id: str,
    version: str,
    kind: str,
    fmt: str,
    split: str,
    anchor: str | None = None,
) -> tuple:
    """``(file name, bytes, rows)`` of one export, cached per draw, assignment and options."""
    assert jobs is not None  # the page stopped above otherwise
    with tempfile.TemporaryDirectory(prefix="scheduler-export-") as tmp:
        out = Path(tmp) / f"{KINDS[kind][1]}_{draw_id}.{fmt}"
        files, rows = jobs.run_export(
            _data,
            _draw,
            kind=kind,
            fmt=fmt,
            out=out,
            assignment=_assignment,
            department_code=None,
            split=split if fmt == "xlsx" else "none",
            anchor=anchor,
            masker=_masker,
        )
        return files[0].name, files[0].read_bytes(), rows


version = (
    f"{record[0]}:{hash(tuple(assignment.itertuples(index=False)))}"
    if record and assignment is not None
    else "none"
)
prepared_key = key(PAGE, f"prepared_{draw_id}_{version}_{split}")
# Small plans get their files at once; a large one (Excel writing is slow) on request.
if len(draw.rows) <= AUTO_PREPARE_ROWS or st.session_state.get(prepared_key):
    prepared = True
else:
    st.info(t("{n} drawn entities: the files are written on request.", n=fmt_count(len(draw.rows))))
    prepared = st.button(t("Prepare the files"), type="primary", key=key(PAGE, "prepare"))
    st.session_state[prepared_key] = prepared
# What the files read: the drawn entities' rows, every inspector, and for the public list the
# known names inside the drawn entities' names (an index lookup) -- never the whole entity table.
usccs = tuple(draw.rows["uscc"].astype(str))
drawn = staffing_directory(draw_id, usccs) if prepared else None
for kind, (label, _) in KINDS.items():
    if (kind == "tasks" and assignment is None) or (kind != "public" and not internal):
        continue
    st.subheader(label)  # every list the user may have is named, prepared or not
    if not prepared:
        continue
    anchor, masker = None, None
    if kind == "public":
        masker = export_masker(draw_id, usccs)
        from scheduler.publication.public_list import list_anchor
        from scheduler.store.audit_chain import chain_head

        anchor = list_anchor(engine())
        head = chain_head(engine())
        st.caption(t("Audit chain head: event {seq}, SHA-256 {hash}", seq=head.seq, hash=head.hash))
    cols = st.columns(len(FORMATS))
    for col, (fmt, mime) in zip(cols, FORMATS.items(), strict=True):
        try:
            with st.spinner(t("Writing {name}...", name=f"{label} {fmt.upper()}")):
                name, payload, rows = _export(
                    drawn, masker, draw.rows, assignment, draw_id, version, kind, fmt, split, anchor
                )
        except SchedulerError as error:
            show_error(error)
            continue
        col.download_button(
            f"{fmt.upper()} · {fmt_count(rows)} {t('rows') if kind != 'tasks' else t('teams')}",
            payload,
            file_name=name,
            mime=mime,
            key=key(PAGE, f"{kind}_{fmt}"),
        )
st.caption(
    t(
        "Internal lists carry addresses, phones and tiers: keep them inside the departments. "
        "The public list shows only what the law publishes, "
        "with individual operators' names masked."
    )
)
