import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing.household import find_household_size, parse_household_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("三口人", 3),
        ("一家四口", 4),
        ("全家5口人", 5),
        ("家里5个人", 5),
        ("我一个人", 1),
        ("就我自己", 1),
        ("独居", 1),
        ("两口子", 2),
        ("老两口", 2),
        ("我和老伴", 2),
        ("我跟老伴两个", 2),
        ("4人", 4),
        ("４人", 4),
        ("五口之家", 5),
        ("我家共3口", 3),
        ("我和老伴还有一个孙子", 3),
        ("我和老伴带着两个孙子", 4),
        ("家里十二口人", 12),
        ("我们家3口人，月收入两千", 3),
    ],
)
def test_sizes(text, size):
    assert parse_household_size(text) == size


@pytest.mark.parametrize("text", ["家里有100口人", "救助了3000人", "第3人", "人口", "月收入两千", "", "0人"])
def test_none(text):
    assert parse_household_size(text) is None


def test_span():
    text = "我们家三口人"
    found = find_household_size(text)
    assert found is not None and text[found.start : found.end] == found.raw == "三口人"


@given(st.text())
def test_never_crashes_and_is_plausible(text):
    size = parse_household_size(text)
    assert size is None or 1 <= size <= 20


@pytest.mark.parametrize(("text", "size"), [("一个人", 1), ("1人", 1), ("就1个人。", 1), ("一个人吧", 1)])
def test_bare_answer_of_one(text, size):
    assert parse_household_size(text) == size


@pytest.mark.parametrize("text", ["现在低保是多少钱一个人", "有个小孩一个人在街上哭", "老娘一个人在家"])
def test_one_person_outside_household_talk(text):
    assert parse_household_size(text) is None
