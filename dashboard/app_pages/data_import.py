"""数据导入: upload the directory files (CSV/XLSX); every defect is listed by file, row and column.

Uploaded files replace the tables of the same name; the tables not uploaded
are taken from the database, and the whole folder is validated together
(references between tables included) before anything is written.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.access import require
from dashboard.i18n import fmt_count, t
from dashboard.state import (
    current_actor,
    directory,
    engine,
    key,
    missing,
    refresh,
    show_error,
    upstream,
)
from scheduler.data.formats import TABLE_ORDER, TABLES
from scheduler.errors import SchedulerError

st.title(t("Data import"))
require("import")
st.markdown(
    t(
        "Upload the directory files named as in the data format: entities, ratings, "
        "inspectors, conflicts, history (and optionally departments, sectors, regions), "
        "as CSV (UTF-8 or GB18030) or XLSX. Headers may be English or Chinese."
    )
)
st.dataframe(
    pd.DataFrame(
        {
            t("File"): [f"{name}.csv / {name}.xlsx" for name in TABLE_ORDER],
            t("Contents"): [TABLES[name].zh for name in TABLE_ORDER],
            t("Columns"): [", ".join(c.zh for c in TABLES[name].columns) for name in TABLE_ORDER],
        }
    ),
    hide_index=True,
    width="stretch",
)

importer = upstream("scheduler.data.importing.reader")
loader = upstream("scheduler.store.loader")
loading = upstream("scheduler.views.loading")
folder_module = upstream("scheduler.data.folder_writer")

uploads = st.file_uploader(
    t("Directory files"),
    type=["csv", "xlsx"],
    accept_multiple_files=True,
    key=key("import", "files"),
)

_ALIASES = {TABLES[name].zh: name for name in TABLE_ORDER} | {name: name for name in TABLE_ORDER}


def _table_of(filename: str) -> str | None:
    """The table an uploaded file is for, by its name (English or Chinese)."""
    return _ALIASES.get(
        Path(filename).stem.strip().lower(), _ALIASES.get(Path(filename).stem.strip())
    )


if uploads:
    named = {upload.name: _table_of(upload.name) for upload in uploads}
    unknown = [name for name, table in named.items() if table is None]
    if unknown:
        st.warning(t("Unrecognised file names (ignored): {names}", names=", ".join(unknown)))
    recognised = {name: table for name, table in named.items() if table}
    st.write(t("Tables to import: {names}", names=", ".join(sorted(set(recognised.values())))))
    if importer is None or loader is None or loading is None or folder_module is None:
        missing(
            t(
                "the importer and database loader "
                "(scheduler.data.importing.reader, scheduler.store.loader)"
            )
        )
    elif st.button(t("Validate and import"), type="primary", key=key("import", "run")):
        current = directory()
        with tempfile.TemporaryDirectory(prefix="scheduler-import-") as tmp:
            folder = Path(tmp)
            if current is not None:
                # Tables not uploaded come from the database, so references are checked whole.
                folder_module.write_folder(current, folder)
            for upload in uploads:
                table = named[upload.name]
                if table is None:
                    continue
                for old in folder.glob(f"{table}.*"):
                    old.unlink()
                (folder / f"{table}{Path(upload.name).suffix.lower()}").write_bytes(
                    upload.getvalue()
                )
            try:
                with st.spinner(t("Validating...")):
                    loaded = importer.read_folder(folder)
                with st.spinner(t("Writing to the database...")):
                    loading.load_with_overview(engine(), loaded, actor=current_actor())
            except SchedulerError as error:
                show_error(error)
            else:
                refresh()
                st.success(
                    t(
                        "Imported {entities} entities, {ratings} ratings "
                        "and {inspectors} inspectors.",
                        entities=fmt_count(len(loaded.entities)),
                        ratings=fmt_count(len(loaded.ratings)),
                        inspectors=fmt_count(len(loaded.inspectors)),
                    )
                )

counts = loader.row_counts(engine()) if loader is not None else {}
if counts.get("entities"):
    st.subheader(t("In the database"))
    st.dataframe(
        pd.DataFrame(
            {
                t("Table"): [TABLES[name].zh for name in TABLE_ORDER],
                t("Rows"): [fmt_count(counts[name]) for name in TABLE_ORDER],
            }
        ),
        hide_index=True,
    )
