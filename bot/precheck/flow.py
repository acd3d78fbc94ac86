"""The pre-check conversation without Rasa: questions, parsing each answer, corrections, cancel, unknown.

Slot values are JSON-friendly (they live in the tracker store): enum values as strings, amounts as decimal
strings, ``UNKNOWN`` for 不知道/不方便说. ``answers_from_slots`` turns them into ``model.Answers``.

``interpret(key, text, intent, today, slots)`` decides what one message means while question ``key`` is open:
an answer, "unknown", a correction of an earlier answer, a wish to stop, a policy question, or something unclear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from bot import clock
from bot.errors import DateError
from bot.parsing.amounts import parse_amount
from bot.parsing.dates import parse_date
from bot.parsing.household import parse_household_size
from bot.parsing.towns import is_foreign_place, match_town, suggest_towns
from bot.precheck.model import (
    EVENT_LABELS,
    OUTSIDE,
    Answers,
    Category,
    EventKind,
    Income,
    MoneyRange,
    Period,
    Residency,
    Status,
)
from bot.precheck.rules import QUESTION_ORDER, questions_for

UNKNOWN = "unknown"
SLOT_PREFIX = "pc_"


def slot_name(key: str) -> str:
    return SLOT_PREFIX + key


def key_of(slot: str) -> str:
    return slot[len(SLOT_PREFIX) :] if slot.startswith(SLOT_PREFIX) else slot


# --- questions ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    key: str
    label: str  # what the answer is about, used in confirmations ("已把{label}改为…")
    text: str
    example: str
    buttons: tuple[str, ...] = ()


QUESTIONS: dict[str, Question] = {
    q.key: q
    for q in (
        Question(
            "residency", "户籍",
            "您（申请的家庭）的户籍在略阳吗？户籍不在略阳的，有略阳的居住证吗？",
            "请回答“户籍在略阳”“有略阳居住证”或“都不是”。",
            ("户籍在略阳", "有略阳居住证", "都不是", "不清楚"),
        ),
        Question(
            "event", "遇到的情况",
            "家里遇到了什么情况？",
            "可以点下面的选项，或者说“房子着火了”“家人突发重病住院”“孩子上学学费交不起”。",
            tuple(EVENT_LABELS.values()),
        ),
        Question(
            "date", "发生时间",
            "这件事是什么时候发生的？",
            "例如“今天”“上个月15号”“3天前”“2026年10月”。",
            ("今天", "昨天", "不记得了"),
        ),
        Question(
            "status", "现有救助",
            "您家现在是否已经享受低保、特困供养，或者已认定为低保边缘家庭、防止返贫监测对象（三类人群）？",
            "请回答“低保”“特困供养”“低保边缘家庭”“三类人群”或“都没有”。",
            ("低保", "特困供养", "低保边缘家庭", "三类人群", "都没有", "不清楚"),
        ),
        Question(
            "household_size", "家庭人数",
            "家里一起生活的有几口人（包括您自己）？",
            "例如“4口人”“就我一个”。",
            ("1人", "2人", "3人", "4人", "5人", "6人"),
        ),
        Question(
            "income", "家庭收入",
            "全家一个月的总收入大约多少？工资、务工、种养殖、养老金等都算；也可以说去年一年一共多少。",
            "例如“每月两千五”“一年2.5万”“1800块”，没有收入就说“没有收入”。",
            ("没有收入", "不方便说"),
        ),
        Question(
            "compensation", "已获得的赔偿",
            "这件事已经拿到多少钱的赔偿、保险、捐款或其他救助？",
            "例如“保险赔了1万”“没有”。",
            ("没有", "不清楚"),
        ),
        Question(
            "loss", "损失或花费",
            "这件事造成的损失或要花的钱大约多少？",
            "例如“住院花了3万”“房子烧了，损失大概10万”。",
            ("不清楚",),
        ),
        Question(
            "savings", "存款",
            "家里的存款和理财等金融资产大约有多少？说个范围就行。",
            "例如“没有存款”“两万左右”，或者点下面的范围。",
            ("没有或1万以下", "1万到3万", "3万到10万", "10万以上", "不方便说"),
        ),
        Question(
            "town", "所在镇（街道）",
            "您家在略阳哪个镇（街道）？我告诉您去哪里申请。",
            "例如“接官亭镇”“兴州街道”。",
        ),
    )
}  # fmt: skip

TOWN_QUESTION_NONLOCAL = "这件事发生在略阳哪个镇（街道）？如果不是在略阳发生的，请回答“不在略阳”。"


def question_text(key: str, slots: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The question for ``key`` with its "第 N/M 步" progress, and its buttons."""
    answers = answers_from_slots(slots)
    q = QUESTIONS[key]
    text, buttons = q.text, q.buttons
    if key == "town" and answers.residency is Residency.NONLOCAL:
        text, buttons = TOWN_QUESTION_NONLOCAL, ("不在略阳",)
    if key == "loss" and answers.event is not None and answers.event.category is Category.SPENDING:
        text = "看病、上学等这笔支出一共大约多少钱（报销以前的总数）？"
    n, m = progress(key, answers)
    return f"（第 {n}/{m} 步）{text}", buttons


def progress(key: str, answers: Answers) -> tuple[int, int]:
    order = questions_for(answers)
    if key not in order:
        order = [q for q in QUESTION_ORDER if q in order or q == key]
    return order.index(key) + 1, len(order)


def remaining(slots: Mapping[str, Any]) -> list[str]:
    """Slot names the form still needs, in order (the form's required slots)."""
    return [slot_name(k) for k in questions_for(answers_from_slots(slots))]


# --- slots -> answers -----------------------------------------------------------------------------------------------
def _dec(value: Any) -> Decimal | None:
    if value is None or value == UNKNOWN:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _enum(cls: type[Enum], value: Any) -> Any:
    try:
        return cls(value) if value not in (None, UNKNOWN) else None
    except ValueError:
        return None


def answers_from_slots(slots: Mapping[str, Any]) -> Answers:
    """Build ``Answers`` from the ``pc_*`` slot values (missing/unknown/invalid values become None)."""

    def get(key: str) -> Any:
        return slots.get(slot_name(key))

    residency = get("residency")
    income = get("income")
    savings = get("savings")
    event_date = get("date")
    size = get("household_size")
    town = get("town")
    try:
        parsed_date = date.fromisoformat(event_date) if event_date not in (None, UNKNOWN) else None
    except (TypeError, ValueError):
        parsed_date = None
    inc = None
    if isinstance(income, Mapping) and _dec(income.get("yuan")) is not None:
        inc = Income(_dec(income["yuan"]), Period(income.get("period") or "month"))
    sav = None
    if isinstance(savings, Mapping) and _dec(savings.get("low")) is not None:
        sav = MoneyRange(_dec(savings["low"]), _dec(savings.get("high")))
    try:
        household = int(size) if size not in (None, UNKNOWN) else None
    except (TypeError, ValueError):
        household = None
    return Answers(
        residency=Residency.UNKNOWN if residency == UNKNOWN else _enum(Residency, residency),
        event=_enum(EventKind, get("event")),
        event_date=parsed_date,
        household_size=household,
        income=inc,
        compensation=_dec(get("compensation")),
        loss=_dec(get("loss")),
        savings=sav,
        status=Status.UNKNOWN if get("status") == UNKNOWN else _enum(Status, get("status")),
        town=town if isinstance(town, str) and town != UNKNOWN else None,
    )


# --- parsing one answer ---------------------------------------------------------------------------------------------
_UNKNOWN_RE = re.compile(r"不知道|不晓得|不清楚|不方便|不想说|不愿意说|说不好|说不清|记不清|不记得|忘了|跳过|保密|不好说|没算过|不确定")
_NOTHING_RE = re.compile(r"^(没有|没|无|木有|莫得|没得|还没有|还没|一分没有|一分都没有|一分钱都没有|都没有|没拿到|零|0)[。！!,，]*$")


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text or "").strip()


def _parse_residency(text: str, today: date) -> Any:
    if re.search(r"不在略阳|不是略阳|外地|外省|外县|都不是|都没有|不是本地|没有户口|户口不在", text):
        return Residency.NONLOCAL.value
    if "居住证" in text and not re.search(r"没有居住证|没居住证|没办居住证", text):
        return Residency.LOCAL_PERMIT.value
    in_county = match_town(text) is not None
    if is_foreign_place(text) and not in_county and "略阳" not in text:
        return Residency.NONLOCAL.value
    if re.search(r"户籍|户口|本地|略阳人|本县", text) or in_county:
        return Residency.LOCAL_HUKOU.value
    if re.fullmatch(r"(是|是的|对|对的|嗯|有|在|在略阳)[。！!]*", text):
        return Residency.LOCAL_HUKOU.value
    return None


_EVENT_BUTTONS = {label: kind for kind, label in EVENT_LABELS.items()}
_EVENT_PATTERNS: tuple[tuple[str, EventKind], ...] = (
    (r"火灾|着火|失火|起火|烧了|烧毁|烧掉|烧光|火烧", EventKind.FIRE),
    (r"洪水|洪灾|水灾|冲毁|冲垮|冲走|被冲|垮塌|倒塌|塌了|滑坡|泥石流|地震|暴雨|冰雹|雪灾|旱灾|干旱|自然灾害|受灾|遭灾", EventKind.DISASTER),
    (r"车祸|交通事故|撞了|被撞|撞伤|意外|摔伤|摔断|工伤|事故|溺水|触电", EventKind.ACCIDENT),
    (r"突发|突然|急病|急性|病危|脑梗|脑出血|中风|心梗|抢救|重病", EventKind.ILLNESS_SUDDEN),
    (r"学费|上学|读书|念书|上大学|大学|高中|学杂费|住宿费|教育", EventKind.EDUCATION_SPENDING),
    (r"看病|医药|医疗|治病|住院|手术|吃药|药费|透析|化疗|慢性病|病", EventKind.MEDICAL_SPENDING),
    (r"支出|开销|花销|丧葬|丧事|安葬|花了很多|钱不够", EventKind.OTHER_SPENDING),
    (r"其他|出事|被骗|失业|失踪|走失|困难", EventKind.OTHER_EMERGENCY),
)


def _parse_event(text: str, today: date) -> Any:
    if text in _EVENT_BUTTONS:
        return _EVENT_BUTTONS[text].value
    for pattern, kind in _EVENT_PATTERNS:
        if re.search(pattern, text):
            return kind.value
    return None


_RELATIVE_DAYS = {"刚才": 0, "刚刚": 0, "就在今天": 0}


def _parse_date(text: str, today: date) -> Any:
    stripped = text.rstrip("。！!的")
    if stripped in _RELATIVE_DAYS:
        return (today - timedelta(days=_RELATIVE_DAYS[stripped])).isoformat()
    try:
        parsed = parse_date(text, today)
    except DateError as exc:
        return ParseProblem(f"{exc.reason}{QUESTIONS['date'].example}")
    if parsed is None:
        return None
    found = parsed.date
    if found > today:
        return ParseProblem("这个日期还没到，请说已经发生的日期，例如“上个月15号”。")
    if found < today - timedelta(days=365 * 20):
        return ParseProblem("这个日期太早了，请再核对一下，例如“2026年10月”。")
    return found.isoformat()


_STATUS_NEGATED = re.compile(r"(没有|没|不是|不|未)(享受|在吃|吃|领|是|评上|认定为?|纳入)?(低保边缘|低保|特困|五保|三类人群|监测户)")
_STATUS_PATTERNS: tuple[tuple[str, Status], ...] = (
    (r"边缘", Status.EDGE),
    (r"特困|五保|供养", Status.TEKUN),
    (r"低保", Status.DIBAO),
    (r"三类|监测|返贫|脱贫不稳定|易致贫|突发严重困难", Status.THREE_GROUPS),
)


def _parse_status(text: str, today: date) -> Any:
    negated = _STATUS_NEGATED.search(text) is not None
    positive = _STATUS_NEGATED.sub("", text)
    for pattern, status in _STATUS_PATTERNS:
        if re.search(pattern, positive):
            return status.value
    if _UNKNOWN_RE.search(text):
        return None
    if negated or re.search(r"都没有|都不是|没有|没享受|不是|都没|无|没得", text):
        return Status.NONE.value
    return None


def _parse_household(text: str, today: date) -> Any:
    m = re.fullmatch(r"(\d{1,2})\s*(人|口|口人|个人)?[。！!]*", text)
    if m:
        size = int(m.group(1))
    else:
        size = parse_household_size(text)
    if size is None:
        return None
    if not 1 <= size <= 20:
        return ParseProblem("家庭人数应该在1到20人之间，请再核对一下，例如“4口人”。")
    return str(size)


def _amount(text: str):
    return parse_amount(text)


def _middle(amount) -> Decimal:
    return (amount.yuan + amount.upper) / 2 if amount.upper is not None else amount.yuan


def _fmt(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


def _parse_income(text: str, today: date) -> Any:
    if re.search(r"没有收入|没收入|莫得收入|没得收入|无收入|零收入", text) or _NOTHING_RE.match(text):
        return {"yuan": "0", "period": "month"}
    amount = _amount(text)
    if amount is None:
        return None
    period = amount.period
    if period is None:
        period = "year" if re.search(r"年", text) else "month"
    return {"yuan": _fmt(_middle(amount)), "period": period}


def _parse_money(text: str, today: date) -> Any:
    if _NOTHING_RE.match(text) or re.search(r"没有(拿到|赔|保险|捐)|没赔|一分(钱)?(都)?没", text):
        return "0"
    amount = _amount(text)
    return _fmt(_middle(amount)) if amount is not None else None


_SAVINGS_BUTTONS = {
    "没有或1万以下": ("0", "10000"),
    "1万到3万": ("10000", "30000"),
    "3万到10万": ("30000", "100000"),
    "10万以上": ("100000", None),
}


def _parse_savings(text: str, today: date) -> Any:
    if text in _SAVINGS_BUTTONS:
        low, high = _SAVINGS_BUTTONS[text]
        return {"low": low, "high": high}
    if _NOTHING_RE.match(text) or re.search(r"没有存款|没存款|没得存款|莫得|没钱|没有钱|一分没有|没有积蓄|没积蓄", text):
        return {"low": "0", "high": "0"}
    amount = _amount(text)
    if amount is None:
        return None
    if re.search(r"以下|以内|不到|不足|少于|不超过", text):
        return {"low": "0", "high": _fmt(amount.upper or amount.yuan)}
    if re.search(r"以上|超过|多于|不止", text):
        return {"low": _fmt(amount.yuan), "high": None}
    high = amount.upper if amount.upper is not None else amount.yuan
    return {"low": _fmt(amount.yuan), "high": _fmt(high)}


def _parse_town(text: str, today: date, *, nonlocal_: bool = False) -> Any:
    town = match_town(text)
    if town is not None:
        return town.name
    outside = re.search(r"不在略阳|不是在略阳|不是略阳|外地|外省|外县|别的地方", text) or is_foreign_place(text)
    if outside:
        if nonlocal_:
            return OUTSIDE
        return ParseProblem("这里需要您家在略阳县的镇（街道），例如“接官亭镇”“兴州街道”。")
    suggestions = suggest_towns(text)
    if len(suggestions) == 1:
        return suggestions[0]
    if suggestions:
        return ParseProblem(f"您说的是{'、'.join(suggestions)}中的哪一个？")
    return None


@dataclass(frozen=True)
class ParseProblem:
    """The answer was understood but cannot be used; ``message`` says why (in Chinese)."""

    message: str


_PARSERS = {
    "residency": _parse_residency,
    "event": _parse_event,
    "date": _parse_date,
    "status": _parse_status,
    "household_size": _parse_household,
    "income": _parse_income,
    "compensation": _parse_money,
    "loss": _parse_money,
    "savings": _parse_savings,
}


def parse_answer(key: str, text: str, today: date, slots: Mapping[str, Any] | None = None) -> Any:
    """The slot value for an answer to question ``key``; None when unclear; a ``ParseProblem`` when unusable."""
    text = _clean(text)
    if not text:
        return None
    if key == "town":
        nonlocal_ = answers_from_slots(slots or {}).residency is Residency.NONLOCAL
        return _parse_town(text, today, nonlocal_=nonlocal_)
    return _PARSERS[key](text, today)


# --- describing a stored answer -------------------------------------------------------------------------------------
def describe(key: str, value: Any) -> str:
    """A stored slot value in words, for confirmations (好的，记下了：……)."""
    if value == UNKNOWN or value is None:
        return "不清楚"
    if key == "residency":
        return {"local_hukou": "户籍在略阳", "local_residence_permit": "有略阳居住证", "nonlocal": "户籍和居住证都不在略阳"}.get(value, str(value))
    if key == "event":
        kind = _enum(EventKind, value)
        return kind.label if kind else str(value)
    if key == "status":
        status = _enum(Status, value)
        return status.label if status else str(value)
    if key == "date":
        d = date.fromisoformat(value)
        return f"{d.year}年{d.month}月{d.day}日"
    if key == "household_size":
        return f"{value}口人"
    if key == "income":
        yuan = _dec(value.get("yuan"))
        return f"全家{'每年' if value.get('period') == 'year' else '每月'}约{yuan:,.0f}元"
    if key in ("compensation", "loss"):
        return f"约{_dec(value):,.0f}元"
    if key == "savings":
        low, high = _dec(value.get("low")), _dec(value.get("high"))
        if high is None:
            return f"{low:,.0f}元以上"
        if low == high:
            return f"约{low:,.0f}元"
        return f"{low:,.0f}元到{high:,.0f}元"
    if key == "town":
        return "不在略阳" if value == OUTSIDE else str(value)
    return str(value)


# --- interpreting a message while a question is open -----------------------------------------------------------------
class Kind(str, Enum):
    ANSWER = "answer"
    UNKNOWN = "unknown"
    CORRECTION = "correction"
    CANCEL = "cancel"
    INTERRUPT = "interrupt"  # a policy question: answered by the policy action, then the same step again
    EMERGENCY = "emergency"
    HUMAN = "human"
    NOTE = "note"  # something to tell the resident; the same question again (not counted as unclear)
    RESTART = "restart"  # "/start_precheck" again in the middle: start over
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Interpretation:
    kind: Kind
    key: str  # the question this message is about (the corrected one for corrections)
    value: Any = None
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


_CANCEL_FULL = re.compile(
    r"^/?(cancel|stop)$|^(算了|算了吧|算了算了|取消|取消吧|退出|停|停止|停一下|先停下|结束|不要了|不用了)[。！!,，]*$"
)
_CANCEL_ANYWHERE = re.compile(
    r"不测了|不想测|不测试了|不做了|不想做了|不弄了|不想弄了|不填了|不想填|不搞了|别问了|不要问了|不问了|不评估了|"
    r"退出(预检|预审|测试|评估|测评)|结束(预检|预审|测试|评估|测评)|取消(预检|预审|测试|评估|测评)"
)
_CORRECTION = re.compile(r"说错|错了|搞错|弄错|写错|填错|不对|更正|改成|改为|改一下|改下|应该是|重新说")
_FIELD_WORDS: tuple[tuple[str, str], ...] = (
    ("income", r"收入|工资|挣"),
    ("compensation", r"赔偿|赔了|保险|理赔|捐款|捐了|补偿|救助金|拿到"),
    ("loss", r"损失|花了|花费|支出|医药费|费用|要花"),
    ("savings", r"存款|积蓄|存了|储蓄|理财"),
    ("household_size", r"人数|几口|口人|人口|几个人|家里人"),
    ("date", r"时间|日期|哪天|几号|日子"),
    ("residency", r"户籍|户口|居住证"),
    ("status", r"低保|特困|边缘|三类"),
    ("town", r"镇|街道|乡镇"),
)
POLICY_INTENT_PREFIX = "ask_"
_QUESTION_RE = re.compile(r"[?？]|吗[。！!]*$|呢[。！!]*$|什么|啥|怎么|咋|如何|多少钱?[?？]?$|哪些|哪里|哪儿|能不能|可不可以|是不是|有没有")
MIN_INTENT_CONFIDENCE = 0.5


def is_cancel(text: str) -> bool:
    t = _clean(text).lower()
    return bool(_CANCEL_FULL.match(t) or _CANCEL_ANYWHERE.search(t))


def _correction_target(text: str, current: str, slots: Mapping[str, Any]) -> str | None:
    """The earlier question a correction is about (None when the message is not a correction)."""
    if not _CORRECTION.search(text):
        return None
    hits = []
    for key, pattern in _FIELD_WORDS:
        m = re.search(pattern, text)
        if m:
            hits.append((m.start(), key))
    if not hits:
        return None
    return min(hits)[1]


def _after_marker(text: str) -> str:
    last = None
    for m in _CORRECTION.finditer(text):
        last = m
    rest = text[last.end() :] if last else text
    return rest.lstrip("，,。：:、 是") or text


def interpret(
    key: str,
    text: str,
    *,
    intent: str | None,
    confidence: float | None,
    today: date,
    slots: Mapping[str, Any],
) -> Interpretation:
    """What ``text`` means while question ``key`` is open (see ``Kind``)."""
    clean = _clean(text)
    if is_cancel(clean):
        return Interpretation(Kind.CANCEL, key)
    confident = confidence is None or confidence >= MIN_INTENT_CONFIDENCE
    if intent and intent.startswith(POLICY_INTENT_PREFIX) and confident and _QUESTION_RE.search(clean):
        return Interpretation(Kind.INTERRUPT, key)  # "低保是什么？" is a question, not the answer "低保"
    target = _correction_target(clean, key, slots)
    if target is not None and target != key and target not in questions_for(answers_from_slots(slots)):
        return Interpretation(Kind.NOTE, key, None, f"按您的情况，“{QUESTIONS[target].label}”这一项不用回答。")
    if target is not None and target != key:
        value = parse_answer(target, _after_marker(clean), today, slots)
        if value is None or isinstance(value, ParseProblem):
            value = parse_answer(target, clean, today, slots)
        if value is None or isinstance(value, ParseProblem):
            return Interpretation(
                Kind.CORRECTION, target, None, f"好的，我们重新回答“{QUESTIONS[target].label}”这一项。"
            )
        return Interpretation(
            Kind.CORRECTION, target, value, f"好的，已把“{QUESTIONS[target].label}”改为：{describe(target, value)}。"
        )
    source = _after_marker(clean) if target == key else clean
    value = parse_answer(key, source, today, slots)
    if value is None and source != clean:
        value = parse_answer(key, clean, today, slots)
    if isinstance(value, ParseProblem):
        return Interpretation(Kind.UNCLEAR, key, None, value.message)
    if value is not None:
        return Interpretation(Kind.ANSWER, key, value)
    if _UNKNOWN_RE.search(clean):
        return Interpretation(Kind.UNKNOWN, key, UNKNOWN)
    if intent == "cancel" and confident:
        return Interpretation(Kind.CANCEL, key)
    if intent and intent.startswith(POLICY_INTENT_PREFIX) and confident:
        return Interpretation(Kind.INTERRUPT, key)
    if intent == "start_precheck" and (clean.startswith("/") or confident):
        if wants_restart(clean):
            return Interpretation(Kind.RESTART, key, None, "好的，我们从头开始。")
        # "继续预检" or the resume button while the form is open: the same step, answers kept
        return Interpretation(Kind.NOTE, key, None, CONTINUE_NOTE)
    if intent == "report_emergency":
        return Interpretation(
            Kind.EMERGENCY, key, None,
            "如果有人身危险，请马上拨打 120（急救）、119（火警）或 110（报警）。预检可以等情况稳定后再继续。",
        )  # fmt: skip
    if intent == "request_human":
        return Interpretation(
            Kind.HUMAN, key, None,
            "预检做完后可以申请工作人员联系您；如果现在就要找人工，请先说“不测了”，再说“转人工”。",
        )  # fmt: skip
    if intent == "check_status":
        return Interpretation(
            Kind.NOTE, key, None,
            "您正在做临时救助预检。想先查询申请进度的话，请先说“不测了”，再说“查进度”；也可以继续回答下面的问题。",
        )  # fmt: skip
    return Interpretation(Kind.UNCLEAR, key, None, f"抱歉，我没看懂这个回答。{QUESTIONS[key].example}")


# today's date in 略阳 (China Standard Time), whatever the server's time zone; for the pre-check actions
local_today = clock.today


# For other areas (e.g. the temporary-relief policy answer): the button that starts the pre-check.
START_BUTTON = {"title": "做个临时救助预检", "payload": "/start_precheck"}


# --- resuming after an interruption (issue 16) ----------------------------------------------------------------------
# An interrupted pre-check (an emergency, waiting for staff, /cancel of that, a restart of a process) keeps its
# answers in the pc_* slots. "继续预检", "预审" or the resume button continue at the first unanswered step;
# starting over is a separate choice ("重新预检" or the restart button).
RESUME_BUTTON = {"title": "继续预检", "payload": "/start_precheck"}
RESTART_PAYLOAD = '/start_precheck{"restart": "yes"}'
RESTART_BUTTON = {"title": "重新开始预检", "payload": RESTART_PAYLOAD}
CONTINUE_NOTE = "好的，我们接着做预检，您已经回答的内容都保留着。"
_RESTART_RE = re.compile(r"重新|从头|重来|再来一[次遍]|再做一[次遍]|再测一[次遍]|restart")


def wants_restart(text: str) -> bool:
    """The resident asks to start the pre-check over (words or the restart button)."""
    return _RESTART_RE.search(_clean(text)) is not None


def answered_keys(slots: Mapping[str, Any]) -> list[str]:
    return [k for k in QUESTION_ORDER if slots.get(slot_name(k)) is not None]


def paused_step(slots: Mapping[str, Any]) -> str | None:
    """The step an unfinished pre-check would continue at: answers kept, no result shown yet, not stopped.

    None when there is nothing to continue (no answers, a result already shown, stopped with "不测了")."""
    if slots.get("pc_result") or slots.get("pc_cancelled") or not answered_keys(slots):
        return None
    left = [s for s in remaining(slots) if slots.get(s) is None]
    return key_of(left[0]) if left else None


def resume_text(slots: Mapping[str, Any]) -> str:
    """What the resident is told when the pre-check continues: which answers are kept."""
    kept = "、".join(describe(k, slots.get(slot_name(k))) for k in answered_keys(slots))
    return f"好的，接着上次的预检继续。已保留您的回答：{kept}。想从头开始，请点“重新开始预检”。"
