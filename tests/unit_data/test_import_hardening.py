"""Import defects found by the reliability probe (issue 12, point 6), each refused clearly.

The defects with an exact problem text are ``HARDENING_DEFECTS`` in
``tests/importer_defects.py``; ``test_importer.py`` checks each of them from
``read_folder`` and from ``scheduler db load`` (exit 2, nothing written), like the
rest of the defect table. This file keeps the cases that are accepted, or checked
otherwise.
"""

from __future__ import annotations

from pathlib import Path

from importer_support import cell

from scheduler.data.importing.reader import read_folder


def test_tabs_and_line_breaks_are_ordinary_text(folder: Path) -> None:
    cell("entities", 2, "address", "潍城区\t某路\n1号")(folder)
    directory = read_folder(folder)
    assert directory.entities.loc[0, "address"] == "潍城区\t某路\n1号"
