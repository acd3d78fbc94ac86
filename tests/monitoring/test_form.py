"""The result form's interpretation as a table (plain functions, no database)."""

from __future__ import annotations

import pytest

from bot.monitoring import form
from bot.monitoring.form import Kind

INCLUDED = {"check_outcome": "included"}
NOT_INCLUDED = {"check_outcome": "not_included"}
REFERRED = {"check_outcome": "referred"}


@pytest.mark.parametrize(
    ("step", "text", "slots", "kind", "value"),
    [
        ("task", "12", {}, Kind.ANSWER, "12"),
        ("task", "  王建国 ", {}, Kind.ANSWER, "王建国"),
        ("task", "", {}, Kind.UNCLEAR, None),
        ("task", "取消", {}, Kind.CANCEL, None),
        ("outcome", "纳入", {}, Kind.ANSWER, "included"),
        ("outcome", "不符合条件，不纳入", {}, Kind.ANSWER, "not_included"),
        ("outcome", "转其他部门", {}, Kind.ANSWER, "referred"),
        ("outcome", "😀", {}, Kind.UNCLEAR, None),
        ("outcome", "/cancel", {}, Kind.CANCEL, None),
        ("detail", "不纳入", INCLUDED, Kind.OUTCOME_CHANGED, "not_included"),
        ("detail", "纳入", INCLUDED, Kind.UNCLEAR, None),  # the same outcome again: still asks for the programme
        ("detail", "改为转其他部门", NOT_INCLUDED, Kind.OUTCOME_CHANGED, "referred"),
        ("confirm", "确认保存", INCLUDED, Kind.ANSWER, True),
        ("confirm", "好的", INCLUDED, Kind.ANSWER, True),
        ("confirm", "改为不纳入", INCLUDED, Kind.OUTCOME_CHANGED, "not_included"),
        ("confirm", "嗯？", INCLUDED, Kind.UNCLEAR, None),
        ("detail", "很长" * 700, NOT_INCLUDED, Kind.UNCLEAR, None),
    ],
)
def test_interpret(step, text, slots, kind, value):
    result = form.interpret(step, text, slots=slots)
    assert (result.kind, result.value) == (kind, value)
    if kind is Kind.UNCLEAR:
        assert result.message


@pytest.mark.parametrize(
    ("text", "slots", "expected"),
    [
        ("低保 LY2024DB00012", INCLUDED, {"programme": "低保", "case_no": "LY2024DB00012"}),
        ("纳入特困，案件编号还没有", INCLUDED, {"programme": "特困供养", "case_no": None}),
        ("给了临时救助 ly2024ls00007", INCLUDED, {"programme": "临时救助", "case_no": "LY2024LS00007"}),
        ("转给乡村振兴局", REFERRED, {"department": "乡村振兴局"}),
        ("医保局。", REFERRED, {"department": "医保局"}),
        (
            "基本情况：子女均有稳定工作；家庭年人均纯收入：1.5万元",
            NOT_INCLUDED,
            {"reasons": {"basic": {"text": "子女均有稳定工作", "figure": None},
                         "per_capita": {"text": "1.5万元", "figure": "15000"}}},
        ),
    ],
)  # fmt: skip
def test_details(text, slots, expected):
    result = form.interpret("detail", text, slots=slots)
    assert result.kind is Kind.ANSWER
    assert {k: result.value[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("text", "slots", "message"),
    [
        ("还没定", INCLUDED, "哪个救助项目"),
        ("低保 LY2024TK00012", INCLUDED, "不一致"),
        ("没什么原因", NOT_INCLUDED, "五个方面"),
        ("转", REFERRED, "部门"),
    ],
)
def test_incomplete_details(text, slots, message):
    result = form.interpret("detail", text, slots=slots)
    assert result.kind is Kind.UNCLEAR and message in result.message


def test_detail_keeps_full_width_punctuation():
    result = form.interpret("detail", "收入情况：年收入6万元，人均高于标准", slots=NOT_INCLUDED)
    assert result.value["reasons"]["income"]["text"] == "年收入6万元，人均高于标准"


def test_summary_masks_and_describes():
    slots = {
        "check_task": {"id": 3, "label": "任务3：王*国（白水江镇）"},
        "check_detail": form.interpret("detail", "收入情况：年收入6万元", slots=NOT_INCLUDED).value,
    }
    text = form.summary(slots)
    assert "任务3：王*国" in text and "不纳入。原因：收入情况：年收入6万元" in text
    assert form.result_of({}) is None and "未填" in form.summary({})
