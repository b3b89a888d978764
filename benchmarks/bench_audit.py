"""Benchmark: the cost of the tamper-evident record (hash chain, digests, verify).

Appends ``--events`` audit events, one transaction each, on SQLite: chained
(``record_event``: lock, head read, SHA-256, head update) against the baseline
measured in the same run, a plain unchained insert of the same row (what the
log did before). Then records one draw of ``--entities`` and times
``verify_audit`` over the whole log (chain walk plus each draw's digest).

Run: ``.venv/bin/python benchmarks/bench_audit.py [--events N] [--entities M]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from scheduler.store.audit_verify import verify_audit
from scheduler.store.engine import init_db, make_engine, record_event, session_scope
from scheduler.store.models.core import AuditEvent


def _appends(url: str, n: int, chained: bool) -> float:
    engine = make_engine(url)
    init_db(engine)
    started = time.perf_counter()
    for i in range(n):
        with session_scope(engine) as session:
            if chained:
                record_event(session, "bench", f"s{i}", {"i": i}, actor="bench")
            else:
                session.add(AuditEvent(kind="bench", subject=f"s{i}", details={"i": i}))
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--entities", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = _appends(f"sqlite:///{Path(folder) / 'plain.sqlite'}", args.events, False)
        url = f"sqlite:///{Path(folder) / 'chained.sqlite'}"
        chained = _appends(url, args.events, True)
        per = 1000 / args.events
        print(f"append, plain insert (baseline): {base * per:.2f} ms/event")
        print(f"append, hash-chained:            {chained * per:.2f} ms/event "
              f"(x{chained / base:.2f} the baseline)")  # fmt: skip

        from scheduler.data.reference import tier_scheme
        from scheduler.data.synth.generate import generate_directory
        from scheduler.draw.plans import create_plan, run_plan_draw
        from scheduler.draw.policy import make_policy
        from scheduler.store.loader import load_directory

        engine = make_engine(url)
        load_directory(engine, generate_directory(args.entities, 600, rng=1), actor="bench")
        with session_scope(engine) as session:
            plan = create_plan(
                session,
                department_code="MARKET",
                policy=make_policy(tier_scheme(), preset_name="weifang-default"),
                start=date(2026, 12, 1),
                actor="bench",
            )
            plan_id = int(plan.id or 0)
        started = time.perf_counter()
        result = run_plan_draw(engine, plan_id, 1, actor="bench")
        draw_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = verify_audit(engine)
        verify_seconds = time.perf_counter() - started
        assert report.ok, report.problems
        print(f"draw of plan ({result.size} drawn of {result.receipt['frame_size']}) "
              f"incl. digest and chained event: {draw_seconds:.2f} s")  # fmt: skip
        print(
            f"audit verify: {report.events} events, {report.draws} draw(s): {verify_seconds:.2f} s"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
