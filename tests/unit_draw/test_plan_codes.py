"""``plan create`` refuses codes the stored directory does not know, naming each (issue 12).

Before, an unknown ``--regions``/``--sectors`` was stored and only failed on the draw day.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.data.folder_writer import write_folder
from scheduler.data.synth.generate import generate_directory


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from scheduler.data.importing.reader import read_folder
    from scheduler.store.engine import init_db, make_engine
    from scheduler.store.loader import load_directory

    folder = tmp_path_factory.mktemp("data")
    write_folder(generate_directory(500, 200, rng=4), folder)
    url = f"sqlite:///{folder / 'db.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    load_directory(engine, read_folder(folder))
    engine.dispose()
    return url


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--regions", "370702,999999"], "unknown region '999999'"),
        (["--sectors", "nope"], "sector 'nope' is not supervised by MARKET"),
        (["--sectors", "food,taxi"], "sector 'taxi' is not supervised by MARKET"),
        (["--entity-types", "公司"], "unknown entity type '公司'"),
        (["--joint", "NOPE"], "unknown department 'NOPE'"),
    ],
)
def test_plan_create_names_the_unknown_code(
    url: str, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    args = ["plan", "create", "--department", "MARKET", "--preset", "weifang-default"]
    assert main([*args, *extra, "--url", url]) == 2
    assert message in capsys.readouterr().err
    assert main(["plan", "list", "--url", url]) == 0
    assert "MARKET" not in capsys.readouterr().out  # nothing stored


def test_plan_create_accepts_known_codes(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["plan", "create", "--department", "MARKET", "--preset", "weifang-default"]
    assert main([*args, "--regions", "370702", "--entity-types", "企业", "--url", url]) == 0
    assert "created" in capsys.readouterr().out


def test_unknown_department_is_named(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "create", "--department", "NOPE", "--preset", "weifang-default",
                 "--url", url]) == 2  # fmt: skip
    assert "unknown department 'NOPE'" in capsys.readouterr().err
