"""Masking personal data inside public text (SPEC section 1, "What is public").

The public list never carries legal representatives, phones, ID numbers,
addresses or inspectors; those columns are simply not exported. What remains
is the entity *name*, and an individual business (个体工商户) is usually named
after its operator: 张三烧烤店 is published as 张*烧烤店.

Two mechanisms, because neither alone is enough:

* **known names**: every person name the inputs hold (legal representatives /
  operators and inspectors) is masked wherever it occurs inside any entity
  name. This is exact for the entity's own operator and also catches another
  entity's name that happens to contain a known person;
* **surname heuristic**: for an individual business whose operator is not
  recorded, a leading person-name pattern (region prefix removed, then a
  common surname followed by one or two characters and a business word, as in
  王小明便利店) is masked too; so is a name that is nothing but a person's
  name (2-4 characters starting with a common surname, as in 潍城区王小明):
  over-masking a two-character shop name is the price of never publishing an
  operator.

And digits: a phone (mobile 13812345678, landline 0536-8123456) or an ID
number (18 characters, the last maybe ``X``) written into a name is masked
whatever the name looks like (``mask_digits``): any run of seven or more
digits, spaces and hyphens between them allowed, becomes ``*``. A public cell
never needs seven digits in a row except the USCC, which has its own column.

A person's name keeps its first character (the surname), the rest become
``*``; this is the convention of the national publicity system.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scheduler.data import reference

__all__ = [
    "mask_person",
    "mask_digits",
    "mask_operator",
    "known_name_candidates",
    "NameMasker",
    "SURNAMES",
    "BUSINESS_WORDS",
]

SURNAMES_SINGLE = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练"
)
SURNAMES_COMPOUND = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "夏侯",
    "尉迟",
    "公孙",
    "长孙",
    "宇文",
    "司徒",
    "端木",
)
SURNAMES: frozenset[str] = frozenset(SURNAMES_SINGLE) | frozenset(SURNAMES_COMPOUND)

BUSINESS_WORDS = (
    "烧烤",
    "饭店",
    "饭馆",
    "餐馆",
    "餐厅",
    "餐饮",
    "小吃",
    "快餐",
    "面馆",
    "酒馆",
    "火锅",
    "食堂",
    "水饺",
    "超市",
    "便利",
    "商店",
    "商行",
    "商贸",
    "门市",
    "经营部",
    "服务部",
    "批发",
    "零售",
    "百货",
    "日杂",
    "水果",
    "蔬菜",
    "粮油",
    "副食",
    "烟酒",
    "茶叶",
    "肉",
    "鲜",
    "五金",
    "建材",
    "家电",
    "电器",
    "手机",
    "维修",
    "修理",
    "汽修",
    "理发",
    "美发",
    "美容",
    "足疗",
    "洗浴",
    "诊所",
    "药店",
    "药房",
    "大药",
    "养殖",
    "种植",
    "加工",
    "作坊",
    "布艺",
    "服装",
    "鞋",
    "家具",
    "装饰",
    "打印",
    "复印",
    "文具",
    "书店",
    "花店",
    "眼镜",
    "农资",
    "化肥",
    "种子",
    "饲料",
    "废品",
    "回收",
    "物流",
    "快递",
    "运输",
    "干洗",
    "洗衣",
    "摄影",
    "网吧",
    "棋牌",
    "宾馆",
    "旅馆",
    "客栈",
    "烘焙",
    "蛋糕",
    "糕点",
    "熟食",
    "店",
    "馆",
    "铺",
    "坊",
    "摊",
    "部",
    "行",
    "厂",
    "场",
    "社",
    "站",
    "所",
    "室",
    "中心",
)
"""Words that start the trade part of a business name; longest first when matched."""

_WORDS_BY_LENGTH = tuple(sorted(set(BUSINESS_WORDS), key=len, reverse=True))
_PREFIX_SUFFIXES = ("省", "市", "区", "县", "镇", "乡", "街道", "村")


_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[\s\-]?\d)*[Xx]?")
_MIN_DIGITS = 7
"""A local landline has 7-8 digits; a mobile 11; an ID number 15 or 18. Shorter runs stay."""
_HANZI_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def mask_digits(text: str) -> str:
    """Every run of >= 7 digits (a phone, an ID number) with each digit (and a final X) as ``*``."""
    if not text or not any(c.isdigit() for c in text):
        return text

    def hide(match: re.Match[str]) -> str:
        run = match.group(0)
        if sum(c.isdigit() for c in run) < _MIN_DIGITS:
            return run
        return re.sub(r"[\dXx]", "*", run)

    return _DIGIT_RUN.sub(hide, text)


def mask_person(name: str) -> str:
    """``张三`` -> ``张*``, ``欧阳小明`` -> ``欧***``: the surname character stays."""
    name = name.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_operator(name: str, operator: object = "") -> str:
    """``name`` with its own operator (legal representative) masked wherever it occurs."""
    operator = operator.strip() if isinstance(operator, str) else ""
    if len(operator) >= 2 and operator in name:
        return name.replace(operator, mask_person(operator))
    return name


def known_name_candidates(names: Iterable[str], operators: Iterable[object]) -> set[str]:
    """Every text of two characters or more that masking ``names`` looks up among known names.

    ``NameMasker.mask_known`` only asks whether a piece of the (operator-masked)
    name is known, so a masker that knows ``known & known_name_candidates(...)``
    masks these names exactly as one knowing all of ``known``: a directory's
    353k names need not be read to mask a draw's 2,000 entity names.
    """
    out: set[str] = set()
    for name, operator in zip(names, operators, strict=True):
        text = mask_operator(name, operator)
        for i in range(len(text) - 1):
            out.update(text[i:j] for j in range(i + 2, len(text) + 1))
    return out


def _region_prefixes() -> tuple[str, ...]:
    names = {r.name for r in reference.regions()} | {"潍坊市", "潍坊", "山东省", "山东"}
    short = {n[:-1] for n in names if len(n) > 2 and n.endswith(("区", "县", "市"))}
    return tuple(sorted(names | short, key=len, reverse=True))


class NameMasker:
    """Masks the person names of ``known`` inside entity names.

    Parameters
    ----------
    known
        Person names that must never be published (legal representatives,
        operators, inspectors). Names shorter than two characters are ignored:
        one character cannot be told from ordinary text.
    """

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known = frozenset(
            n.strip() for n in known if isinstance(n, str) and len(n.strip()) >= 2
        )
        self._lengths = sorted({len(n) for n in self.known}, reverse=True)
        self._prefixes = _region_prefixes()

    def mask_known(self, text: str) -> str:
        """Every occurrence of a known name (longest first, left to right) masked."""
        if not self.known or not text:
            return text
        out: list[str] = []
        i = 0
        while i < len(text):
            for length in self._lengths:
                piece = text[i : i + length]
                if len(piece) == length and piece in self.known:
                    out.append(mask_person(piece))
                    i += length
                    break
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def mask_heuristic(self, text: str) -> str:
        """Mask a leading "surname + 1-2 characters + business word" person pattern."""
        start = 0
        changed = True
        while changed:  # strip nested region prefixes: 山东省潍坊市潍城区...
            changed = False
            for prefix in self._prefixes:
                if text.startswith(prefix, start):
                    start += len(prefix)
                    changed = True
                    break
        rest = text[start:]
        surname = rest[:2] if rest[:2] in SURNAMES_COMPOUND else rest[:1]
        if not surname or surname not in SURNAMES:
            return text
        after = rest[len(surname) :]
        if _HANZI_NAME.fullmatch(rest) and not any(w in rest for w in _WORDS_BY_LENGTH):
            return text[:start] + mask_person(rest)  # the name is only a person's name
        for given in (1, 2):
            tail = after[given:]
            trade = tail.lstrip("0123456789-*（）() ")  # a phone between name and trade word
            if trade and any(trade.startswith(w) for w in _WORDS_BY_LENGTH):
                given_name = after[:given]
                if "*" in given_name or any(given_name.endswith(s) for s in _PREFIX_SUFFIXES):
                    return text
                return text[:start] + surname + "*" * given + tail
        return text

    def mask_entity_name(self, name: str, *, operator: str = "", individual: bool = False) -> str:
        """The publishable form of an entity name.

        ``operator`` (the legal representative / operator of this entity) is
        masked wherever it occurs; so is every known name; an individual
        business whose name still shows no masked part gets the surname
        heuristic.
        """
        text = self.mask_known(mask_operator(name, operator))
        if individual and "*" not in text:
            text = self.mask_heuristic(text)
        return mask_digits(text)
