"""The dashboard's ceremony is the library's: same record as the CLI, same format rules."""

from __future__ import annotations

from dashboard_support import app_at

from scheduler.draw.plans import draw_receipt, list_draws
from scheduler.draw.verify import verify_recorded_draw
from scheduler.store.engine import make_engine


def _committed(digits: int):
    at = app_at("plans.py")
    at.button(key="plans__save").click().run()
    at.switch_page("app_pages/draw.py").run()
    at.text_input(key="draw__reveal_at").input("2026-12-01 21:15")
    at.text_input(key="draw__value_source").input("福彩3D开奖号码")
    at.number_input(key="draw__digits").set_value(digits)
    at.button(key="draw__commit").click().run()
    assert not at.exception
    return at, at.code[0].value.split()[-1]


def test_dashboard_reveal_records_the_cli_shape_and_verifies(seeded_db: str) -> None:
    at, published = _committed(3)
    at.text_input(key="draw__reveal").input("３、７、２").run()
    at.button(key="draw__run").click().run()
    assert not at.exception
    engine = make_engine(seeded_db)
    draw_id = list_draws(engine)["draw_id"].iloc[0]
    source = draw_receipt(engine, draw_id)["seed_source"]
    assert source["kind"] == "commit-reveal"
    assert source["commitment_sha256"] == published
    assert source["canonical_value"] == "372" and "commitment" in source
    assert verify_recorded_draw(engine, draw_id, commitment_sha256=published).ok
    assert not verify_recorded_draw(engine, draw_id, commitment_sha256="0" * 64).ok


def test_dashboard_refuses_a_value_outside_the_committed_format(seeded_db: str) -> None:
    at, _ = _committed(3)
    at.text_input(key="draw__reveal").input("3 7").run()
    assert not at.exception
    assert any("has 2 digits" in e.value for e in at.error)
    assert at.button(key="draw__run").disabled


def test_dashboard_verify_checks_the_published_commitment(seeded_db: str) -> None:
    at, published = _committed(0)
    at.text_input(key="draw__reveal").input("12345").run()
    at.button(key="draw__run").click().run()
    at.switch_page("app_pages/audit.py").run()
    at.text_input(key="audit__verify_commitment").input("0" * 64).run()
    at.button(key="audit__verify_recorded").click().run()
    assert not at.exception
    assert any("not the published commitment" in m.value for m in at.markdown)
    at.text_input(key="audit__verify_commitment").input(published).run()
    at.button(key="audit__verify_recorded").click().run()
    assert "完全复现" in at.success[0].value
