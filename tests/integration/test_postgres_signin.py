"""Issue 12 on PostgreSQL: the users tables and their constraints, plan codes, NUL bytes.

Uses the private server of ``tests/postgres_support.py``. A NUL byte in a cell
used to reach PostgreSQL and crash the load with a traceback; it is now
refused at import, naming file, row and column.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from importer_support import cell, minimal_directory
from postgres_support import PgServer

from scheduler.access.users import find_user
from scheduler.cli import main
from scheduler.data.folder_writer import write_folder
from scheduler.store.engine import make_engine
from scheduler.store.loader import row_counts


def test_users_on_postgres(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "init", "--url", pg_url]) == 0
    assert main(["users", "add", "li@city.cn", "--role", "planner", "--department", "MARKET",
                 "--department", "TAX", "--url", pg_url]) == 0  # fmt: skip
    engine = make_engine(pg_url)
    try:
        user = find_user(engine, "LI@city.cn")
        assert user is not None and user.departments == {"MARKET", "TAX"}
        with pytest.raises(sa.exc.IntegrityError, match="ck_user_account_role"):
            with engine.begin() as connection:  # the database itself refuses a bad role
                connection.execute(
                    sa.text(
                        "INSERT INTO user_account (email, role, created_at, created_by) "
                        "VALUES ('x@city.cn', 'boss', now(), 'test')"
                    )  # fmt: skip
                )
        assert main(["users", "remove", "li@city.cn", "--url", pg_url]) == 0
        with engine.connect() as connection:
            left = connection.execute(sa.text("SELECT count(*) FROM user_department")).scalar()
        assert left == 0
    finally:
        engine.dispose()


def test_nul_byte_is_refused_before_postgres(
    pg_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "data"
    write_folder(minimal_directory(), folder)
    cell("entities", 2, "name", "潍坊\x00食品有限公司")(folder)
    assert main(["db", "init", "--url", pg_url]) == 0
    assert main(["db", "load", str(folder), "--url", pg_url]) == 2
    err = "".join(capsys.readouterr().err.split())
    assert "entities.csv,row2,column'name':containsU+0000(NUL)" in err
    assert "Traceback" not in err
    engine = make_engine(pg_url)
    assert set(row_counts(engine).values()) == {0}
    engine.dispose()


def test_plan_with_unknown_region_is_refused_on_postgres(
    pg_server: PgServer,
    sample_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = pg_server.create_database()
    assert main(["db", "init", "--url", url]) == 0
    assert main(["db", "load", str(sample_dir), "--url", url]) == 0
    args = ["plan", "create", "--department", "MARKET", "--preset", "weifang-default"]
    assert main([*args, "--regions", "999999", "--url", url]) == 2
    assert "unknown region '999999'" in capsys.readouterr().err
