"""The case status vocabulary: what each status means for the resident and what they should do next."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import InputError


@dataclass(frozen=True)
class Status:
    name: str
    meaning: str
    next_step: str
    open: bool  # still being processed (counts against the statutory deadline)


STATUSES: dict[str, Status] = {
    s.name: s
    for s in (
        Status(
            "已受理",
            "乡镇（街道）已经收下您的申请材料，正式进入办理程序。",
            "请保持电话畅通，工作人员会在近期联系您并入户调查。",
            True,
        ),
        Status(
            "调查核实中",
            "工作人员正在通过入户调查、邻里访问和信息核对了解您家的收入和财产情况。",
            "请配合入户调查，如实说明家庭情况；如有人来核实，可以要求对方出示工作证件。",
            True,
        ),
        Status(
            "公示中",
            "初审意见正在您所在的村（社区）张榜公示，公示期为7天。",
            "公示期内无需您办理什么；如对公示内容有疑问，可以向乡镇（街道）反映。",
            True,
        ),
        Status(
            "审核确认中",
            "材料已报送县民政局，正在审核确认。",
            "请耐心等待结果，县民政局作出决定后会通过乡镇（街道）告知您。",
            True,
        ),
        Status(
            "已批准",
            "您的申请已经审核确认同意。",
            "救助金一般从批准的下个月起发放到您的账户，请留意存折或社保卡。",
            False,
        ),
        Status(
            "未通过",
            "您的申请经审核未予确认同意。",
            "乡镇（街道）会书面告知理由；如有异议，可以向县民政局反映，或依法申请行政复议。",
            False,
        ),
        Status(
            "已发放",
            "救助金已经发放。",
            "请查看您的存折或社保卡；家庭人口、收入或财产发生变化时，请及时告知乡镇（街道）。",
            False,
        ),
        Status(
            "需补充材料",
            "办理过程中发现还缺少一些材料。",
            "请尽快把所缺材料交到乡镇（街道）民政办，具体缺什么可以向经办人问清楚。",
            True,
        ),
        Status(
            "已撤回",
            "这件申请已经撤回，办理已结束。",
            "如果情况有变化、需要重新申请，可以随时到乡镇（街道）民政办提出。",
            False,
        ),
    )
}

OPEN_STATUSES = tuple(name for name, s in STATUSES.items() if s.open)
CLOSED_STATUSES = tuple(name for name, s in STATUSES.items() if not s.open)

# spellings seen in spreadsheets -> canonical status
_ALIASES = {
    "受理": "已受理",
    "已受理": "已受理",
    "调查中": "调查核实中",
    "核实中": "调查核实中",
    "调查核实": "调查核实中",
    "公示": "公示中",
    "审核中": "审核确认中",
    "审批中": "审核确认中",
    "审核确认": "审核确认中",
    "批准": "已批准",
    "已审批": "已批准",
    "审批通过": "已批准",
    "已通过": "已批准",
    "不予批准": "未通过",
    "不通过": "未通过",
    "不予确认": "未通过",
    "已拒绝": "未通过",
    "发放": "已发放",
    "补充材料": "需补充材料",
    "待补充材料": "需补充材料",
    "撤回": "已撤回",
    "已撤销": "已撤回",
}


def get_status(name: str) -> Status:
    """The canonical status for a name or a common alias; ``InputError`` for anything else."""
    key = (name or "").strip()
    key = _ALIASES.get(key, key)
    try:
        return STATUSES[key]
    except KeyError:
        allowed = "、".join(STATUSES)
        raise InputError(f"未知的办理状态“{name}”，应为：{allowed}", value=name) from None


def normalize_status(name: str) -> str:
    return get_status(name).name
