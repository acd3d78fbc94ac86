"""Fixtures of the web channel's tests: the application on a canned Rasa (``CannedRasa``), a TestClient per
person (resident page, staff console), staff accounts with passwords and cases in two towns."""

from __future__ import annotations

import re
from datetime import date

import pytest
from starlette.testclient import TestClient

from bot.cases.staff import add_staff
from bot.db.models import Applicant, Case
from bot.db.session import session_scope
from bot.frontends.core import ConversationCore
from bot.frontends.web.accounts import set_password
from bot.frontends.web.app import build_app
from bot.settings import Settings
from tests.auxil.rasa import canned

SECRET = b"test-web-secret-" + b"x" * 32
PASSWORD = "correct horse battery"
JSON = {"Accept": "application/json"}
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


class CannedRasa:
    """An in-process Rasa REST channel for the ConversationCore: ``tests.auxil.rasa.canned`` replies."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict]] = []

    async def send(self, sender_id: str, message: str, metadata: dict | None = None) -> list[dict]:
        self.requests.append((sender_id, message, dict(metadata or {})))
        return canned(message, sender_id)

    def messages(self) -> list[str]:
        return [m for _, m, _ in self.requests]


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture
def rasa() -> CannedRasa:
    return CannedRasa()


@pytest.fixture
def web_settings(tmp_path) -> Settings:
    return Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path / "var"), "FLOOD_LIMIT_PER_MINUTE": "6"})


@pytest.fixture
def app(db, rasa, web_settings):
    return build_app(web_settings, ConversationCore(rasa=rasa, pending_store=None), secret=SECRET)


@pytest.fixture
def resident(app):
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.fixture
def staff_client(app):
    """A second browser (its own cookies) on the same application."""
    with TestClient(app, follow_redirects=False) as client:
        yield client


def add_account(name: str, role: str, towns: list[str], password: str | None = PASSWORD) -> int:
    with session_scope() as session:
        staff = add_staff(session, name, role, towns)
        if password is not None:
            set_password(session, staff, password)
        return staff.id


@pytest.fixture
def accounts(db) -> dict[str, int]:
    """A caseworker of 接官亭镇, one of 郭镇, a hotline member (all towns' tickets) and a person without password."""
    return {
        "wang": add_account("王经办", "caseworker", ["接官亭镇"]),
        "li": add_account("李经办", "caseworker", ["郭镇"]),
        "zhao": add_account("赵热线", "hotline", []),
        "nopw": add_account("钱无密码", "caseworker", ["接官亭镇"], password=None),
    }


@pytest.fixture
def cases(db) -> dict[str, str]:
    """One case in 接官亭镇 and one in 郭镇."""
    out = {}
    with session_scope() as s:
        for n, (town, no) in enumerate((("接官亭镇", "LY2024DB00011"), ("郭镇", "LY2024DB00022"))):
            applicant = Applicant(name=f"测试{n}", id_hash=f"{n}" * 64, id_last6_hash="0" * 64,
                                  id_masked="*" * 16 + "5X", town=town)  # fmt: skip
            s.add(Case(case_no=no, programme="低保", applicant=applicant, town=town, applied_on=date(2024, 9, 2),
                       accepted_on=date(2024, 9, 3), status="调查核实中", status_changed_on=date(2024, 9, 10)))  # fmt: skip
            out[town] = no
    return out


def open_page(client: TestClient) -> str:
    """Open the resident page; the CSRF token of its session."""
    page = client.get("/")
    assert page.status_code == 200
    return csrf_of(page.text)


def say(client: TestClient, csrf: str, text: str = "", *, payload: str = "", headers: dict | None = None):
    data = {"csrf": csrf, "payload": payload} if payload else {"csrf": csrf, "text": text}
    return client.post("/send", data=data, headers=JSON if headers is None else headers)


def log_in(client: TestClient, name: str, password: str = PASSWORD):
    page = client.get("/staff/login")
    assert page.status_code == 200
    return client.post("/staff/login", data={"csrf": csrf_of(page.text), "name": name, "password": password})


def console_csrf(client: TestClient) -> str:
    page = client.get("/staff")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)
