"""Issue 14 item 1: the lookup lockout counts every failure in the window, per real user and per case number,
whatever successes come between, and a lock alerts the bureau's admins and hotline staff."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.cases import replies
from bot.cases.alerts import AUDIT_ACTION
from bot.cases.demo import demo_rows, load_demo
from bot.cases.lookup import resident_lookup
from bot.cases.staff import add_staff, create_bind_code, redeem_bind_code
from bot.cases.verification import lock_of, user_key
from bot.db.models import AuditEntry, OutboxMessage, Staff, VerificationAttempt
from bot.db.session import session_scope
from bot.settings import Settings, get_settings

TODAY = date(2025, 6, 30)
NOW = datetime(2025, 6, 30, 2, 0)  # naive UTC
ATTACKER = 4242
MINUTE = timedelta(minutes=1)


@pytest.fixture
def demo(db):
    with session_scope() as s:
        load_demo(s, today=TODAY)
    return demo_rows(TODAY)


def tg(chat: int, user: int) -> str:
    return f"tg-{chat}-{user}"


def lookup(sender: str, case_no: str, last6: str, at: datetime, settings: Settings):
    with session_scope() as s:
        return resident_lookup(s, sender, case_no, last6, now=at, today=TODAY, settings=settings)


def wrong(last6: str) -> str:
    return "000000" if last6 != "000000" else "111111"


def test_interleaving_attack_is_locked_within_five_wrong_tries(demo, settings):
    """4 wrong guesses at someone else's case, 1 right lookup of one's own, again and again (issue 14 item 1:
    80 guesses in 500 s were never locked)."""
    own, victim = demo[0], demo[1]
    sender = tg(ATTACKER, ATTACKER)
    at = NOW
    guesses = []  # outcome of every wrong guess
    own_lookups = []
    for _round in range(4):
        for _ in range(4):
            guesses.append(lookup(sender, victim.case_no, wrong(victim.id_last6), at, settings))
            at += timedelta(seconds=6)
        own_lookups.append(lookup(sender, own.case_no, own.id_last6, at, settings).outcome)
        at += timedelta(seconds=6)
    checked = [g for g in guesses if g.checked]
    assert len(checked) <= 5
    assert [g.outcome for g in guesses[:5]] == ["no_match"] * 4 + ["locked"]
    assert all(g.outcome == "locked" for g in guesses[5:])
    # the success in between does not reset anything: from the fifth failure on, even one's own case is refused
    assert own_lookups == ["found", "locked", "locked", "locked"]


def test_guesses_from_many_users_lock_the_case_number(demo, settings, params):
    victim = demo[1]
    outcomes = [
        lookup(tg(7000 + i, 7000 + i), victim.case_no, wrong(victim.id_last6), NOW + i * MINUTE, settings)
        for i in range(5)
    ]
    assert [o.outcome for o in outcomes] == ["no_match"] * 4 + ["locked"]
    assert outcomes[-1].locked_scope == "case"
    # the applicant themself, with the right pair, is refused until the lock ends, and told why
    refused = lookup(tg(7100, 7100), victim.case_no, victim.id_last6, NOW + 10 * MINUTE, settings)
    assert refused.outcome == "locked" and not refused.checked
    text = replies.resident_result(refused, params)
    assert "这个案件编号" in text and "民政" in text
    # the users themselves are not locked: each may look up another case
    other = demo[2]
    assert lookup(tg(7000, 7000), other.case_no, other.id_last6, NOW + 11 * MINUTE, settings).outcome == "found"
    # an hour after the fifth failure the case number answers again
    later = lookup(tg(7100, 7100), victim.case_no, victim.id_last6, NOW + 4 * MINUTE + timedelta(hours=1), settings)
    assert later.outcome == "found"


def test_one_user_in_many_chats_is_one_user(demo, settings):
    """The Telegram user id counts, not the chat: rotating through groups gives no fresh tries."""
    user = 5151
    chats = [user, -1001, -1002, -1003, -1004, -1005, -1006]
    outcomes = [
        lookup(tg(chat, user), f"LY2025DB5{i:04d}", "123456", NOW + i * MINUTE, settings).outcome
        for i, chat in enumerate(chats)
    ]
    assert outcomes == ["no_match"] * 4 + ["locked"] * 3
    assert user_key(tg(-1001, user)) == user_key(tg(user, user)) == f"telegram:{user}"
    with session_scope() as s:
        assert s.scalar(select(VerificationAttempt.case_no).limit(1)) == "LY2025DB50000"


def test_failures_a_window_apart_do_not_lock_but_five_in_any_window_do():
    window = timedelta(hours=1)
    spread = [NOW + 20 * MINUTE * i for i in range(6)]  # 3 in any hour
    assert lock_of(spread, spread[-1], 5, window) is None
    # the five need not be consecutive attempts: five failures inside one hour lock, from the fifth, for an hour
    five = [NOW, NOW + 10 * MINUTE, NOW + 20 * MINUTE, NOW + 50 * MINUTE, NOW + 59 * MINUTE]
    assert lock_of(five, five[-1], 5, window) == five[-1] + window
    assert lock_of(five, five[-1] + window, 5, window) is None


@pytest.fixture
def alert_staff(db, monkeypatch):
    monkeypatch.setenv("STAFF_TELEGRAM_IDS", "904,905")
    get_settings.cache_clear()
    with session_scope() as s:
        add_staff(s, "值班管理员", "admin", [], ["tg-user:900"])
        add_staff(s, "热线甲", "hotline", ["郭镇"], ["tg-user:901"])
        add_staff(s, "经办乙", "caseworker", ["郭镇"], ["tg-user:902"])
        gone = add_staff(s, "离职管理员", "admin", [], ["tg-user:903"])
        gone.active = False
        add_staff(s, "终端管理员", "admin", [], ["term:desk-admin"])  # the terminal cannot be reached later
        add_staff(s, "名单内经办", "caseworker", ["郭镇"], ["tg-user:905"])  # in STAFF_TELEGRAM_IDS with a record
    yield
    get_settings.cache_clear()


def test_a_lock_alerts_admins_and_hotline_once(demo, alert_staff):
    settings = get_settings()
    victim = demo[1]
    guesses = [f"{n:05d}1" for n in range(10)]
    for i, guess in enumerate(guesses):
        lookup(tg(ATTACKER, ATTACKER), victim.case_no, guess, NOW + i * MINUTE, settings)
    with session_scope() as s:
        outbox = list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        audit = list(s.scalars(select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION)))
    # one lock (user and case number locked by the same failure), one alert per subject per recipient
    recipients = sorted({m.recipient for m in outbox})
    assert recipients == [tg(900, 900), tg(901, 901), tg(904, 904)]
    assert len(outbox) == 2 * len(recipients) and {m.kind for m in outbox} == {"alert"}
    assert len(audit) == 2 and all(e.detail and victim.case_no in e.detail for e in audit)
    texts = {m.text for m in outbox}
    assert any("案件编号" in t and victim.case_no in t for t in texts)
    assert any("审计代号 u-" in t and str(ATTACKER) not in t for t in texts)
    for t in texts:  # no guessed fragment, no last six, in an alert
        assert victim.id_last6 not in t and not any(g in t for g in guesses)


def test_bind_codes_count_per_user_across_chats(db, settings):
    """The bind lockout shares the per-user counting (a bind needs a private chat, but a user is a user)."""
    with session_scope() as s:
        staff = add_staff(s, "绑定测试", "hotline", ["郭镇"])
        code = create_bind_code(s, staff).code
    for i in range(5):
        with session_scope() as s:
            redeem_bind_code(s, tg(8080, 8080), f"WRONG{i}", now=NOW + i * MINUTE, settings=settings)
    with session_scope() as s:
        result = redeem_bind_code(s, tg(8080, 8080), code, now=NOW + 6 * MINUTE, settings=settings)
        assert result.outcome == "locked"
        assert s.scalar(select(Staff).where(Staff.name == "绑定测试")).channel_ids == []
