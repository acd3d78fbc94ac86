"""The web channel in a real headless Chromium (Debian's ``chromium`` + ``chromium-driver``, driven by Selenium)
in front of the real assistant (trained model, Rasa + action server: ``tests.auxil.assistant``).

One browser for the module: the resident page (cookie on ``/``) and the staff console (cookie on ``/staff``) are
two tabs of it. The web application runs in this process under uvicorn with its outbox worker, on the
assistant's case database. The screenshots in ``docs/screenshots/`` (README) are made here (with UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from bot.cases.demo import demo_rows
from bot.cases.lookup import china_today
from bot.cases.staff import add_staff
from bot.db.session import make_engine, session_scope, set_engine
from bot.frontends.core import ConversationCore
from bot.frontends.rasa_client import RasaClient
from bot.frontends.web.accounts import set_password
from bot.frontends.web.app import build_app
from bot.notifications.worker import run_forever
from bot.settings import PROJECT_ROOT, Settings
from tests.auxil.assistant import Assistant, free_port

pytestmark = pytest.mark.rasa

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
SCRATCH = Path(tempfile.gettempdir()) / "lueyang-screenshots"
PHONE = (390, 844)  # CSS pixels of a common phone
DESK = (1280, 860)
WAIT = 90  # seconds: Rasa answers within RASA_TIMEOUT; the first answers after start-up are the slowest
STAFF_NAME = "网页热线员"
STAFF_PASSWORD = "browser-test-password"

PRECHECK_ANSWERS = ["户籍在略阳", "火灾", "3天前", "都没有", "3口人", "没有", "房子烧了，损失大概5万", "没有或1万以下", "接官亭"]


@dataclass
class Site:
    url: str
    assistant: Assistant


class ServerThread(threading.Thread):
    def __init__(self, server: uvicorn.Server) -> None:
        super().__init__(daemon=True)
        self.server = server

    def run(self) -> None:
        self.server.run()


@pytest.fixture(scope="module")
def site(assistant: Assistant) -> Iterator[Site]:
    """The web channel in front of the assistant (uvicorn in a thread, outbox worker every 0.3 s)."""
    # the assistant is the session's (tests/conftest.py), shared with the conversation tests
    settings = Settings.from_env(
        {**assistant.env, "RASA_URL": assistant.cluster.rasa_urls[0], "RASA_CHANNEL_SECRET": assistant.secret}
    )
    engine = make_engine(settings.database_url)
    set_engine(engine)
    with session_scope() as session:
        staff = add_staff(session, STAFF_NAME, "hotline", [])
        set_password(session, staff, STAFF_PASSWORD)

    async def outbox() -> None:
        await run_forever(interval=0.3)

    app = build_app(settings, ConversationCore(rasa=RasaClient.from_settings(settings)),
                    secret=b"browser-test-secret-" + b"s" * 32, background=[outbox])  # fmt: skip
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, ws="none")
    server = uvicorn.Server(config)
    thread = ServerThread(server)
    thread.start()
    try:
        WebDriverWait(None, 30, poll_frequency=0.1).until(lambda _: server.started or not thread.is_alive())
        assert server.started, "the web server did not start"
        yield Site(f"http://127.0.0.1:{port}", assistant)
    finally:
        server.should_exit = True
        thread.join(30)
        set_engine(None)
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail(f"{CHROMIUM} and {CHROMEDRIVER} are needed: apt-get install chromium chromium-driver (scripts/setup.sh)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN",
                "--disable-extensions", "--no-first-run", "--force-device-scale-factor=1"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_window_size(*PHONE)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def tabs(browser: WebDriver, site: Site) -> dict[str, str]:
    """The resident's tab (phone size) and the staff console's tab."""
    browser.get(site.url + "/")
    resident = browser.current_window_handle
    browser.switch_to.new_window("tab")
    staff = browser.current_window_handle
    browser.switch_to.window(resident)
    return {"resident": resident, "staff": staff}


# -- helpers ----------------------------------------------------------------------------------------------
def wait_until(driver: WebDriver, condition, what: str, timeout: float = WAIT, poll: float = 0.2):
    """``WebDriverWait(...).until``; on timeout the failure says what was awaited and what the page showed. An
    element that goes stale while the condition reads it (the page was replaced after a form post) counts as
    "not yet": the condition finds its elements again on the next poll."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=poll,
                             ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    except TimeoutException:
        body = driver.find_element(By.TAG_NAME, "body").text[-1500:]
        pytest.fail(f"waited {timeout:g} s for {what}; {driver.current_url} shows:\n{body}")


def entries(driver: WebDriver) -> list[tuple[str, str]]:
    """(who, text) of every message on the resident page."""
    out = []
    for li in driver.find_elements(By.CSS_SELECTOR, "#log > li.msg"):
        try:
            who = [c for c in li.get_attribute("class").split() if c != "msg"][0]
            out.append((who, li.find_element(By.CSS_SELECTOR, ".bubble").text))
        except StaleElementReferenceException:
            continue
    return out


def wait_for_answer(driver: WebDriver, before: int) -> list[tuple[str, str]]:
    """The messages added after the first ``before``, once the assistant has answered (the page is idle)."""

    def answered(d: WebDriver):
        now = entries(d)
        busy = d.find_element(By.ID, "send").get_attribute("disabled")
        if busy or len(now) <= before or now[-1][0] == "me":
            return False
        return now[before:]

    return wait_until(driver, answered, "the assistant's answer")


def type_message(driver: WebDriver, text: str) -> list[tuple[str, str]]:
    before = len(entries(driver))
    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    return wait_for_answer(driver, before)


def press(driver: WebDriver, title: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """Press the choice called ``title`` (default: the first one offered); its title and the answer."""
    buttons = driver.find_elements(By.CSS_SELECTOR, "#log form.choices button")
    assert buttons, "no choices on the page"
    chosen = next((b for b in buttons if b.text == title), None) if title else buttons[0]
    assert chosen is not None, f"no choice {title!r} among {[b.text for b in buttons]}"
    name = chosen.text
    before = len(entries(driver))
    chosen.click()
    return name, wait_for_answer(driver, before)


def texts_of(new: list[tuple[str, str]], who: str = "bot") -> str:
    return "\n".join(text for w, text in new if w == who)


def screenshot(driver: WebDriver, name: str) -> Path:
    """Every run takes the screenshot; it replaces the committed one in docs/screenshots only when asked
    (``UPDATE_SCREENSHOTS=1``), so a test run leaves the working tree clean."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else SCRATCH
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    tmp = path.with_suffix(".tmp.png")
    assert driver.save_screenshot(str(tmp)), f"screenshot {name} failed"
    shutil.move(tmp, path)
    return path


def start_over(driver: WebDriver, site: Site) -> None:
    """A fresh page session (a new resident)."""
    driver.delete_cookie("ly_chat")
    driver.get(site.url + "/")
    WebDriverWait(driver, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#log form.choices button"))


# -- tests ------------------------------------------------------------------------------------------------
def test_resident_asks_a_policy_question_and_presses_a_button(browser: WebDriver, site: Site, tabs):
    browser.switch_to.window(tabs["resident"])
    browser.set_window_size(*PHONE)
    start_over(browser, site)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    menu = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#log form.choices button")]
    assert "临时救助预审" in menu and "联系工作人员" in menu
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "resident-phone-start.png")
    # the first tab stop skips to the input, which has a visible label
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("class") == "skip"
    assert browser.find_element(By.CSS_SELECTOR, "label[for=text]").is_displayed()

    answer = texts_of(type_message(browser, "低保申请需要什么条件？"))
    assert "低保" in answer and ("条件" in answer or "收入" in answer), answer
    title, pressed = press(browser)
    assert texts_of(pressed, "me") == f"（已选择：{title}）"
    assert texts_of(pressed), f"no answer to the button {title!r}"
    screenshot(browser, "resident-phone.png")

    # the conversation survives a reload; the larger-text switch works and is remembered
    shown = entries(browser)
    browser.refresh()
    WebDriverWait(browser, WAIT).until(lambda d: entries(d) == shown)
    normal = browser.find_element(By.CSS_SELECTOR, ".bubble").value_of_css_property("font-size")
    browser.find_element(By.ID, "size-btn").click()
    WebDriverWait(browser, 10).until(lambda d: "large" in (d.find_element(By.TAG_NAME, "html").get_attribute("class") or ""))
    large = browser.find_element(By.CSS_SELECTOR, ".bubble").value_of_css_property("font-size")
    assert float(large.rstrip("px")) > float(normal.rstrip("px"))
    assert browser.find_element(By.ID, "size-btn").get_attribute("aria-pressed") == "true"
    screenshot(browser, "resident-phone-large.png")
    browser.refresh()
    assert "large" in browser.find_element(By.TAG_NAME, "html").get_attribute("class")
    browser.find_element(By.ID, "size-btn").click()
    WebDriverWait(browser, 10).until(lambda d: "large" not in (d.find_element(By.TAG_NAME, "html").get_attribute("class") or ""))


def test_resident_walks_the_precheck_to_its_result(browser: WebDriver, site: Site, tabs):
    browser.switch_to.window(tabs["resident"])
    start_over(browser, site)
    _, started = press(browser, "临时救助预审")
    first = texts_of(started)
    assert "临时救助预检" in first and re.search(r"第 1/\d+ 步", first), first
    result = ""
    for n, answer in enumerate(PRECHECK_ANSWERS):
        offered = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#log form.choices button")]
        new = press(browser, answer)[1] if answer in offered else type_message(browser, answer)
        result = texts_of(new)
        if n < len(PRECHECK_ANSWERS) - 1:
            assert re.search(r"第 \d+/\d+ 步", result), (answer, result)
    assert "【临时救助预检结果】" in result and "接官亭镇" in result, result
    browser.execute_script(
        "var found = Array.from(document.querySelectorAll('#log .bubble'))"
        ".filter(b => b.textContent.includes('【临时救助预检结果】')).pop(); found.scrollIntoView(true);"
    )
    screenshot(browser, "resident-precheck-result.png")


def test_resident_looks_up_the_status_of_an_application(browser: WebDriver, site: Site, tabs):
    row = next(r for r in demo_rows(china_today()) if r.programme == "低保" and r.status == "调查核实中")
    browser.switch_to.window(tabs["resident"])
    start_over(browser, site)
    _, asked = press(browser, "查询办理进度")
    assert "案件编号" in texts_of(asked)
    assert "后六位" in texts_of(type_message(browser, row.case_no))
    found = texts_of(type_message(browser, row.id_last6))
    assert "查到了您的申请" in found and "调查核实中" in found and row.applicant_name not in found, found


def test_staff_takes_a_ticket_from_the_page_and_the_reply_reaches_it(browser: WebDriver, site: Site, tabs):
    browser.switch_to.window(tabs["resident"])
    start_over(browser, site)
    _, asked = press(browser, "联系工作人员")
    assert "想咨询" in texts_of(asked)
    assert "手机号码" in texts_of(type_message(browser, "我想问一下临时救助怎么申请"))
    timing = type_message(browser, "13812345678")
    assert "138****5678" in texts_of(timing, "me") and "13812345678" not in texts_of(timing, "me")
    created = texts_of(type_message(browser, "上午"))
    ticket = re.search(r"工单号：#(\d+)", created)
    assert ticket, created
    ticket_id = ticket.group(1)

    browser.switch_to.window(tabs["staff"])
    browser.set_window_size(*DESK)
    browser.get(site.url + "/staff")
    assert browser.current_url.endswith("/staff/login")
    browser.find_element(By.ID, "name").send_keys(STAFF_NAME)
    browser.find_element(By.ID, "password").send_keys(STAFF_PASSWORD)
    browser.find_element(By.ID, "login").click()
    row = f"#queue tr[data-id='{ticket_id}']"
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, row), f"ticket #{ticket_id} in the queue")
    screenshot(browser, "console-queue.png")
    browser.find_element(By.CSS_SELECTOR, f"{row} a").click()
    wait_until(browser, lambda d: d.find_elements(By.ID, "take"), "the take button")
    browser.find_element(By.ID, "take").click()
    wait_until(browser, lambda d: "已领取工单" in d.find_element(By.ID, "flash").text, "the ticket taken")
    browser.find_element(By.ID, "reply-text").send_keys("您好，我是县民政局的工作人员，明天上午给您回电。")
    browser.find_element(By.ID, "reply").click()
    wait_until(browser, lambda d: f"已发给工单#{ticket_id}" in d.find_element(By.ID, "flash").text, "the reply sent")
    screenshot(browser, "console-ticket.png")

    browser.switch_to.window(tabs["resident"])
    browser.set_window_size(*PHONE)
    wait_until(browser, lambda d: any(w == "pushed" and "明天上午给您回电" in t for w, t in entries(d)),
               "the staff reply on the resident page", poll=0.5)  # fmt: skip
    screenshot(browser, "resident-staff-reply.png")

    # the resident answers; it reaches the console of the staff member who took the ticket
    relayed = texts_of(type_message(browser, "好的，我等电话"))
    assert "已转给工作人员" in relayed, relayed
    browser.switch_to.window(tabs["staff"])
    wait_until(browser, lambda d: "我等电话" in d.find_element(By.ID, "inbox").text,
               "the resident's message in the console", poll=0.5)  # fmt: skip


def test_no_outside_resources_were_requested(browser: WebDriver, site: Site, tabs):
    browser.switch_to.window(tabs["resident"])
    try:
        names = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    except WebDriverException as exc:  # pragma: no cover - a browser without the resource timing API
        pytest.fail(f"resource timing unavailable: {exc}")
    assert names and all(n.startswith(site.url) for n in names), names
