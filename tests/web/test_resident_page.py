"""The resident chat page over HTTP (Starlette TestClient): every route, with its refusals."""

from __future__ import annotations

import asyncio
import re

from starlette.testclient import TestClient

from bot import channels
from bot.db.session import session_scope
from bot.frontends import texts as core_texts
from bot.frontends.core import ConversationCore
from bot.frontends.web import texts
from bot.frontends.web.app import MAX_BODY_BYTES, NEW_SESSIONS_PER_MINUTE, build_app
from bot.frontends.web.sessions import CHAT_COOKIE, SIZE_COOKIE
from bot.identity import WEB, parse_sender
from bot.notifications.outbox import enqueue
from bot.notifications.worker import deliver_once
from bot.settings import Settings
from tests.web.conftest import JSON, SECRET, csrf_of, open_page, say


def sender_of(client: TestClient) -> str:
    conversation = client.cookies.get(CHAT_COOKIE).split(".")[0]
    return f"web-{conversation}"


def test_the_page_opens_a_session_with_the_menu(resident):
    page = resident.get("/")
    assert page.status_code == 200
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(CHAT_COOKIE + "=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    html = page.text
    assert '<html lang="zh-CN"' in html and core_texts.HELP_TEXT.splitlines()[0] in html
    for title, payload in core_texts.menu_buttons():  # the menu as tappable choices
        assert f'value="{payload}">{title}</button>' in html
    # accessible: the input has a label, the log is announced, the size switch says whether it is on
    assert '<label for="text">' in html and 'aria-live="polite"' in html and 'aria-pressed="false"' in html
    # nothing from outside the server: every script, style and font is ours
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"


def test_static_files_are_served_and_small(resident):
    total = 0
    for name in ("web.css", "chat.js", "console.js"):
        response = resident.get(f"/static/{name}")
        assert response.status_code == 200
        assert "http://" not in response.text and "https://" not in response.text
        total += len(response.content)
    assert total < 20_000


def test_a_question_goes_through_the_conversation_core(resident, rasa):
    csrf = open_page(resident)
    reply = say(resident, csrf, "低保怎么申请")
    assert reply.status_code == 200
    entries = reply.json()["entries"]
    assert [e["who"] for e in entries] == ["me", "bot"] and entries[0]["text"] == "低保怎么申请"
    sender, message, metadata = rasa.requests[-1]
    assert parse_sender(sender).channel == WEB and message == "低保怎么申请" and metadata == {"channel": "web"}
    assert sender == sender_of(resident)


def test_a_pressed_button_sends_its_payload_once_issued(resident, rasa):
    csrf = open_page(resident)
    reply = say(resident, csrf, payload="/start_precheck")  # issued with the menu
    assert reply.status_code == 200 and rasa.messages() == ["/start_precheck"]
    assert reply.json()["entries"][0]["text"] == texts.BUTTON_CHOSEN.format(title="临时救助预审")
    assert rasa.requests[-1][2] == {"channel": "web", "button": True}
    forged = say(resident, csrf, payload='/check_status{"case_no": "LY2024DB00011"}')  # never offered
    assert forged.json()["entries"][-1]["text"] == core_texts.BUTTON_EXPIRED
    assert rasa.messages() == ["/start_precheck"]


def test_commands_and_typed_triggers_are_handled_like_telegram(resident, rasa):
    csrf = open_page(resident)
    assert say(resident, csrf, "/precheck").status_code == 200 and rasa.messages() == ["/start_precheck"]
    typed = say(resident, csrf, '/check_status{"case_no": "LY2024DB00011"}').json()["entries"]
    assert "不认识命令" in typed[-1]["text"] and len(rasa.messages()) == 1
    bind = say(resident, csrf, "/bind ABCD2345").json()["entries"]
    assert bind[-1]["text"] == texts.BIND_ON_WEB and len(rasa.messages()) == 1


def test_the_conversation_survives_a_reload(resident):
    csrf = open_page(resident)
    cookie = resident.cookies.get(CHAT_COOKIE)
    say(resident, csrf, "我想问临时救助")
    again = resident.get("/")
    assert "set-cookie" not in again.headers and resident.cookies.get(CHAT_COOKIE) == cookie
    assert "我想问临时救助" in again.text and csrf_of(again.text) == csrf
    # the URL never names the conversation or anything the resident wrote
    assert cookie.split(".")[0] not in str(again.url)


def test_personal_data_is_masked_on_the_page(resident, rasa):
    csrf = open_page(resident)
    mine = say(resident, csrf, "我的身份证610524199001011234，电话13912345678").json()["entries"][0]
    assert mine["who"] == "me" and "610524199001011234" not in mine["text"] and "13912345678" not in mine["text"]
    assert "139****5678" in mine["text"]
    page = resident.get("/").text
    assert '<div class="bubble">' + mine["text"] + "</div>" in page  # as stored: masked
    assert rasa.messages()[-1].endswith("13912345678")  # Rasa gets the words (its tracker store masks them)


def test_no_session_is_refused(app, rasa):
    with TestClient(app, follow_redirects=False) as stranger:
        assert stranger.post("/send", data={"csrf": "x", "text": "你好"}, headers=JSON).status_code == 401
        assert stranger.get("/updates?after=0").status_code == 401
        assert stranger.post("/size", data={"csrf": "x", "large": "1"}).status_code == 401
        # a forged or altered cookie is no session either
        stranger.cookies.set(CHAT_COOKIE, "0" * 32 + ".deadbeef")
        assert stranger.post("/send", data={"csrf": "x", "text": "你好"}, headers=JSON).status_code == 401
    assert rasa.requests == []


def test_a_forged_cookie_starts_a_new_conversation(app, resident):
    open_page(resident)
    victim = resident.cookies.get(CHAT_COOKIE).split(".")[0]
    with TestClient(app, follow_redirects=False) as other:
        other.cookies.set(CHAT_COOKIE, victim + ".0123456789abcdef0123456789abcdef01234567")
        page = other.get("/")
        assert CHAT_COOKIE in page.headers["set-cookie"] and victim not in page.headers["set-cookie"]


def test_csrf_missing_or_wrong_or_cross_site_is_refused(resident, rasa):
    csrf = open_page(resident)
    assert resident.post("/send", data={"text": "你好"}, headers=JSON).status_code == 403
    assert resident.post("/send", data={"csrf": "0" * 40, "text": "你好"}, headers=JSON).status_code == 403
    cross = {**JSON, "Origin": "https://evil.example"}
    assert resident.post("/send", data={"csrf": csrf, "text": "你好"}, headers=cross).status_code == 403
    assert resident.post("/size", data={"large": "1"}).status_code == 403
    refused = resident.post("/send", data={"text": "你好"})  # a form post gets the Chinese page
    assert refused.status_code == 403 and texts.CSRF_FAILED in refused.text
    assert rasa.requests == []
    same_site = {**JSON, "Origin": "http://testserver"}
    assert resident.post("/send", data={"csrf": csrf, "text": "你好"}, headers=same_site).status_code == 200


def test_an_oversized_message_is_refused_and_a_long_one_shortened(resident, rasa):
    csrf = open_page(resident)
    huge = resident.post("/send", data={"csrf": csrf, "text": "长" * (MAX_BODY_BYTES // 3)}, headers=JSON)
    assert huge.status_code == 413 and huge.json()["error"] == texts.TOO_BIG and rasa.requests == []
    long = say(resident, csrf, "长" * 2500).json()["entries"]
    assert rasa.messages() == ["长" * core_texts.MAX_INPUT_CHARS]
    assert any(e["text"] == core_texts.TOO_LONG.format(limit=core_texts.MAX_INPUT_CHARS) for e in long)


def test_empty_and_emoji_input_lose_nothing(resident, rasa):
    csrf = open_page(resident)
    empty = say(resident, csrf, "   ").json()["entries"]
    assert [e["text"] for e in empty] == [core_texts.EMPTY_INPUT] and rasa.requests == []
    assert say(resident, csrf, "🙏 谢谢").json()["entries"][0]["text"] == "🙏 谢谢"


def test_the_flood_limit_of_telegram_applies(resident, rasa, web_settings):
    csrf = open_page(resident)
    for n in range(web_settings.flood_limit_per_minute):
        assert say(resident, csrf, f"问题{n}").status_code == 200
    first = say(resident, csrf, "再问一个")
    assert first.status_code == 429 and [e["text"] for e in first.json()["entries"]] == [core_texts.FLOOD]
    second = say(resident, csrf, "还有一个")
    assert second.status_code == 429 and second.json()["entries"] == []  # told once, then quiet
    assert len(rasa.requests) == web_settings.flood_limit_per_minute


def test_new_sessions_per_address_are_limited(app):
    with TestClient(app, follow_redirects=False) as browser:
        for _ in range(NEW_SESSIONS_PER_MINUTE):
            browser.cookies.clear()
            assert browser.get("/").status_code == 200
        browser.cookies.clear()
        refused = browser.get("/")
        assert refused.status_code == 429 and texts.TOO_MANY_SESSIONS in refused.text


def test_without_javascript_a_form_post_redirects_back_to_the_page(resident):
    csrf = open_page(resident)
    posted = resident.post("/send", data={"csrf": csrf, "text": "你好"})
    assert posted.status_code == 303 and posted.headers["location"] == "/#latest"
    assert "收到（" in resident.get("/").text


def test_proactive_messages_reach_the_page_by_polling(resident, db):
    csrf = open_page(resident)
    last = say(resident, csrf, "你好").json()["last"]
    assert resident.get(f"/updates?after={last}").json()["entries"] == []
    with session_scope() as session:  # what a staff reply does: a row in the outbox for the resident
        enqueue(session, sender_of(resident), "【工作人员回复 · 工单#1】\n您好，我是民政局的工作人员。", kind="relay")
    assert WEB in channels.registered_channels()  # registered by the application's lifespan
    result = asyncio.run(deliver_once())
    assert (result.sent, result.failed) == (1, 0)
    new = resident.get(f"/updates?after={last}").json()
    assert [e["who"] for e in new["entries"]] == ["pushed"] and "您好，我是民政局的工作人员" in new["entries"][0]["text"]
    assert "您好，我是民政局的工作人员" in resident.get("/").text  # and after a reload


def test_the_larger_text_switch(resident):
    csrf = open_page(resident)
    switched = resident.post("/size", data={"csrf": csrf, "large": "1"})
    assert switched.status_code == 303 and resident.cookies.get(SIZE_COOKIE) == "large"
    page = resident.get("/").text
    assert '<html lang="zh-CN" class="large">' in page and 'aria-pressed="true"' in page
    back = resident.post("/size", data={"csrf": csrf, "large": "0"}, headers=JSON)
    assert back.json() == {"large": False} and resident.cookies.get(SIZE_COOKIE) == "normal"


def test_unknown_pages_and_methods(resident):
    missing = resident.get("/nothing-here")
    assert missing.status_code == 404 and texts.NOT_FOUND in missing.text
    assert resident.get("/send").status_code == 405
    assert resident.get("/healthz").text == "ok"


def test_behind_https_cookies_are_secure_and_the_public_origin_is_accepted(db, rasa, tmp_path):
    settings = Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path), "WEB_PUBLIC_URL": "https://zhushou.example.gov.cn"})
    app = build_app(settings, ConversationCore(rasa=rasa, pending_store=None), secret=SECRET)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:  # nginx ends TLS
        page = client.get("/")
        assert "Secure" in page.headers["set-cookie"]
        csrf = csrf_of(page.text)
        public = {**JSON, "Origin": "https://zhushou.example.gov.cn"}
        assert client.post("/send", data={"csrf": csrf, "text": "你好"}, headers=public).status_code == 200
        other = {**JSON, "Origin": "https://zhushou.example.gov.cn.evil.example"}
        assert client.post("/send", data={"csrf": csrf, "text": "你好"}, headers=other).status_code == 403
