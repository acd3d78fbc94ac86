"""The emergency reply: emergency numbers as fit, the county relief station and the bureau's numbers from the
county parameters (marked when unverified), how to get 急难型 temporary relief, and the urgent ticket.

Sources cited: 关于改革完善社会救助制度的意见（2020）二、（四）14、15 (急难型临时救助, 小金额先行救助);
help where the emergency happens, without 户籍/居住地 restriction, is general since the 2022 notice 四、（三） and the
2023 opinions 四、（三） (the 2020 text still said 探索); 社会救助暂行办法 第四条 (村（居）委会协助), 第四十八条 (apply to
the 乡镇/街道; 情况紧急的简化审批), 第五十条 (生活无着人员救助); for a natural disaster also 第二十二、二十四、二十五条
(受灾人员救助) and 第三十七、三十八条 (住房救助), so "我家房子塌了，住房救助怎么申请" (a crisis to the guard) still
learns where the help for the house comes from.
No national psychological-help number is given: none is in the project's sources, so the self-harm reply gives
the bureau-configured line (``hotline.psychological``) only when verified, and otherwise 120/110 and the advice
to reach someone they trust now.
"""

from __future__ import annotations

from bot.handoff.crisis import CrisisKind

LEADS = {
    CrisisKind.FIRE: "请马上离开危险的地方，立即拨打119火警电话；有人受伤请拨打120急救电话。",
    CrisisKind.MEDICAL: "请立即拨打120急救电话，说清楚地址和病人的情况；等待时不要让病人独自一人。",
    CrisisKind.VIOLENCE: "请先到安全的地方，立即拨打110报警。",
    CrisisKind.DISASTER: "请先转移到安全的地方，立即拨打119或110求救；有人受伤请拨打120急救电话。",
    CrisisKind.DESTITUTE: "如果您或家人有人身危险，请立即拨打110；有人生病受伤请拨打120。",
    CrisisKind.GENERAL: "如果有人身危险，请立即拨打：报警110、火警119、急救120。",
}

RELIEF_HOWTO = (
    "遇到突发困难、基本生活一时难以为继的，可以马上向所在乡镇（街道）申请急难型临时救助，村（社区）可以帮您联系、协助申请"
    "（《社会救助暂行办法》第四条、第四十八条）："
    "急难型临时救助可以实行“小金额先行救助”，事后再补充说明情况（《关于改革完善社会救助制度的意见》（2020）二、（四）15）；"
    "情况紧急的，可以按规定简化审批手续（《社会救助暂行办法》第四十八条）。"
    "不在户籍地的，直接向急难发生地的乡镇（街道）求助：遭遇突发性、紧迫性、灾难性困难的，不受户籍地、居住地限制，"
    "由急难发生地实施救助（《关于改革完善社会救助制度的意见》（2020）二、（四）14；"
    "《关于进一步做好最低生活保障等社会救助兜底工作的通知》（2022）四、（三）；"
    "《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》（2023）四、（三））。"
)
DISASTER_HOWTO = (
    "遭遇洪水、泥石流、滑坡等自然灾害的，政府会组织紧急转移安置，提供食品、饮用水、衣被、临时住所等应急救助；"
    "住房损毁严重的，进行过渡性安置，灾后核实住房恢复重建补助对象（《社会救助暂行办法》第二十二条、第二十四条、第二十五条）。"
    "低保家庭、分散供养特困人员住房困难的，还可以申请住房救助（农村危房改造等，第三十七条、第三十八条）。"
    "安全以后，可以向所在乡镇（街道）提出救助申请。"
)
RELAY_NOTE = (
    "在工作人员领取工单之前，我会继续回答您的问题，您发的每条消息都会记入工单；工作人员领取以后，消息会直接转给他。"
    "发送 /cancel 可以结束人工服务。"
)
# offered, not forced (issue 16): a crisis inside a form or in a question about help
URGENT_BUTTON = {"title": "请工作人员紧急联系我", "payload": "/report_emergency"}
OFFER_LINE = "需要工作人员紧急联系您的话，请点“请工作人员紧急联系我”，或者说“找人”。"
POLICE_LINE = "本助手不能替您报警，请您自己立即拨打110。"
STATION_HOWTO = (
    "生活无着、没有地方吃住的，救助站可以提供临时食宿、急病救治和协助返回（《社会救助暂行办法》第五十条）。"
)


def _param_line(label: str, param, *, unit_hint: str = "") -> str | None:
    if param.value in (None, ""):
        return None
    if param.known:
        return f"{label}{param.value}{unit_hint}"
    return f"{label}{param.value}{unit_hint}（来自旧的公开资料，尚未核实，可能已变更）"


def contacts_lines(params, town: str | None = None) -> list[str]:
    """The relief station, the township office (if the town is known) and the bureau, from the parameters."""
    lines: list[str] = []
    station = params.relief_station()
    phone = _param_line("电话", station.phone)
    address = _param_line("地址", station.address)
    detail = "，".join(x for x in (phone, address) if x)
    lines.append(f"· {station.name}：{detail}" if detail else f"· {station.name}：联系方式待核实")
    if town:
        try:
            office = params.office(town)
        except Exception:  # noqa: BLE001 - an unknown town just leaves the township line out
            office = None
        if office is not None and office is not params.bureau():
            lines.append(
                f"· {office.name}民政办：电话{office.phone.value}"
                if office.phone.known
                else f"· {office.name}民政办：本助手暂无核实的电话号码，可直接前往或请村（社区）干部帮助联系"
            )
    bureau = params.bureau()
    lines.append(
        f"· {bureau.name}：电话{bureau.phone.value}"
        if bureau.phone.known
        else f"· {bureau.name}：本助手暂无核实的电话号码，可通过乡镇（街道）民政办或村（社区）联系"
    )
    return lines


def emergency_text(
    kind: CrisisKind,
    params,
    *,
    town: str | None = None,
    ticket_id: int | None = None,
    response_text: str = "",
) -> str:
    """The reply for any emergency except self-harm (see ``self_harm_text``)."""
    if kind is CrisisKind.SELF_HARM:
        return self_harm_text(params, ticket_id=ticket_id)
    parts = [LEADS.get(kind, LEADS[CrisisKind.GENERAL]), "", "可以联系："]
    parts.extend(contacts_lines(params, town))
    parts.append("")
    parts.append(RELIEF_HOWTO)
    if kind is CrisisKind.DESTITUTE:
        parts.append(STATION_HOWTO)
    if kind is CrisisKind.DISASTER:
        parts.append(DISASTER_HOWTO)
    if ticket_id is not None:
        parts.append("")
        parts.append(f"我已为您登记紧急工单#{ticket_id}，工作人员会优先处理。{response_text}".rstrip())
        parts.append(RELAY_NOTE)
    return "\n".join(parts)


def short_text(kind: CrisisKind) -> str:
    """The numbers at once in one or two lines (a crisis inside a form: the form goes on)."""
    return f"{LEADS.get(kind, LEADS[CrisisKind.GENERAL])}\n{OFFER_LINE}"


def help_question_lead(kind: CrisisKind) -> str:
    """Before the answer to a question about help after an event: the numbers, in case it is still happening."""
    return f"如果现在仍有危险：{LEADS.get(kind, LEADS[CrisisKind.GENERAL])}"


def self_harm_text(params, *, ticket_id: int | None = None) -> str:
    """A gentle message, never a menu: help lines, and someone to be with them now."""
    lines = ["听到您这样说，我很担心您。您现在的感受很重要，您不是一个人在扛。"]
    hotline = params.get("hotline.psychological") if "hotline.psychological" in params else None
    lines.append("如果您有伤害自己的念头，或者已经受了伤，请马上拨打120急救电话，或者拨打110。")
    if hotline is not None and hotline.known:
        lines.append(f"您也可以拨打心理援助热线{hotline.value}，和专业的人聊一聊。")
    lines.append("请现在就联系一位您信任的人——家人、朋友、邻居或村（社区）干部，请他们过来陪着您。")
    lines.append(
        "如果是生活上的难处压得您喘不过气，政府有急难救助可以帮忙，您可以随时向乡镇（街道）民政办求助。"
    )
    if ticket_id is not None:
        lines.append(f"我已经为您登记了紧急工单#{ticket_id}，工作人员会优先联系您。")
        lines.append("您愿意的话，可以在这里继续说，工作人员会看到。")
    return "\n".join(lines)
