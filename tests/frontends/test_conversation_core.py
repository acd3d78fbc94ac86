"""The channel-independent core: commands, input checks, Rasa down, masking in logs (sender ids: tests/test_identity.py)."""

from __future__ import annotations

import logging
import threading
from types import SimpleNamespace

import pytest

from bot.errors import DatabaseUnavailable, RasaUnavailable
from bot.frontends import texts
from bot.frontends.contact import contact_text
from bot.frontends.core import (
    Button,
    ConversationCore,
    IssuedPayloads,
    Reply,
    clean_input,
    parse_command,
    replies_from_rasa,
)


class StubRasa:
    def __init__(self, replies=None, error: Exception | None = None) -> None:
        self.sent: list[tuple[str, str, dict]] = []
        self.replies = replies
        self.error = error

    async def send(self, sender_id, message, metadata=None):
        self.sent.append((sender_id, message, metadata or {}))
        if self.error:
            raise self.error
        return self.replies if self.replies is not None else [{"recipient_id": sender_id, "text": f"re:{message}"}]


def make_core(rasa=None, stored=None, **kw) -> ConversationCore:
    stored = stored if stored is not None else []
    return ConversationCore(
        rasa=rasa or StubRasa(),
        contact=lambda: "请致电 0916-1234567。",
        pending_store=lambda s, c, t: stored.append((s, c, t)) or 1,
        **kw,
    )


def test_parse_command():
    assert parse_command("/bind AB12") == parse_command("/bind   AB12  ")
    cmd = parse_command("/reply@LueyangBot 12 您好，已为您登记。")
    assert (cmd.name, cmd.args, cmd.addressed_to) == ("reply", "12 您好，已为您登记。", "LueyangBot")
    assert parse_command("/Start").name == "start"
    assert parse_command("/ 你好") is None
    assert parse_command("/低保") is None


def test_clean_input_removes_invisible_and_control_characters():
    assert clean_input("\u200b 低保\x00怎么\u202e申请 \n") == "低保怎么申请"
    assert clean_input("第一行\n第二行") == "第一行\n第二行"


def test_replies_from_rasa():
    replies = replies_from_rasa(
        [
            {"recipient_id": "x", "text": "选一个", "buttons": [{"title": "甲", "payload": "/a"}]},
            {"recipient_id": "x", "image": "https://example.org/a.png"},
            {"recipient_id": "x", "custom": {"text": "自定义"}},
            {"recipient_id": "x", "custom": {"kind": "no text"}},
        ]
    )
    assert replies == [
        Reply("选一个", (Button("甲", "/a"),)),
        Reply("", (), "https://example.org/a.png"),
        Reply("自定义"),
    ]


@pytest.mark.parametrize(
    ("typed", "sent", "metadata"),
    [
        ("/start", "/greet", {}),
        ("/precheck", "/start_precheck", {}),
        ("/human", "/request_human", {}),
        ("/cancel", "/cancel", {}),
        ("/status", "/check_status", {"command": "status", "args": ""}),
        ("/bind  ab12cd ", "/inform", {"command": "bind", "args": "ab12cd"}),
        ("/script 低保标准", "/inform", {"command": "script", "args": "低保标准"}),
        ("/mycases", "/check_status", {"command": "mycases", "args": ""}),
        ("/reply 3 明天上午给您回电", "/request_human", {"command": "reply", "args": "3 明天上午给您回电"}),
    ],
)
async def test_commands_become_intent_triggers(typed, sent, metadata):
    rasa = StubRasa()
    await make_core(rasa).handle_text("tg-1-1", typed, channel="telegram")
    [(sender, message, meta)] = rasa.sent
    assert (sender, message) == ("tg-1-1", sent)
    assert meta == {"channel": "telegram", **metadata}


async def test_a_photo_reaches_rasa_as_inform_with_its_reference():
    rasa = StubRasa()
    core = make_core(rasa)
    await core.handle_attachment("tg-1-1", "photo", " AgAC-file\u200b ", channel="telegram",
                                 metadata={"chat_type": "private"})
    assert rasa.sent == [("tg-1-1", "/inform", {"channel": "telegram", "chat_type": "private", "command": "photo",
                                                "args": "AgAC-file"})]


@pytest.mark.parametrize(("kind", "reference"), [("voice", "v1"), ("bind", "AB12CD"), ("photo", ""), ("photo", "\u200b")])
async def test_other_attachments_and_empty_references_are_answered_locally(kind, reference):
    rasa = StubRasa()
    replies = await make_core(rasa).handle_attachment("tg-1-1", kind, reference, channel="telegram")
    assert replies == [Reply(texts.NON_TEXT)] and rasa.sent == []


async def test_a_photo_while_rasa_is_down_gets_the_apology_and_is_not_stored():
    stored: list = []
    core = make_core(StubRasa(error=RasaUnavailable("down")), stored)
    [reply] = await core.handle_attachment("tg-1-1", "photo", "AgAC-file", channel="telegram")
    assert "0916-1234567" in reply.text and stored == []


async def test_help_and_unknown_commands_do_not_reach_rasa():
    rasa = StubRasa()
    core = make_core(rasa)
    [help_reply] = await core.handle_text("term-a", "/help", channel="terminal")
    assert help_reply.text == texts.HELP_TEXT and help_reply.buttons
    [unknown] = await core.handle_text("term-a", "/check_status", channel="terminal")
    assert "/check_status" in unknown.text
    assert rasa.sent == []


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u200b\u200b"])
async def test_empty_input_is_answered_locally(text):
    rasa = StubRasa()
    assert await make_core(rasa).handle_text("term-a", text, channel="terminal") == [Reply(texts.EMPTY_INPUT)]
    assert rasa.sent == []


async def test_long_input_is_sent_in_part_and_the_user_is_told():
    rasa = StubRasa()
    text = "甲" * 1999 + "乙" + "丙" * 500
    replies = await make_core(rasa).handle_text("term-a", text, channel="terminal")
    assert rasa.sent[0][1] == "甲" * 1999 + "乙"
    assert "2000" in replies[0].text and "较短" in replies[0].text
    assert replies[1].text.startswith("re:")


async def test_rasa_down_apologises_with_contact_and_stores_the_message():
    stored: list = []
    core = make_core(StubRasa(error=RasaUnavailable("down")), stored)
    [reply] = await core.handle_text("term-a", "我想问低保", channel="terminal")
    assert "0916-1234567" in reply.text and texts.RASA_DOWN_STORED in reply.text
    assert stored == [("term-a", "terminal", "我想问低保")]


async def test_unexpected_error_below_is_also_an_apology():
    core = make_core(StubRasa(error=RuntimeError("bug")))
    [reply] = await core.handle_text("term-a", "你好", channel="terminal")
    assert reply.text.startswith("抱歉，助手暂时无法回答")


async def test_database_down_while_rasa_down_never_raises():
    def broken_store(*args):
        raise DatabaseUnavailable("db down")

    core = ConversationCore(rasa=StubRasa(error=RasaUnavailable("down")), contact=lambda: "X", pending_store=broken_store)
    [reply] = await core.handle_text("term-a", "你好", channel="terminal")
    assert texts.RASA_DOWN_NOT_STORED in reply.text
    assert core.stats["store_failed"] == 1


async def test_button_payloads_are_not_stored_as_messages():
    stored: list = []
    core = make_core(StubRasa(error=RasaUnavailable("down")), stored)
    core.issued.remember("term-a", ["/check_status"])
    [reply] = await core.handle_button("term-a", "/check_status", channel="terminal")
    assert reply.text.startswith("抱歉，助手暂时无法回答") and stored == []


# -- forged button payloads --------------------------------------------------------------------------------
MENU = [{"recipient_id": "term-a", "text": "请选择", "buttons": [
    {"title": "详细说明", "payload": '/ask_dibao_standard{"detail": "dibao_standard"}'},
    {"title": "是", "payload": "/affirm"},
]}]  # fmt: skip


async def test_buttons_the_assistant_sent_can_be_pressed():
    rasa = StubRasa(replies=MENU)
    core = make_core(rasa)
    await core.handle_text("term-a", "低保标准", channel="terminal")
    await core.handle_button("term-a", '/ask_dibao_standard{"detail": "dibao_standard"}', channel="terminal")
    await core.handle_button("term-a", "/affirm", channel="terminal")
    assert [m for _, m, _ in rasa.sent] == ["低保标准", '/ask_dibao_standard{"detail": "dibao_standard"}', "/affirm"]


@pytest.mark.parametrize(
    "payload",
    ['/inform{"id_last6": "12345X", "case_no": "LY2024DB00123"}', '/ask_dibao_standard{"detail": "x"}', "/deny"],
)
async def test_pressed_payloads_not_issued_to_the_conversation_are_refused(payload):
    rasa = StubRasa(replies=MENU)
    core = make_core(rasa)
    await core.handle_text("term-a", "低保标准", channel="terminal")
    await core.handle_text("term-b", "低保标准", channel="terminal")
    rasa.sent.clear()
    assert await core.handle_button("term-a", payload, channel="terminal") == [Reply(texts.BUTTON_EXPIRED)]
    # another conversation's button
    core.issued.remember("term-b", [payload])
    assert await core.handle_button("term-a", payload, channel="terminal") == [Reply(texts.BUTTON_EXPIRED)]
    assert rasa.sent == []


async def test_issued_payloads_expire_and_are_bounded():
    now = [0.0]
    core = make_core(StubRasa(), issued=IssuedPayloads(per_conversation=2, conversations=2, ttl=60, clock=lambda: now[0]))
    core.issued.remember("a", ["/x", "/y", "/z"])
    assert [core.issued.issued("a", p) for p in ("/x", "/y", "/z")] == [False, True, True]
    core.issued.remember("b", ["/x"])
    core.issued.remember("c", ["/x"])
    assert not core.issued.issued("a", "/y")  # the oldest conversation was dropped
    now[0] = 61.0
    assert not core.issued.issued("c", "/x")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ('/inform{"id_last6": "12345X", "case_no": "LY2024DB00123"}', "/inform"),
        ('/check_status{"case_no": "LY2024DB00123"}', "/check_status"),
        ("/affirm@0.99", "/affirm"),
        ("//greet", "/greet"),
    ],
)
async def test_typed_intent_triggers_never_reach_rasa(typed, shown):
    rasa = StubRasa()
    core = make_core(rasa)
    [reply] = await core.handle_text("term-a", typed, channel="terminal")
    assert reply.text == texts.UNKNOWN_COMMAND.format(command=shown)
    assert rasa.sent == []


async def test_other_text_behind_a_slash_goes_to_rasa_without_it():
    rasa = StubRasa()
    core = make_core(rasa)
    await core.handle_text("term-a", "/ 低保怎么申请", channel="terminal")
    await core.handle_text("term-a", "/低保标准是多少", channel="terminal")
    assert [m for _, m, _ in rasa.sent] == ["低保怎么申请", "低保标准是多少"]
    assert await core.handle_text("term-a", "///", channel="terminal") == [Reply(texts.EMPTY_INPUT)]


async def test_empty_rasa_answer_is_a_temporary_problem_and_the_message_is_kept():
    stored: list = []
    core = make_core(StubRasa(replies=[]), stored)
    [reply] = await core.handle_text("term-a", "我的申请到哪一步了", channel="terminal")
    assert "抱歉" in reply.text and stored == [("term-a", "terminal", "我的申请到哪一步了")]


async def test_logs_never_contain_id_numbers_or_phones(caplog):
    core = make_core()
    caplog.set_level(logging.DEBUG, logger="bot.frontends")
    await core.handle_text("term-a", "我的身份证 61072619800101123X 电话 13912345678", channel="terminal")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "身份证" in logged  # the message was logged at DEBUG ...
    assert "61072619800101123X" not in logged and "13912345678" not in logged  # ... masked


async def test_info_logs_carry_kind_and_length_not_the_words(caplog):
    """Issue 14 item 8: a lookup pair typed by a resident and a staff reply with amount, reason and note."""
    staff_reply = "LY2024DB00123 已批准，救助金额1800元。决定理由：家庭人均收入低于标准。备注：已电话核实。"
    core = make_core(StubRasa(replies=[{"recipient_id": "term-a", "text": staff_reply}]))
    caplog.set_level(logging.DEBUG, logger="bot.frontends")
    await core.handle_text("term-a", "LY2024DB00123 12345X", channel="terminal")
    await core.handle_text("term-staff", "/status LY2024DB00123", channel="terminal")
    info = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    for words in ("LY2024DB00123", "12345X", "1800", "理由", "备注", "已批准"):
        assert words not in info
    assert "term-a -> rasa: text, 20 chars" in info
    assert "term-staff -> rasa: /check_status (/status), 13 chars" in info
    assert f"term-a <- rasa: 1 replies, {len(staff_reply)} chars, 0 buttons" in info
    debug = "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)
    assert "LY2024DB00123 ******" in debug and "12345X" not in debug  # DEBUG: the words, masked


class Params:
    def __init__(self, bureau_phone, verified, station_phone="0916-4822453"):
        self._bureau = SimpleNamespace(phone=SimpleNamespace(value=bureau_phone, verified=verified))
        self._station = SimpleNamespace(name="略阳县救助站", phone=SimpleNamespace(value=station_phone, verified=False))

    def bureau(self):
        return self._bureau

    def relief_station(self):
        return self._station


def test_contact_uses_verified_bureau_phone_only():
    assert "0916-1111111" in contact_text(Params("0916-1111111", True))
    unverified = contact_text(Params("0916-1111111", False))
    assert "0916-1111111" not in unverified
    assert "0916-4822453" in unverified and "尚未经民政局核实" in unverified
    assert contact_text(Params(None, False, station_phone=None)) == texts.CONTACT_TOWNSHIP


def test_contact_with_the_real_parameter_file_never_shows_an_unverified_number_as_the_bureaus():
    text = contact_text()
    assert "略阳县民政局" in text
    if "请致电略阳县民政局" not in text:
        assert "核实" in text or text == texts.CONTACT_TOWNSHIP


async def test_a_hanging_database_does_not_delay_the_apology():
    release = threading.Event()

    def hanging_store(*args):
        release.wait(5)  # a database that does not answer

    core = ConversationCore(
        rasa=StubRasa(error=RasaUnavailable("down")), contact=lambda: "X", pending_store=hanging_store,
        store_timeout=0.05,
    )
    try:
        [reply] = await core.handle_text("term-a", "你好", channel="terminal")
    finally:
        release.set()
    assert texts.RASA_DOWN_NOT_STORED in reply.text
