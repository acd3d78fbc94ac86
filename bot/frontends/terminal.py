"""Chat with the assistant in a terminal (the run command's default when no Telegram token is set).

Buttons are shown as numbered choices: typing the number presses the button. ``/staff`` switches to the
staff view (the terminal session named ``staff``, which the demo data binds to its demo staff record),
``/resident`` back; ``/quit`` (or end of input) leaves. Works with a pipe as stdin, so tests can drive it.

While it runs, the chat is the terminal channel's deliverer (``bot.channels``): proactive messages for its two
sessions (a staff reply to the resident, a resident's message to the staff view) are printed; ``run_terminal``
can run the outbox worker alongside (``background``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TextIO

from bot import channels
from bot.frontends.core import Button, ConversationCore, Reply
from bot.frontends.logs import configure_frontend_logging
from bot.frontends.rasa_client import RasaClient
from bot.identity import TERMINAL, SenderIdentity, terminal_sender
from bot.settings import Settings

log = logging.getLogger(__name__)

BOT_PREFIX = "助手："
QUIT_COMMANDS = {"/quit", "/exit", "/q"}

WELCOME = (
    "略阳县社会救助助手（终端版）。直接输入文字提问；出现编号选项时输入数字即可选择。\n"
    "/help 查看功能，/staff 切换到工作人员视图（演示账号），/resident 切换回居民视图，/quit 退出。"
)
STAFF_ON = "已切换到工作人员视图（演示工作人员账号，会话 {sender}）。输入 /resident 切换回居民视图。"
STAFF_OFF = "已切换回居民视图（会话 {sender}）。"
BYE = "再见！"
PROACTIVE = "（发给会话 {sender} 的消息）"
STAFF_VIEW_NAME = "staff"  # the demo data binds this terminal session to its demo staff record


class TerminalChat:
    def __init__(self, core: ConversationCore, *, name: str = "local", stdin: TextIO, stdout: TextIO) -> None:
        self.core = core
        self.resident_sender = terminal_sender(name).sender_id
        self.staff_sender = terminal_sender(STAFF_VIEW_NAME).sender_id
        self.sender_id = self.resident_sender
        self.stdin = stdin
        self.stdout = stdout
        self.choices: list[Button] = []
        self.interactive = bool(getattr(stdin, "isatty", lambda: False)())

    def say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def show(self, replies: list[Reply], *, keep_choices: bool = False) -> None:
        if not keep_choices:
            self.choices = []
        for reply in replies:
            if reply.image:
                self.say(f"{BOT_PREFIX}[图片] {reply.image}")
            if reply.text:
                lines = reply.text.split("\n")
                self.say(BOT_PREFIX + lines[0])
                for line in lines[1:]:
                    self.say(" " * 3 + line)
            for button in reply.buttons:
                self.choices.append(button)
                self.say(f"  [{len(self.choices)}] {button.title}")

    async def deliver(self, identity: SenderIdentity, messages: Sequence[str]) -> None:
        """The terminal channel's deliverer: prints proactive messages for this chat's two sessions."""
        if identity.sender_id not in (self.resident_sender, self.staff_sender):
            raise channels.PermanentDeliveryError(f"terminal session {identity.sender_id!r} is not open here")
        self.say(PROACTIVE.format(sender=identity.sender_id))
        self.show([Reply(str(m)) for m in messages], keep_choices=True)
        if self.interactive:
            self.stdout.write("> ")
            self.stdout.flush()

    async def read_line(self) -> str | None:
        if self.interactive:
            self.stdout.write("> ")
            self.stdout.flush()
        line = await asyncio.to_thread(self.stdin.readline)
        if line == "":
            return None  # end of input
        return line.rstrip("\r\n")

    async def handle(self, line: str) -> bool:
        """Process one input line; False when the user leaves."""
        stripped = line.strip()
        if stripped.lower() in QUIT_COMMANDS:
            return False
        if stripped.lower() == "/staff":
            self.sender_id = self.staff_sender
            self.choices = []
            self.say(STAFF_ON.format(sender=self.sender_id))
            return True
        if stripped.lower() == "/resident":
            self.sender_id = self.resident_sender
            self.choices = []
            self.say(STAFF_OFF.format(sender=self.sender_id))
            return True
        if stripped.isdigit() and self.choices and 1 <= int(stripped) <= len(self.choices):
            button = self.choices[int(stripped) - 1]
            self.say(f"（您选择了：{button.title}）")
            replies = await self.core.handle_button(self.sender_id, button.payload, channel="terminal")
        else:
            replies = await self.core.handle_text(self.sender_id, line, channel="terminal")
        self.show(replies)
        return True

    async def run(self) -> int:
        self.say(WELCOME)
        while True:
            line = await self.read_line()
            if line is None or not await self.handle(line):
                break
        self.say(BYE)
        return 0


async def chat(
    core: ConversationCore,
    *,
    name: str = "local",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    background: Sequence[Callable[[], Awaitable[None]]] = (),
) -> int:
    """Run the chat; while it runs it is the terminal channel's deliverer and ``background`` jobs run beside it
    (e.g. the outbox worker), cancelled when the chat ends."""
    terminal = TerminalChat(core, name=name, stdin=stdin or sys.stdin, stdout=stdout or sys.stdout)
    with channels.registered(TERMINAL, terminal.deliver):
        tasks = [asyncio.create_task(_run_job(job)) for job in background]
        try:
            return await terminal.run()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _run_job(job: Callable[[], Awaitable[None]]) -> None:
    try:
        await job()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("background job %s stopped with an error", getattr(job, "__name__", job))


def run_terminal(
    settings: Settings,
    *,
    name: str = "local",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    background: Sequence[Callable[[], Awaitable[None]]] = (),
) -> int:
    """Blocking entry point used by `lueyang run` and `lueyang chat`."""
    # the chat owns the terminal: only warnings and errors go to stderr
    configure_frontend_logging(dataclasses.replace(settings, log_level="WARNING"))
    logging.getLogger("bot.frontends").setLevel(logging.WARNING)

    async def main() -> int:
        async with RasaClient.from_settings(settings) as rasa:
            return await chat(ConversationCore(rasa=rasa), name=name, stdin=stdin, stdout=stdout, background=background)

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return 0
