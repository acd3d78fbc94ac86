"""Crisis wording: ``assess_crisis(text) -> Crisis | None`` and ``detect_crisis(text) -> CrisisKind | None``.

It looks for *danger* in what a person writes (someone collapsed, a fire, violence, trapped by a landslide, no
food or shelter tonight, thoughts of self-harm) and says how urgent the wording is:

- ``Urgency.PRESENT``: the wording reads as danger now ("家里着火了", "我爸晕倒了叫不醒"): the numbers at once.
- ``Urgency.HELP_QUESTION``: crisis wording inside a question about help ("发洪水了房子被冲了有什么救助",
  "我家房子塌了，住房救助怎么申请"): it could still be a danger now, so the numbers come first, then the answer
  to the question; an urgent ticket is offered, not forced.
- None: no crisis wording, a past event described as a fact ("去年家里失火", "上个星期房子被冲了") or a
  figurative use ("急死了", "想死你了", "这是救命钱"). Self-harm wording is never dismissed as past or
  figurative, and states that last (trapped, no food, no shelter) are never dismissed as past.

``is_explicit_request(text)``: the resident asks for a person or the police ("找人", "帮我报警"); only that (or
the offered button) turns a crisis inside a form into an urgent ticket.

This module must stay stdlib-only: Rasa's NLU pipeline imports it too (``rasa_addons.guards.CrisisGuard`` turns
crisis wording into ``report_emergency`` anywhere), and it is part of the model fingerprint (bot/training.py).
Measured on ``tests/handoff/data/crisis_messages.yml`` by ``scripts/measure_crisis_guard.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum


class CrisisKind(str, Enum):
    SELF_HARM = "self_harm"  # gentle message, psychological help / 120 / 110, never a menu
    FIRE = "fire"  # 119
    MEDICAL = "medical"  # 120
    VIOLENCE = "violence"  # 110
    DISASTER = "disaster"  # 119 / 110, 120 if hurt
    DESTITUTE = "destitute"  # no food or shelter: relief station, 急难型 temporary relief
    GENERAL = "general"  # an emergency without a recognised kind ("救命", or the report_emergency intent)


class Urgency(str, Enum):
    PRESENT = "present"  # danger now: the numbers at once
    HELP_QUESTION = "help_question"  # crisis wording in a question about help: numbers first, then the answer


@dataclass(frozen=True)
class Crisis:
    kind: CrisisKind
    urgency: Urgency


# Each kind: (events, states). An *event* ("着火了", "房子塌了") may be told as a past fact ("上个星期家里着火了");
# a *state* ("被困住了", "没饭吃", self-harm) is read as present whatever else the message says.
# Order = priority when several kinds match.
_PATTERNS: tuple[tuple[CrisisKind, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        CrisisKind.SELF_HARM,
        (),
        (
            r"自杀",
            r"轻生",
            r"不想活",
            r"活不下去",
            r"活不成了",
            r"(?<!你)想死(?!你|我了)",  # "想死你了" misses someone
            r"寻死",
            r"(?<![你他她])去死",  # "你去死吧" is an insult
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
            r"(?<![肝心上虚])火(很|太)大",
        ),
        (
            r"(煤气|燃气|天然气)泄漏",
            r"闻到(煤气|燃气|天然气)味",
        ),
    ),
    (
        CrisisKind.MEDICAL,
        (
            r"(?<!都要|都快)晕倒了?",  # "人都要晕倒了" is a complaint
            r"昏迷",
            r"(摔|掉|跌|滚)下(来|去)了",
            r"流了?(好多|很多|一地|一身)血|血流不止",
            r"不省人事",
            r"抽(搐|风)",
            r"大出血",
            r"(心脏病|心梗|脑梗|中风)(犯了|发作|了)",
            r"吐血",
        ),
        (
            r"快不行了",
            r"喘不上气",
            r"呼吸困难",
            r"叫不醒",
            r"没有?(了)?呼吸",
            # "急救" only as a call for it: "疾病应急救助" and "紧急救助" are programmes, not emergencies
            r"(叫|要|需要|送|等)(急救|救护车)(?!助)",
            r"(?<!应)急救车|救护车",
        ),
    ),
    (
        CrisisKind.VIOLENCE,
        (
            r"被打(了|伤)",
            r"砍人",
        ),
        (
            r"家暴",
            r"(正在|一直|又)打我",
            r"要打死",
            r"要杀(了)?我",
            r"拿(着)?刀",
            r"威胁(要)?杀",
            r"被关起来",
            r"被拐",
        ),
    ),
    (
        CrisisKind.DISASTER,
        (
            r"(洪水|大水)(进|冲|淹)",
            r"被?(水|洪水|大水)淹(了|到)",
            r"(河|洪)?水涨(上来|起来)了",
            r"地震了",
            r"发(大)?洪水",
            r"发大水",
            r"泥石流",
            r"塌方",
            r"(山体)?滑坡",
            r"房子?(塌|垮)了",
            r"房屋倒塌",
        ),
        (
            r"被困(?!扰|难|惑)(住)?",
            r"困住了",
            r"出不去了?",
            r"被埋",
        ),
    ),
    (
        CrisisKind.DESTITUTE,
        (r"钱(包)?被偷(光)?了",),
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
        ),
    ),
    (
        CrisisKind.GENERAL,
        (r"(走丢|走失|失踪)了", r"找不到人了?"),
        (
            r"救命(?!钱|稻草|恩|药)",  # "救命钱" is figurative
            # a request for the police or an ambulance now (the classifier alone reads "帮我报警" as out of scope)
            r"(帮|替|给)(我|我们|忙)?(报警|报个警|打110|打120|叫救护车)",
            r"(快|赶紧|赶快|马上)(点)?(报警|打110)",
        ),
    ),
)


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(patterns)) if patterns else None


_COMPILED = tuple((kind, _compile(events), _compile(states)) for kind, events, states in _PATTERNS)
# "我没有想自杀" / "不是想死": an explicit denial right before the word
_DENIAL = re.compile(r"(没有|没|不是|并不|不会)(想)?$")
# a past event told as a fact: an event word is not a present danger
_PAST = re.compile(
    r"去年|前年|大前年|上个?月|上个?(星期|礼拜|周)|前几(天|年|个月)|前些(天|年|日子)|"
    r"([0-9]+|[一二两三四五六七八九十几半]+)(多)?(天|日|个月|月|年|周|个星期|星期)(以|之)?前|"
    r"那年|那时候?|当时|以前|之前|曾经|年前|上次|后来|过后|灾后|火灾后|事后|已经过去|(19|20)[0-9]{2}年"
)
# ...unless the message says it is happening now
_NOW = re.compile(r"正在|马上|赶紧|赶快|快来|此刻|眼下|刚刚|刚才|又(着火|失火|起火|发)|救命")
# a question about help (assistance word + question form): the answer is wanted, the danger may be over
_HELP_WORDS = re.compile(
    r"救助|补助|补贴|补偿|帮扶|资助|救济|低保|特困|申请|政策|报销|安置|重建|扶持|赔偿|赔付"
)
_QUESTION = re.compile(
    r"[?？]|吗|呢|什么|啥|怎么|咋|如何|哪里|哪儿|去哪|找谁|能不能|能否|可不可以|可以|有没有|是否|多少|哪些"
)
_EXPLICIT = re.compile(
    r"报警|找人|找个人|找工作人员|联系工作人员|请工作人员|叫工作人员|转人工|人工服务|要人工|真人|来人|派人|"
    r"叫人|帮我叫|帮忙叫|登记紧急|紧急工单|紧急求助"
)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", text)


def _hit(pattern: re.Pattern[str] | None, norm: str) -> bool:
    if pattern is None:
        return False
    for m in pattern.finditer(norm):
        before = norm[max(0, m.start() - 3) : m.start()]
        if not _DENIAL.search(before):
            return True
    return False


def assess_crisis(text: str | None) -> Crisis | None:
    """The most serious kind of danger expressed in ``text`` and how urgent the wording is, or None."""
    norm = _normalise(text or "")
    if not norm or norm.startswith("/"):
        return None
    past = _PAST.search(norm) is not None and _NOW.search(norm) is None
    help_question = _HELP_WORDS.search(norm) is not None and _QUESTION.search(norm) is not None
    for kind, events, states in _COMPILED:
        state = _hit(states, norm)
        if not state and not (_hit(events, norm) and not past):
            continue
        # a lasting danger to life (trapped, buried, violence, self-harm) stays present even in a question;
        # an event, or having no food or shelter, may be the subject of a question about help
        if help_question and (not state or kind is CrisisKind.DESTITUTE):
            return Crisis(kind, Urgency.HELP_QUESTION)
        return Crisis(kind, Urgency.PRESENT)
    return None


def detect_crisis(text: str | None) -> CrisisKind | None:
    """The most serious kind of danger expressed in ``text`` (present or in a question about help), or None."""
    crisis = assess_crisis(text)
    return crisis.kind if crisis else None


def is_explicit_request(text: str | None) -> bool:
    """The resident asks for a person or the police ("找人", "帮我报警", "转人工")."""
    norm = _normalise(text or "")
    return bool(norm) and not norm.startswith("/") and _EXPLICIT.search(norm) is not None


__all__ = ["Crisis", "CrisisKind", "Urgency", "assess_crisis", "detect_crisis", "is_explicit_request"]
