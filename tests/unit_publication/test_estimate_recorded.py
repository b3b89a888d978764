"""Estimates of a recorded draw: none before results, the inputs' estimate after, no scipy."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from scheduler.data.calendar import WorkingCalendar
from scheduler.data.importing.reader import read_folder
from scheduler.data.reference import tier_scheme
from scheduler.errors import NotFoundError
from scheduler.publication import actions
from scheduler.publication.draw_links import db_inputs
from scheduler.publication.jobs import estimate_recorded, run_estimate
from scheduler.publication.rules import LifecycleRules
from scheduler.store.engine import init_db, make_engine
from scheduler.store.loader import load_directory
from scheduler.views.demo import prepare_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> tuple[Engine, str]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('estimate') / 'db.sqlite'}")
    init_db(engine)
    load_directory(engine, read_folder(sample_dir))
    yield engine, prepare_demo(engine, seed=5).draw_id
    engine.dispose()


def test_no_estimate_before_results_and_an_unknown_draw_is_refused(demo) -> None:
    engine, draw_id = demo
    assert estimate_recorded(engine, draw_id) is None
    with pytest.raises(NotFoundError):
        estimate_recorded(engine, "DR-000000000000")


def test_estimate_after_results_is_the_estimate_of_the_recorded_inputs(demo) -> None:
    engine, draw_id = demo
    _draw, assignment, _ = db_inputs(engine, draw_id)
    assert assignment is not None
    visits = assignment.drop_duplicates("uscc").head(6)
    results = pd.DataFrame(
        {
            "uscc": visits["uscc"],
            "department_code": visits["department_code"],
            "inspected_on": visits["scheduled_on"],
            "result_code": ["01", "02", "01", "03", "01", "01"][: len(visits)],
            "draw_id": draw_id,
            "notes": "",
            "commitment_breach": "",
            "commitment_item": "",
        }
    )
    actions.record_results(
        engine,
        results,
        calendar=WorkingCalendar(),
        rules=LifecycleRules(),
        scheme=tier_scheme(),
        source="test",
        actor="test",
    )
    report = estimate_recorded(engine, draw_id)
    assert report is not None
    draw, _, recorded = db_inputs(engine, draw_id)
    assert recorded is not None and len(recorded) == len(visits)
    from scheduler.draw.plans import draw_receipt

    expected = run_estimate(
        draw, recorded, receipt=draw_receipt(engine, draw_id), by=("tier", "region")
    )
    pd.testing.assert_frame_equal(  # as tables: an empty domain's rate is NaN
        pd.DataFrame([asdict(e) for e in report.estimates]),
        pd.DataFrame([asdict(e) for e in expected.estimates]),
    )
    assert any(e.violations > 0 for e in report.estimates)


def test_the_publication_jobs_do_not_import_scipy() -> None:
    """scipy.stats costs about a second to import: only computing an interval loads it."""
    code = "import sys, scheduler.publication.jobs; print('scipy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
