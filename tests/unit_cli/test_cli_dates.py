"""Every CLI date option goes through one parser: same message, same exit code."""

from __future__ import annotations

import pytest

from scheduler.cli import main


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["report-ratings", "--on", "2026-13-01"], "--on"),
        (
            [
                "plan",
                "create",
                "--department",
                "MARKET",
                "--preset",
                "weifang-default",
                "--start",
                "2026-13-01",
            ],
            "--start",
        ),
    ],
)
def test_a_bad_date_names_the_option_and_echoes_the_text(tmp_path, capsys, args, option):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main([*args, "--url", url]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"`{option}` must be a date YYYY-MM-DD; got '2026-13-01'." in err
