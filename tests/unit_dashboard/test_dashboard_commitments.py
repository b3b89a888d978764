"""总览 page, credit commitments: due and overdue per department and the broken list,
in Chinese and after the English switch."""

from __future__ import annotations

from datetime import date

from commitments_support import C, make_directory

from scheduler.publication.commitments import due_and_overdue, mark_broken
from scheduler.store.engine import init_db, make_engine, session_scope
from scheduler.store.loader import load_directory


def test_overview_commitments_in_both_languages(empty_db: str) -> None:
    from dashboard_support import app_at, table_with, texts

    engine = make_engine(empty_db)
    init_db(engine)
    load_directory(engine, make_directory())
    with session_scope(engine) as session:
        mark_broken(
            session, uscc=C[41], department_code="MARKET", item="告知承诺：符合许可条件",
            kind="不实承诺", on=date(2026, 3, 20),
        )  # fmt: skip
    engine.dispose()
    expected = due_and_overdue(make_directory().commitments, on=date.today(), horizon_days=30)
    want = expected.set_index("department_code")
    at = app_at()
    assert not at.exception
    zh = texts(at)
    assert "信用承诺" in zh and "不再适用信用承诺制名单" in zh
    counts = table_with(at, "已逾期")
    assert set(counts["代码"]) == set(want.index)
    tax = counts[counts["代码"] == "TAX"].iloc[0]
    assert int(tax["已逾期"]) == int(want.loc["TAX", "overdue"])
    assert table_with(at, "统一社会信用代码")["统一社会信用代码"].tolist() == [C[41]]
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    en = texts(at)
    assert "Credit commitments" in en and "No longer eligible for credit commitments" in en
    counts = table_with(at, "Overdue")
    assert {"Due", "Overdue", "Broken"} <= set(counts.columns)
    market = counts[counts["Code"] == "MARKET"].iloc[0]
    assert int(market["Broken"]) == 1
    assert int(market["Overdue"]) == int(want.loc["MARKET", "overdue"]) - 1  # 41's is broken
    revoked = table_with(at, "USCC")
    assert revoked["USCC"].tolist() == [C[41]] and "Commitment" in revoked.columns
