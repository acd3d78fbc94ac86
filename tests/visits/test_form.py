"""What a message means while a step of the visit form is open (plain functions, no Rasa)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.visits import texts
from bot.visits.form import (
    DATE,
    MAX_PHOTOS,
    NOT_APPLICABLE,
    STEP_SLOTS,
    Kind,
    answered,
    interpret,
    parse_rating,
    ratings_of,
    remaining,
    summary,
    visit_date,
)


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("好", 5),
        ("较好", 4),
        ("一般", 3),
        ("较差", 2),
        ("差", 1),
        ("4", 4),
        ("4分", 4),
        ("四分", 4),
        ("３", 3),  # full-width digit
        ("还可以吧", 3),
        ("不太好", 2),
        ("不好", 2),
        ("很差，脏乱差", 1),
        ("不适用", NOT_APPLICABLE),
        ("没有照料人", NOT_APPLICABLE),
        ("6", None),
        ("😀", None),
        ("hello", None),
        ("", None),
    ],
)
def test_ratings(text, rating):
    assert parse_rating(text) == rating


@pytest.mark.parametrize(
    ("step", "text", "kind", "target", "value"),
    [
        ("environment", "较好", Kind.ANSWER, "environment", 4),
        ("hygiene", "居住环境说错了，是较差", Kind.CORRECTION, "environment", 2),
        ("daily", "个人卫生改为一般", Kind.CORRECTION, "hygiene", 3),
        ("confirm", "健康改成较好", Kind.CORRECTION, "health", 4),
        ("confirm", "照料人那项改为差", Kind.CORRECTION, "care", 1),
        ("confirm", "对象搞错了", Kind.CORRECTION, "person", None),
        ("notes", "卫生选错了", Kind.CORRECTION, "hygiene", None),  # no new value: asked again
        ("hygiene", "取消", Kind.CANCEL, "hygiene", None),
        ("health", "先不填了", Kind.CANCEL, "health", None),
        ("confirm", "/cancel", Kind.CANCEL, "confirm", None),
        ("daily", "重新登记探访", Kind.RESTART, "daily", None),
        ("health", "不知道怎么说", Kind.UNCLEAR, "health", None),
        ("notes", "无", Kind.ANSWER, "notes", ""),
        ("notes", "屋里较乱，已当面提醒照料人打扫，照料人说以前做得不对，下周复查", Kind.ANSWER, "notes", None),
        ("photo", "没有照片", Kind.ANSWER, "photo", []),
        ("photo", "稍等", Kind.UNCLEAR, "photo", None),
        ("confirm", "确认保存", Kind.ANSWER, "confirm", True),
        ("confirm", "嗯嗯嗯嗯嗯嗯嗯嗯", Kind.UNCLEAR, "confirm", None),
        ("person", "LY2024TK00012", Kind.ANSWER, "person", "LY2024TK00012"),
        ("person", "/log_visit", Kind.UNCLEAR, "person", None),
        ("environment", "登记探访", Kind.NOTE, "environment", None),
    ],
)
def test_interpret(step, text, kind, target, value):
    intent = "log_visit" if "登记探访" in text and "重新" not in text else ("cancel" if text == "/cancel" else None)
    result = interpret(step, text, intent=intent)
    assert result.kind is kind
    assert result.step == target
    if kind is Kind.ANSWER and step == "notes" and value is None:
        assert result.value == text  # a long note is kept as written, not taken for a correction
    elif kind in (Kind.ANSWER, Kind.CORRECTION):
        assert result.value == value


def test_a_later_step_cannot_be_corrected_before_it_is_asked():
    # "照料人改为差" while the first item is open is not an answer to the first item
    result = interpret("environment", "照料人改为差")
    assert result.kind is Kind.NOTE and "还没问到“照料人是否按协议照护”" in result.message


def test_a_photo_reference_answers_the_photo_step():
    result = interpret("photo", "/inform", photo="AgACAgUAAxkBAAI")
    assert result.kind is Kind.ANSWER and result.value == ["AgACAgUAAxkBAAI"]


def test_more_photos_before_saving_are_added_up_to_the_limit_and_early_ones_are_not_taken():
    result = interpret("confirm", "/inform", photo="p2", slots={"visit_photo": ["p1"]})
    assert result.kind is Kind.CORRECTION and result.step == "photo" and result.value == ["p1", "p2"]
    assert "共 2 张" in result.message
    result = interpret("confirm", "/inform", photo="p1", slots={"visit_photo": []})
    assert result.kind is Kind.CORRECTION and result.value == ["p1"]
    full = [f"p{i}" for i in range(MAX_PHOTOS)]
    result = interpret("confirm", "/inform", photo="more", slots={"visit_photo": full})
    assert result.kind is Kind.NOTE and result.value is None and f"最多记 {MAX_PHOTOS} 张" in result.message
    for step in ("person", "environment", "notes"):
        result = interpret(step, "/inform", photo="early")
        assert result.kind is Kind.NOTE and result.step == step and result.message == texts.PHOTO_NOT_YET


def test_the_photo_question_asks_for_the_photo_in_the_chat():
    assert "发送照片" in texts.ASK_PHOTO and "暂时" not in texts.ASK_PHOTO


def test_too_long_notes_are_refused_with_a_reason():
    result = interpret("notes", "很" * 600)
    assert result.kind is Kind.UNCLEAR and "太长" in result.message


def test_slots_helpers():
    slots = {
        "visit_person": {"id": 1, "label": "王某（LY2024TK00012，郭镇）"},
        "visit_environment": 4,
        "visit_hygiene": 2,
        "visit_care": NOT_APPLICABLE,
    }
    assert remaining(slots) == ["visit_daily", "visit_health", "visit_notes", "visit_photo", "visit_confirm"]
    assert answered(slots) == 4
    assert ratings_of(slots) == {"environment": 4, "hygiene": 2, "daily": None, "health": None, "care": None}
    text = summary(slots)
    assert "居住环境：较好（4分）" in text and "照料人是否按协议照护：不适用" in text
    assert len(STEP_SLOTS) == 9
    assert texts.RATING_BUTTONS == ("好", "较好", "一般", "较差", "差")


@pytest.mark.parametrize(
    ("step", "text", "kind", "value"),
    [
        ("confirm", "日期改为2024年6月3日", Kind.CORRECTION, "2024-06-03"),
        ("confirm", "探访日期说错了，是昨天", Kind.CORRECTION, "2024-06-27"),
        ("hygiene", "日期改成6月20号", Kind.CORRECTION, "2024-06-20"),
        ("confirm", "日期改为明年1月1日", Kind.NOTE, None),  # in the future
        ("confirm", "日期改为2022年1月1日", Kind.NOTE, None),  # more than a year ago
        ("confirm", "日期改一下", Kind.NOTE, None),  # no date
        ("person", "日期改为昨天", Kind.NOTE, None),  # the person first
    ],
)
def test_the_visit_date_can_be_corrected(step, text, kind, value):
    result = interpret(step, text, today=date(2024, 6, 28))
    assert result.kind is kind
    if kind is Kind.CORRECTION:
        assert result.step == DATE and result.value == value
    else:
        assert result.message


def test_the_visit_date_is_today_unless_corrected():
    today = date(2024, 6, 28)
    assert visit_date({}, today) == today
    assert visit_date({"visit_person": {"id": 1, "date": "2024-06-03"}}, today) == date(2024, 6, 3)
    assert "探访日期：2024-06-03" in summary({"visit_person": {"id": 1, "label": "x", "date": "2024-06-03"}}, today)
