"""Texts of the handoff: to residents (plain, polite) and to staff (compact). Phones always masked here."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.clock import to_china
from bot.db.models import HandoffTicket
from bot.privacy import mask_phone, mask_text

KIND_LABELS = {"callback": "回电", "emergency": "紧急", "crisis": "危机"}
STATUS_LABELS = {"open": "待领取", "taken": "处理中", "closed": "已办结"}


def _local(dt: datetime) -> str:
    local = to_china(dt)
    return f"{local.month}月{local.day}日 {local.hour}:{local.minute:02d}"


# --- residents ------------------------------------------------------------------------------------------
def ask_topic() -> str:
    return "好的，我帮您联系工作人员。请简单说一下您想咨询或需要帮助的事情（一两句话就可以）。"


def ask_phone() -> str:
    return (
        "方便留一个手机号码吗？工作人员会打电话给您。不想留的话，回复“不留”就可以，工作人员会在这里回复您。"
    )


def ask_time() -> str:
    return "您希望工作人员什么时候联系您？"


TIME_BUTTONS = (("尽快", "尽快"), ("上午", "上午"), ("下午", "下午"), ("什么时候都可以", "什么时候都可以"))
PHONE_SKIP_BUTTON = ("不留电话", "不留")


def ticket_created(ticket: HandoffTicket, response_text: str) -> str:
    lines = [f"已为您登记人工服务工单，工单号：#{ticket.id}。", f"事项：{ticket.topic}"]
    if ticket.phone:
        lines.append(f"联系电话：{mask_phone(ticket.phone)}")
    if ticket.preferred_time:
        lines.append(f"希望联系时间：{ticket.preferred_time}")
    lines.append(response_text)
    lines.append(WAITING_EXPLAINED)
    return "\n".join(lines)


# what the waiting room does until staff take the ticket (issue 16: relay only when a person is there)
WAITING_EXPLAINED = (
    "在工作人员领取工单之前，我会继续回答您的问题，您发的每条消息都会记入工单；工作人员领取以后，消息会直接转给他。"
    "发送 /cancel 可以结束人工服务。"
)


def already_open(ticket: HandoffTicket) -> str:
    if ticket.status == "taken":
        return (
            f"您已有一张人工服务工单（#{ticket.id}），工作人员{ticket.assignee_name or ''}正在处理，"
            "您发的消息会直接转给他。发送 /cancel 可以结束人工服务。"
        )
    return f"您已有一张人工服务工单（#{ticket.id}），正在等待工作人员领取。{WAITING_EXPLAINED}"


def waiting_note(ticket_id: int, when: str = "", *, answered: bool = True) -> str:
    """The line every reply carries while the resident's ticket waits for staff: the mode and how to leave.

    ``when``: ``staff_see_when`` outside office hours, else ''; ``answered``: whether the assistant answered
    the message itself (otherwise it says it could not)."""
    head = f"〔等待人工 · 工单#{ticket_id}〕这条消息已记入工单，工作人员领取后会看到{when}。"
    if answered:
        return head + "在此之前我先回答能回答的问题；发送 /cancel 结束人工服务。"
    return (
        head
        + "这条消息我回答不了，请等工作人员；低保、临时救助等政策问题可以直接问我。发送 /cancel 结束人工服务。"
    )


def taken_note(ticket_id: int, assignee: str | None) -> str:
    """The acknowledgement while a staff member has the ticket: messages go to them."""
    who = f"工作人员{assignee}" if assignee else "工作人员"
    return f"〔人工服务中 · 工单#{ticket_id}〕已转给{who}。发送 /cancel 结束人工服务。"


def staff_see_when(when: str, hours_text: str | None) -> str:
    """Outside office hours: when staff will see the ticket (``when`` is a ``day_label``)."""
    hours = f"（办公时间：{hours_text}）" if hours_text else ""
    return f"（现在是非工作时间{hours}，工作人员会在{when}上班后看到）"


def relay_ack() -> str:
    return "已转给工作人员。"


def relay_ack_waiting() -> str:
    return "已记录，工作人员领取工单后会看到。"


def resident_taken(ticket: HandoffTicket) -> str:
    return f"您的工单#{ticket.id}已由工作人员{ticket.assignee_name}接手，请留意回复。"


def resident_staff_message(ticket: HandoffTicket, text: str) -> str:
    return (
        f"【工作人员回复 · 工单#{ticket.id}】\n{text}\n\n"
        "您可以直接回复；如果回复没有转到，请先发送 /human 再回复。发送 /cancel 结束人工服务。"
    )


def resident_closed_by_staff(ticket: HandoffTicket) -> str:
    return f"您的工单#{ticket.id}已办结。感谢您的耐心，还有问题随时可以问我，或再次发送 /human 联系工作人员。"


def resident_cancelled(ticket: HandoffTicket) -> str:
    return f"好的，已结束人工服务（工单#{ticket.id}）。还有问题随时可以问我。"


def no_open_ticket() -> str:
    return "好的，已取消。还有什么可以帮您？"


RESUME_OFFER = "您之前的临时救助预检还没做完，回答都保留着；点“继续预检”可以从原来那一步接着做。"


def form_cancelled() -> str:
    return "好的，不转人工了。还有问题随时可以问我。"


def topic_too_short() -> str:
    return "请用一两句话说说您想咨询或需要帮助的事情。"


def phone_invalid(reason: str) -> str:
    """``reason``: why the number is not a phone number (``InputError.reason``, a full sentence)."""
    return f"{reason}不想留电话的话，回复“不留”就可以。"


def ask_phone_again() -> str:
    return "请发11位手机号码，或者回复“不留”。"


def relay_ended(ticket_id: int) -> str:
    """A resident wrote in the relay after staff closed the ticket."""
    return (
        f"您的工单#{ticket_id}已办结，人工服务已结束，刚才这条消息没有转给工作人员。"
        "请问还有什么可以帮您？需要时可以再发送 /human。"
    )


# what an emergency ticket records for the questions the resident was not asked (staff read them)
CRISIS_TICKET_TOPIC = "紧急情况"
CRISIS_TICKET_TIME = "尽快"


# --- when staff respond (bot.handoff.hours: no unverified figure is ever stated) --------------------------
_WEEKDAYS = "一二三四五六日"

RESPONSE_SOON = "工作人员会尽快与您联系。"


def response_within(value: object, unit: str | None) -> str:
    """The verified response time (``handoff.response_hours``)."""
    return f"工作人员一般会在{value}{unit or '小时'}内与您联系。"


def day_label(day: date, today: date) -> str:
    """今天 / 明天（星期二） / 10月8日（星期三）."""
    if day == today:
        return "今天"
    label = "明天" if day == today + timedelta(days=1) else f"{day.month}月{day.day}日"
    return f"{label}（星期{_WEEKDAYS[day.weekday()]}）"


def outside_hours(when: str, hours_text: str | None, response: str, *, urgent: bool) -> str:
    """Outside office hours: staff act on ``when`` (a ``day_label``); ``hours_text`` only when verified."""
    hours = f"（办公时间：{hours_text}）" if hours_text else ""
    if urgent:
        return (
            f"现在是非工作时间{hours}，工作人员最迟会在{when}上班后优先处理您的紧急工单。"
            "如果有危险，请不要等待，立即拨打110、119或120。"
        )
    return f"现在是非工作时间{hours}，工作人员会在{when}上班后处理您的请求。{response}"


# --- staff ----------------------------------------------------------------------------------------------
CLI_ACTOR_NAME = "办公电脑"  # who acted, for tickets handled with `lueyang handoff` on the office PC


def _flag(ticket: HandoffTicket) -> str:
    return "🔴紧急 " if ticket.urgent else ""


def queue_line(ticket: HandoffTicket) -> str:
    who = f" · {ticket.assignee_name}" if ticket.status == "taken" and ticket.assignee_name else ""
    town = f" · {ticket.town}" if ticket.town else ""
    return (
        f"{_flag(ticket)}#{ticket.id} [{KIND_LABELS.get(ticket.kind, ticket.kind)}·{STATUS_LABELS[ticket.status]}{who}]"
        f"{town} {_local(ticket.created_at)} {mask_text(ticket.topic)[:40]}"
    )


def queue_text(tickets: list[HandoffTicket]) -> str:
    if not tickets:
        return "目前没有待处理的工单。"
    lines = [f"待处理工单（{len(tickets)}张，紧急的在前）："]
    lines.extend(queue_line(t) for t in tickets)
    lines.append("领取：/take 工单号　回复：/reply 工单号 内容　办结：/done 工单号")
    return "\n".join(lines)


def ticket_detail(ticket: HandoffTicket, *, full_phone: bool = False, messages: int = 10) -> str:
    phone = ticket.phone if full_phone else (mask_phone(ticket.phone) if ticket.phone else None)
    lines = [
        f"{_flag(ticket)}工单#{ticket.id}（{KIND_LABELS.get(ticket.kind, ticket.kind)}，{STATUS_LABELS[ticket.status]}）"
        f" 登记于{_local(ticket.created_at)}",
        f"事项：{mask_text(ticket.topic)}",
        f"电话：{phone or '未留'}"
        + (
            "" if full_phone or not ticket.phone else "（完整号码请在办公电脑上用 lueyang handoff show 查看）"
        ),
        f"希望联系时间：{ticket.preferred_time or '未说明'}",
    ]
    if ticket.town:
        lines.append(f"镇（街道）：{ticket.town}")
    if ticket.summary:
        lines.append(f"对话摘要：{ticket.summary}")
    if ticket.assignee_name:
        lines.append(f"处理人：{ticket.assignee_name}")
    shown = [m for m in ticket.messages if m.direction != "system"][-messages:]
    if shown:
        lines.append("消息：")
        for m in shown:
            who = "居民" if m.direction == "resident" else m.author.removeprefix("staff:")
            lines.append(f"  {_local(m.created_at)} {who}：{mask_text(m.text)}")
    return "\n".join(lines)


def taken_text(ticket: HandoffTicket) -> str:
    return (
        f"已领取工单#{ticket.id}。居民之后发来的消息会转给您；用 /reply {ticket.id} 内容 回复居民，"
        f"办完后 /done {ticket.id}。\n\n" + ticket_detail(ticket)
    )


def reply_sent(ticket: HandoffTicket) -> str:
    return f"已发给工单#{ticket.id}的居民（排队发送中）。"


def done_text(ticket: HandoffTicket) -> str:
    return f"工单#{ticket.id}已办结，已通知居民。"


def staff_resident_message(ticket: HandoffTicket, text: str) -> str:
    return f"【工单#{ticket.id} 居民消息】\n{mask_text(text)}\n\n回复：/reply {ticket.id} 内容"


def staff_resident_cancelled(ticket: HandoffTicket) -> str:
    return f"工单#{ticket.id}：居民已结束人工服务（/cancel），工单已关闭。"


def staff_escalated(ticket: HandoffTicket) -> str:
    return f"🔴工单#{ticket.id}：居民报告了紧急情况，工单已标为紧急，请尽快处理。"


def staff_usage() -> str:
    return "工作人员命令：/queue 查看待处理工单，/take 工单号 领取，/reply 工单号 内容 回复居民，/done 工单号 办结。"
