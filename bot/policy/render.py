"""Filling answer templates: county parameters, offices and citations.

``{param:KEY}`` becomes the verified value with its unit (``30个工作日``, ``1.5倍``). An unverified value is never
shown: the placeholder becomes ``暂无核实数据`` and the answer gets one sentence naming what must be confirmed and
with which office. ``{office:KEY}`` (``bureau``, ``relief_station`` or a town name) becomes the office's name with
its contact details; details that are not verified are marked as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.policy.knowledge import Citation, Source
from bot.policy.parameters import CountyParameters, Office, Param

OFFICE_RE = re.compile(r"\{office:([^{}]+)\}")
PLACEHOLDER_RE = re.compile(r"\{param:([A-Za-z0-9_.]+)\}")
UNVERIFIED_INLINE = "待核实"

PARAM_LABELS = {
    "dibao.standard.urban_monthly": "城市低保标准",
    "dibao.standard.rural_yearly": "农村低保标准",
    "tekun.basic_living.urban_monthly": "城市特困人员基本生活标准",
    "tekun.basic_living.rural_yearly": "农村特困人员基本生活标准",
    "tekun.care.full_disability_monthly": "特困人员照料护理标准（完全丧失自理能力）",
    "tekun.care.partial_disability_monthly": "特困人员照料护理标准（部分丧失自理能力）",
    "tekun.care.self_care_monthly": "特困人员照料护理标准（具备自理能力）",
    "temp_relief.emergency_multiple_months": "临时救助标准",
    "temp_relief.ceiling": "临时救助单次上限",
    "temp_relief.township_approval_limit": "镇（街道）可审批的临时救助额度",
    "dibao.property.deposit_limit_months": "低保家庭存款上限",
    "dibao.property.vehicle_rule": "低保家庭车辆规定",
    "dibao.property.housing_rule": "低保家庭房产规定",
    "monitoring.income_line": "防止返贫监测收入线",
    "deadlines.temp_relief.decision": "临时救助审批时限",
    "appeal.reconsideration_days": "行政复议申请期限",
    "appeal.litigation_months": "提起行政诉讼的期限",
    "appeal.litigation_after_reconsideration_days": "不服复议决定提起诉讼的期限",
    "hotline.social_assistance": "社会救助服务热线号码",
    "hotline.psychological": "心理援助热线号码",
    "handoff.response_hours": "人工回复时限",
}

_UNIT_FORMATS = {
    "工作日": "{v}个工作日",
    "天": "{v}天",
    "日": "{v}日",
    "个月": "{v}个月",
    "次": "{v}次",
    "周岁": "{v}周岁",
    "小时": "{v}小时",
    "倍低保标准": "{v}倍",
    "个月低保标准": "{v}个月的低保标准",
    "个月低保标准（人均）": "人均{v}个月的低保标准",
    "元": "{v}元",
    "元/次": "每次最多{v}元",
    "元/人·月": "每人每月{v}元",
    "元/人·年": "每人每年{v}元",
}


def format_value(param: Param) -> str:
    """A verified value with its unit, as a resident reads it."""
    value: Any = param.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal):
        value = format(value.normalize(), "f")
    template = _UNIT_FORMATS.get(param.unit or "")
    if template:
        return template.format(v=value)
    return f"{value}{param.unit or ''}"


def param_label(param: Param) -> str:
    return PARAM_LABELS.get(param.key, param.key)


@dataclass
class Rendered:
    """Texts filled in for one answer, remembering which unverified values they needed."""

    params: CountyParameters
    unverified: list[Param] = field(default_factory=list)
    unverified_offices: bool = False

    def fill(self, template: str) -> str:
        text = PLACEHOLDER_RE.sub(self._param, template)
        return OFFICE_RE.sub(self._office, text)

    def _param(self, match: re.Match[str]) -> str:
        param = self.params.get(match.group(1))
        if param.known:
            return format_value(param)
        if param not in self.unverified:
            self.unverified.append(param)
        before = match.string[max(0, match.start() - 1) : match.start()]
        return UNVERIFIED_INLINE if before in ("：", ":", "") else f"（{UNVERIFIED_INLINE}）"

    def _office(self, match: re.Match[str]) -> str:
        key = match.group(1).strip()
        if key == "bureau":
            office = self.params.bureau()
        elif key == "relief_station":
            office = self.params.relief_station()
        else:
            office = self.params.office(key)
        text, complete = describe_office(office)
        if not complete:
            self.unverified_offices = True
        return text

    def note(self, confirm_with: str) -> str:
        """One sentence about every unverified value used, or ''."""
        if not self.unverified:
            return ""
        labels = "、".join(dict.fromkeys(param_label(p) for p in self.unverified))
        return f"说明：标注“{UNVERIFIED_INLINE}”的{labels}，本助手暂无经过核实的数据，请向{confirm_with}确认，以其答复为准。"


def describe_office(office: Office) -> tuple[str, bool]:
    """Office name with contact details; unverified details are marked. Returns (text, all_verified)."""
    parts: list[str] = []
    missing: list[str] = []
    marked = False
    for label, param in (("地址", office.address), ("电话", office.phone), ("办公时间", office.hours)):
        if param.known:
            parts.append(f"{label}：{param.value}")
        elif param.value not in (None, ""):
            parts.append(f"{label}：{param.value}")
            marked = True
        else:
            missing.append(label)
    text = office.name
    details = "；".join(parts)
    if marked:
        details += "（以上信息来自旧的公开资料，尚未核实，请以实际为准）"
    if missing:
        details = (details + "；" if details else "") + "、".join(missing) + "暂无核实信息"
    return f"{text}（{details}）", not (marked or missing)


def render_citations(citations: tuple[Citation, ...] | list[Citation], sources: dict[str, Source]) -> str:
    """《文件》第四条、第七条（2021年7月1日起施行）；《…》… — grouped by document, in order of first use."""
    grouped: dict[str, list[str]] = {}
    for c in citations:
        articles = grouped.setdefault(c.doc, [])
        if c.article and c.article not in articles:
            articles.append(c.article)
    parts = []
    for doc, articles in grouped.items():
        source = sources.get(doc)
        title = f"《{source.title}》" if source else doc
        label = f"（{source.date_label}）" if source and source.date_label else ""
        sep = "、" if all(a.startswith("第") for a in articles) else "，"
        parts.append(f"{title}{sep.join(articles)}{label}")
    return "；".join(parts)
