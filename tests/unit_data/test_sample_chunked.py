"""Tests of the chunked sample-folder writer (``scheduler.data.synth.chunked``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.data import reference, uscc
from scheduler.data.folder_writer import write_folder
from scheduler.data.formats import TABLE_ORDER
from scheduler.data.importing.reader import read_folder
from scheduler.data.synth.chunked import chunk_sizes, write_sample_folder
from scheduler.data.synth.generate import generate_directory

SEED = 7


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / f"{name}.csv").read_bytes() for name in TABLE_ORDER}


@pytest.fixture(scope="module")
def chunked(tmp_path_factory) -> Path:
    """3,000 entities in three chunks of 1,000."""
    folder = tmp_path_factory.mktemp("chunked")
    write_sample_folder(folder, 3_000, 200, seed=SEED, chunk_entities=1_000)
    return folder


def test_one_chunk_is_the_single_pass_folder_byte_for_byte(tmp_path):
    written = write_sample_folder(tmp_path / "a", 2_000, 200, seed=SEED, chunk_entities=2_000)
    directory = generate_directory(2_000, 200, rng=SEED)
    write_folder(directory, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert {name: rows for name, (_, rows) in written.items()} == {
        name: len(directory.table(name)) for name in TABLE_ORDER
    }


def test_chunk_sizes_cover_the_total_within_the_bound():
    assert chunk_sizes(14_000_000, 1_500_000) == [1_400_000] * 10
    sizes = chunk_sizes(3_001, 1_000)
    assert sum(sizes) == 3_001 and max(sizes) <= 1_000 and len(sizes) == 4


def test_chunked_folder_is_valid_importer_input(chunked):
    """Unique USCCs across chunks, every reference resolvable: read_folder finds no problem."""
    directory = read_folder(chunked)
    entities = directory.entities
    assert len(entities) == 3_000
    assert entities["uscc"].is_unique
    assert uscc.valid_mask(entities["uscc"].to_numpy()).all()
    usccs = set(entities["uscc"])
    for name in ("ratings", "conflicts", "history", "commitments"):
        assert set(directory.table(name)["uscc"]) <= usccs, name
    # conflicts and history come from every chunk, not only the first
    for name in ("ratings", "history"):
        positions = entities.reset_index().set_index("uscc").loc[directory.table(name)["uscc"]]
        assert positions["index"].max() >= 2_000, name
    departments = {d.code for d in reference.departments()}
    assert set(directory.inspectors["department_code"]) == departments


def test_chunked_folder_is_reproducible(chunked, tmp_path):
    write_sample_folder(tmp_path, 3_000, 200, seed=SEED, chunk_entities=1_000)
    assert _files(tmp_path) == _files(chunked)
    write_sample_folder(tmp_path / "other", 3_000, 200, seed=SEED + 1, chunk_entities=1_000)
    assert _files(tmp_path / "other")["entities"] != _files(chunked)["entities"]
