"""The one masking module (``bot.privacy``): every rule in one table-driven file."""

import logging
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing.identity import generate_id_number
from bot.privacy import (
    MaskingFilter,
    install_masking,
    install_masking_everywhere,
    mask_data,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
)

ID = generate_id_number(random.Random(11), sex="男")
ID_X = "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证{ID}", f"身份证{'*' * 16}{ID[-2:]}"),
        ("证号11010519491231002x。", "证号****************2X。"),
        ("证号110105 19491231 002X", "证号****************2X"),
        ("证号110105-1949-1231-002X", "证号****************2X"),
        ("证号１１０１０５１９４９１２３１００２Ｘ", "证号****************2X"),
        ("错号610727199013451234", "错号****************34"),  # not a valid date: still masked
        ("旧证610727900101123", "旧证*************23"),  # 15-digit old ID
        ("卡号6222020200112233445", "卡号*****************45"),
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
        ("证号110105  19491231  002X", "证号****************2X"),  # double spaces
        ("证号110105—19491231—002X", "证号****************2X"),  # dashes
        ("卡号 6222 0202 0011 2233 445", "卡号 *****************45"),
        ("身份证61072719900101", "身份证************01"),  # 14 digits: a partial ID
    ],
)
def test_mask_text_more_layouts(text, expected):
    assert mask_text(text) == expected


# Note: "1000 2000 3000 4000" is masked like a bank card "6222 0202 0011 2233": the two look the same, and
# hiding a number too many is the safe side.
@pytest.mark.parametrize("text", ["1 2 3 4 5 6 7 8 9 10 11 12", "编号 2023 05 01 12", "收入 1000 2000 3000"])
def test_lists_of_numbers_are_not_masked(text):
    assert mask_text(text) == text


# -- the one masking module: tables for every path (replies, logs, audit, tickets, pending messages, tracker) ---
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证 61072719900101123x", "身份证 ****************3X"),  # lower-case x
        ("身份证 61072719900101123X", "身份证 ****************3X"),
        ("身份证６１０７２７１９９００１０１１２３Ｘ", "身份证****************3X"),  # full-width digits and X
        ("证号 6107-2719-9001-0112-3X", "证号 ****************3X"),  # hyphens inside
        ("证号 610727 19900101 123X", "证号 ****************3X"),  # spaces inside
        ("老证 610727900101123", "老证 *************23"),  # 15-digit old number
        ("老证 610727 900101 123", "老证 *************23"),
    ],
)
def test_id_numbers_in_every_layout(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "86-138-1234-5678",
        "0086 138 1234 5678",
        "１３８１２３４５６７８",
    ],
)
def test_phones_in_every_layout(text):
    assert mask_text(f"电话：{text}，谢谢") == "电话：138****5678，谢谢"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LY2024DB00123 12345X", "LY2024DB00123 ******"),  # issue 14 item 8: passed unmasked before
        ("LY2024DB00123 123456", "LY2024DB00123 ******"),
        ("LY2024DB00123，123456", "LY2024DB00123，******"),
        ("ly 2024 db 00123 12345x", "ly 2024 db 00123 ******"),
        ("LY-2024-DB-00123/123456", "LY-2024-DB-00123/******"),
        ("123456，LY2024DB00123", "******，LY2024DB00123"),
        ("LY2024DB0012312345X", "LY2024DB00123******"),  # typed without a space
        ("ＬＹ２０２４ＤＢ００１２３　１２３４５６", "ＬＹ２０２４ＤＢ００１２３　******"),
        ("案件编号：LY2024DB00123 身份证后6位：12345X", "案件编号：LY2024DB00123 身份证后6位：******"),
        ("/status LY2024DB00123 12345X", "/status LY2024DB00123 ******"),
    ],
)
def test_case_number_and_last_six_pair(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123456", "******"),  # the answer to "请提供身份证后六位" arrives alone
        ("12345X。", "******。"),
        ("编号是12345x吗", "编号是******吗"),  # ends in X: always a fragment
        ("光是6位数字123456也遮住", "光是6位数字******也遮住"),
        ("后六位 123 45X", "后六位 *** ***"),  # after a cue: separators inside too
    ],
)
def test_bare_fragments_are_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "月收入180000",
        "180000元",
        "年收入 120000 块",
        "家里存款 100000",
        "损失大概150000",
        "¥120000",
        "人民币 300000",
        "补助 100000元",
        "身份证号已经给了，存款100000元",
        "月收入两千五，补了2.5万",
        "家里3口人，月收入1800元",
        "发生在2023年5月1日，20230501，2023.05.01",
        "案件LY2023LS00123，预审参考号 YJ261128-7KQ3",
        "利率0.123456",
    ],
)
def test_amounts_dates_and_our_codes_stay_readable(text):
    assert mask_text(text) == text


def test_a_cue_does_not_hide_the_amounts_next_to_it():
    assert mask_text("身份证后六位123456，存款100000元") == "身份证后六位******，存款100000元"


def test_none_and_empty():
    assert mask_text(None) == "" and mask_text("") == ""


def test_mask_id_number():
    assert mask_id_number("11010519491231002X") == "****************2X"
    assert mask_id_number("11010519491231002x") == "****************2X"
    assert mask_id_number("110105 19491231 002X") == "****************2X"
    assert mask_id_number("110105491231002") == "*************02"
    assert mask_id_number("12345X") == "******"
    assert mask_id_number("") == ""


@given(st.integers(0, 2**32), st.sampled_from(["", " ", "-"]), st.booleans())
def test_an_id_shows_at_most_its_last_two_characters(seed, sep, lower):
    """Issue 14 item 9: first 4 + last 4 left only the day of birth to guess of the lookup's last six."""
    number = generate_id_number(random.Random(seed))
    typed = sep.join((number[:6], number[6:14], number[14:]))
    assert mask_id_number(typed.lower() if lower else typed) == "*" * 16 + number[-2:]
    assert mask_text(f"身份证{typed}") == "身份证" + "*" * 16 + number[-2:]


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone("12345") == "*2345"


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mask_phone_hides_the_middle_four(number):
    assert mask_phone(number) == number[:3] + "****" + number[7:]


@given(st.text())
def test_value_maskers_never_crash(text):
    assert isinstance(mask_id_number(text), str)
    assert isinstance(mask_phone(text), str)


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(r"[0-9]{5}[0-9Xx]", fullmatch=True),
    st.sampled_from([" ", "，", ",", "/", " 后六位", "\n", "、身份证后六位是"]),
    st.booleans(),
)
def test_last_six_next_to_a_case_number_never_survives(tail, sep, tail_first):
    text = f"{tail}{sep}LY2024DB00123" if tail_first else f"LY2024DB00123{sep}{tail}"
    masked = mask_text(text)
    assert tail not in masked and "LY2024DB00123" in masked


# moved from tests/audit/test_masking.py: what the audit log, tickets and log lines get (one rule for all)
AUDIT_CASES = [
    ("身份证610727199001011234", "610727199001011234"),
    ("证件号 61072719900101123X 在这", "61072719900101123X"),
    ("带空格 610727 19900101 1234", "610727 19900101 1234"),
    ("全角６１０７２７１９９００１０１１２３４", "６１０７２７１９９００１０１１２３４"),
    ("老身份证610727900101123", "610727900101123"),
    ("后六位是12345X", "12345X"),
    ("后六位 123456", "123456"),
    ("尾号5678的卡", "5678"),
    ("手机13812345678", "13812345678"),
    ("电话 +86 138-1234-5678", "138-1234-5678"),
    ("打0086 13812345678", "13812345678"),
    ("光是6位数字123456也遮住", "123456"),
    ("LY2024DB00123 12345X", "12345X"),
]


@pytest.mark.parametrize(("text", "secret"), AUDIT_CASES)
def test_mask_text_hides_identifiers(text, secret):
    masked = mask_text(text)
    assert secret not in masked and masked != text


@pytest.mark.parametrize(("text", "secret"), AUDIT_CASES)
def test_log_records_through_the_filter(text, secret):
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    logger = logging.getLogger("tests.privacy.filter")
    handler = Collect()
    handler.addFilter(MaskingFilter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("user said: %s", text)
    finally:
        logger.removeHandler(handler)
    (line,) = records
    assert secret not in line and line.startswith("user said: ")


def test_case_numbers_and_short_numbers_stay_readable_for_the_audit_log():
    text = "案件LY2024DB00123，家里3口人，月收入2000元"
    assert mask_text(text) == text


def test_precheck_reference_and_case_numbers_stay_readable():
    text = "预审参考号 YJ261128-7KQ3，案件 LY2023LS00123"
    assert mask_text(text) == text


def test_bare_id_tail_and_long_numbers_are_still_hidden():
    masked = mask_text("后六位 12345X，另一个 654321，身份证 610727199001011234")
    assert "12345X" not in masked and "654321" not in masked and "199001011234" not in masked


def test_filter_on_a_logger_masks_the_record_for_all_its_handlers():
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    logger = logging.getLogger("tests.privacy.once")
    logger.propagate = False
    first, second = Collect(), Collect()
    logger.addHandler(first)
    logger.addHandler(second)
    try:
        install_masking(logger)
        logger.warning("%s -> rasa: %s", "tg-1-1", "LY2024DB00123 12345X")
    finally:
        logger.removeHandler(first)
        logger.removeHandler(second)
    assert lines == ["tg-1-1 -> rasa: LY2024DB00123 ******"] * 2


def test_install_masking_everywhere_covers_handlers_of_other_loggers():
    """As in the Rasa process, where Sanic's loggers have handlers of their own."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    logger = logging.getLogger("tests.privacy.own_handler")
    logger.propagate = False
    handler = Collect()
    logger.addHandler(handler)
    root_filters = list(logging.getLogger().filters)
    root_handler_filters = {h: list(h.filters) for h in logging.getLogger().handlers}
    try:
        install_masking_everywhere()
        install_masking_everywhere()  # idempotent
        assert sum(isinstance(f, MaskingFilter) for f in handler.filters) == 1
        logger.warning("received %s", "身份证61072719900101123X 电话13812345678")
    finally:
        logger.removeHandler(handler)
        logging.getLogger().filters[:] = root_filters
        for h, filters in root_handler_filters.items():
            h.filters[:] = filters
    assert lines == ["received 身份证****************3X 电话138****5678"]


def test_mask_data_masks_every_string_at_any_depth():
    event = {
        "event": "user",
        "text": "LY2024DB00123 12345X",
        "timestamp": 1700000000.5,
        "parse_data": {
            "intent": {"name": "check_status", "confidence": 0.98},
            "entities": [
                {"entity": "case_no", "value": "LY2024DB00123", "start": 0, "end": 13},
                {"entity": "id_last6", "value": "12345X", "start": 14, "end": 20},
                {"entity": "phone", "value": "13812345678"},
            ],
        },
        "metadata": {"command": "status", "args": "610727199001011234", "button": True, "chat": None},
        "pair": ("后六位123456", 3),
    }
    assert mask_data(event) == {
        "event": "user",
        "text": "LY2024DB00123 ******",
        "timestamp": 1700000000.5,
        "parse_data": {
            "intent": {"name": "check_status", "confidence": 0.98},
            "entities": [
                {"entity": "case_no", "value": "LY2024DB00123", "start": 0, "end": 13},
                {"entity": "id_last6", "value": "******", "start": 14, "end": 20},
                {"entity": "phone", "value": "138****5678"},
            ],
        },
        "metadata": {"command": "status", "args": "****************34", "button": True, "chat": None},
        "pair": ("后六位******", 3),
    }
    assert event["text"] == "LY2024DB00123 12345X"  # a copy: the input is unchanged


def test_the_module_is_stdlib_only_and_does_no_work_at_import():
    """The Rasa process imports bot.privacy: importing it must pull in no third-party module (transitively) and
    read no file."""
    script = (
        "import builtins, io, sys\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError(f'file I/O at import time: {a!r}')\n"
        "builtins.open = refuse\n"
        "io.open = refuse\n"
        "before = set(sys.modules)\n"
        "import bot.privacy\n"
        "tops = {name.split('.')[0] for name in set(sys.modules) - before}\n"
        "print(sorted(t for t in tops if t not in sys.stdlib_module_names and t not in {'bot', '__main__'}))\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
