"""Splitting of long replies, retries towards Telegram, the flood limiter, callback payloads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.frontends.flood import FloodLimiter
from bot.frontends.splitting import split_text, utf16_len
from bot.frontends.telegram_delivery import CallbackPayloads, with_retry


def test_short_text_is_one_chunk():
    assert split_text("你好。") == ["你好。"]
    assert split_text("") == [""]


def test_cut_after_the_last_sentence_end_that_fits():
    text = "第一句。" * 3 + "第二句很长很长！" + "尾巴"
    assert split_text(text, limit=18) == ["第一句。" * 3, "第二句很长很长！尾巴"]
    assert split_text(text, limit=20) == ["第一句。" * 3 + "第二句很长很长！", "尾巴"]


def test_line_breaks_are_preferred_boundaries_and_dropped_at_the_cut():
    text = "甲" * 10 + "\n" + "乙" * 10
    assert split_text(text, limit=15) == ["甲" * 10, "乙" * 10]


def test_a_single_overlong_sentence_is_cut_at_a_comma_then_hard():
    assert split_text("一二三，四五六七八九", limit=6) == ["一二三，", "四五六七八九"]
    assert split_text("一" * 13, limit=5) == ["一" * 5, "一" * 5, "一" * 3]


def test_limits_count_utf16_units():
    text = "😀" * 3000  # 6000 UTF-16 units
    chunks = split_text(text)
    assert all(utf16_len(c) <= 4096 for c in chunks)
    assert "".join(chunks) == text


@given(st.text(alphabet=st.sampled_from(list("低保申请。！？\n，a😀 ")), max_size=400), st.integers(5, 60))
def test_split_never_exceeds_the_limit_and_loses_only_newlines_at_cuts(text, limit):
    chunks = split_text(text, limit)
    assert all(utf16_len(c) <= limit for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


# -- retries ---------------------------------------------------------------------------------------------
class Flaky:
    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_network_errors_are_retried_with_exponential_backoff():
    delays: list[float] = []

    async def sleep(d: float) -> None:
        delays.append(d)

    call = Flaky(NetworkError("reset"), TimedOut(), NetworkError("reset"))
    assert await with_retry(call, attempts=4, base_delay=0.5, sleep=sleep) == "ok"
    assert call.calls == 4
    assert delays == [0.5, 1.0, 2.0]


async def test_retry_after_waits_as_told():
    delays: list[float] = []

    async def sleep(d: float) -> None:
        delays.append(d)

    call = Flaky(RetryAfter(7))
    assert await with_retry(call, sleep=sleep) == "ok"
    assert delays == [7.0]


@pytest.mark.parametrize("error", [BadRequest("chat not found"), Forbidden("blocked by the user")])
async def test_permanent_errors_are_not_retried(error):
    call = Flaky(error)
    with pytest.raises(type(error)):
        await with_retry(call, sleep=lambda d: None)
    assert call.calls == 1


async def test_gives_up_after_the_last_attempt():
    async def sleep(d: float) -> None:
        return None

    call = Flaky(*[NetworkError("down")] * 5)
    with pytest.raises(NetworkError):
        await with_retry(call, attempts=3, sleep=sleep)
    assert call.calls == 3


# -- flood limiter ---------------------------------------------------------------------------------------
def test_flood_limiter_sliding_window():
    now = [0.0]
    limiter = FloodLimiter(3, 60, clock=lambda: now[0])
    assert [limiter.check("u").allowed for _ in range(3)] == [True, True, True]
    first, second = limiter.check("u"), limiter.check("u")
    assert (first.allowed, first.warn) == (False, True)
    assert (second.allowed, second.warn) == (False, False)
    assert limiter.check("other").allowed
    now[0] = 60.0
    assert limiter.check("u").allowed
    limiter.forget_idle()
    now[0] = 500.0
    limiter.forget_idle()
    assert limiter._seen == {}


def test_flood_limit_zero_disables_it():
    limiter = FloodLimiter(0)
    assert all(limiter.check("u").allowed for _ in range(100))


# -- callback payloads -----------------------------------------------------------------------------------
def test_callback_payloads_round_trip_and_stay_within_64_bytes():
    store = CallbackPayloads(capacity=2)
    short = "/greet"
    long = '/inform{"town": "接官亭镇", "programme": "临时救助"}' * 2
    assert store.encode(short) == short
    token = store.encode(long)
    assert len(token.encode()) <= 64 and store.decode(token) == long
    # a payload that looks like a token is never taken literally
    sneaky = "#k:" + "0" * 24
    assert store.encode(sneaky) != sneaky
    # capacity: the oldest token is forgotten
    store.encode(long + "1")
    store.encode(long + "2")
    assert store.decode(token) is None
