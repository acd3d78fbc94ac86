"""Subscriptions (explicit consent), /status listing, /unsubscribe, and the status-change hook."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot import channels
from bot.cases.status_changes import notify_status_changes, on_status_changed
from bot.db.models import Applicant, AuditEntry, Case, OutboxMessage
from bot.db.session import session_scope
from bot.identity import TELEGRAM
from bot.notifications import service, subscriptions
from bot.notifications.worker import deliver_once

ALICE = "tg-3330001-3330001"
BOB = "tg-3330002-3330002"


def add_case(case_no: str, status: str = "调查核实中") -> None:
    with session_scope() as s:
        applicant = Applicant(
            name="测试甲",
            id_hash=case_no.lower().ljust(64, "0")[:64],
            id_last6_hash="0" * 64,
            id_masked="*" * 16 + "5X",
            town="接官亭镇",
        )
        s.add(
            Case(
                case_no=case_no,
                programme="低保",
                applicant=applicant,
                town="接官亭镇",
                applied_on=date(2024, 9, 2),
                accepted_on=date(2024, 9, 3),
                status=status,
                status_changed_on=date(2024, 9, 10),
            )
        )


def change_status(case_no: str, new: str, on: date) -> int:
    with session_scope() as s:
        case = s.scalar(select(Case).where(Case.case_no == case_no))
        old, case.status, case.status_changed_on = case.status, new, on
        return on_status_changed(s, case, old, new)


def outbox_rows() -> list[OutboxMessage]:
    with session_scope() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def cases(db):
    add_case("LY2024DB00001")
    add_case("LY2024DB00002", status="公示中")


def test_subscribe_list_and_status_change(cases):
    assert "已为您订阅 LY2024DB00001" in service.subscribe_request(ALICE, "LY2024DB00001")
    assert "已经订阅" in service.subscribe_request(ALICE, "LY2024DB00001")
    listing = service.subscriptions_text(ALICE)
    assert "1. LY2024DB00001（低保）当前状态：调查核实中" in listing
    assert service.subscriptions_text(BOB) is None

    assert change_status("LY2024DB00001", "公示中", date(2024, 9, 20)) == 1
    (msg,) = outbox_rows()
    assert msg.recipient == ALICE and msg.kind == "status" and msg.status == "pending"
    assert "当前状态：公示中" in msg.text and "下一步：" in msg.text and "/unsubscribe" in msg.text
    # a case nobody subscribed to: nothing queued
    assert change_status("LY2024DB00002", "审核确认中", date(2024, 9, 20)) == 0


def test_hook_called_twice_for_one_change_queues_once(cases):
    service.subscribe_request(ALICE, "LY2024DB00001")
    with session_scope() as s:
        case = s.scalar(select(Case).where(Case.case_no == "LY2024DB00001"))
        case.status = "公示中"
        assert on_status_changed(s, case, "调查核实中", "公示中") == 1
        assert on_status_changed(s, case, "调查核实中", "公示中") == 0
        assert on_status_changed(s, case, "公示中", "公示中") == 0
    assert len(outbox_rows()) == 1


def test_unsubscribe_variants(cases):
    service.subscribe_request(ALICE, "LY2024DB00001")
    service.subscribe_request(ALICE, "LY2024DB00002")
    assert "请说明取消哪一件" in service.unsubscribe_request(ALICE, "")
    assert "已取消 LY2024DB00002" in service.unsubscribe_request(ALICE, "2")
    assert "没有订阅" in service.unsubscribe_request(ALICE, "LY2024DB00002")
    assert "已取消 LY2024DB00001" in service.unsubscribe_request(ALICE, "")
    assert service.unsubscribe_request(ALICE, "") == "您目前没有订阅任何进度提醒。"
    # no notification after unsubscribing
    assert change_status("LY2024DB00001", "公示中", date(2024, 9, 21)) == 0
    # subscribing again re-activates
    service.subscribe_request(ALICE, "LY2024DB00001")
    assert change_status("LY2024DB00001", "审核确认中", date(2024, 9, 28)) == 1


def test_unsubscribe_all_by_case_number(cases):
    service.subscribe_request(ALICE, "LY2024DB00001")
    service.subscribe_request(ALICE, "LY2024DB00002")
    assert "已取消 LY2024DB00001" in service.unsubscribe_request(ALICE, "ly2024db00001")
    assert "LY2024DB00002" in service.unsubscribe_request(ALICE, "全部")
    with session_scope() as s:
        assert subscriptions.list_subscriptions(s, ALICE) == []


def test_subscription_needs_a_case_shown_and_telegram(cases):
    assert "请先查询" in service.subscribe_request(ALICE, None)
    assert "只能通过Telegram" in service.subscribe_request("term-demo", "LY2024DB00001")
    assert "没有找到" in service.subscribe_request(ALICE, "LY2024DB09999")


def test_two_subscribers_each_get_one_message(cases):
    service.subscribe_request(ALICE, "LY2024DB00001")
    service.subscribe_request(BOB, "LY2024DB00001")
    assert change_status("LY2024DB00001", "已批准", date(2024, 10, 8)) == 2
    assert sorted(m.recipient for m in outbox_rows()) == sorted([ALICE, BOB])


def test_bulk_hook_for_importers(cases):
    service.subscribe_request(ALICE, "LY2024DB00002")
    with session_scope() as s:
        case = s.scalar(select(Case).where(Case.case_no == "LY2024DB00002"))
        case.status = "审核确认中"
        s.flush()
        changes = [
            ("LY2024DB00001", "调查核实中", "公示中"),
            ("LY2024DB00002", "公示中", "审核确认中"),
            ("LY2024DB00009", None, "已受理"),
        ]
        assert notify_status_changes(s, changes) == 1
    (msg,) = outbox_rows()
    assert msg.recipient == ALICE and "审核确认中" in msg.text


def test_offer_only_on_telegram_and_when_not_subscribed(cases):
    assert service.should_offer(ALICE, "LY2024DB00001")
    assert not service.should_offer("term-demo", "LY2024DB00001")
    service.subscribe_request(ALICE, "LY2024DB00001")
    assert not service.should_offer(ALICE, "LY2024DB00001")


async def test_sent_notifications_are_audited(cases):
    service.subscribe_request(ALICE, "LY2024DB00001")
    change_status("LY2024DB00001", "公示中", date(2024, 9, 20))

    async def send(identity, messages):
        return None

    with channels.registered(TELEGRAM, send):
        assert (await deliver_once()).sent == 1
    with session_scope() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "outbox_status"))
    assert entry.case_no == "LY2024DB00001" and entry.role == "system" and "3330001" not in entry.user_ref
