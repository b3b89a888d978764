"""A department named the way planners name it: code in any case, official or bare Chinese name."""

from __future__ import annotations

import pytest

from scheduler.cli import main
from scheduler.data.department_names import resolve_department
from scheduler.errors import InvalidInputError

DEPARTMENTS = [("MARKET", "市市场监管局"), ("TAX", "市税务局"), ("HRSS", "市人社局")]


@pytest.mark.parametrize(
    "text", ["MARKET", "market", " Market ", "市市场监管局", "市场监管局", "市场监管局 "]
)
def test_names_and_codes_resolve_to_the_code(text: str) -> None:
    assert resolve_department(text, DEPARTMENTS) == "MARKET"


@pytest.mark.parametrize("text", ["MARKETS", "监管局", "", "市"])
def test_unknown_names_list_every_code_with_its_name(text: str) -> None:
    with pytest.raises(InvalidInputError, match="MARKET 市市场监管局, TAX 市税务局"):
        resolve_department(text, DEPARTMENTS)


def test_an_ambiguous_bare_name_asks_for_the_code() -> None:
    both = [("CITY", "市教育局"), ("COUNTY", "县教育局")]
    with pytest.raises(InvalidInputError, match="ambiguous: CITY, COUNTY"):
        resolve_department("教育局", both)
    assert resolve_department("县教育局", both) == "COUNTY"


@pytest.mark.parametrize("given", ["市场监管局", "市市场监管局", "market"])
def test_plan_create_takes_a_chinese_name_or_a_lowercase_code(
    given: str, sample_db, capsys
) -> None:
    url = sample_db
    code = main(
        ["plan", "create", "--department", given, "--preset", "weifang-default"] + ["--url", url]
    )
    assert code == 0, capsys.readouterr()
    from sqlmodel import Session, select

    from scheduler.store.engine import make_engine
    from scheduler.store.models.plans import Plan

    with Session(make_engine(url)) as session:
        assert [p.department_code for p in session.exec(select(Plan))] == ["MARKET"]
