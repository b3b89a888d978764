"""Personal-name masking in entity names and formula-injection neutralising."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.data.safe_cells import TRIGGERS, neutralise, neutralise_frame
from scheduler.publication.masking import NameMasker, mask_person


@pytest.mark.parametrize(
    ("name", "operator", "individual", "expected"),
    [
        ("张三烧烤店", "张三", True, "张*烧烤店"),
        ("潍城区王小明便利店", "王小明", True, "潍城区王**便利店"),
        ("高密市井沟镇于胜包子铺", "于胜", True, "高密市井沟镇于*包子铺"),
        # operator not recorded: the surname heuristic
        ("张三烧烤店", "", True, "张*烧烤店"),
        ("寿光市李建国蔬菜批发部", "", True, "寿光市李**蔬菜批发部"),
        ("欧阳小明理发店", "", True, "欧阳**理发店"),
        # no person pattern: unchanged
        ("鸿运超市", "", True, "鸿运超市"),
        # a company named after its legal representative is masked too
        ("潍坊张三餐饮有限公司", "张三", False, "潍坊张*餐饮有限公司"),
        # the heuristic is for individual businesses only
        ("金龙鱼粮油有限公司", "", False, "金龙鱼粮油有限公司"),
    ],
)
def test_mask_entity_name(name: str, operator: str, individual: bool, expected: str) -> None:
    assert NameMasker().mask_entity_name(name, operator=operator, individual=individual) == expected


def test_known_names_are_masked_in_any_entity_name() -> None:
    masker = NameMasker(["李四", "赵六七", "x"])  # one-character names are ignored
    assert masker.mask_entity_name("潍坊李四赵六七商贸有限公司") == "潍坊李*赵**商贸有限公司"
    assert masker.mask_known("xyz") == "xyz"


def test_mask_person() -> None:
    assert [mask_person(n) for n in ("张三", "欧阳小明", "王", "")] == ["张*", "欧***", "王", ""]


@given(
    st.lists(st.text("张王李赵三四五六七明", min_size=2, max_size=3), min_size=1, max_size=5),
    st.text("张王李赵三四五六七明店铺", max_size=12),
)
def test_no_known_name_survives_masking(names: list[str], text: str) -> None:
    masked = NameMasker(names).mask_known(text)
    assert len(masked) == len(text)
    assert not any(n in masked for n in names)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_neutralise_triggers(trigger: str) -> None:
    assert neutralise(trigger + "cmd|' /C calc'!A0") == "'" + trigger + "cmd|' /C calc'!A0"


def test_neutralise_leaves_numbers_and_safe_text() -> None:
    assert neutralise(-0.5) == -0.5
    assert neutralise("张三烧烤店") == "张三烧烤店"
    frame = pd.DataFrame({"=head": ['=HYPERLINK("x")', "ok"], "n": [-1, 2]})
    out = neutralise_frame(frame)
    assert list(out.columns) == ["'=head", "n"]
    assert (
        out.iloc[0, 0].startswith("'=") and out.iloc[1, 0] == "ok" and out["n"].tolist() == [-1, 2]
    )
