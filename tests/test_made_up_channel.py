"""A channel the project has never heard of, added the way a new channel is added: one sender format
(``bot.identity``) and one deliverer registered when its front end starts (``bot.channels``). Nothing else
changes, yet it gets status notifications through the outbox worker, its residents get staff replies, its staff
bind, work the ticket queue and receive residents' messages."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot import channels
from bot.cases.staff import add_staff
from bot.cases.status_changes import on_status_changed
from bot.db.models import Applicant, AuditEntry, Case, HandoffTicket, OutboxMessage
from bot.db.session import session_scope
from bot.handoff import service as handoff
from bot.identity import SenderFormat, SenderIdentity, registered_format
from bot.notifications import service as notifications
from bot.notifications.outbox import enqueue
from bot.notifications.worker import deliver_once
from bot.staff_access import is_staff

RESIDENT = "fake-r1"
STAFF = "fake-desk"
CASE_NO = "LY2024DB00077"


class FakeChannel:
    """The made-up front end's deliverer: keeps what it was asked to deliver."""

    def __init__(self) -> None:
        self.received: list[tuple[SenderIdentity, list[str]]] = []

    async def __call__(self, identity: SenderIdentity, messages) -> None:
        self.received.append((identity, list(messages)))

    def texts_for(self, sender_id: str) -> list[str]:
        return [m for who, ms in self.received if who.sender_id == sender_id for m in ms]


@pytest.fixture
def fake_channel(db):
    fmt = SenderFormat(
        "fake", "fake", chat=r"[a-z0-9]+", binding="fake", binding_hint="<名字>", label="测试渠道", subscriptions=True
    )
    channel = FakeChannel()
    with registered_format(fmt), channels.registered("fake", channel):  # what the front end does at start-up
        yield channel


@pytest.fixture
def case(db):
    with session_scope() as s:
        applicant = Applicant(
            name="测试丙", id_hash="f" * 64, id_last6_hash="0" * 64, id_masked="*" * 16 + "5X", town="郭镇"
        )
        s.add(
            Case(
                case_no=CASE_NO, programme="低保", applicant=applicant, town="郭镇", applied_on=date(2024, 9, 2),
                accepted_on=date(2024, 9, 3), status="调查核实中", status_changed_on=date(2024, 9, 10),
            )
        )  # fmt: skip


async def test_a_status_change_reaches_a_subscriber_on_the_new_channel(fake_channel, case):
    assert notifications.should_offer(RESIDENT, CASE_NO)
    assert "已为您订阅" in notifications.subscribe_request(RESIDENT, CASE_NO)
    with session_scope() as s:
        row = s.scalar(select(Case).where(Case.case_no == CASE_NO))
        old, row.status, row.status_changed_on = row.status, "公示中", date(2024, 9, 20)
        assert on_status_changed(s, row, old, "公示中") == 1

    result = await deliver_once()  # the outbox worker of the new channel's process
    assert (result.sent, result.failed) == (1, 0)
    (text,) = fake_channel.texts_for(RESIDENT)
    assert CASE_NO in text and "当前状态：公示中" in text
    with session_scope() as s:
        sent = s.scalar(select(AuditEntry).where(AuditEntry.action == "outbox_status"))
        assert (sent.channel, sent.case_no, sent.role) == ("fake", CASE_NO, "system")


async def test_the_staff_relay_works_both_ways_on_the_new_channel(fake_channel):
    with session_scope() as s:
        add_staff(s, "测试热线", "hotline", ["郭镇"], ["fake:desk"])
    assert is_staff(STAFF) and not is_staff(RESIDENT)

    ticket_id = handoff.submit_request(
        RESIDENT, topic="想问低保怎么申请", phone=None, preferred_time=None, town="郭镇", summary=""
    ).ticket_id
    with session_scope() as s:
        assert s.get(HandoffTicket, ticket_id).channel == "fake"
    assert f"#{ticket_id}" in handoff.staff_command(STAFF, "queue")
    handoff.staff_command(STAFF, "reply", f"{ticket_id} 您好，我是县民政局的工作人员，稍后给您回电。")
    handoff.relay_from_resident(RESIDENT, "好的，我等您电话")

    result = await deliver_once()
    assert result.failed == 0 and result.sent == 3  # taken notice + staff reply to the resident, reply to staff
    to_resident = "\n".join(fake_channel.texts_for(RESIDENT))
    assert "稍后给您回电" in to_resident
    assert any("我等您电话" in t for t in fake_channel.texts_for(STAFF))


async def test_other_channels_rows_are_left_to_their_own_process(fake_channel):
    with session_scope() as s:
        enqueue(s, "tg-5-5", "给Telegram用户", kind="relay")
        enqueue(s, RESIDENT, "给测试渠道用户", kind="relay")
    assert (await deliver_once()).sent == 1
    assert fake_channel.texts_for(RESIDENT) == ["给测试渠道用户"]
    with session_scope() as s:
        waiting = s.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "tg-5-5"))
        assert waiting.status == "pending" and waiting.attempts == 0
