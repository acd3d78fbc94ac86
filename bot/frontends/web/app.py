"""The web channel's ASGI application (Starlette): the resident chat page and the staff console.

Resident page (``/``): one page session per browser (signed cookie ``ly_chat``, see ``sessions``), messages and
button presses go through the same ``ConversationCore`` as Telegram (commands, input checks, issued buttons,
masking, the apology when Rasa is down), with Telegram's per-user flood limit. It works without JavaScript
(forms, redirect after post); ``static/chat.js`` sends without reloading and polls ``/updates`` for proactive
messages (staff replies). Every POST needs the session's CSRF token, and an ``Origin`` of another site is refused;
bodies over ``MAX_BODY_BYTES`` are refused with 413.

Staff console (``/staff``): login with a staff account's password (``accounts``), then the ticket queue (polled
by ``static/console.js``), a ticket with take/reply/close, case lookup within the staff member's towns and the
hotline script search, the visit lists (issue 17) and the monitoring tasks (issue 18) (``console``). Every console request asks ``bot.staff_access`` who the login is.

``build_app`` registers the web channel's deliverer (``bot.channels``) while the application runs and starts
the ``background`` jobs (``lueyang web`` passes the outbox worker).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import channels
from bot.audit.log import record
from bot.clock import to_china
from bot.db.session import session_scope
from bot.errors import AccessDenied, DatabaseUnavailable, InputError, NotFound
from bot.frontends import texts as core_texts
from bot.frontends.core import ConversationCore, Reply, clean_input, parse_command
from bot.frontends.flood import FloodLimiter
from bot.frontends.web import accounts, console, texts
from bot.frontends.web.sessions import (
    CHAT_COOKIE,
    CHAT_COOKIE_DAYS,
    LOGIN_COOKIE,
    SIZE_COOKIE,
    STAFF_COOKIE,
    STAFF_LOGIN_HOURS,
    Signer,
    StaffLogin,
    StaffLogins,
    new_conversation,
    same_token,
)
from bot.frontends.web.transcript import BOT, ME, Transcripts, current_buttons
from bot.identity import WEB, SenderIdentity
from bot.settings import Settings

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
MAX_BODY_BYTES = 32 * 1024  # 2000 Chinese characters form-encoded are ~18 KB
NEW_SESSIONS_PER_MINUTE = 30  # page sessions one client address may start per minute
LOGIN_ATTEMPTS_PER_MINUTE = 10  # console login attempts per client address per minute
POLL_SECONDS = 4

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # "no-referrer" would make browsers send "Origin: null" on our own forms
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

Job = Callable[[], Awaitable[None]]


class TooBig(Exception):
    pass


class SecurityHeaders:
    """Pure ASGI middleware: the security headers on every response; dynamic pages are not cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += SECURITY_HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def read_form(request: Request, limit: int = MAX_BODY_BYTES) -> dict[str, str]:
    """The URL-encoded form of a POST, read up to ``limit`` bytes (``TooBig`` beyond it)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooBig
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooBig
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and kind != "application/x-www-form-urlencoded":
        return {}
    try:
        parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=20)
    except ValueError:  # too many fields
        return {}
    return {key: values[0] for key, values in parsed.items()}


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


class WebChannel:
    """Per-process state of the web channel and its request handlers."""

    def __init__(
        self,
        settings: Settings,
        core: ConversationCore,
        *,
        secret: bytes,
        background: Sequence[Job] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.core = core
        self.signer = Signer(secret)
        self.transcripts = Transcripts()
        self.logins = StaffLogins()
        self.flood = FloodLimiter(settings.flood_limit_per_minute, 60.0, clock=clock)
        self.new_sessions = FloodLimiter(NEW_SESSIONS_PER_MINUTE, 60.0, clock=clock)
        self.login_attempts = FloodLimiter(LOGIN_ATTEMPTS_PER_MINUTE, 60.0, clock=clock)
        self.background = list(background)
        self.secure = settings.web_public_url.startswith("https://")
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.templates.env.trim_blocks = True  # no blank lines from template tags: a lighter page
        self.templates.env.lstrip_blocks = True
        self.flash: dict[str, str] = {}  # console login token -> the result of its last action
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    # -- helpers -------------------------------------------------------------------------------------------
    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    def _client(self, request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def _origin_ok(self, request: Request) -> bool:
        """A browser's POST from another site is refused (with the CSRF token, a second line of defence)."""
        origin = request.headers.get("origin")
        if not origin or origin == "null":  # not sent, or hidden by the browser: the CSRF token decides
            return True
        allowed = {f"{request.url.scheme}://{request.url.netloc}"}
        if self.settings.web_public_url:
            parts = urlsplit(self.settings.web_public_url)
            allowed.add(f"{parts.scheme}://{parts.netloc}")
        return origin.rstrip("/") in allowed

    def page(self, request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        large = request.cookies.get(SIZE_COOKIE) == "large"
        base = {"texts": texts, "large": large, "poll_seconds": POLL_SECONDS}
        return self.templates.TemplateResponse(request, name, {**base, **context}, status_code=status)

    def refuse(self, request: Request, status: int, message: str, *, title: str | None = None) -> Response:
        if wants_json(request) or request.url.path.startswith(("/updates", "/staff/api/")):
            return JSONResponse({"error": message}, status_code=status)
        return self.page(request, "error.html", {"message": message, "title": title or texts.TITLE}, status)

    def _cookie(self, response: Response, key: str, value: str, *, max_age: int, path: str = "/",
                samesite: str = "lax") -> None:  # fmt: skip
        response.set_cookie(key, value, max_age=max_age, path=path, secure=self.secure, httponly=True,
                            samesite=samesite)  # type: ignore[arg-type]  # fmt: skip

    # -- resident page -------------------------------------------------------------------------------------
    def _chat_identity(self, request: Request) -> SenderIdentity | None:
        return self.signer.conversation_of(request.cookies.get(CHAT_COOKIE))

    async def chat_page(self, request: Request) -> Response:
        identity = self._chat_identity(request)
        new = identity is None
        if new:
            if not self.new_sessions.check(self._client(request)).allowed:
                return self.refuse(request, 429, texts.TOO_MANY_SESSIONS)
            identity = new_conversation()
        sender = str(identity)
        if not self.transcripts.entries(sender):
            self.transcripts.add_replies(sender, self.core.help_replies(sender))
        entries = self.transcripts.entries(sender)
        response = self.page(
            request,
            "chat.html",
            {
                "entries": entries,
                "active": current_buttons(entries),
                "csrf": self.signer.chat_csrf(identity),
                "last_seq": self.transcripts.last_seq(sender),
            },
        )
        if new:
            self._cookie(response, CHAT_COOKIE, self.signer.chat_cookie(identity.chat),
                         max_age=CHAT_COOKIE_DAYS * 86400)  # fmt: skip
        return response

    async def _chat_post(self, request: Request) -> tuple[SenderIdentity, dict[str, str]] | Response:
        identity = self._chat_identity(request)
        if identity is None:
            return self.refuse(request, 401, texts.SESSION_EXPIRED)
        try:
            form = await read_form(request)
        except TooBig:
            log.info("%s: request body over %d bytes refused", identity, MAX_BODY_BYTES)
            return self.refuse(request, 413, texts.TOO_BIG)
        if not self._origin_ok(request) or not same_token(self.signer.chat_csrf(identity), form.get("csrf")):
            log.info("%s: POST without a valid CSRF token or from another origin refused", identity)
            return self.refuse(request, 403, texts.CSRF_FAILED)
        return identity, form

    def _after_send(self, request: Request, sender: str, before: int, status: int = 200) -> Response:
        if wants_json(request):
            entries = self.transcripts.after(sender, before)
            return JSONResponse(
                {"entries": [e.as_json() for e in entries], "last": self.transcripts.last_seq(sender)},
                status_code=status,
            )
        return RedirectResponse("/#latest", status_code=303)

    async def send(self, request: Request) -> Response:
        checked = await self._chat_post(request)
        if isinstance(checked, Response):
            return checked
        identity, form = checked
        sender = str(identity)
        before = self.transcripts.last_seq(sender)
        decision = self.flood.check(sender)
        if not decision.allowed:
            log.info("flood limit reached for %s", sender)
            if decision.warn:
                self.transcripts.add(sender, BOT, core_texts.FLOOD)
            return self._after_send(request, sender, before, status=429)
        async with self._lock(sender):
            before = self.transcripts.last_seq(sender)
            payload = (form.get("payload") or "").strip()
            if payload:
                title = self.transcripts.button_title(sender, payload)
                self.transcripts.add(sender, ME, texts.BUTTON_CHOSEN.format(title=title) if title else texts.BUTTON_UNKNOWN)
                replies = await self.core.handle_button(sender, payload, channel=WEB)
            else:
                text = form.get("text") or ""
                if clean_input(text):
                    self.transcripts.add(sender, ME, clean_input(text)[: self.core.max_chars])
                parsed = parse_command(clean_input(text))
                if parsed is not None and parsed.name == "bind":
                    replies = [Reply(texts.BIND_ON_WEB)]
                else:
                    replies = await self.core.handle_text(sender, text, channel=WEB)
            self.transcripts.add_replies(sender, replies)
        return self._after_send(request, sender, before)

    async def updates(self, request: Request) -> Response:
        identity = self._chat_identity(request)
        if identity is None:
            return self.refuse(request, 401, texts.SESSION_EXPIRED)
        after = request.query_params.get("after", "0")
        seq = int(after) if after.isdigit() else 0
        sender = str(identity)
        entries = self.transcripts.after(sender, seq)
        return JSONResponse({"entries": [e.as_json() for e in entries], "last": self.transcripts.last_seq(sender)})

    async def text_size(self, request: Request) -> Response:
        checked = await self._chat_post(request)
        if isinstance(checked, Response):
            return checked
        _, form = checked
        large = form.get("large", "") in {"1", "true", "on"}
        response: Response
        if wants_json(request):
            response = JSONResponse({"large": large})
        else:
            response = RedirectResponse("/", status_code=303)
        self._cookie(response, SIZE_COOKIE, "large" if large else "normal", max_age=365 * 86400)
        return response

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    # -- staff console: login ------------------------------------------------------------------------------
    def _login(self, request: Request) -> StaffLogin | None:
        return self.logins.get(request.cookies.get(STAFF_COOKIE))

    async def login_page(self, request: Request, *, error: str = "", status: int = 200) -> Response:
        nonce = request.cookies.get(LOGIN_COOKIE) or ""
        fresh = len(nonce) < 16
        if fresh:
            nonce = new_conversation().chat
        response = self.page(
            request,
            "login.html",
            {"csrf": self.signer.login_csrf(nonce), "error": error, "bye": request.query_params.get("bye") == "1"},
            status,
        )
        if fresh:
            self._cookie(response, LOGIN_COOKIE, nonce, max_age=3600, path="/staff", samesite="strict")
        return response

    async def login(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except TooBig:
            return self.refuse(request, 413, texts.TOO_BIG)
        nonce = request.cookies.get(LOGIN_COOKIE) or ""
        if len(nonce) < 16 or not self._origin_ok(request) or not same_token(self.signer.login_csrf(nonce), form.get("csrf")):
            return self.refuse(request, 403, texts.CSRF_FAILED, title=texts.CONSOLE_TITLE)
        if not self.login_attempts.check(self._client(request)).allowed:
            return await self.login_page(request, error=texts.TOO_MANY_SESSIONS, status=429)
        name, password = form.get("name", "")[:64], form.get("password", "")

        def check() -> accounts.LoginResult:
            with session_scope() as session:
                return accounts.authenticate(session, name, password, settings=self.settings)

        try:
            result = await asyncio.to_thread(check)
        except (DatabaseUnavailable, SQLAlchemyError):
            return await self.login_page(request, error=texts.DB_DOWN, status=503)
        if result.outcome == "locked":
            until = to_china(result.locked_until).strftime("%H:%M") if result.locked_until else ""
            return await self.login_page(request, error=texts.LOGIN_LOCKED.format(until=until), status=429)
        if result.outcome != "ok" or result.staff_id is None:
            return await self.login_page(request, error=texts.LOGIN_FAILED, status=401)
        login = self.logins.start(result.staff_id, result.name or "")
        await asyncio.to_thread(record, str(login.sender), "web_login", role="staff", staff_id=login.staff_id)
        response = RedirectResponse("/staff", status_code=303)
        self._cookie(response, STAFF_COOKIE, login.token, max_age=STAFF_LOGIN_HOURS * 3600, path="/staff",
                     samesite="strict")  # fmt: skip
        response.delete_cookie(LOGIN_COOKIE, path="/staff")
        return response

    async def logout(self, request: Request) -> Response:
        login = self._login(request)
        if login is not None:
            try:
                form = await read_form(request)
            except TooBig:
                return self.refuse(request, 413, texts.TOO_BIG)
            if not same_token(login.csrf, form.get("csrf")) or not self._origin_ok(request):
                return self.refuse(request, 403, texts.CSRF_FAILED, title=texts.CONSOLE_TITLE)
            self.logins.end(login.token)
            self.flash.pop(login.token, None)
            await asyncio.to_thread(record, str(login.sender), "web_logout", role="staff", staff_id=login.staff_id)
        response = RedirectResponse("/staff/login?bye=1", status_code=303)
        response.delete_cookie(STAFF_COOKIE, path="/staff")
        return response

    # -- staff console: pages ------------------------------------------------------------------------------
    async def _staff(self, request: Request, *, post: bool = False) -> tuple[StaffLogin, Any, dict[str, str]] | Response:
        """The login, its staff member (``bot.staff_access``) and, for a POST, the checked form."""
        login = self._login(request)
        if login is None:
            if wants_json(request) or post or request.url.path.startswith("/staff/api/"):
                return self.refuse(request, 401, texts.LOGIN_REQUIRED, title=texts.CONSOLE_TITLE)
            return RedirectResponse("/staff/login", status_code=303)
        form: dict[str, str] = {}
        if post:
            try:
                form = await read_form(request)
            except TooBig:
                return self.refuse(request, 413, texts.TOO_BIG, title=texts.CONSOLE_TITLE)
            if not same_token(login.csrf, form.get("csrf")) or not self._origin_ok(request):
                log.info("console POST without a valid CSRF token refused (staff %s)", login.staff_id)
                return self.refuse(request, 403, texts.CSRF_FAILED, title=texts.CONSOLE_TITLE)
        try:
            member = await asyncio.to_thread(console.whoami, login.sender)
        except console.NotStaff:
            self.logins.end_all(login.staff_id)
            return self.refuse(request, 403, texts.NOT_STAFF, title=texts.CONSOLE_TITLE)
        except (DatabaseUnavailable, SQLAlchemyError):
            return self.refuse(request, 503, texts.DB_DOWN, title=texts.CONSOLE_TITLE)
        return login, member, form

    def _console_page(self, request: Request, login: StaffLogin, member, name: str, context: dict[str, Any],
                      status: int = 200) -> Response:  # fmt: skip
        sender = str(login.sender)
        base = {
            "me": member,
            "csrf": login.csrf,
            "flash": self.flash.pop(login.token, ""),
            "inbox": self.transcripts.entries(sender)[-20:],
            "inbox_last": self.transcripts.last_seq(sender),
        }
        return self.page(request, name, {**base, **context}, status)

    async def _db_call(self, request: Request, func: Callable[..., Any], *args: Any) -> Any:
        """``func(*args)`` in a thread; a Response for the errors every console page maps the same way."""
        try:
            return await asyncio.to_thread(func, *args)
        except console.NotStaff:
            return self.refuse(request, 403, texts.NOT_STAFF, title=texts.CONSOLE_TITLE)
        except NotFound:
            return self.refuse(request, 404, texts.TICKET_NOT_FOUND, title=texts.CONSOLE_TITLE)
        except AccessDenied:
            return self.refuse(request, 403, texts.TICKET_DENIED, title=texts.CONSOLE_TITLE)
        except InputError as exc:
            return self.refuse(request, 400, exc.reason, title=texts.CONSOLE_TITLE)
        except (DatabaseUnavailable, SQLAlchemyError):
            return self.refuse(request, 503, texts.DB_DOWN, title=texts.CONSOLE_TITLE)

    async def _staff_list_page(
        self, request: Request, fetch: Callable[[Any], Any], template: str, key: str
    ) -> Response:
        """A console page that shows what ``fetch(staff sender)`` returns: the staff check, the database call
        with its error pages, the page."""
        checked = await self._staff(request)
        if isinstance(checked, Response):
            return checked
        login, member, _ = checked
        value = await self._db_call(request, fetch, login.sender)
        if isinstance(value, Response):
            return value
        return self._console_page(request, login, member, template, {key: value})

    async def console_home(self, request: Request) -> Response:
        return await self._staff_list_page(
            request, lambda sender: console.queue(sender, audit=True), "console.html", "rows"
        )

    async def console_queue(self, request: Request) -> Response:
        checked = await self._staff(request)
        if isinstance(checked, Response):
            return checked
        login, _, _ = checked
        rows = await self._db_call(request, console.queue, login.sender)
        if isinstance(rows, Response):
            return rows
        after = request.query_params.get("after", "0")
        sender = str(login.sender)
        inbox = self.transcripts.after(sender, int(after) if after.isdigit() else 0)
        return JSONResponse(
            {
                "tickets": [r.as_json() for r in rows],
                "inbox": [e.as_json() for e in inbox],
                "last": self.transcripts.last_seq(sender),
            }
        )

    async def ticket_page(self, request: Request) -> Response:
        checked = await self._staff(request)
        if isinstance(checked, Response):
            return checked
        login, member, _ = checked
        detail = await self._db_call(request, console.ticket, login.sender, request.path_params["ticket_id"])
        if isinstance(detail, Response):
            return detail
        return self._console_page(request, login, member, "ticket.html", {"t": detail})

    async def ticket_action(self, request: Request) -> Response:
        checked = await self._staff(request, post=True)
        if isinstance(checked, Response):
            return checked
        login, _, form = checked
        ticket_id, action = request.path_params["ticket_id"], request.path_params["action"]
        if action not in console.ACTIONS:
            return self.refuse(request, 404, texts.NOT_FOUND, title=texts.CONSOLE_TITLE)
        text = (form.get("text") or "").strip()
        result = await self._db_call(request, console.act, login.sender, action, ticket_id, text)
        if isinstance(result, Response):
            return result
        if wants_json(request):
            return JSONResponse({"message": result})
        self.flash[login.token] = result
        return RedirectResponse(f"/staff/tickets/{ticket_id}", status_code=303)

    async def cases_page(self, request: Request) -> Response:
        post = request.method == "POST"
        checked = await self._staff(request, post=post)
        if isinstance(checked, Response):
            return checked
        login, member, form = checked
        context: dict[str, Any] = {"kind": "cases", "query": "", "result": None}
        status = 200
        if post:
            query = (form.get("q") or "").strip()
            context["query"] = query
            result = await self._db_call(request, console.case_lookup, login.sender, query)
            if isinstance(result, Response):
                return result
            context["result"] = result.text
            if result.outcome == "denied":
                status = 403
        return self._console_page(request, login, member, "lookup.html", context, status)

    async def scripts_page(self, request: Request) -> Response:
        checked = await self._staff(request)
        if isinstance(checked, Response):
            return checked
        login, member, _ = checked
        query = (request.query_params.get("q") or "").strip()
        context: dict[str, Any] = {"kind": "scripts", "query": query, "result": None, "related": ()}
        if query:
            result = await self._db_call(request, console.script, login.sender, query)
            if isinstance(result, Response):
                return result
            context.update(result=result.text, related=result.related)
        return self._console_page(request, login, member, "lookup.html", context)

    async def visits_page(self, request: Request) -> Response:
        return await self._staff_list_page(request, console.visit_lists, "visits.html", "lists")

    async def tasks_page(self, request: Request) -> Response:
        return await self._staff_list_page(request, console.monitoring_tasks, "tasks.html", "tasks")

    # -- errors --------------------------------------------------------------------------------------------
    async def not_found(self, request: Request, exc: Exception) -> Response:
        return self.refuse(request, 404, texts.NOT_FOUND)

    async def server_error(self, request: Request, exc: Exception) -> Response:
        log.error("web request failed: %s", type(exc).__name__)
        return self.refuse(request, 500, texts.SERVER_ERROR)

    # -- the application -----------------------------------------------------------------------------------
    def routes(self) -> list:
        return [
            Route("/", self.chat_page, methods=["GET"]),
            Route("/send", self.send, methods=["POST"]),
            Route("/updates", self.updates, methods=["GET"]),
            Route("/size", self.text_size, methods=["POST"]),
            Route("/healthz", self.health, methods=["GET"]),
            Route("/staff/login", self.login_page, methods=["GET"]),
            Route("/staff/login", self.login, methods=["POST"]),
            Route("/staff/logout", self.logout, methods=["POST"]),
            Route("/staff", self.console_home, methods=["GET"]),
            Route("/staff/api/queue", self.console_queue, methods=["GET"]),
            Route("/staff/tickets/{ticket_id:int}", self.ticket_page, methods=["GET"]),
            Route("/staff/tickets/{ticket_id:int}/{action}", self.ticket_action, methods=["POST"]),
            Route("/staff/cases", self.cases_page, methods=["GET", "POST"]),
            Route("/staff/scripts", self.scripts_page, methods=["GET"]),
            Route("/staff/visits", self.visits_page, methods=["GET"]),
            Route("/staff/tasks", self.tasks_page, methods=["GET"]),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ]

    @asynccontextmanager
    async def lifespan(self, app: Starlette):
        deliverer = self.transcripts.deliver
        channels.register(WEB, deliverer)
        tasks = [asyncio.create_task(_run_job(job)) for job in self.background]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            channels.unregister(WEB, deliverer)
            close = getattr(self.core.rasa, "aclose", None)
            if close is not None:
                await close()


async def _run_job(job: Job) -> None:
    try:
        await job()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("background job %s stopped with an error", getattr(job, "__name__", job))


def build_app(
    settings: Settings,
    core: ConversationCore,
    *,
    secret: bytes,
    background: Sequence[Job] = (),
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """The web channel's application; ``app.state.web`` is its ``WebChannel``."""
    web = WebChannel(settings, core, secret=secret, background=background, clock=clock)
    app = Starlette(
        routes=web.routes(),
        lifespan=web.lifespan,
        exception_handlers={404: web.not_found, 500: web.server_error},
    )
    app.add_middleware(SecurityHeaders)
    app.state.web = web
    return app
