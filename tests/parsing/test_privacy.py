import logging
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing.identity import generate_id_number
from bot.privacy import MaskingFilter, install_masking, mask_name, mask_text

ID = generate_id_number(random.Random(11), sex="男")
ID_X = "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证{ID}", f"身份证{ID[:4]}**********{ID[-4:]}"),
        ("证号11010519491231002x。", "证号1101**********002X。"),
        ("证号110105 19491231 002X", "证号1101**********002X"),
        ("证号110105-1949-1231-002X", "证号1101**********002X"),
        ("证号１１０１０５１９４９１２３１００２Ｘ", "证号1101**********002X"),
        ("错号610727199013451234", "错号6107**********1234"),  # not a valid date: still masked
        ("旧证610727900101123", "旧证6107*******1123"),  # 15-digit old ID
        ("卡号6222020200112233445", "卡号6222***********3445"),
        ("后六位12345X", "后六位******"),
        ("身份证后6位是 12345x", "身份证后6位是 ******"),
        ("尾号：5678", "尾号：****"),
        ("末六位654321", "末六位******"),
        ("身份证号码是61072719900", "身份证号码是***********"),
        ("电话13812345678", "电话138****5678"),
        ("电话 138 1234 5678", "电话 138****5678"),
        ("电话+86-138-1234-5678", "电话138****5678"),
        ("电话008613812345678", "电话138****5678"),
        ("姓名：张三丰", "姓名：张*丰"),
        ("户主是李四", "户主是李*"),
    ],
)
def test_mask_text(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    ["案件LY2023LS00123", "月收入两千五，家里3口人", "救助站电话0916-4822453", "2023-05-01", "", "你好"],
)
def test_leaves_other_text_alone(text):
    assert mask_text(text) == text


def test_several_identifiers_in_one_text():
    text = f"手机13812345678，身份证{ID}，备用+86 139 0000 1111"
    masked = mask_text(text)
    assert "13812345678" not in masked and ID not in masked and "13900001111" not in masked
    assert masked.count("****") >= 3


def test_mask_name():
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("张") == "*"
    assert mask_name("") == ""


def _record(msg, *args, exc_info=None):
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)


def test_filter_masks_message_and_args():
    record = _record("user %s sent %s", "13812345678", ID)
    assert MaskingFilter().filter(record) is True
    message = record.getMessage()
    assert "13812345678" not in message and ID not in message
    assert "138****5678" in message


def test_filter_masks_exception_text():
    try:
        raise ValueError(f"bad id {ID}")
    except ValueError:
        import sys

        record = _record("failed", exc_info=sys.exc_info())
    MaskingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert ID not in formatted and "ValueError" in formatted


def test_filter_survives_broken_format():
    record = _record("%d items for %s", "x", "13812345678")
    assert MaskingFilter().filter(record) is True
    assert "13812345678" not in record.getMessage()


def test_install_masking_covers_handlers_and_child_loggers():
    logger = logging.getLogger("privacy-test-root")
    logger.propagate = False
    lines = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    logger.addHandler(ListHandler())
    install_masking(logger)
    install_masking(logger)  # idempotent
    assert sum(isinstance(f, MaskingFilter) for f in logger.filters) == 1
    logging.getLogger("privacy-test-root.child").warning("phone %s", "13812345678")
    assert lines == ["phone 138****5678"]


@settings(max_examples=200, deadline=None)
@given(st.text(), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_embedded_phone_never_survives(prefix, phone):
    masked = mask_text(f"{prefix}，电话{phone}。")
    assert phone not in masked


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from(["", " ", "-"]), st.booleans())
def test_embedded_id_never_survives(seed, sep, lower):
    number = generate_id_number(random.Random(seed))
    shown = f"{number[:6]}{sep}{number[6:14]}{sep}{number[14:]}"
    if lower:
        shown = shown.lower()
    masked = mask_text(f"我的身份证是{shown}谢谢")
    assert number not in masked.replace(sep, "") if sep else number not in masked
    assert number[6:14] not in masked  # the birth date is hidden


@given(st.text())
def test_never_crashes(text):
    assert isinstance(mask_text(text), str)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("证号110105  19491231  002X", "证号1101**********002X"),  # double spaces
        ("证号110105—19491231—002X", "证号1101**********002X"),  # dashes
        ("卡号 6222 0202 0011 2233 445", "卡号 6222***********3445"),
        ("身份证61072719900101", "身份证6107******0101"),  # 14 digits: a partial ID
    ],
)
def test_mask_text_more_layouts(text, expected):
    assert mask_text(text) == expected


# Note: "1000 2000 3000 4000" is masked like a bank card "6222 0202 0011 2233": the two look the same, and
# hiding a number too many is the safe side.
@pytest.mark.parametrize("text", ["1 2 3 4 5 6 7 8 9 10 11 12", "编号 2023 05 01 12", "收入 1000 2000 3000"])
def test_lists_of_numbers_are_not_masked(text):
    assert mask_text(text) == text
