"""The terminal front end driven through pipes (stdin is not a TTY), against a fake Rasa over HTTP."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

from bot import channels
from bot.channels import PermanentDeliveryError
from bot.frontends.core import ConversationCore
from bot.frontends.rasa_client import RasaClient
from bot.frontends.terminal import BYE, chat
from bot.identity import TERMINAL
from tests.auxil.rasa import FakeRasa


async def run_chat(rasa: FakeRasa, lines: list[str], name: str = "tester") -> str:
    stdin, stdout = io.StringIO("".join(line + "\n" for line in lines)), io.StringIO()
    async with RasaClient([rasa.url], timeout=2) as client:
        code = await chat(ConversationCore(rasa=client, pending_store=None), name=name, stdin=stdin, stdout=stdout)
    assert code == 0
    return stdout.getvalue()


async def test_buttons_are_numbered_and_typing_the_number_presses_it(fake_rasa):
    out = await run_chat(fake_rasa, ["/start", "1", "3", "/quit", "never sent"])
    assert "  [1] 低保申请条件" in out and "  [2] 临时救助" in out
    assert "（您选择了：低保申请条件）" in out
    assert "低保的条件是" in out
    # "3" is not a choice (the last reply had no buttons): it is sent as text
    assert fake_rasa.messages() == ["/greet", "/ask_dibao_eligibility", "3"]
    assert {r["sender"] for r in fake_rasa.requests} == {"term-tester"}
    assert out.rstrip().endswith(BYE)


async def test_staff_view_switches_the_sender_id(fake_rasa):
    out = await run_chat(fake_rasa, ["你好", "/staff", "/mycases", "/resident", "再见"])
    assert [r["sender"] for r in fake_rasa.requests] == ["term-tester", "term-staff", "term-tester"]
    assert fake_rasa.requests[1]["metadata"] == {"channel": "terminal", "command": "mycases", "args": ""}
    assert "工作人员视图" in out


async def test_end_of_input_quits(fake_rasa):
    out = await run_chat(fake_rasa, ["你好"])
    assert "收到（term-tester）：你好" in out and out.rstrip().endswith(BYE)


async def test_rasa_down_in_the_terminal_is_an_apology(fake_rasa):
    await fake_rasa.stop()
    out = await run_chat(fake_rasa, ["你好"])
    assert "抱歉，助手暂时无法回答" in out


async def test_lueyang_chat_command_over_a_pipe(fake_rasa, tmp_path):
    """The real CLI in a subprocess: `python -m bot chat --rasa-url ...` with stdin from a pipe."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "LUEYANG_VAR_DIR": str(tmp_path), "PYTHONPATH": str(root)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "chat", "--rasa-url", fake_rasa.url, "--name", "pipe",
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root, env=env,
    )
    out, err = await proc.communicate(b"/start\n2\n/quit\n")
    text = out.decode()
    assert proc.returncode == 0, err.decode()
    assert "[2] 临时救助" in text
    assert fake_rasa.messages() == ["/greet", "/ask_temp_relief"]
    assert fake_rasa.requests[0]["sender"] == "term-pipe"


class GatedInput(io.StringIO):
    """stdin whose end of input waits until ``gate`` is set (so background work can run during the chat)."""

    def __init__(self, text: str, gate: threading.Event) -> None:
        super().__init__(text)
        self.gate = gate

    def readline(self, *args) -> str:
        line = super().readline(*args)
        if line == "":
            self.gate.wait(10)
        return line


async def test_the_chat_is_the_terminal_channel_while_it_runs(fake_rasa):
    """Proactive messages (a staff reply, a resident's message to the staff view) reach the chat's sessions
    through the channel registry; other terminal sessions are not here (permanent: the outbox gives up)."""
    gate = threading.Event()
    outcome: dict[str, object] = {}

    async def staff_reply_arrives() -> None:
        await channels.deliver("term-tester", ["【工作人员回复】您好，我是民政局的工作人员。"])
        await channels.deliver("term-staff", ["【居民留言】我等电话"])
        try:
            await channels.deliver("term-someone-else", ["不在这里"])
        except PermanentDeliveryError as exc:
            outcome["other"] = exc
        gate.set()

    stdout = io.StringIO()
    async with RasaClient([fake_rasa.url], timeout=2) as client:
        core = ConversationCore(rasa=client, pending_store=None)
        code = await chat(core, name="tester", stdin=GatedInput("你好\n", gate), stdout=stdout,
                          background=[staff_reply_arrives])  # fmt: skip
    out = stdout.getvalue()
    assert code == 0 and gate.is_set()
    assert "（发给会话 term-tester 的消息）" in out and "【工作人员回复】您好" in out
    assert "（发给会话 term-staff 的消息）" in out and "【居民留言】我等电话" in out
    assert isinstance(outcome["other"], PermanentDeliveryError)
    assert TERMINAL not in channels.registered_channels()  # unregistered when the chat ends
