"""Hypothesis strategies for what people type: Chinese text, digits, look-alike IDs, case numbers, phones."""

from __future__ import annotations

import random

from hypothesis import strategies as st

from bot.parsing.identity import generate_id_number

CJK_SAMPLE = "低保申请条件我家有口人每月收入元块两千五万多少钱的了吗在哪里办接官亭镇郭镇兴州街道身份证号后六位案件编号"
SEPARATORS = ["", " ", "-", "_", "　", "—", "·"]
FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}

# anything at all, including control characters, surrogates excluded (not valid in str from a channel)
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
# text that looks like what residents type: Chinese, digits, money words, separators, a little Latin
chatty_text = st.text(
    st.one_of(
        st.sampled_from(CJK_SAMPLE),
        st.sampled_from("0123456789０１２３４５６７８９.,，。、Xx+-年月日号口人元块万千百十一二三四五六七八九零两"),
        st.sampled_from(" \t\n"),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    ),
    max_size=120,
)
digit_runs = st.text(st.sampled_from("0123456789Xx -"), min_size=0, max_size=24)


def _spaced(text: str, rng: random.Random, fullwidth: bool) -> str:
    out = []
    for i, ch in enumerate(text):
        if i and rng.random() < 0.25:
            out.append(rng.choice(SEPARATORS))
        out.append(FULLWIDTH.get(ch, ch) if fullwidth and rng.random() < 0.5 else ch)
    return "".join(out)


@st.composite
def valid_id_numbers(draw) -> str:
    rng = random.Random(draw(st.integers(0, 2**32)))
    region = draw(st.sampled_from(["610727", "610702", "110101", "440305", "510104"]))
    return generate_id_number(rng, region=region)


@st.composite
def valid_case_numbers(draw, max_year: int = 2025) -> str:
    year = draw(st.integers(2000, max_year))
    code = draw(st.sampled_from(["DB", "TK", "LS"]))
    serial = draw(st.integers(0, 99999))
    return f"LY{year}{code}{serial:05d}"


@st.composite
def messy(draw, strategy) -> tuple[str, str]:
    """(clean value, the same value typed messily: separators, lower case, full-width characters)."""
    value = draw(strategy)
    rng = random.Random(draw(st.integers(0, 2**32)))
    typed = value.lower() if draw(st.booleans()) else value
    return value, _spaced(typed, rng, draw(st.booleans()))


valid_phones = st.builds(
    lambda second, rest: f"1{second}{rest:09d}", st.sampled_from("3456789"), st.integers(0, 999_999_999)
)
