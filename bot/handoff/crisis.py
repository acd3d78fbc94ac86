"""Crisis wording: ``detect_crisis(text) -> CrisisKind | None``, a plain function any action can call.

It looks for *acute* danger in what a person writes (someone collapsed, a fire now, violence now, trapped by a
landslide, no food or shelter tonight, thoughts of self-harm). Past events described as facts ("去年家里失火",
"火灾后能申请救助吗") are not crises and are left to the normal flow, so a pre-check answer such as "火灾"
does not trigger an emergency reply.

This module must stay stdlib-only: Rasa's NLU pipeline imports it too (``rasa_addons.guards.CrisisGuard`` turns
crisis wording into ``report_emergency`` anywhere), and it is part of the model fingerprint (bot/training.py).

Use from a form validation (e.g. the pre-check): ``kind = detect_crisis(text)``; when not None, reply with
``bot.handoff.service.emergency_reply(sender_id, text=text)`` (it also opens the urgent ticket) and stop
asking questions.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum


class CrisisKind(str, Enum):
    SELF_HARM = "self_harm"  # gentle message, psychological help / 120 / 110, never a menu
    FIRE = "fire"  # 119
    MEDICAL = "medical"  # 120
    VIOLENCE = "violence"  # 110
    DISASTER = "disaster"  # 119 / 110, 120 if hurt
    DESTITUTE = "destitute"  # no food or shelter: relief station, 急难型 temporary relief
    GENERAL = "general"  # an emergency without a recognised kind (report_emergency intent only)


# order = priority when several match
_PATTERNS: tuple[tuple[CrisisKind, tuple[str, ...]], ...] = (
    (
        CrisisKind.SELF_HARM,
        (
            r"自杀",
            r"轻生",
            r"不想活",
            r"活不下去",
            r"活不成了",
            r"想死",
            r"寻死",
            r"去死",
            r"结束(自己的)?生命",
            r"了结(自己|生命)",
            r"一死了之",
            r"死了算了",
            r"不如死了?",
            r"跳楼",
            r"跳河",
            r"跳崖",
            r"割腕",
            r"(喝|吃)(了)?(农药|老鼠药|百草枯|敌敌畏)",
            r"吃(了)?(很多|一瓶|一把)?安眠药",
            r"上吊",
            r"活着(没|没有)(意思|意义)",
            r"不想(再)?拖累",
        ),
    ),
    (
        CrisisKind.FIRE,
        (
            r"着火了",
            r"失火了",
            r"起火了",
            r"烧起来了",
            r"火(很|太)大",
            r"(煤气|燃气|天然气)泄漏",
            r"闻到(煤气|燃气)味",
        ),
    ),
    (
        CrisisKind.MEDICAL,
        (
            r"晕倒了?",
            r"昏迷",
            r"不省人事",
            r"快不行了",
            r"喘不上气",
            r"呼吸困难",
            r"抽搐",
            r"大出血",
            r"(心脏病|心梗|脑梗|中风)(犯了|发作|了)",
            r"吐血",
            r"叫不醒",
            r"没有?(了)?呼吸",
            r"急救",
        ),
    ),
    (
        CrisisKind.VIOLENCE,
        (
            r"家暴",
            r"(正在|一直|又)打我",
            r"被打(了|伤)",
            r"要打死",
            r"要杀(了)?我",
            r"砍人",
            r"拿(着)?刀",
            r"威胁(要)?杀",
            r"被关起来",
            r"被拐",
        ),
    ),
    (
        CrisisKind.DISASTER,
        (
            r"被困(住)?",
            r"困住了",
            r"(洪水|大水)(进|冲|淹)",
            r"发大水",
            r"泥石流",
            r"塌方",
            r"(山体)?滑坡",
            r"房子?(塌|垮)了",
            r"房屋倒塌",
            r"被埋",
        ),
    ),
    (
        CrisisKind.DESTITUTE,
        (
            r"没(有)?饭吃",
            r"吃不上饭",
            r"断粮",
            r"饿了(好)?(几|两|三)天",
            r"无家可归",
            r"流落街头",
            r"没(有)?地方住",
            r"露宿",
            r"睡(大)?街(上|头)",
            r"身无分文",
            r"回不了家",
            r"钱(包)?被偷(光)?了",
        ),
    ),
)

_COMPILED = tuple((kind, re.compile("|".join(patterns))) for kind, patterns in _PATTERNS)
# "我没有想自杀" / "不是想死": an explicit denial right before the word
_DENIAL = re.compile(r"(没有|没|不是|并不|不会)(想)?$")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", text)


def detect_crisis(text: str | None) -> CrisisKind | None:
    """The most serious kind of acute danger expressed in ``text``, or None."""
    norm = _normalise(text or "")
    if not norm or norm.startswith("/"):
        return None
    for kind, pattern in _COMPILED:
        for m in pattern.finditer(norm):
            before = norm[max(0, m.start() - 3) : m.start()]
            if _DENIAL.search(before):
                continue
            return kind
    return None


__all__ = ["CrisisKind", "detect_crisis"]
