"""Entry points the Rasa actions call: one function per user request, returning the reply text.

Each opens its own session, maps database trouble to the polite apology with the office contact and input
problems to their Chinese reason. No Rasa types here, so everything is testable without Rasa.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bot.audit.log import add_entry
from bot.cases import replies
from bot.cases.lookup import my_cases, resident_lookup, staff_lookup
from bot.cases.staff import redeem_bind_code
from bot.db.session import session_scope
from bot.errors import DatabaseUnavailable, InputError
from bot.identity import parse_sender
from bot.parsing.case_numbers import find_case_numbers
from bot.parsing.identity import validate_id_last6, validate_id_number
from bot.staff_access import staff_member

log = logging.getLogger(__name__)

# a STAFF_TELEGRAM_IDS user without a staff record: staff, but with no towns to look up cases in
NO_STAFF_RECORD = (
    "您的工作人员账号还没有登记负责的镇（街道），暂时不能查询案件。"
    "请联系系统管理员为您登记，再发送管理员给您的绑定码完成绑定，例如：/bind 绑定码。"
)

_LAST6_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([0-9]{5}[0-9Xx])(?![0-9A-Za-z])")
_ID_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")


def fields_from_text(text: str) -> dict[str, str]:
    """Case number, full ID number and last six found in free text (e.g. the args of /status)."""
    out: dict[str, str] = {}
    text = text or ""
    cases = find_case_numbers(text)
    if cases:
        out["case_no"] = cases[0].value
        text = text[: cases[0].start] + " " * (cases[0].end - cases[0].start) + text[cases[0].end :]
    m = _ID_IN_TEXT.search(text)
    if m:
        try:
            out["id_number"] = validate_id_number(m.group(1))
            out["id_last6"] = out["id_number"][-6:]
        except InputError:
            pass
    if "id_last6" not in out:
        m = _LAST6_IN_TEXT.search(text)
        if m:
            try:
                out["id_last6"] = validate_id_last6(m.group(1))
            except InputError:
                pass
    return out


@dataclass(frozen=True)
class StatusReply:
    """The reply to a status request and what it showed (for the subscription offer)."""

    text: str
    role: str | None = None  # "resident" | "staff" when a lookup ran; None for questions and errors
    shown: tuple[str, ...] = ()  # case numbers shown in the reply
    resident_case_no: str | None = None  # the case a resident just verified (offer status notifications)


def status_reply(
    sender_id: str,
    *,
    command: str | None = None,
    args: str | None = None,
    case_no: str | None = None,
    id_last6: str | None = None,
    id_number: str | None = None,
    town: str | None = None,
) -> StatusReply:
    """Answer a status request (/mycases, a staff query, or a resident's (case number, last six) lookup) and
    say what was shown. Every case shown is written to the audit log in the lookup's
    transaction (who saw which case; staff lookups with their staff id)."""
    try:
        with session_scope() as session:
            staff = staff_member(session, sender_id)
            if command == "mycases":
                if staff is None:
                    return StatusReply(replies.not_staff())
                if staff.bootstrap:
                    return StatusReply(NO_STAFF_RECORD)
                mine = my_cases(session, staff)
                shown = _unique(v.case_no for v in (*mine.assigned, *mine.overdue))
                _audit(session, sender_id, "staff_mycases", shown, staff_id=staff.id)
                return StatusReply(replies.my_cases_text(mine), "staff", shown)
            if staff is not None:
                query = (args or "").strip() or case_no or id_number
                if not query:
                    return StatusReply(
                        "请发送案件编号、申请人姓名或完整身份证号码，例如：/status LY2024DB00123 或 /status 张三。"
                    )
                if staff.bootstrap:
                    return StatusReply(NO_STAFF_RECORD)
                found = staff_lookup(session, staff, query)
                shown = _unique(v.case_no for v in found.cases)
                _audit(session, sender_id, "staff_case_lookup", shown, staff_id=staff.id)
                return StatusReply(replies.staff_result(found), "staff", shown)
            if in_group_chat(sender_id):
                # no resident lookup in a group: the case status would be posted there, and every group would
                # be a fresh chat to try pairs from; nothing is looked up or counted
                return StatusReply(replies.private_chat_only())
            if not id_last6 and id_number:
                id_last6 = id_number[-6:]
            if not case_no:
                return StatusReply(replies.ask_case_no())
            if not id_last6:
                return StatusReply(replies.ask_id_last6())
            result = resident_lookup(session, sender_id, case_no, id_last6)
            if result.outcome != "found" or result.case is None:
                return StatusReply(replies.resident_result(result))
            shown = (result.case.case_no,)
            _audit(session, sender_id, "case_lookup", shown)
            return StatusReply(replies.resident_result(result), "resident", shown, result.case.case_no)
    except InputError as exc:
        return StatusReply(exc.reason)
    except DatabaseUnavailable:
        log.warning("case lookup: database unavailable")
        return StatusReply(replies.database_unavailable(town))


def in_group_chat(sender_id: str | None) -> bool:
    """A sender in a chat that is not the person's own (a Telegram group). Sender ids no channel writes are
    taken as they come (they count as their own user in the lockout)."""
    identity = parse_sender(sender_id)
    return identity is not None and not identity.is_private


def _unique(case_nos) -> tuple[str, ...]:
    return tuple(dict.fromkeys(case_nos))


def _audit(session, sender_id: str, action: str, case_nos: tuple[str, ...], *, staff_id: int | None = None) -> None:
    """One audit entry per case shown, in the lookup's transaction (no case shown without its entry)."""
    role = "staff" if staff_id is not None else "resident"
    if not case_nos and role == "staff":
        add_entry(session, sender_id=sender_id, action=action, intent="check_status", role=role, staff_id=staff_id,
                  detail="没有显示任何案件")  # fmt: skip
    for number in case_nos:
        add_entry(session, sender_id=sender_id, action=action, intent="check_status", case_no=number, role=role,
                  staff_id=staff_id)  # fmt: skip


def bind_request(sender_id: str, args: str | None) -> str:
    code = (args or "").strip()
    if not code:
        return replies.bind_text("missing")
    try:
        with session_scope() as session:
            result = redeem_bind_code(session, sender_id, code)
    except DatabaseUnavailable:
        return "抱歉，系统暂时无法完成绑定，请稍后再试。"
    return replies.bind_text(result.outcome, result.staff_name, result.locked_until)
