"""The case status vocabulary: what each status means for the resident and what they should do next.

``STATUSES`` holds texts that are right for every programme; ``status_for(name, programme)`` gives the
programme's own wording where the rules differ (use it wherever the programme is known):

- 公示: 低保 and 特困供养 are publicised for 7 days (最低生活保障审核确认办法 第十九条; 特困人员认定办法 第十五条);
  临时救助 is publicised too (社会救助暂行办法 第四十八条) but no national rule sets how long.
- payment: 低保 from the month after the decision, monthly (审核确认办法 第二十一条、第二十五条); 特困供养 from the
  month after confirmation (认定办法 第十七条); 临时救助 is a one-off payment of the approved amount, possibly in
  stages (关于改革完善社会救助制度的意见 二、（四）15), not a monthly allowance.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import InputError
from bot.programmes import DIBAO, TEKUN, TEMP_RELIEF


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
            "初审（审核）意见正在您所在的村（社区）公示。",
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
            "救助金会发放到您的账户，请留意存折或社保卡；什么时候发放，可以向乡镇（街道）询问。",
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

# the programme's own wording: (programme, status) -> Status (same ``open`` as the general entry)
_BY_PROGRAMME: dict[tuple[str, str], Status] = {
    (programme, s.name): s
    for programme, s in (
        (
            DIBAO,
            Status(
                "公示中",
                "初审意见正在您所在的村（社区）张榜公示，公示期为7天。",
                "公示期内无需您办理什么；如对公示内容有疑问，可以向乡镇（街道）反映。",
                True,
            ),
        ),
        (
            TEKUN,
            Status(
                "公示中",
                "初审意见正在您所在的村（社区）张榜公示，公示期为7天。",
                "公示期内无需您办理什么；如对公示内容有疑问，可以向乡镇（街道）反映。",
                True,
            ),
        ),
        (
            TEMP_RELIEF,
            Status(
                "公示中",
                "审核意见正在公示。国家没有统一规定临时救助的公示天数，以乡镇（街道）告知的为准。",
                "公示期间无需您办理什么；情况紧急的，可以向乡镇（街道）说明，按规定可以简化审批手续。",
                True,
            ),
        ),
        (
            DIBAO,
            Status(
                "已批准",
                "您家的低保申请已经审核确认同意。",
                "低保金从作出确认同意决定的下个月起按月发放到您的账户，请留意存折或社保卡。",
                False,
            ),
        ),
        (
            TEKUN,
            Status(
                "已批准",
                "您的特困供养申请已经审核确认同意。",
                "从确认之日的下个月起给予救助供养待遇，请留意存折或社保卡。",
                False,
            ),
        ),
        (
            TEMP_RELIEF,
            Status(
                "已批准",
                "您的临时救助申请已经批准。",
                "临时救助是一次性救助，按批准的金额发放（也可能一次审批、分阶段发放），不是每月都发；"
                "请留意存折或社保卡，什么时候发放可以向乡镇（街道）询问。",
                False,
            ),
        ),
        (
            TEMP_RELIEF,
            Status(
                "已发放",
                "临时救助金已经发放。",
                "这是一次性救助，不会每月再发；如果困难还没有解决，可以向乡镇（街道）说明情况。",
                False,
            ),
        ),
    )
}


def status_for(name: str, programme: str | None = None) -> Status | None:
    """The status texts for ``programme`` (its own wording where the rules differ), else the general ones; None
    for a name that is not a status."""
    general = STATUSES.get(name)
    if general is None:
        return None
    return _BY_PROGRAMME.get((programme or "", name), general)


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
