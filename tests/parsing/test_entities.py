import random
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing.entities import ENTITY_NAMES, extract_entities
from bot.parsing.identity import generate_id_number
from bot.parsing.towns import towns
from bot.programmes import names

ID = generate_id_number(random.Random(3), birth=None)


def simple(text):
    return [(e["entity"], e["value"], e.get("role")) for e in extract_entities(text)]


def test_every_entity_has_the_rasa_fields_and_true_spans():
    text = f"我是接官亭的，家里三口人，月收入两千五，身份证{ID}，电话13812345678，案件LY2023LS00123，问低保"
    entities = extract_entities(text)
    kinds = {e["entity"] for e in entities}
    assert kinds == {"town", "household_size", "amount", "id_number", "phone", "case_no", "programme"}
    for e in entities:
        assert set(e) >= {"entity", "value", "start", "end", "confidence_entity"}
        assert e["confidence_entity"] == 1.0
        assert e["entity"] in ENTITY_NAMES
        assert 0 <= e["start"] < e["end"] <= len(text)
    starts = [e["start"] for e in entities]
    assert starts == sorted(starts)


def test_no_overlapping_spans():
    text = f"身份证{ID}电话13812345678"
    entities = extract_entities(text)
    for a, b in zip(entities, entities[1:], strict=False):
        assert a["end"] <= b["start"]


def test_id_number_is_not_a_phone_or_amount():
    assert simple(f"身份证号{ID}") == [("id_number", ID, None)]
    # IDs that start like a mobile number are still IDs
    number = generate_id_number(random.Random(1), region="130102")
    assert simple(number) == [("id_number", number, None)]


def test_invalid_id_shape_is_still_an_id_number_for_the_action_to_explain():
    assert simple("身份证 610727 19900101 1235") == [("id_number", "610727199001011235", None)]


def test_id_number_normalised():
    spaced = f"{ID[:6]} {ID[6:14]} {ID[14:].lower()}"
    assert simple(spaced) == [("id_number", ID.upper(), None)]


def test_case_number_digits_are_not_an_amount():
    assert simple("帮我查一下 ly-2023-ls-00123 的进度") == [("case_no", "LY2023LS00123", None)]


def test_malformed_case_number_is_passed_on_normalised():
    assert simple("LY2023XX00123") == [("case_no", "LY2023XX00123", None)]


def test_phone():
    assert simple("我的电话是+86 138-1234-5678") == [("phone", "13812345678", None)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("身份证后六位是12345X", "12345X"),
        ("后6位 123456", "123456"),
        ("尾号12345x", "12345X"),
        ("12345x", "12345X"),
        (" 654321 ", "654321"),
    ],
)
def test_id_last6(text, value):
    assert simple(text) == [("id_last6", value, None)]


def test_six_digits_without_context_are_not_id_last6():
    assert [e["entity"] for e in extract_entities("我存了123456")] == ["amount"]


def test_amount_roles():
    assert simple("月收入两千") == [("amount", "2000", "month")]
    assert simple("一年2.5万") == [("amount", "25000", "year")]
    assert simple("看病花了三万多") == [("amount", "30000", None)]


def test_household_size_is_not_an_amount():
    assert simple("家里4人") == [("household_size", "4", None)]
    assert simple("三口人，一个月1800") == [("household_size", "3", None), ("amount", "1800", "month")]


def test_lone_small_number_is_not_an_amount_but_zero_is():
    assert simple("3") == []
    assert simple("零") == [("amount", "0", None)]
    assert simple("没有收入") == [("amount", "0", None)]
    assert simple("1800") == [("amount", "1800", None)]


def test_town_and_programme():
    assert simple("硖口驿的五保户") == [("town", "硖口驿镇", None), ("programme", "特困供养", None)]
    assert simple("勉县的低保") == [("programme", "低保", None)]


def test_empty():
    assert extract_entities("") == []
    assert extract_entities("   ") == []


def test_fast_enough():
    text = "我家三口人，月收入两千五，住在接官亭镇，想问问低保怎么申请，电话13812345678"
    extract_entities(text)  # warm up (compiles patterns, loads towns)
    runs = 500
    started = time.perf_counter()
    for _ in range(runs):
        extract_entities(text)
    per_call = (time.perf_counter() - started) / runs
    assert per_call < 0.001, f"{per_call * 1000:.3f} ms per message"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_crashes_and_spans_are_sane(text):
    entities = extract_entities(text)
    for e in entities:
        assert e["entity"] in ENTITY_NAMES
        assert 0 <= e["start"] < e["end"] <= len(text)
        assert isinstance(e["value"], str) and e["value"]
    for a, b in zip(entities, entities[1:], strict=False):
        assert a["end"] <= b["start"]


@pytest.mark.parametrize(
    "text",
    [
        "城市跟农村的低保标准为啥子不一样",  # 一 in 不一样 is not money
        "老人七十多了",  # an age, not money
        "886",  # chat slang for bye-bye
        "没有收入证明能办不",  # a document, not an income of 0
        "有个小孩一个人在街上哭",  # not a household size
        "现在低保是多少钱一个人",
        "男人喝醉了打我和娃",
    ],
)
def test_known_false_positives_stay_out(text):
    kinds = {e["entity"] for e in extract_entities(text)}
    assert not kinds & {"amount", "household_size"}, extract_entities(text)


def test_traditional_characters():
    assert simple("臨時救助怎麼申請") == [("programme", "临时救助", None)]
    assert simple("接官亭鎮，月收入兩千塊") == [("town", "接官亭镇", None), ("amount", "2000", "month")]


def test_corrections_give_every_household_size():
    assert simple("三口人说错了，是两口人") == [("household_size", "3", None), ("household_size", "2", None)]


def test_same_programme_mentioned_twice_is_one_entity():
    assert simple("特困人员集中供养和分散供养有啥区别") == [("programme", "特困供养", None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("打零工一个月挣两千多点", [("amount", "2000", "month")]),
        ("1万2一年", [("amount", "12000", "year")]),
        ("一分钱收入都没有", [("amount", "0", None)]),
        ("身份证最后几位是12345x", [("id_last6", "12345X", None)]),
        ("五宝户一个月能拿好多钱", [("programme", "特困供养", None)]),
    ],
)
def test_phrasings_from_the_training_data(text, expected):
    assert simple(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1" * 4000,
        "1 " * 2000,
        "一二三四五六七八九十百千万" * 300,
        "1," * 2000,
        "1-" * 2000,
        "1.5万" * 800,
        "接官亭" * 1300,
    ],
)
def test_hostile_long_messages_stay_fast(text):
    # Telegram messages are at most 4096 characters; matching must stay roughly linear (measured: < 60 ms).
    started = time.perf_counter()
    extract_entities(text)
    assert time.perf_counter() - started < 1.0


_SOUP = st.lists(
    st.sampled_from(
        [
            "1",
            "3",
            "8",
            "0",
            "X",
            "x",
            " ",
            "-",
            ",",
            ".",
            "，",
            "LY",
            "2023",
            "LS",
            "00123",
            "138",
            "12345678",
            "610727",
            "19900101",
            "一",
            "两",
            "三",
            "十",
            "百",
            "千",
            "万",
            "w",
            "块",
            "元",
            "月",
            "年",
            "每",
            "个",
            "口人",
            "家里",
            "我和老伴",
            "收入",
            "没有",
            "后六位",
            "尾号",
            "接官亭",
            "勉县",
            "低保",
            "五保",
            "临救",
            "来",
            "多",
            "把",
            "左右",
            "到",
            "~",
            "岁",
            "号",
        ]
    ),  # fmt: skip
    max_size=25,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_SOUP)
def test_entity_values_are_always_normalised(text):
    town_names = {t.name for t in towns()}
    for e in extract_entities(text):
        value = e["value"]
        kind = e["entity"]
        if kind == "case_no":
            assert value.startswith("LY") and value == value.upper() and value.isalnum()
        elif kind == "id_number":
            assert len(value) == 18 and value[:17].isdigit() and value[17] in "0123456789X"
        elif kind == "id_last6":
            assert len(value) == 6 and value[:5].isdigit() and value[5] in "0123456789X"
        elif kind == "phone":
            assert len(value) == 11 and value.isdigit() and value[0] == "1"
        elif kind == "amount":
            assert Decimal(value) >= 0 and "E" not in value
            assert e.get("role") in (None, "month", "year")
        elif kind == "household_size":
            assert 1 <= int(value) <= 20
        elif kind == "town":
            assert value in town_names
        elif kind == "programme":
            assert value in names()
