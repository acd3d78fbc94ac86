"""Monitoring rules as table tests: groups, kinds, months, matching, outcomes and reasons."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.errors import InputError
from bot.monitoring.rules import (
    CaseFact,
    Match,
    Outcome,
    classify,
    normalize_group,
    normalize_kind,
    parse_month,
    parse_outcome,
    parse_reasons,
)


@pytest.mark.parametrize(
    ("cell", "group"),
    [
        ("边缘易致贫户", "边缘易致贫户"),
        ("边缘易致贫", "边缘易致贫户"),
        ("脱贫不稳定户", "脱贫不稳定户"),
        ("突发严重困难户（新识别）", "突发严重困难户"),
        (" 突发 严重困难 ", "突发严重困难户"),
        ("一般农户", "其他"),
        ("", "其他"),
    ],
)
def test_groups(cell, group):
    assert normalize_group(cell) == group


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("收入骤减", "收入骤减"),
        ("家庭收入大幅下降", "收入骤减"),
        ("医疗支出骤增", "支出骤增"),
        ("因病", "因病"),
        ("因灾", "因灾"),
        ("洪涝灾害", "因灾"),
        ("家中失火烧毁房屋", "家中失火烧毁房屋"),
    ],
)
def test_kinds(cell, kind):
    assert normalize_kind(cell) == kind


def test_kind_required():
    with pytest.raises(InputError):
        normalize_kind("  ")


@pytest.mark.parametrize(
    ("text", "month"), [("2024-06", "2024-06"), ("2024/6", "2024-06"), ("2024年6月", "2024-06")]
)
def test_months(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("text", ["2024-13", "六月", "", "2024"])
def test_bad_months(text):
    with pytest.raises(InputError):
        parse_month(text)


D1, D2 = date(2023, 1, 1), date(2024, 1, 1)


@pytest.mark.parametrize(
    ("cases", "expected"),
    [
        ([], (Match.UNKNOWN, None, None)),
        ([CaseFact("A1", "低保", "已发放", False, D1)], (Match.ASSISTED, "低保", "A1")),
        ([CaseFact("A1", "低保", "已批准", False, D1)], (Match.ASSISTED, "低保", "A1")),
        ([CaseFact("A1", "低保", "未通过", False, D1)], (Match.UNKNOWN, None, None)),
        ([CaseFact("A1", "低保", "已撤回", False, D1)], (Match.UNKNOWN, None, None)),
        ([CaseFact("A1", "低保", "调查核实中", True, D1)], (Match.APPLIED, "低保", "A1")),
        # assisted wins over an open application, the newest assisted case first
        (
            [
                CaseFact("T1", "临时救助", "已发放", False, D1),
                CaseFact("D2", "低保", "公示中", True, D2),
                CaseFact("T2", "临时救助", "已发放", False, D2),
            ],
            (Match.ASSISTED, "临时救助", "T2"),
        ),
        ([CaseFact("A1", "低保", "未通过", False, D2), CaseFact("A0", "特困供养", "已受理", True, D1)],
         (Match.APPLIED, "特困供养", "A0")),
    ],
)  # fmt: skip
def test_classify(cases, expected):
    result = classify(cases)
    assert (result.match, result.programme, result.case_no) == expected
    assert result.needs_task is (expected[0] is Match.UNKNOWN)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("纳入", Outcome.INCLUDED),
        ("符合条件，纳入低保", Outcome.INCLUDED),
        ("不纳入", Outcome.NOT_INCLUDED),
        ("不符合条件", Outcome.NOT_INCLUDED),
        ("转其他部门", Outcome.REFERRED),
        ("移交乡村振兴局", Outcome.REFERRED),
        ("不知道", None),
        ("", None),
    ],
)
def test_outcomes(text, outcome):
    assert parse_outcome(text) is outcome


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "收入情况：家庭月收入4500元，超过标准；财产情况：有小轿车一辆",
            [("income", "家庭月收入4500元，超过标准", Decimal("4500")), ("property", "有小轿车一辆", None)],
        ),
        (
            "家庭年人均纯收入情况：1.2万元，高于低保标准",
            [("per_capita", "1.2万元，高于低保标准", Decimal("12000"))],
        ),
        ("基本情况 外出务工，工资收入3000元", [("basic", "外出务工，工资收入3000元", Decimal("3000"))]),
        ("刚性支出：无大额医疗支出", [("expense", "无大额医疗支出", None)]),
        (
            "财产：有商品房两套。收入：年收入五万",
            [("income", "年收入五万", Decimal("50000")), ("property", "有商品房两套", None)],
        ),
        ("收入情况：务工收入稳定；收入情况：另有养殖收入", [("income", "务工收入稳定；另有养殖收入", None)]),
    ],
)
def test_reasons(text, expected):
    assert [(r.key, r.text, r.figure) for r in parse_reasons(text)] == expected


@pytest.mark.parametrize("text", ["家里条件还行", "", "收入情况：", "👍", "income is fine"])
def test_reasons_need_a_heading_with_text(text):
    with pytest.raises(InputError):
        parse_reasons(text)


def test_reason_too_long():
    with pytest.raises(InputError, match="太长"):
        parse_reasons("收入情况：" + "很" * 400)
