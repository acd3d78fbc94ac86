"""The staff console over HTTP: login, ticket queue, take/reply/close, case lookup, hotline scripts, the visit
lists (issue 17) and the monitoring tasks (issue 18), and the refusals (no login, a resident's session, another
town's ticket or case, CSRF missing, oversized bodies)."""

from __future__ import annotations

import asyncio
import csv
import io
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot import clock
from bot.cli import main as cli_main
from bot.db.models import (
    AuditEntry,
    CareRecipient,
    Case,
    HandoffTicket,
    MonitoringTask,
    MonitoringWarning,
    OutboxMessage,
    Staff,
)
from bot.db.session import session_scope
from bot.frontends.web import texts
from bot.frontends.web.app import MAX_BODY_BYTES
from bot.frontends.web.sessions import STAFF_COOKIE
from bot.handoff import service as handoff
from bot.identity import web_console_sender
from bot.monitoring.importer import import_warnings
from bot.monitoring.texts import NO_TASKS
from bot.notifications.worker import deliver_once
from bot.parsing.identity import generate_id_number
from tests.web.conftest import JSON, PASSWORD, add_account, console_csrf, csrf_of, log_in, open_page, say


def ticket_of(sender: str, town: str | None, topic: str = "想问低保怎么申请") -> int:
    result = handoff.submit_request(sender, topic=topic, phone="13912345678", preferred_time="下午", town=town,
                                    summary="居民想了解低保申请。")  # fmt: skip
    assert result.ticket_id is not None
    return result.ticket_id


def resident_sender(client) -> str:
    return "web-" + client.cookies.get("ly_chat").split(".")[0]


def audit_actions(staff_id: int) -> list[str]:
    with session_scope() as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.staff_id == staff_id).order_by(AuditEntry.id)))


# -- login ------------------------------------------------------------------------------------------------
def test_without_login_the_console_sends_to_the_login_page(staff_client, accounts):
    assert staff_client.get("/staff").headers["location"] == "/staff/login"
    assert staff_client.get("/staff/tickets/1").headers["location"] == "/staff/login"
    assert staff_client.get("/staff/cases").headers["location"] == "/staff/login"
    assert staff_client.get("/staff/scripts?q=低保").headers["location"] == "/staff/login"
    assert staff_client.get("/staff/api/queue").status_code == 401
    assert staff_client.post("/staff/tickets/1/take", data={"csrf": "x"}).status_code == 401
    assert staff_client.post("/staff/cases", data={"csrf": "x", "q": "LY2024DB00011"}).status_code == 401


def test_a_resident_session_is_not_a_staff_login(resident, accounts):
    """Wrong role: the chat page's session cookie gives nothing in the console."""
    open_page(resident)
    assert resident.get("/staff").headers["location"] == "/staff/login"
    assert resident.get("/staff/api/queue").status_code == 401


def test_login_with_the_right_password(staff_client, accounts):
    page = staff_client.get("/staff/login")
    assert '<label for="password">' in page.text and "ly_login" in page.headers["set-cookie"]
    done = log_in(staff_client, "王经办")
    assert done.status_code == 303 and done.headers["location"] == "/staff"
    cookie = done.headers["set-cookie"]
    assert STAFF_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/staff" in cookie
    home = staff_client.get("/staff")
    assert home.status_code == 200 and "王经办（经办人 · 接官亭镇）" in home.text
    assert audit_actions(accounts["wang"])[:2] == ["web_login", "handoff_queue"]


@pytest.mark.parametrize(
    ("name", "password"),
    [("王经办", "wrong password!"), ("没有这个人", PASSWORD), ("钱无密码", ""), ("钱无密码", PASSWORD), ("", "")],
)
def test_login_refused(staff_client, accounts, name, password):
    refused = log_in(staff_client, name, password)
    assert refused.status_code == 401 and texts.LOGIN_FAILED in refused.text
    assert STAFF_COOKIE not in staff_client.cookies


def test_login_also_by_staff_number(staff_client, accounts):
    assert log_in(staff_client, f"#{accounts['zhao']}").status_code == 303


def test_login_without_csrf_is_refused(staff_client, accounts):
    staff_client.get("/staff/login")
    refused = staff_client.post("/staff/login", data={"name": "王经办", "password": PASSWORD})
    assert refused.status_code == 403 and STAFF_COOKIE not in staff_client.cookies


def test_wrong_passwords_lock_the_account(staff_client, accounts, web_settings):
    for _ in range(web_settings.lookup_max_failures):
        assert log_in(staff_client, "王经办", "wrong password!").status_code == 401
    locked = log_in(staff_client, "王经办")  # the right password no longer helps
    assert locked.status_code == 429 and "登录失败次数过多" in locked.text
    assert log_in(staff_client, "赵热线").status_code == 303  # other accounts are not locked


def test_a_deactivated_account_is_refused_at_once(staff_client, accounts):
    log_in(staff_client, "王经办")
    with session_scope() as s:
        s.get(Staff, accounts["wang"]).active = False
    refused = staff_client.get("/staff")
    assert refused.status_code == 403 and texts.NOT_STAFF in refused.text
    assert staff_client.get("/staff").headers["location"] == "/staff/login"  # the login has ended


def test_logout_needs_csrf_and_ends_the_login(staff_client, accounts):
    log_in(staff_client, "赵热线")
    csrf = console_csrf(staff_client)
    assert staff_client.post("/staff/logout", data={}).status_code == 403
    out = staff_client.post("/staff/logout", data={"csrf": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/staff/login?bye=1"
    assert staff_client.get("/staff").headers["location"] == "/staff/login"
    assert audit_actions(accounts["zhao"])[-1] == "web_logout"


# -- tickets ----------------------------------------------------------------------------------------------
def test_the_queue_shows_the_tickets_of_the_staff_members_towns(staff_client, accounts):
    mine = ticket_of("web-" + "a" * 32, "接官亭镇")
    other = ticket_of("web-" + "b" * 32, "郭镇")
    log_in(staff_client, "王经办")
    queue = staff_client.get("/staff/api/queue").json()
    assert [t["id"] for t in queue["tickets"]] == [mine]
    row = queue["tickets"][0]
    assert row["status"] == "open" and row["town"] == "接官亭镇" and row["channel"] == "网页"
    assert f'href="/staff/tickets/{mine}"' in staff_client.get("/staff").text
    assert f"/staff/tickets/{other}" not in staff_client.get("/staff").text


def test_take_reply_and_close_reach_the_resident_page(resident, staff_client, accounts):
    csrf = open_page(resident)
    sender = resident_sender(resident)
    ticket = ticket_of(sender, "接官亭镇")
    log_in(staff_client, "王经办")
    detail = staff_client.get(f"/staff/tickets/{ticket}")
    assert detail.status_code == 200 and "139****5678" in detail.text and "13912345678" not in detail.text
    console = csrf_of(detail.text)

    took = staff_client.post(f"/staff/tickets/{ticket}/take", data={"csrf": console})
    assert took.status_code == 303 and "已领取工单" in staff_client.get(took.headers["location"]).text
    replied = staff_client.post(f"/staff/tickets/{ticket}/reply", data={"csrf": console, "text": "您好，我是王经办。"},
                                headers=JSON)  # fmt: skip
    assert replied.status_code == 200 and f"已发给工单#{ticket}" in replied.json()["message"]

    before = say(resident, csrf, "你好").json()["last"]
    result = asyncio.run(deliver_once())  # the web process's outbox worker
    assert (result.sent, result.failed) == (2, 0)  # "taken" and the reply
    pushed = resident.get(f"/updates?after={before}").json()["entries"]
    assert [e["who"] for e in pushed] == ["pushed", "pushed"]
    assert "接手" in pushed[0]["text"] and "您好，我是王经办。" in pushed[1]["text"]
    with session_scope() as s:
        row = s.get(HandoffTicket, ticket)
        assert row.status == "taken" and row.assignee_sender == str(web_console_sender(accounts["wang"]))

    closed = staff_client.post(f"/staff/tickets/{ticket}/done", data={"csrf": console})
    assert closed.status_code == 303
    with session_scope() as s:
        assert s.get(HandoffTicket, ticket).status == "closed"
    actions = audit_actions(accounts["wang"])
    assert "handoff_view" in actions
    assert [a for a in actions if a in {"handoff_take", "handoff_reply", "handoff_done"}] == [
        "handoff_take", "handoff_reply", "handoff_done"
    ]  # fmt: skip


def test_a_residents_message_reaches_the_console_of_who_took_the_ticket(resident, staff_client, accounts):
    csrf = open_page(resident)
    ticket = ticket_of(resident_sender(resident), None)
    log_in(staff_client, "赵热线")  # hotline staff see tickets without a town
    console = console_csrf(staff_client)
    assert staff_client.post(f"/staff/tickets/{ticket}/take", data={"csrf": console}).status_code == 303
    handoff.relay_from_resident(resident_sender(resident), "我下午三点以后有空")
    asyncio.run(deliver_once())
    inbox = staff_client.get("/staff/api/queue?after=0").json()["inbox"]
    assert any("我下午三点以后有空" in e["text"] for e in inbox)
    assert csrf  # the resident's page stayed open


def test_another_towns_ticket_is_refused(staff_client, accounts):
    other = ticket_of("web-" + "c" * 32, "郭镇")
    log_in(staff_client, "王经办")
    csrf = console_csrf(staff_client)
    view = staff_client.get(f"/staff/tickets/{other}")
    assert view.status_code == 403 and texts.TICKET_DENIED in view.text
    for action in ("take", "reply", "done"):
        refused = staff_client.post(f"/staff/tickets/{other}/{action}", data={"csrf": csrf, "text": "你好"})
        assert refused.status_code == 403
    with session_scope() as s:
        assert s.get(HandoffTicket, other).status == "open"
        assert s.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "web-" + "c" * 32)) is None


def test_ticket_actions_refused_without_csrf_or_with_bad_input(staff_client, accounts):
    ticket = ticket_of("web-" + "d" * 32, "接官亭镇")
    log_in(staff_client, "王经办")
    csrf = console_csrf(staff_client)
    assert staff_client.post(f"/staff/tickets/{ticket}/take", data={}).status_code == 403
    assert staff_client.post(f"/staff/tickets/{ticket}/take", data={"csrf": "0" * 32}).status_code == 403
    empty = staff_client.post(f"/staff/tickets/{ticket}/reply", data={"csrf": csrf, "text": "  "})
    assert empty.status_code == 400 and texts.EMPTY_REPLY in empty.text
    huge = staff_client.post(f"/staff/tickets/{ticket}/reply", data={"csrf": csrf, "text": "长" * MAX_BODY_BYTES})
    assert huge.status_code == 413
    assert staff_client.post(f"/staff/tickets/{ticket}/explode", data={"csrf": csrf}).status_code == 404
    assert staff_client.get("/staff/tickets/99999").status_code == 404
    with session_scope() as s:
        assert s.get(HandoffTicket, ticket).status == "open"


# -- cases and scripts ------------------------------------------------------------------------------------
def test_case_lookup_within_the_towns(staff_client, accounts, cases):
    log_in(staff_client, "王经办")
    page = staff_client.get("/staff/cases")
    assert page.status_code == 200 and '<label for="q">' in page.text
    csrf = csrf_of(page.text)
    found = staff_client.post("/staff/cases", data={"csrf": csrf, "q": cases["接官亭镇"]})
    assert found.status_code == 200 and cases["接官亭镇"] in found.text and "调查核实中" in found.text
    denied = staff_client.post("/staff/cases", data={"csrf": csrf, "q": cases["郭镇"]})
    assert denied.status_code == 403 and texts.CASE_DENIED in denied.text
    bad = staff_client.post("/staff/cases", data={"csrf": csrf, "q": "!!!"})
    assert bad.status_code == 400
    with session_scope() as s:
        shown = list(s.scalars(select(AuditEntry.case_no).where(AuditEntry.action == "staff_case_lookup",
                                                                AuditEntry.staff_id == accounts["wang"])))  # fmt: skip
    assert cases["接官亭镇"] in shown and cases["郭镇"] not in shown


def test_case_lookup_needs_csrf_and_keeps_queries_out_of_urls(staff_client, accounts, cases):
    log_in(staff_client, "王经办")
    assert staff_client.post("/staff/cases", data={"q": cases["接官亭镇"]}).status_code == 403
    page = staff_client.get(f"/staff/cases?q={cases['接官亭镇']}")  # a query in the URL is ignored
    assert page.status_code == 200 and "调查核实中" not in page.text


def test_hotline_script_search(staff_client, accounts):
    log_in(staff_client, "赵热线")
    found = staff_client.get("/staff/scripts?q=低保边缘")
    assert found.status_code == 200 and 'id="result"' in found.text
    assert "staff_script" in audit_actions(accounts["zhao"])
    assert 'id="result"' not in staff_client.get("/staff/scripts").text


# -- the CLI ----------------------------------------------------------------------------------------------
def test_set_password_from_the_cli(db, monkeypatch, capsys, staff_client):
    with session_scope() as s:
        s.add(Staff(name="孙管理", role="admin", towns=[]))
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli_main(["staff", "set-password", "孙管理", "--password-stdin"]) == 1
    assert "至少需要10个字符" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli_main(["staff", "set-password", "孙管理", "--password-stdin"]) == 0
    with session_scope() as s:
        hashed = s.scalar(select(Staff.password_hash).where(Staff.name == "孙管理"))
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert log_in(staff_client, "孙管理").status_code == 303
    assert cli_main(["staff", "set-password", "孙管理", "--clear"]) == 0
    staff_client.cookies.clear()
    assert log_in(staff_client, "孙管理").status_code == 401


# -- visits (issue 17) ------------------------------------------------------------------------------------
def test_visit_lists_within_the_towns(staff_client, accounts, cases):
    assert staff_client.get("/staff/visits").headers["location"] == "/staff/login"
    with session_scope() as s:  # 分散供养 people never visited, one in each town: both overdue
        for no in cases.values():
            case = s.scalar(select(Case).where(Case.case_no == no))
            s.add(CareRecipient(case_id=case.id, support_mode="分散", since=date(2024, 1, 2), active=True))
    log_in(staff_client, "王经办")
    page = staff_client.get("/staff/visits")
    assert page.status_code == 200 and 'id="due"' in page.text
    due = page.text.split('id="due">', 1)[1].split("</pre>", 1)[0]
    assert cases["接官亭镇"] in due and cases["郭镇"] not in due
    assert "staff_visits" in audit_actions(accounts["wang"])


# -- monitoring tasks (issue 18) --------------------------------------------------------------------------
WARNING_HEADER = ["户主姓名", "身份证号码", "乡镇（街道）", "村（社区）", "人群类别", "预警类型", "家庭人口", "家庭年收入",
                  "家庭年支出", "预警日期"]  # fmt: skip


@pytest.fixture
def warnings_imported(db, tmp_path) -> dict[str, str]:
    """A warning (so a follow-up task) in 接官亭镇 for 周建国 and one in 郭镇 for 吴立新; their ID numbers."""
    rng = random.Random(18)
    ids = {"周建国": generate_id_number(rng), "吴立新": generate_id_number(rng)}
    path = tmp_path / "warnings.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(WARNING_HEADER)
        for name, town in (("周建国", "接官亭镇"), ("吴立新", "郭镇")):
            writer.writerow([name, ids[name], town, "新华村", "边缘易致贫户", "收入骤减", "3", "12000", "18000",
                             clock.today().isoformat()])  # fmt: skip
    with session_scope() as s:
        assert import_warnings(s, path).imported
    return ids


def tasks_of(page) -> str:
    assert page.status_code == 200, page.text
    return page.text.split('id="tasks">', 1)[1].split("</pre>", 1)[0]


def test_monitoring_tasks_within_the_towns(staff_client, accounts, warnings_imported):
    log_in(staff_client, "王经办")
    assert 'href="/staff/tasks"' in staff_client.get("/staff").text  # in the console's navigation
    mine = tasks_of(staff_client.get("/staff/tasks"))
    assert "周*国" in mine and "接官亭镇" in mine and "吴*新" not in mine and "郭镇" not in mine
    assert "周建国" not in mine and warnings_imported["周建国"] not in mine  # masked as /tasks masks them
    assert "逾期 0 户" in mine
    assert "staff_tasks" in audit_actions(accounts["wang"])
    with session_scope() as s:  # the deadline passed two weeks ago: overdue
        task = s.scalar(select(MonitoringTask).join(MonitoringWarning).where(MonitoringWarning.head_name == "周建国"))
        task.due_on = clock.today() - timedelta(days=14)
    overdue = tasks_of(staff_client.get("/staff/tasks"))
    assert "逾期 1 户" in overdue and "个工作日" in overdue
    staff_client.cookies.clear()
    log_in(staff_client, "李经办")
    theirs = tasks_of(staff_client.get("/staff/tasks"))
    assert "吴*新" in theirs and "周*国" not in theirs
    assert "staff_tasks" in audit_actions(accounts["li"])


def test_monitoring_tasks_for_an_admin_and_a_member_without_towns(staff_client, accounts, warnings_imported):
    add_account("孙管理", "admin", [])
    log_in(staff_client, "孙管理")
    every = tasks_of(staff_client.get("/staff/tasks"))
    assert "周*国" in every and "吴*新" in every
    staff_client.cookies.clear()
    log_in(staff_client, "赵热线")  # hotline staff without towns: nothing, as /tasks in chat
    assert tasks_of(staff_client.get("/staff/tasks")) == NO_TASKS


def test_monitoring_tasks_refused_without_a_staff_login(resident, staff_client, accounts, warnings_imported):
    assert staff_client.get("/staff/tasks").headers["location"] == "/staff/login"
    assert staff_client.get("/staff/tasks", headers=JSON).status_code == 401
    open_page(resident)  # a resident's page session is not a staff login
    assert resident.get("/staff/tasks").headers["location"] == "/staff/login"
    log_in(staff_client, "王经办")
    with session_scope() as s:
        s.get(Staff, accounts["wang"]).active = False
    refused = staff_client.get("/staff/tasks")
    assert refused.status_code == 403 and texts.NOT_STAFF in refused.text and "周*国" not in refused.text
    assert staff_client.get("/staff/tasks").headers["location"] == "/staff/login"
    assert "staff_tasks" not in audit_actions(accounts["wang"])
