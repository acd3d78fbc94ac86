"""Household size as people say it: 三口人, 一家四口, 家里5个人, 我一个人, 两口子, 我和老伴, 4人.

Stdlib only.
"""

from __future__ import annotations

import re
from functools import cache

from bot.errors import AmountError
from bot.parsing.amounts import chinese_to_int
from bot.parsing.text import Mention, fold

__all__ = ["parse_household_size", "find_household_size", "find_household_sizes", "MAX_HOUSEHOLD"]

MAX_HOUSEHOLD = 20
_NUM = r"[0-9]{1,3}|[一二两三四五六七八九十]{1,3}|俩|仨"
_RELATIVE = r"(?:孩子|娃|儿子|女儿|孙子|孙女|外孙|外孙女|老人|母亲|父亲|妈|爸|老母亲|老父亲|闺女|小孩)"
_PARTNER = r"(?:老伴儿|老伴|老婆|媳妇|丈夫|老公|爱人|妻子|婆娘|老头子|老头|老太婆)"
_FAMILY = rf"(?:{_PARTNER[3:-1]}|儿子|女儿|孩子|娃|母亲|父亲|妈|爸|孙子|孙女|男人)"
# "一个人" is a household of one only when the text is about the household (家里一个人, 户口上1个人, 就我一个人)
_ONE_CONTEXT = re.compile(r"家|户|就|只|共|我们|屋|单独")
_FILLER = re.compile(r"[\s,.!?~。，！？、…]|就|只|是|有|吧|啊|呀|嘛|哦|嗯|了")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, how) pairs, most specific first. ``how`` says how to turn the match into a size."""
    return (
        # 一家四口 / 全家5口人 / 五口之家
        (re.compile(rf"(?:一家|全家|家里|家中)\s*(?:有|共|一共|总共)?\s*({_NUM})\s*口(?:人)?"), "num"),
        (re.compile(rf"({_NUM})\s*口之家"), "num"),
        # 我和老伴还有一个孙子 -> 3
        (
            re.compile(
                rf"我(?:和|跟|与|同)\s*{_FAMILY}\s*(?:还有|带着|加上|和|跟|以及|带)\s*({_NUM})\s*个\s*{_RELATIVE}"
            ),
            "two_plus",
        ),
        # 三口人 / 家里5个人 / 我们家4人 / 共3口
        (re.compile(rf"(?<![第0-9])({_NUM})\s*(?:口人|口|个人|人)(?!民|员|次|均|家|口)"), "num"),
        # 就我一个 / 我一个人 / 独居 / 孤身一人
        (
            re.compile(
                r"就我一个|只有我一个|只我一个|我一个人(?!带|拉扯|养|照顾)|就我自己|只有我自己|我自己一个|独居|一个人住|一个人过|一个人生活|"
                r"孤身一人|单身一人|孤寡一人|孤零零一个|单人户|一人户"
            ),
            "one",
        ),
        # 两口子 / 老两口 / 夫妻俩 / 我和老伴
        (
            re.compile(
                rf"两口子|老两口|夫妻俩|夫妻两个|我们俩|我俩|我们两个|我(?:和|跟|与|同)\s*{_PARTNER}(?:两个|俩)?"
            ),
            "two",
        ),
    )


def find_household_sizes(text: str) -> list[Mention]:
    """Every household size said in ``text`` (value = decimal string), in order, spans not overlapping."""
    if not text:
        return []
    norm = fold(text)
    found: list[Mention] = []
    for pattern, how in _patterns():
        for m in pattern.finditer(norm):
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            if how == "one":
                size = 1
            elif how == "two":
                size = 2
            else:
                try:
                    size = chinese_to_int(m.group(1))
                except AmountError:
                    continue
                if how == "two_plus":
                    size += 2
                elif size == 1 and not (
                    _ONE_CONTEXT.search(norm[max(0, m.start() - 4) : m.start()])
                    or not _FILLER.sub("", norm[: m.start()] + norm[m.end() :])
                ):
                    continue  # 多少钱一个人, 小孩一个人在街上 (but a bare answer "一个人" is fine)
            if 1 <= size <= MAX_HOUSEHOLD:
                found.append(Mention(str(size), m.start(), m.end(), text[m.start() : m.end()]))
    found.sort(key=lambda f: f.start)
    return found


def find_household_size(text: str) -> Mention | None:
    """The first household size said in ``text``, with its span, or None."""
    found = find_household_sizes(text)
    return found[0] if found else None


def parse_household_size(text: str) -> int | None:
    """Household size in ``text`` (1..20), or None when none is said or it is implausible.

    When several are said (三口人说错了，是两口人) this is the first; see ``find_household_sizes``.
    """
    found = find_household_size(text)
    return int(found.value) if found else None
