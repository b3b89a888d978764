"""Reading the audit log (``scheduler.store.auditlog``)."""

from __future__ import annotations

from pathlib import Path

from scheduler.store.auditlog import event_kinds, read_events
from scheduler.store.engine import init_db, make_engine, record_event, session_scope


def test_events_are_read_newest_first_filtered_and_bounded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    init_db(engine)
    with session_scope(engine) as session:
        for i in range(5):
            record_event(session, "draw.created", f"DR-{i}", {"n": i})
        record_event(session, "assignment.swap", "run:1/9137", {"reason": "回避_100%"})
    events = read_events(engine)
    assert list(events["kind"])[0] == "assignment.swap" and len(events) == 6
    assert list(read_events(engine, kinds=["draw.created"], limit=2)["subject"]) == ["DR-4", "DR-3"]
    assert list(read_events(engine, subject="run:1")["kind"]) == ["assignment.swap"]
    assert read_events(engine, subject="%").empty  # LIKE wildcards are escaped
    assert read_events(engine, kinds=["draw.created"])["details"].iloc[-1] == {"n": 0}
    assert event_kinds(engine) == {"draw.created": 5, "assignment.swap": 1}
