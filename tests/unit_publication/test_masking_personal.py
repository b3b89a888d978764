"""Public masking of personal data written into names (issue 12, point 6).

Two holes the probe found: digits of a phone or an ID number inside an
individual business's name were published, and a business named only by its
operator's personal name (no trade word) was published unmasked.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.publication.masking import NameMasker, mask_digits


@pytest.mark.parametrize(
    ("name", "individual", "expected"),
    [
        # phones and ID numbers inside any name
        ("张三13812345678烧烤店", True, "张************烧烤店"),
        ("鸿运超市（电话13812345678）", True, "鸿运超市（电话***********）"),
        ("鸿运超市138-1234-5678", True, "鸿运超市***-****-****"),
        ("鸿运超市 0536-8123456", True, "鸿运超市 ****-*******"),
        ("鸿运超市8123456", True, "鸿运超市*******"),
        ("鸿运370702199001011234X商店", True, "鸿运*******************商店"),
        ("潍坊鸿运商贸有限公司13812345678", False, "潍坊鸿运商贸有限公司***********"),
        # short numbers are ordinary text
        ("第12号门市", True, "第12号门市"),
        ("2024年老店", True, "2024年老店"),
        ("鸿运超市123456", True, "鸿运超市123456"),
        # a name that is only a person's name (no trade word)
        ("王小明", True, "王**"),
        ("潍城区王小明", True, "潍城区王**"),
        ("欧阳小明", True, "欧***"),
        ("张三", True, "张*"),
        # trade words keep the old rule; companies are not guessed at
        ("鸿运超市", True, "鸿运超市"),
        ("王小明", False, "王小明"),
    ],
)
def test_personal_data_in_names_is_masked(name: str, individual: bool, expected: str) -> None:
    assert NameMasker().mask_entity_name(name, individual=individual) == expected


@given(
    prefix=st.text(alphabet="鸿运超市商店潍坊", max_size=6),
    number=st.from_regex(r"1[3-9]\d{9}|0\d{2,3}-\d{7,8}|\d{17}[\dX]", fullmatch=True),
    suffix=st.text(alphabet="鸿运超市商店潍坊", max_size=6),
)
def test_no_phone_or_id_number_survives(prefix: str, number: str, suffix: str) -> None:
    masked = NameMasker().mask_entity_name(prefix + number + suffix, individual=True)
    assert not re.search(r"\d{7}", masked.replace("-", ""))
    assert len(masked) == len(prefix + number + suffix)


def test_public_list_masks_digits_in_every_text_cell() -> None:
    from dashboard_support import small_directory

    from scheduler.publication.public_list import public_list

    directory = small_directory(entities=30)
    entities = directory.entities.copy()
    entities.loc[0, "name"] = "鸿运超市13812345678"
    entities.loc[1, "name"] = "李建国"
    entities.loc[1, "entity_type"] = "个体工商户"
    directory = replace(directory, entities=entities)
    draw = pd.DataFrame({"uscc": entities["uscc"].iloc[:2], "department_code": "MARKET"})
    public = public_list(directory, draw=draw)
    text = " ".join(public.drop(columns=["uscc"]).astype(str).to_numpy().ravel())
    assert "13812345678" not in text and "鸿运超市***********" in text
    assert "李建国" not in text and "李**" in text


def test_mask_digits_leaves_text_without_long_numbers() -> None:
    assert mask_digits("潍坊市2024年第3批") == "潍坊市2024年第3批"
