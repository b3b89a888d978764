"""The ``;`` list codec of ``scheduler.data.formats``: one home for every list cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.data.formats import LIST_SEPARATOR, join_list, split_list, split_lists

codes = (
    st.text(
        alphabet=st.characters(blacklist_characters=LIST_SEPARATOR, blacklist_categories=("Cs",)),
        min_size=1,
    )
    .map(str.strip)
    .filter(bool)
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("food;catering", ["food", "catering"]),
        (" food ; catering ", ["food", "catering"]),
        ("food;;catering;", ["food", "catering"]),
        (";", []),
        ("", []),
        ("  ", []),
        (None, []),
        (370702, ["370702"]),
        ("food;food", ["food", "food"]),  # order and repeats are the writer's business
    ],
)
def test_split_list(cell, expected):
    assert split_list(cell) == expected


@given(st.lists(codes, max_size=6))
def test_join_then_split_is_exact_for_codes(values):
    assert split_list(join_list(values)) == values


@given(st.lists(st.sampled_from(["a", " b", "c;d", "", ";", " ; e ;"]), max_size=30))
def test_split_lists_is_split_list_per_cell(cells):
    series = pd.Series(cells + [None, np.nan], index=np.arange(len(cells) + 2) * 3, dtype=object)
    out = split_lists(series)
    assert out.index.equals(series.index)
    assert out.tolist() == [split_list(c) for c in cells] + [[], []]


def test_join_list_keeps_order():
    assert join_list(("I2", "I1")) == "I2;I1" and join_list([]) == ""
