"""Parsing each kind of answer, unknown, corrections, cancel and interruptions (bot.precheck.flow)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.precheck.flow import (
    QUESTIONS,
    UNKNOWN,
    Kind,
    answers_from_slots,
    describe,
    interpret,
    is_cancel,
    parse_answer,
    progress,
    question_text,
    remaining,
)
from bot.precheck.model import OUTSIDE, Answers, EventKind, Income, MoneyRange, Period, Residency, Status

TODAY = date(2026, 11, 28)


def answer(key: str, text: str, slots: dict | None = None, intent: str | None = None, confidence: float | None = 0.9):
    return interpret(key, text, intent=intent, confidence=confidence, today=TODAY, slots=slots or {})


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("residency", "户籍在略阳", "local_hukou"),
        ("residency", "我是接官亭的", "local_hukou"),
        ("residency", "有略阳居住证", "local_residence_permit"),
        ("residency", "都不是", "nonlocal"),
        ("residency", "户口在勉县", "nonlocal"),
        ("residency", "户口不在略阳，也没有居住证", "nonlocal"),
        ("event", "火灾", "fire"),
        ("event", "房子着火了", "fire"),
        ("event", "娃娃出车祸了", "accident"),
        ("event", "老汉突发脑梗", "illness_sudden"),
        ("event", "房子被洪水冲了", "disaster"),
        ("event", "看病花费大", "medical_spending"),
        ("event", "住院花了好多钱", "medical_spending"),
        ("event", "孩子上大学学费交不起", "education_spending"),
        ("event", "其他必需支出大", "other_spending"),
        ("event", "其他突发困难", "other_emergency"),
        ("date", "今天", "2026-11-28"),
        ("date", "前天", "2026-11-26"),
        ("date", "上个月15号", "2026-10-15"),
        ("date", "3天前", "2026-11-25"),
        ("date", "刚刚", "2026-11-28"),
        ("status", "低保", "dibao"),
        ("status", "吃低保的", "dibao"),
        ("status", "没有低保", "none"),
        ("status", "都没有", "none"),
        ("status", "五保户", "tekun"),
        ("status", "低保边缘家庭", "edge"),
        ("status", "三类人群", "three_groups"),
        ("household_size", "3", "3"),
        ("household_size", "三口人", "3"),
        ("household_size", "就我一个", "1"),
        ("household_size", "6人", "6"),
        ("income", "两千五", {"yuan": "2500", "period": "month"}),
        ("income", "2.5万一年", {"yuan": "25000", "period": "year"}),
        ("income", "1800块", {"yuan": "1800", "period": "month"}),
        ("income", "去年一共三万", {"yuan": "30000", "period": "year"}),
        ("income", "两三千", {"yuan": "2500", "period": "month"}),
        ("income", "没有收入", {"yuan": "0", "period": "month"}),
        ("compensation", "没有", "0"),
        ("compensation", "保险赔了1万", "10000"),
        ("loss", "住院花了3万", "30000"),
        ("loss", "房子烧了，损失大概10万", "100000"),
        ("savings", "没有或1万以下", {"low": "0", "high": "10000"}),
        ("savings", "10万以上", {"low": "100000", "high": None}),
        ("savings", "没有存款", {"low": "0", "high": "0"}),
        ("savings", "5万以上", {"low": "50000", "high": None}),
        ("savings", "两三万", {"low": "20000", "high": "30000"}),
        ("town", "接官亭", "接官亭镇"),
        ("town", "兴州街道", "兴州街道"),
        ("town", "接管厅", "接官亭镇"),  # a typo with one plausible town
    ],
)
def test_answers_are_parsed(key, text, value):
    result = answer(key, text)
    assert result.kind is Kind.ANSWER, result
    assert result.value == value


@pytest.mark.parametrize(
    ("key", "text"),
    [("income", "不方便说"), ("residency", "不清楚"), ("date", "不记得了"), ("status", "不知道有没有低保"), ("loss", "不清楚")],
)
def test_unknown_is_accepted(key, text):
    result = answer(key, text)
    assert result.kind is Kind.UNKNOWN and result.value == UNKNOWN


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("household_size", "25", "1到20"),
        ("town", "勉县", "略阳县的镇"),
        ("event", "啥", "房子着火了"),
        ("income", "嗯嗯", "每月两千五"),
    ],
)
def test_unclear_answers_get_an_example(key, text, message):
    result = answer(key, text)
    assert result.kind is Kind.UNCLEAR
    assert message in result.message


def test_town_outside_is_fine_for_non_local_people():
    slots = {"pc_residency": "nonlocal"}
    assert answer("town", "不在略阳", slots).value == OUTSIDE
    assert answer("town", "在勉县出的事", slots).value == OUTSIDE
    assert answer("town", "在郭镇", slots).value == "郭镇"


def test_future_dates_are_refused():
    result = answer("date", "2027年3月1日")
    assert result.kind is Kind.UNCLEAR and "还没到" in result.message


@pytest.mark.parametrize(
    ("current", "text", "target", "value"),
    [
        ("loss", "收入说错了，是三千", "income", {"yuan": "3000", "period": "month"}),
        ("savings", "人数说错了，是4口人", "household_size", "4"),
        ("town", "刚才存款说错了，应该是5万以上", "savings", {"low": "50000", "high": None}),
        ("savings", "户口填错了，有居住证", "residency", "local_residence_permit"),
    ],
)
def test_corrections_update_the_earlier_answer(current, text, target, value):
    result = answer(current, text)
    assert result.kind is Kind.CORRECTION
    assert result.key == target and result.value == value
    assert "已把" in result.message


def test_correction_without_a_new_value_asks_again():
    result = answer("loss", "收入说错了")
    assert result.kind is Kind.CORRECTION and result.key == "income" and result.value is None


def test_correction_of_the_current_question_is_an_answer():
    result = answer("income", "收入说错了，是三千")
    assert result.kind is Kind.ANSWER and result.value == {"yuan": "3000", "period": "month"}


@pytest.mark.parametrize("text", ["不测了", "算了", "取消", "/cancel", "我不想填了", "退出预检"])
def test_cancel(text):
    assert is_cancel(text)
    assert answer("income", text).kind is Kind.CANCEL


@pytest.mark.parametrize("text", ["我算了一下大概三千", "取消户籍限制了吗", "收入两千"])
def test_not_cancel(text):
    assert not is_cancel(text)


def test_cancel_intent_counts_only_when_the_text_is_not_an_answer():
    assert answer("compensation", "没有", intent="cancel").kind is Kind.ANSWER
    assert answer("compensation", "不想弄这个", intent="cancel").kind is Kind.CANCEL


def test_policy_question_interrupts_but_an_answer_wins():
    assert answer("income", "低保标准是多少", intent="ask_dibao_standard").kind is Kind.INTERRUPT
    assert answer("income", "低保标准是多少", intent="ask_dibao_standard", confidence=0.3).kind is Kind.UNCLEAR
    assert answer("loss", "住院花了3万", intent="ask_illness_poverty").kind is Kind.ANSWER


def test_emergency_and_human_requests_get_a_message():
    assert "120" in answer("income", "救命啊", intent="report_emergency").message
    assert "转人工" in answer("income", "我要找人", intent="request_human").message


def test_slots_to_answers():
    slots = {
        "pc_residency": "local_hukou",
        "pc_event": "fire",
        "pc_date": "2026-11-20",
        "pc_status": "unknown",
        "pc_household_size": "3",
        "pc_income": {"yuan": "25000", "period": "year"},
        "pc_compensation": "0",
        "pc_loss": UNKNOWN,
        "pc_savings": {"low": "100000", "high": None},
        "pc_town": "郭镇",
    }
    a = answers_from_slots(slots)
    assert a == Answers(
        residency=Residency.LOCAL_HUKOU,
        event=EventKind.FIRE,
        event_date=date(2026, 11, 20),
        household_size=3,
        income=Income(Decimal("25000"), Period.YEAR),
        compensation=Decimal("0"),
        loss=None,
        savings=MoneyRange(Decimal("100000"), None),
        status=Status.UNKNOWN,
        town="郭镇",
    )
    # raw text left in a slot by the form (before validation) never breaks the conversion
    assert answers_from_slots({"pc_income": "三千", "pc_household_size": "三口", "pc_date": "昨天"}) == Answers()


def test_progress_and_skipped_questions():
    assert progress("residency", Answers()) == (1, 10)
    assert progress("town", Answers(residency=Residency.NONLOCAL)) == (4, 4)
    fire = Answers(event=EventKind.FIRE, status=Status.DIBAO)
    assert progress("compensation", fire) == (6, 8)
    assert remaining({"pc_residency": "nonlocal"}) == ["pc_residency", "pc_event", "pc_date", "pc_town"]
    text, buttons = question_text("residency", {})
    assert text.startswith("（第 1/10 步）") and "户籍在略阳" in buttons
    text, buttons = question_text("town", {"pc_residency": "nonlocal", "pc_event": "fire"})
    assert "第 4/4 步" in text and "发生在略阳" in text and buttons == ("不在略阳",)


def test_every_question_has_an_example_and_parser():
    for key, q in QUESTIONS.items():
        assert q.example
        for button in q.buttons:
            parsed = parse_answer(key, button, TODAY, {"pc_residency": "nonlocal"})
            if button in ("不清楚", "不方便说", "不记得了"):
                assert parsed is None  # becomes "unknown"
            else:
                assert parsed is not None, (key, button)


def test_describe():
    assert describe("income", {"yuan": "2500", "period": "month"}) == "全家每月约2,500元"
    assert describe("savings", {"low": "10000", "high": "30000"}) == "10,000元到30,000元"
    assert describe("town", OUTSIDE) == "不在略阳"
    assert describe("event", "fire") == "火灾"


def test_a_question_is_not_taken_for_an_answer():
    """"低保是什么" at the status question is a policy question, not the answer "低保"."""
    assert answer("status", "低保是什么", intent="ask_dibao_eligibility").kind is Kind.INTERRUPT
    assert answer("status", "低保", intent="ask_dibao_eligibility").value == "dibao"
    assert answer("household_size", "有没有人数限制？", intent="ask_dibao_eligibility").kind is Kind.INTERRUPT
    assert answer("income", "大概多少我也说不好", intent="ask_dibao_standard").kind is Kind.UNKNOWN


def test_correcting_a_question_that_was_skipped_says_so():
    result = answer("town", "存款说错了", {"pc_status": "dibao"})
    assert result.kind is Kind.NOTE and "不用回答" in result.message


def test_a_status_question_mid_form_is_explained_not_taken_as_an_answer():
    result = interpret("residency", "我的申请到哪一步了", intent="check_status", confidence=0.9, today=TODAY, slots={})
    assert result.kind is Kind.NOTE and "不测了" in result.message and result.value is None
