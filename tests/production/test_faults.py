"""Fault tests on the real production profile (PostgreSQL + Redis, 2 Rasa processes, 2 action servers).

Conversations go through the front end's conversation core and Rasa client, exactly as Telegram's do: a
stable hash of the sender id picks the Rasa process, a refused connection fails over to the next one.
The tests run in file order so that the expensive restarts are shared: each starts by bringing back whatever
an earlier test left stopped.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.cases.demo import demo_rows
from bot.cases.lookup import china_today
from bot.runner import Cluster, wait_http
from bot.settings import Settings
from tests.production.conftest import closed_port, step_of

pytestmark = [pytest.mark.rasa, pytest.mark.postgres, pytest.mark.redis]

# answers that move the pre-check one step on (question fragment -> answer); no crisis words (a fire would
# rightly start the emergency handoff instead)
ANSWERS = (
    ("户籍", "户籍在略阳"),
    ("遇到了什么情况", "看病花费大"),
    ("什么时候发生", "3天前"),
    ("享受低保", "都没有"),
    ("几口人", "3口人"),
    ("总收入", "每月两千五"),
    ("赔偿", "没有"),
    ("损失或要花的钱", "损失大概10万"),
    ("支出一共", "住院花了3万"),
    ("存款", "没有存款"),
    ("哪个镇", "接官亭镇"),
)


def answer_for(text: str) -> str:
    question = text.rsplit("步）", 1)[-1]
    return next(a for fragment, a in ANSWERS if fragment in question)


async def precheck_until(production, sender: str, step: int) -> str:
    """Start a pre-check and answer until question ``step`` is asked; returns that question's text."""
    text = await production.say(sender, "/precheck")
    assert step_of(text) == 1, text
    for expected in range(2, step + 1):
        text = await production.say(sender, answer_for(text))
        assert step_of(text) == expected, text
    return text


def assert_service_apology(reply: str) -> None:
    """The front end apologises for a temporary problem and gives a contact; it must not claim that it did
    not understand (the user would rephrase a perfectly good answer)."""
    assert step_of(reply) is None, reply
    assert "抱歉" in reply and "暂时" in reply, reply
    assert "没有理解" not in reply, reply


@pytest.fixture
def healthy(production):
    production.ensure_healthy()
    return production


@pytest.fixture(scope="module")
def demo_case():
    row = next(r for r in demo_rows(china_today()) if r.status == "调查核实中")
    return row.case_no, row.id_last6


async def test_status_lookup_and_policy_answers_in_production(healthy, demo_case):
    case_no, last6 = demo_case
    sender = healthy.sender_on(1)
    assert "案件编号" in await healthy.say(sender, "/status")
    assert "后六位" in await healthy.say(sender, case_no)
    reply = await healthy.say(sender, last6)
    assert f"查到了您的申请：{case_no}" in reply and "调查核实中" in reply
    policy = await healthy.say(healthy.sender_on(0), "低保需要什么条件")
    assert "低保" in policy and "暂时无法" not in policy


async def test_case_database_down_lookups_apologise_and_policy_still_works(healthy, demo_case):
    """The action server of process 0 loses its case database (DATABASE_URL at a closed port)."""
    case_no, last6 = demo_case
    dead_db = f"postgresql://postgres@127.0.0.1:{closed_port()}/lueyang_cases"
    healthy.cluster.restart("actions-0", env={"DATABASE_URL": dead_db}, timeout=60)
    try:
        sender = healthy.sender_on(0)
        assert "案件编号" in await healthy.say(sender, "/status")
        assert "后六位" in await healthy.say(sender, case_no)
        reply = await healthy.say(sender, last6)
        assert "案件查询系统暂时无法使用" in reply and "联系" in reply, reply
        assert case_no not in reply
        policy = await healthy.say(healthy.sender_on(0), "低保需要什么条件")
        assert "低保" in policy and "暂时无法" not in policy, policy
        assert "database error" in healthy.log("actions-0") or "case lookup: database unavailable" in healthy.log(
            "actions-0"
        )
    finally:
        healthy.cluster.restart("actions-0", timeout=60)


async def test_action_server_down_mid_form_apologises_then_the_form_continues(healthy):
    sender = healthy.sender_on(1)
    question = await precheck_until(healthy, sender, 3)
    healthy.cluster.kill("actions-1")
    raw = healthy.post(healthy.cluster.rasa_urls[1], healthy.sender_on(1), "低保需要什么条件")
    assert raw.status_code == 200 and raw.json() == []  # Rasa says nothing when it cannot run an action
    reply = await healthy.say(sender, answer_for(question))
    assert step_of(reply) is None and reply.startswith("抱歉"), reply  # no question, no progress
    healthy.cluster.restart("actions-1", timeout=60)
    reply = await healthy.say(sender, answer_for(question))
    assert step_of(reply) == 4, reply  # the same answer again: the form goes on from where it was


async def test_restart_everything_mid_precheck_resumes_at_the_same_step(healthy):
    sender = healthy.sender_on(0)
    question = await precheck_until(healthy, sender, 4)
    healthy.cluster.stop()
    healthy.cluster.start(echo=lambda *_: None)
    reply = await healthy.say(sender, answer_for(question))
    assert step_of(reply) == 5, reply


async def test_killing_one_rasa_process_mid_conversation_continues_on_another(healthy):
    sender = healthy.sender_on(0)
    question = await precheck_until(healthy, sender, 3)
    healthy.cluster.kill("rasa-0")  # SIGKILL between two messages of the conversation
    reply = await healthy.say(sender, answer_for(question))
    assert step_of(reply) == 4, reply  # answered by rasa-1 from the shared tracker store
    reply = await healthy.say(sender, answer_for(reply))
    assert step_of(reply) == 5, reply


async def test_redis_down_rasa_refuses_instead_of_corrupting_state(production, tmp_path):
    """A Rasa process whose lock store (Redis) is unreachable must not touch the conversation."""
    sender = production.sender_on(1)
    question = await precheck_until(production, sender, 2)
    events_before = production.tracker_events(sender)
    env = {**production.env, "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0", "LUEYANG_VAR_DIR": str(tmp_path)}
    settings = dataclasses.replace(Settings.from_env(env), root=production.cluster.settings.root)
    lonely = Cluster(settings=settings, model=production.cluster.model, rasa_port=17009,
                     action_port=production.cluster.action_port, log_dir=tmp_path / "logs", extra_env=env)
    try:
        lonely.start_rasa(0)
        wait_http(lonely.rasa_urls[0] + "/webhooks/secure_rest/", 240, lonely.children)
        response = production.post(lonely.rasa_urls[0], sender, answer_for(question))
        assert response.status_code != 200 or step_of(str(response.json())) is None, response.text
        reply = await production.say(sender, answer_for(question), urls=lonely.rasa_urls)
        assert step_of(reply) is None and reply.startswith("抱歉"), reply
        assert production.tracker_events(sender) == events_before  # nothing was written
        log = (tmp_path / "logs" / "rasa-0.log").read_text(errors="replace")
        assert "ConnectionError" in log or "Redis" in log, log[-2000:]
    finally:
        lonely.stop()
    # the healthy processes continue the conversation where it was
    reply = await production.say(sender, answer_for(question))
    assert step_of(reply) == 3, reply


async def test_front_end_apologises_for_a_temporary_problem_when_rasa_cannot_run_an_action(healthy):
    """With the action server (or the lock store) down Rasa answers 200 with no message at all."""
    healthy.cluster.kill("actions-0")
    try:
        assert_service_apology(await healthy.say(healthy.sender_on(0), "低保需要什么条件"))
    finally:
        healthy.cluster.restart("actions-0", timeout=60)
