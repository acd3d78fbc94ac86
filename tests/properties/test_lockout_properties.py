"""Property test of the case-lookup lockout (issue 14 items 1 and 2) through the real entry point
(``bot.cases.service.status_reply``), with a controllable clock.

Random interleavings of right and wrong (case number, last six) pairs from several Telegram users, each writing
from their private chat and from group chats, against several case numbers (one unknown). Whatever the order:

- a group chat never reaches the lookup (a pointer to a private chat, no case data);
- a pair is checked only while its user and its case number have had fewer than 5 checked wrong guesses in the
  hour before it, whatever successes came between, so no more than 5 wrong guesses per hour per case and per
  user get an answer;
- a refusal is never arbitrary: one of the attempt's subjects had 5 checked failures within an hour, the
  last of them less than an hour ago;
- checked right pairs find their case, the bookkeeping in ``verification_attempts`` matches what was answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from bot.cases import lookup, replies, service
from bot.cases.demo import demo_rows
from bot.cases.importer import ImportReport, write_rows
from bot.db import migrate
from bot.db.models import AuditEntry, OutboxMessage, VerificationAttempt
from bot.db.session import make_engine, session_scope, set_engine

TODAY = dt.date(2025, 6, 30)
START = dt.datetime(2025, 6, 30, 1, 0)  # naive UTC
WINDOW = dt.timedelta(hours=1)
LIMIT = 5
USERS = (31001, 31002, 31003)
GROUPS = (-1003100001, -1003100002)
UNKNOWN_CASE = "LY2025DB00001"  # never issued to the demo rows (their serials start at 90001)

ROWS = demo_rows(TODAY)[:3]
CASES = (*(r.case_no for r in ROWS), UNKNOWN_CASE)
RIGHT = {r.case_no: r.id_last6 for r in ROWS}


def wrong_last6(case_no: str, n: int) -> str:
    candidates = [f"{n:05d}{d}" for d in "0123456789X"]
    return next(c for c in candidates if c != RIGHT.get(case_no))


@pytest.fixture(scope="module")
def case_db(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('lockout-props') / 'cases.db'}")
    migrate.upgrade(engine)
    set_engine(engine)
    with session_scope() as s:
        write_rows(s, ROWS, ImportReport(), source="property-test")
    yield engine
    set_engine(None)
    engine.dispose()


@dataclass(frozen=True)
class Step:
    user: int
    chat: int  # == user: the private chat; negative: a group
    case_no: str
    right: bool
    guess: int
    advance: dt.timedelta  # clock moves forward this much before the attempt


@st.composite
def steps(draw) -> Step:
    user = draw(st.sampled_from(USERS))
    chat = draw(st.sampled_from((user, user, user, *GROUPS)))
    return Step(
        user=user,
        chat=chat,
        case_no=draw(st.sampled_from(CASES)),
        right=draw(st.booleans()),
        guess=draw(st.integers(0, 99999)),
        advance=dt.timedelta(
            seconds=draw(st.one_of(st.just(0), st.integers(1, 120), st.integers(121, 1500), st.integers(1501, 5400)))
        ),
    )


@dataclass(frozen=True)
class Attempt:
    at: dt.datetime
    user: int
    case_no: str
    right: bool
    checked: bool
    outcome: str


def interleaving_attack(rounds: int = 5) -> list[Step]:
    """Issue 14 item 1: 4 wrong guesses at another's case, 1 right lookup of one's own, again and again."""
    user = USERS[0]
    out = []
    for _ in range(rounds):
        out += [Step(user, user, CASES[1], False, n, dt.timedelta(seconds=6)) for n in range(4)]
        out.append(Step(user, user, CASES[0], True, 0, dt.timedelta(seconds=6)))
    return out


def run(sequence: list[Step]) -> list[Attempt]:
    with session_scope() as s:
        for model in (VerificationAttempt, AuditEntry, OutboxMessage):
            s.execute(delete(model))
    clock = [START]
    seen: list[lookup.ResidentResult] = []
    real_lookup = service.resident_lookup

    def spy(*args, **kwargs):
        result = real_lookup(*args, **kwargs)
        seen.append(result)
        return result

    attempts: list[Attempt] = []
    with mock.patch.object(lookup, "utcnow", lambda: clock[0]), mock.patch.object(service, "resident_lookup", spy):
        for step in sequence:
            clock[0] += step.advance
            last6 = RIGHT[step.case_no] if step.right and step.case_no in RIGHT else wrong_last6(step.case_no, step.guess)
            before = len(seen)
            reply = service.status_reply(f"tg-{step.chat}-{step.user}", case_no=step.case_no, id_last6=last6)
            if step.chat != step.user:  # a group chat: never a lookup, never case data
                assert len(seen) == before
                assert reply.text == replies.private_chat_only() and reply.shown == ()
                continue
            assert len(seen) == before + 1
            result = seen[-1]
            right = step.right and step.case_no in RIGHT
            attempts.append(Attempt(clock[0], step.user, step.case_no, right, result.checked, result.outcome))
            if result.checked:
                assert result.outcome == ("found" if right else result.outcome)
                assert (result.outcome == "found") == right
                assert (step.case_no in reply.shown) == right
            else:
                assert result.outcome == "locked" and reply.shown == ()
    return attempts


def failures_of(attempts: list[Attempt], subject) -> list[dt.datetime]:
    return [a.at for a in attempts if a.checked and not a.right and subject(a)]


def count_in(times: list[dt.datetime], start: dt.datetime, end: dt.datetime) -> int:
    """Failures in (start, end]."""
    return sum(1 for t in times if start < t <= end)


@settings(max_examples=max(20, settings().max_examples // 3))
@given(st.lists(steps(), min_size=1, max_size=45))
@example(interleaving_attack())
def test_no_more_than_five_wrong_guesses_per_hour_per_case_and_per_user(case_db, sequence):
    attempts = run(sequence)
    subjects = [("user", u, lambda a, u=u: a.user == u) for u in USERS]
    subjects += [("case", c, lambda a, c=c: a.case_no == c) for c in CASES]
    for i, attempt in enumerate(attempts):
        earlier = attempts[:i]
        mine = [
            (kind, value, pick) for kind, value, pick in subjects if pick(attempt)
        ]  # the attempt's user and case number
        if attempt.checked:
            # checked only while both subjects had fewer than 5 answered wrong guesses in the hour before
            for kind, value, pick in mine:
                n = count_in(failures_of(earlier, pick), attempt.at - WINDOW, attempt.at)
                assert n < LIMIT, f"{kind} {value}: attempt checked after {n} failures within the hour"
        else:
            # refused only for a reason: a subject had 5 checked failures within an hour, the last one recent
            justified = False
            for _kind, _value, pick in mine:
                times = failures_of(earlier, pick)
                for f in times:
                    if attempt.at - WINDOW < f <= attempt.at and count_in(times, f - WINDOW, f) >= LIMIT:
                        justified = True
            assert justified, f"attempt at {attempt.at} refused without 5 failures of its user or case in an hour"
    # the statement, window by window: at most 5 answered wrong guesses in any hour per case and per user
    for kind, value, pick in subjects:
        times = failures_of(attempts, pick)
        for t in times:
            assert count_in(times, t - WINDOW, t) <= LIMIT, f"{kind} {value}: more than {LIMIT} in an hour"
    # what was answered is what was recorded
    with session_scope() as s:
        recorded = s.scalar(
            select(func.count()).select_from(VerificationAttempt).where(VerificationAttempt.success.is_(False))
        )
    assert recorded == sum(1 for a in attempts if a.checked and not a.right)


def test_the_interleaving_attack_is_locked_within_five_wrong_tries(case_db):
    attempts = run(interleaving_attack())
    wrong = [a for a in attempts if not a.right]
    assert [a.outcome for a in wrong[:5]] == ["no_match"] * 4 + ["locked"]
    assert sum(a.checked for a in wrong) == 5 and all(a.outcome == "locked" for a in attempts[6:])
