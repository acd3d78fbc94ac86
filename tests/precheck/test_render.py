"""The result message: every criterion with rule and citation, honest offices, an estimate only when verified."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.precheck.model import OUTSIDE, Answers, EventKind, MoneyRange, Residency, Status
from bot.precheck.render import render_result, render_summary
from bot.precheck.rules import evaluate

TODAY = date(2026, 11, 28)
FIRE = Answers(
    residency=Residency.LOCAL_HUKOU, event=EventKind.FIRE, event_date=TODAY - timedelta(days=2), household_size=3,
    compensation=Decimal(0), loss=Decimal(50000), savings=MoneyRange(Decimal(0), Decimal(10000)),
    status=Status.NONE, town="接官亭镇",
)  # fmt: skip


def test_every_criterion_is_explained_with_its_citation(real_params):
    result = evaluate(FIRE, real_params, TODAY)
    text = render_result(result)
    for c in result.criteria:
        assert f"{c.title}：{c.outcome.label}" in text
        assert c.citation in text
    assert "总体：可能符合" in text and "不是审批结果" in text
    assert "《关于改革完善社会救助制度的意见》（2020）二、（四）15" in text  # the 急难型 route
    assert "地址、电话和办公时间暂未核实" in text
    assert "估算金额：" not in text and "没有核实" in text
    assert render_summary(result) == "急难型临时救助预检：可能符合"


def test_estimate_is_shown_only_with_verified_parameters(verified_params):
    text = render_result(evaluate(FIRE, verified_params, TODAY))
    assert "估算金额：约4,500元" in text and "× 3个月 × 3口人" in text and "以县民政局审批为准" in text


def test_unverified_office_values_are_flagged(real_params):
    answers = Answers(Residency.NONLOCAL, EventKind.ACCIDENT, TODAY, town=OUTSIDE)
    text = render_result(evaluate(answers, real_params, TODAY))
    assert "略阳县救助站" in text
    assert "0916-4822453（来自旧的公开资料，尚未核实，可能已变动）" in text
    assert "办公时间：暂未核实" in text
