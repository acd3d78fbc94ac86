"""Reply texts for case lookups (plain, polite Simplified Chinese). No personal data beyond masked forms.

Office phone numbers come from the county parameters and are shown only when verified; otherwise the
reply names the office and says to contact its 民政办 ("请联系乡镇民政办"), never a placeholder number.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.cases.lookup import CaseView, MyCases, ResidentResult, StaffResult
from bot.cases.status import status_for
from bot.clock import to_china
from bot.errors import TownError
from bot.policy.parameters import load_parameters
from bot.programmes import display_name

CASE_NO_EXAMPLE = "LY2024DB00123"


def _params():
    return load_parameters()


def fmt_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "（未记录）"


def fmt_time(utc_naive: datetime) -> str:
    local = to_china(utc_naive)
    return f"{local.hour}:{local.minute:02d}"


def office_contact(town: str | None, params=None) -> str:
    """“接官亭镇人民政府民政办（电话：…）” with a verified phone, else the office name without a number."""
    params = params if params is not None else _params()
    office = None
    if town:
        try:
            office = params.office(town)
        except TownError:
            office = None
    if office is not None:
        if office.phone.known:
            return f"{office.name}民政办（电话：{office.phone.value}）"
        return f"{office.name}民政办（电话请以当地公布的为准）"
    bureau = params.bureau()
    if bureau.phone.known:
        return f"{bureau.name}（电话：{bureau.phone.value}）"
    return f"您所在的乡镇（街道）民政办或{bureau.name}"


# --- residents --------------------------------------------------------------------------------------------
def ask_case_no() -> str:
    return f"请告诉我您的案件编号（在受理回执上，形如 {CASE_NO_EXAMPLE}）。"


def ask_id_last6() -> str:
    return "为确认是您本人查询，请告诉我申请人身份证号码的后六位。"


def deadline_lines(view: CaseView) -> list[str]:
    d = view.deadline
    lines: list[str] = []
    if not view.is_open:
        return lines
    if d.due is None:
        if d.note:
            lines.append(f"办理时限：{d.note}（依据：{d.basis}）" if d.basis else f"办理时限：{d.note}")
        return lines
    by = "预计" if d.estimate else "即"
    lines.append(
        f"办理时限：{d.description}，{by}{fmt_date(d.due)}前办结（依据：{d.basis}）。{d.note}".rstrip()
    )
    if view.overdue:
        limit = "按各环节时限估算的办结日期" if d.estimate else "规定的办理时限"
        lines.append(f"⚠ 这件申请已超过{limit}（{fmt_date(d.final)}）。")
    elif d.latest is not None and view.working_days_left is not None and view.working_days_left < 0:
        lines.append(
            f"这件申请已超过一般办理时限（{fmt_date(d.due)}），特殊情况下最迟到{fmt_date(d.latest)}。"
        )
    elif view.working_days_left is not None:
        lines.append(f"距办理期限还有{view.working_days_left}个工作日（节假日不计）。")
    return lines


def resident_found(view: CaseView, params=None) -> str:
    status = status_for(view.status, view.programme)
    lines = [
        f"查到了您的申请：{view.case_no}（申请人：{view.applicant_masked}）",
        f"项目：{display_name(view.programme)}",
    ]
    since = f"（{fmt_date(view.status_changed_on)}起）" if view.status_changed_on else ""
    lines.append(f"当前状态：{view.status}{since}")
    if status:
        lines.append(f"这表示：{status.meaning}")
        lines.append(f"下一步：{status.next_step}")
    lines.extend(deadline_lines(view))
    if view.overdue:
        lines.append(
            f"您可以联系{office_contact(view.town, params)}询问进度；对办理有意见的，也可以向县民政局反映。"
        )
    return "\n".join(lines)


def resident_result(result: ResidentResult, params=None) -> str:
    if result.outcome == "found" and result.case is not None:
        return resident_found(result.case, params)
    if result.outcome == "locked":
        return locked(result.locked_until, params, scope=result.locked_scope)
    text = (
        "没有查到与这个案件编号和身份证后六位相符的申请。请核对案件编号（在受理回执上，形如 "
        f"{CASE_NO_EXAMPLE}）和申请人身份证号码的后六位后再试。"
    )
    if result.remaining is not None and result.remaining <= 2:
        text += f"\n为保护个人信息，连续输错会暂停查询；您还可以再试{result.remaining}次。"
    return text


def locked(until: datetime | None, params=None, *, scope: str | None = None) -> str:
    """The lockout refusal: ``scope`` "case" when the case number was tried too often (by anyone), else the
    person's own failures."""
    when = f"请在{fmt_time(until)}以后再试" if until else "请一小时后再试"
    if scope == "case":
        reason = "这个案件编号近一小时内核对失败的次数过多，它的在线查询已暂停"
    else:
        reason = "查询失败次数过多，查询功能已暂停一小时"
    return (
        f"为保护个人信息，{reason}，{when}。"
        f"着急的话，可以直接联系{office_contact(None, params)}询问办理进度。"
    )


def private_chat_only() -> str:
    """A resident lookup asked in a group chat: nothing is looked up or posted there."""
    return (
        "为保护您的个人信息，申请进度只能在与我的私聊中查询，请不要在群里发送案件编号或身份证号码。"
        "请点开我的头像，进入私聊后发送 /status 查询。"
    )


def database_unavailable(town: str | None = None, params=None) -> str:
    try:
        contact = office_contact(town, params)
    except Exception:  # noqa: BLE001 - the apology must not fail because of the parameter file
        contact = "您所在的乡镇（街道）民政办或县民政局"
    return f"抱歉，案件查询系统暂时无法使用，请稍后再试。着急的话，可以直接联系{contact}询问办理进度。"


# --- staff ------------------------------------------------------------------------------------------------
def _staff_case(view: CaseView) -> str:
    lines = [
        f"【{view.case_no}】{display_name(view.programme)} · {view.town}{view.village or ''}",
        f"申请人：{view.applicant_masked}  身份证：{view.id_masked}"
        + (f"  电话：{view.phone_masked}" if view.phone_masked else ""),
        f"状态：{view.status}（{fmt_date(view.status_changed_on)}）  申请：{fmt_date(view.applied_on)}  受理：{fmt_date(view.accepted_on)}",
    ]
    if view.decided_on:
        lines.append(f"决定：{fmt_date(view.decided_on)}")
    if view.amount is not None:
        lines.append(f"金额：{view.amount}元")
    if view.decision_reason:
        lines.append(f"决定理由：{view.decision_reason}")
    if view.caseworker:
        lines.append(f"经办人：{view.caseworker}")
    if view.is_open and view.deadline.due is not None:
        d = view.deadline
        if view.overdue:
            flag = "（已超期）"
        elif view.working_days_left is not None and view.working_days_left < 0:
            flag = f"（已过一般时限，特殊情况最迟{fmt_date(d.final)}）"
        else:
            flag = f"（剩{view.working_days_left}个工作日）"
        lines.append(f"期限{'（估算）' if d.estimate else ''}：{fmt_date(d.due)}{flag}")
    if view.note:
        lines.append(f"备注：{view.note}")
    if view.history:
        lines.append("历史：")
        for h in view.history:
            lines.append(
                f"  {fmt_date(h.changed_on)} {h.old_status or '—'} → {h.new_status}（{h.changed_by}）"
            )
    return "\n".join(lines)


def staff_result(result: StaffResult) -> str:
    if result.outcome == "not_found":
        return "没有找到符合条件的案件。"
    if result.outcome == "denied":
        return "这件案件不在您负责的镇（街道）范围内，无法查看。"
    if len(result.cases) == 1:
        return _staff_case(result.cases[0])
    total = len(result.cases) + result.more
    lines = [f"找到{total}件案件，请用案件编号查看详情和历史："]
    lines += [_short_line(v) for v in result.cases]
    if result.more:
        lines.append(f"另有{result.more}件未显示，请用案件编号查询。")
    return "\n".join(lines)


def _short_line(view: CaseView) -> str:
    due = f"，期限{fmt_date(view.deadline.due)}" if view.deadline.due else ""
    flag = "，已超期" if view.overdue else ""
    return f"· {view.case_no} {view.applicant_masked} {view.programme} {view.town} {view.status}{due}{flag}"


def my_cases_text(mine: MyCases) -> str:
    lines = []
    if mine.assigned_total:
        lines.append(f"您经办的未办结案件（共{mine.assigned_total}件）：")
        lines.extend(_short_line(v) for v in mine.assigned)
        if mine.assigned_total > len(mine.assigned):
            lines.append(f"……另有{mine.assigned_total - len(mine.assigned)}件")
    else:
        lines.append("您名下目前没有未办结的案件。")
    if mine.overdue_total:
        lines.append(f"\n您负责范围内已超过办理时限的案件（共{mine.overdue_total}件）：")
        lines.extend(_short_line(v) for v in mine.overdue)
        if mine.overdue_total > len(mine.overdue):
            lines.append(f"……另有{mine.overdue_total - len(mine.overdue)}件")
    else:
        lines.append("您负责范围内没有超期案件。")
    return "\n".join(lines)


def not_staff() -> str:
    return "这个功能仅供民政工作人员使用。工作人员请先在私聊中发送 /bind 绑定码 完成绑定。"


def bind_text(outcome: str, staff_name: str | None = None, locked_until: datetime | None = None) -> str:
    if outcome == "bound":
        return f"绑定成功，{staff_name}。现在可以用 /mycases 查看您的案件，或发送案件编号、申请人姓名、身份证号查询。"
    if outcome == "locked":
        when = f"请在{fmt_time(locked_until)}以后再试" if locked_until else "请一小时后再试"
        return f"绑定码输错次数过多，已暂停绑定，{when}。"
    if outcome == "not_private":
        return "为保护案件信息，请在与我的私聊中发送 /bind 绑定码。"
    if outcome == "missing":
        return "请在 /bind 后面加上管理员给您的绑定码，例如：/bind ABCD2345"
    if outcome == "unsupported":
        return "当前渠道不支持工作人员绑定。"
    return "绑定码无效或已过期，请向管理员重新获取。"
