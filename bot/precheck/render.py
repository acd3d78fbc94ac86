"""The pre-check result as a plain Chinese message."""

from __future__ import annotations

from bot.precheck.model import OfficeInfo, Outcome, Result

_MARK = {Outcome.MET: "✅", Outcome.NOT_MET: "❌", Outcome.NEEDS_CHECKING: "❓"}
_FIELD_LABEL = {"address": "地址", "phone": "电话", "hours": "办公时间"}


def _office_lines(office: OfficeInfo) -> list[str]:
    lines = [f"· {office.name}"]
    if office.address is None and office.phone is None and office.hours is None:
        lines.append("  地址、电话和办公时间暂未核实，可向村（社区）干部或乡镇（街道）询问")
        return lines
    for field in ("address", "phone", "hours"):
        value = getattr(office, field)
        label = _FIELD_LABEL[field]
        if value is None:
            lines.append(f"  {label}：暂未核实，可向村（社区）或乡镇（街道）询问")
        elif field in office.unverified:
            lines.append(f"  {label}：{value}（来自旧的公开资料，尚未核实，可能已变动）")
        else:
            lines.append(f"  {label}：{value}")
    return lines


def render_result(result: Result) -> str:
    """The whole result: overall outcome and reason, each criterion, route, documents, offices, amount."""
    out: list[str] = [
        "【临时救助预检结果】",
        f"总体：{result.overall.label}",
        f"原因：{result.reason}",
        "",
        "逐项说明：",
    ]
    for i, c in enumerate(result.criteria, 1):
        out.append(f"{i}. {_MARK[c.outcome]} {c.title}：{c.outcome.label}")
        out.append(f"   规定：{c.rule.rstrip('。')}（{c.citation}）。")
        out.append(f"   您的情况：{c.finding}")
    out += ["", f"怎么办：{result.route_text}"]
    if result.status_note:
        out.append(result.status_note)
    out += ["", "需要准备的材料："]
    out += [f"{i}. {d}" for i, d in enumerate(result.documents, 1)]
    out += ["", "去哪里办："]
    for office in result.offices:
        out += _office_lines(office)
    out.append("")
    if result.estimate is not None:
        est = result.estimate
        line = f"估算金额：约{est.yuan:,}元（{est.method}）。"
        if est.within_township_limit is True:
            line += "这个金额在乡镇（街道）可以直接审批的额度内。"
        out.append(line + result.estimate_note)
    else:
        out.append(f"金额：{result.estimate_note}")
    out.append("")
    out += result.notes
    return "\n".join(out)


def render_summary(result: Result) -> str:
    """One short line, e.g. for a saved-result confirmation."""
    kind = f"{result.category.label}临时救助" if result.category else "临时救助"
    return f"{kind}预检：{result.overall.label}"
