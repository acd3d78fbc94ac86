from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import AmountError, InputError
from bot.parsing.amounts import chinese_to_int, find_amounts, parse_amount, require_amount


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("1800", "1800"),
        ("1800块", "1800"),
        ("1,800元", "1800"),
        ("１８００元", "1800"),
        ("两千五", "2500"),
        ("两千五百", "2500"),
        ("三千", "3000"),
        ("2.5万", "25000"),
        ("8万", "80000"),
        ("一万二", "12000"),
        ("1.2w", "12000"),
        ("3k", "3000"),
        ("2万5", "25000"),
        ("二点五万", "25000"),
        ("一百零五块", "105"),
        ("一千零十元", "1010"),
        ("零", "0"),
        ("0", "0"),
        ("1800.5元", "1800.5"),
        ("大概两千左右吧", "2000"),
    ],
)
def test_reads_amounts(text, yuan):
    amount = parse_amount(text)
    assert amount is not None, text
    assert amount.yuan == Decimal(yuan)
    assert amount.value == yuan


@pytest.mark.parametrize(
    ("text", "yuan", "period"),
    [
        ("月收入两千", "2000", "month"),
        ("每月1500", "1500", "month"),
        ("一个月800块", "800", "month"),
        ("三千一个月", "3000", "month"),
        ("1800元/月", "1800", "month"),
        ("两千每月", "2000", "month"),
        ("一年2.5万", "25000", "year"),
        ("2.5万一年", "25000", "year"),
        ("年收入3万", "30000", "year"),
        ("去年收入3万", "30000", "year"),
        ("2023年收入4万", "40000", "year"),
        ("5月收入3000", "3000", "month"),
        ("看病花了三万多", "30000", None),
        ("1800", "1800", None),
    ],
)
def test_period(text, yuan, period):
    amount = parse_amount(text)
    assert amount is not None
    assert (amount.yuan, amount.period) == (Decimal(yuan), period)


def test_span_and_raw_point_into_original_text():
    text = "我家月收入两千五，老伴看病花了1.2万"
    amounts = find_amounts(text)
    assert [a.value for a in amounts] == ["2500", "12000"]
    for a in amounts:
        assert text[a.span[0] : a.span[1]] == a.raw
    assert amounts[0].raw == "两千五"
    assert amounts[0].period == "month"


@pytest.mark.parametrize(
    ("text", "yuan", "upper"),
    [
        ("三百来块", "300", None),
        ("千把块", "1000", None),
        ("百把块钱", "100", None),
        ("一千多元", "1000", None),
        ("一两万", "10000", "20000"),
        ("三四千", "3000", "4000"),
        ("1-2万", "10000", "20000"),
        ("1~2万", "10000", "20000"),
        ("一到两万", "10000", "20000"),
        ("1000-2000元", "1000", "2000"),
        ("1万到2万", "10000", "20000"),
    ],
)
def test_approximate_and_ranges(text, yuan, upper):
    amount = parse_amount(text)
    assert amount is not None
    assert amount.approximate is True
    assert amount.yuan == Decimal(yuan)
    assert amount.upper == (Decimal(upper) if upper else None)


def test_exact_amount_is_not_approximate():
    amount = parse_amount("1800元")
    assert amount is not None and amount.approximate is False and amount.upper is None


@pytest.mark.parametrize(
    "text", ["没有收入", "莫得收入", "家里没什么收入", "没得经济来源", "零收入", "收入为0", "一分钱都没有"]
)
def test_no_income_is_zero(text):
    amount = parse_amount(text)
    assert amount is not None
    assert amount.yuan == 0


@pytest.mark.parametrize(
    "text",
    [
        "我家3口人",
        "今年65岁",
        "2023年5月1日",
        "2023-05-01",
        "我今年60了",
        "万一没钱怎么办",
        "千万别这样",
        "第三个问题",
        "我有两个孩子",
        "百分之五十",
        "LY2023LS00123",
        "13812345678",
        "610727199001011234",
        "等一下",
        "五保户怎么申请",
        "一点点",
        "",
    ],
)
def test_non_money_numbers_are_ignored(text):
    assert find_amounts(text) == []


def test_several_amounts():
    values = [a.value for a in find_amounts("工资3000，低保金500元，医药费一万二")]
    assert values == ["3000", "500", "12000"]


def test_require_amount_gives_chinese_reason():
    with pytest.raises(AmountError) as err:
        require_amount("不知道")
    assert "金额" in err.value.reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("两千五百", 2500),
        ("两千五", 2500),
        ("一万二千", 12000),
        ("十万", 100000),
        ("二〇二三", 2023),
        ("一亿两千万", 120000000),
        ("1,800", 1800),
        ("零", 0),
    ],
)
def test_chinese_to_int(text, value):
    assert chinese_to_int(text) == value


@pytest.mark.parametrize("text", ["", "千千", "三三百", "abc", "二点五", "万万"])
def test_chinese_to_int_rejects_with_reason(text):
    with pytest.raises(AmountError) as err:
        chinese_to_int(text)
    assert err.value.reason


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            "0123456789.,-~零一二两三四五六七八九十百千万亿wk点块元月年来多把收入每个没有 ，"
        )
    )
)
def test_never_crashes_on_numeral_soup(text):
    for amount in find_amounts(text):
        assert text[amount.span[0] : amount.span[1]] == amount.raw
        assert amount.yuan >= 0
        assert amount.period in (None, "month", "year")
        if amount.upper is not None:
            assert amount.upper > amount.yuan


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_crashes_on_any_text(text):
    find_amounts(text)
    try:
        chinese_to_int(text)
    except InputError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.reason)  # a Chinese reason


@given(st.integers(min_value=0, max_value=999_999_999))
def test_arabic_round_trip(n):
    amount = parse_amount(f"{n}元")
    assert amount is not None and amount.yuan == n


_CN_DIGITS = "零一二三四五六七八九"


def _section(x: int) -> str:
    out, pending_zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = x // unit % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += "零"
            pending_zero = False
        out += _CN_DIGITS[digit] + name
    return out


def _to_chinese(n: int) -> str:
    """Standard written form: 10005 -> 一万零五, 2500 -> 二千五百."""
    if n == 0:
        return "零"
    if n < 10_000:
        return _section(n)
    high, low = divmod(n, 10_000)
    text = _section(high) + "万"
    if low == 0:
        return text
    return text + ("零" if low < 1000 else "") + _section(low)


def test_reference_formatter():
    assert _to_chinese(10005) == "一万零五"
    assert _to_chinese(2500) == "二千五百"
    assert _to_chinese(105) == "一百零五"


@given(st.integers(min_value=0, max_value=99_999_999))
def test_chinese_numerals_round_trip(n):
    assert chinese_to_int(_to_chinese(n)) == n


@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_amounts_round_trip(n):
    amount = parse_amount(f"月收入{_to_chinese(n)}元")
    assert amount is not None
    assert (amount.yuan, amount.period) == (n, "month")


@pytest.mark.parametrize(
    ("text", "yuan", "approximate"),
    [
        ("月收入大约是1500元", "1500", True),
        ("￥1800", "1800", False),
        ("¥1800", "1800", False),
        ("1800RMB", "1800", False),
        ("每月有个一千多块", "1000", True),
        ("一年到头也就挣个万把块", "10000", True),
        ("工资三千五一个月", "3500", False),
        ("月薪3500", "3500", False),
        ("住院10天花了5万", "50000", False),
    ],
)
def test_everyday_phrasings(text, yuan, approximate):
    amounts = find_amounts(text)
    assert len(amounts) == 1
    assert (amounts[0].yuan, amounts[0].approximate) == (Decimal(yuan), approximate)


@pytest.mark.parametrize("text", ["一个月也就几百块", "十几万", "几千"])
def test_vague_amounts_are_not_guessed(text):
    # "a few hundred" has no number to work with: the caller should ask for one
    assert find_amounts(text) == []
