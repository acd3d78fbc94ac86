"""The visit form's steps and what a message means while one is open: plain functions (no Rasa, no database).

Steps, in order: the person, the five checklist items (bot.visits.rules.CHECKLIST), notes, photo, confirmation.
A message is an answer to the open step, a correction of an earlier one ("个人卫生改为一般", "对象搞错了"),
cancel ("取消", "不登了": the answers stay as a draft), a restart ("重新登记探访"), or unclear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from bot import clock
from bot.conversation.form_words import CONFIRM_RE, clean, is_cancel
from bot.errors import DateError
from bot.parsing.dates import require_past_date
from bot.privacy import mask_text
from bot.visits import texts
from bot.visits.rules import CHECKLIST, ITEM_KEYS, ITEM_LABELS, RATING_LABELS

PERSON = "person"
NOTES = "notes"
PHOTO = "photo"
CONFIRM = "confirm"
STEPS: tuple[str, ...] = (PERSON, *ITEM_KEYS, NOTES, PHOTO, CONFIRM)
SLOT_PREFIX = "visit_"
MAX_NOTES = 500
MAX_PHOTOS = 9  # photos of one visit (the first answers the photo question, more can follow before saving)
DATE = "date"  # not a step: the visit date (today unless corrected), kept in the person slot's value
MAX_DAYS_BACK = 366
NOT_APPLICABLE = "na"  # stored rating value of 不适用 (None in the database)


def slot_name(step: str) -> str:
    return SLOT_PREFIX + step


STEP_SLOTS = tuple(slot_name(s) for s in STEPS)


class Kind(str, Enum):
    ANSWER = "answer"
    CORRECTION = "correction"  # an earlier step gets a new value (or is asked again when value is None)
    CANCEL = "cancel"
    RESTART = "restart"
    NOTE = "note"  # tell the user something, ask the same step again
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Interpretation:
    kind: Kind
    step: str
    value: Any = None
    message: str = ""


_RESTART = re.compile(r"重新登记|重新开始|从头开始|从头登记|重来")
_CORRECTION = re.compile(
    r"说错|错了|搞错|弄错|写错|填错|选错|点错|不对|更正|改成|改为|改一下|改下|应该是|修改"
)
_FIELD_WORDS: tuple[tuple[str, str], ...] = (
    ("environment", r"居住|环境|住房|房子|屋里"),
    ("hygiene", r"卫生|清洁|干净|洗澡"),
    ("daily", r"饮食|吃饭|日常|生活"),
    ("health", r"健康|就医|看病|身体|吃药"),
    ("care", r"照料|照护|照顾|护理|协议|照料人"),
    (NOTES, r"说明|备注|情况说明"),
    (PHOTO, r"照片|图片|相片"),
    (PERSON, r"对象|人选|找错人|选错人|案件编号|姓名"),
    (DATE, r"探访日期|日期|哪天去的"),
)
_RATING_WORDS: tuple[tuple[str, int | str], ...] = (
    ("不适用", NOT_APPLICABLE),
    ("无照料人", NOT_APPLICABLE),
    ("没有照料人", NOT_APPLICABLE),
    ("非常好", 5),
    ("很好", 5),
    ("较好", 4),
    ("比较好", 4),
    ("还行", 3),
    ("还可以", 3),
    ("一般", 3),
    ("较差", 2),
    ("比较差", 2),
    ("不太好", 2),
    ("很差", 1),
    ("非常差", 1),
    ("脏乱差", 1),
    ("差", 1),
    ("好", 5),
)
_DIGIT = re.compile(r"(?<![0-9])([1-5])\s*(分|星)?(?![0-9])")
_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_NUMERAL = re.compile(r"([一二两三四五])\s*分")
_NONE = re.compile(
    r"^(无|没有|没|没啥|没什么|无说明|不用|不需要|跳过|略|none|no)[。！!,，.]*$", re.IGNORECASE
)


def parse_rating(text: str) -> int | str | None:
    """1..5 or NOT_APPLICABLE from a button title, a word (较差) or a number (4, 4分, 四分); None otherwise."""
    t = clean(text)
    m = _DIGIT.search(t)
    if m and len(t) <= 12:
        return int(m.group(1))
    m = _NUMERAL.search(t)
    if m:
        return _NUMERALS[m.group(1)]
    for word, value in _RATING_WORDS:
        if word in t:
            # "不好" / "不太好" are not "好"
            if value == 5 and re.search(r"不(太)?好|不够好", t):
                return 2
            return value
    return None


def describe(step: str, value: Any) -> str:
    """A stored answer as staff read it."""
    if step == PERSON:
        return str(value.get("label")) if isinstance(value, dict) else "未选"
    if step in ITEM_KEYS:
        if value == NOT_APPLICABLE:
            return texts.NOT_APPLICABLE
        return f"{RATING_LABELS.get(value, '?')}（{value}分）" if isinstance(value, int) else "未填"
    if step == NOTES:
        return mask_text(value) if value else "无"
    if step == PHOTO:
        return f"{len(value)} 张" if isinstance(value, list) and value else "无"
    return str(value)


def _label(step: str) -> str:
    return ITEM_LABELS.get(step) or {PERSON: "探访对象", NOTES: "情况说明", PHOTO: "照片"}.get(step, step)


def _correction_target(text: str) -> str | None:
    if not _CORRECTION.search(text):
        return None
    hits = []
    for step, pattern in _FIELD_WORDS:
        m = re.search(pattern, text)
        if m:
            hits.append((m.start(), step))
    return min(hits)[1] if hits else None


def _after_target(text: str, step: str) -> str:
    """The part of a correction after the field word and the correction marker ("卫生改为一般" -> "一般")."""
    pattern = dict(_FIELD_WORDS)[step]
    found = list(re.finditer(pattern, text))
    rest = text[found[-1].end() :] if found else text
    markers = list(_CORRECTION.finditer(rest))
    if markers:
        rest = rest[markers[-1].end() :]
    return rest.lstrip("，,。：:、 是为成")


def _photo(step: str, photo: str, slots: Mapping[str, Any]) -> Interpretation:
    """A photo: the answer when asked for, one more before saving (at most ``MAX_PHOTOS``), early otherwise."""
    if step == PHOTO:
        return Interpretation(Kind.ANSWER, PHOTO, [photo])
    if step == CONFIRM:
        kept = [p for p in slots.get(slot_name(PHOTO)) or [] if isinstance(p, str)]
        if len(kept) >= MAX_PHOTOS:
            return Interpretation(Kind.NOTE, step, None, texts.PHOTOS_FULL.format(limit=MAX_PHOTOS))
        return Interpretation(Kind.CORRECTION, PHOTO, [*kept, photo], texts.PHOTO_ADDED.format(n=len(kept) + 1))
    return Interpretation(Kind.NOTE, step, None, texts.PHOTO_NOT_YET)


def interpret(
    step: str,
    text: str,
    *,
    intent: str | None = None,
    photo: str | None = None,
    slots: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> Interpretation:
    """What ``text`` (or a photo reference from the front end) means while ``step`` is asked."""
    t = clean(text)
    if photo:
        return _photo(step, photo, slots or {})
    if is_cancel(t) or (intent == "cancel" and t.startswith("/")):
        return Interpretation(Kind.CANCEL, step)
    if _RESTART.search(t) or (intent == "log_visit" and t.startswith("/") and "restart" in t):
        return Interpretation(Kind.RESTART, step, None, texts.RESTARTED)
    # a long note may well say 不对 or 照料 without correcting anything: only short messages correct
    target = _correction_target(t) if step != NOTES or len(t) <= 20 else None
    if target == DATE:
        return _date_correction(step, _after_target(t, DATE), today or clock.today())
    if target is not None and target != step and STEPS.index(target) > STEPS.index(step):
        return Interpretation(Kind.NOTE, step, None, texts.NOT_YET_ASKED.format(label=_label(target)))
    if target is not None and target != step and STEPS.index(target) < STEPS.index(step):
        if target == PERSON:
            return Interpretation(Kind.CORRECTION, PERSON, None, texts.REASK_PERSON)
        rest = _after_target(t, target)
        if target in ITEM_KEYS:
            value = parse_rating(rest) if rest else None
            if value is None:
                return Interpretation(
                    Kind.CORRECTION, target, None, f"好的，我们重新填“{ITEM_LABELS[target]}”这一项。"
                )
            return Interpretation(
                Kind.CORRECTION, target, value,
                texts.CHANGED.format(label=ITEM_LABELS[target], value=describe(target, value)),
            )  # fmt: skip
        if target == NOTES and rest and len(rest) <= MAX_NOTES:
            return Interpretation(
                Kind.CORRECTION, NOTES, rest, texts.CHANGED.format(label="情况说明", value=rest)
            )
        return Interpretation(Kind.CORRECTION, target, None, "好的，我们重新填这一项。")
    if step in ITEM_KEYS:
        source = _after_target(t, step) if target == step else t
        value = parse_rating(source) or parse_rating(t)
        if value is not None:
            return Interpretation(Kind.ANSWER, step, value)
        if intent == "log_visit":
            return Interpretation(Kind.NOTE, step, None, texts.IN_FORM_NOTE)
        return Interpretation(Kind.UNCLEAR, step, None, texts.UNCLEAR_RATING)
    if step == NOTES:
        if not t or t.startswith("/"):
            return Interpretation(Kind.UNCLEAR, step, None, texts.NOTES_EMPTY)
        if _NONE.match(t):
            return Interpretation(Kind.ANSWER, step, "")
        if len(t) > MAX_NOTES:
            return Interpretation(Kind.UNCLEAR, step, None, texts.NOTES_TOO_LONG.format(limit=MAX_NOTES))
        return Interpretation(Kind.ANSWER, step, (text or "").strip())  # as written (full-width punctuation)
    if step == PHOTO:
        if _NONE.match(t) or t == texts.NO_PHOTO or "没有照片" in t or "不拍" in t:
            return Interpretation(Kind.ANSWER, step, [])
        return Interpretation(Kind.UNCLEAR, step, None, texts.UNCLEAR_PHOTO)
    if step == CONFIRM:
        if CONFIRM_RE.match(t) or intent == "affirm" and len(t) <= 6:
            return Interpretation(Kind.ANSWER, step, True)
        if target == CONFIRM or target is None:
            return Interpretation(Kind.UNCLEAR, step, None, texts.UNCLEAR_CONFIRM)
    if step == PERSON:
        if not t or t.startswith("/"):
            return Interpretation(Kind.UNCLEAR, step, None, texts.ASK_PERSON)
        return Interpretation(Kind.ANSWER, step, t)  # looked up by the service
    return Interpretation(Kind.UNCLEAR, step, None, texts.UNCLEAR_CONFIRM)


def _date_correction(step: str, text: str, today: date) -> Interpretation:
    """ "日期改为6月3日": the visit took place on another day (within the last year, not in the future)."""
    if step == PERSON:
        return Interpretation(Kind.NOTE, step, None, texts.DATE_AFTER_PERSON)
    try:
        parsed = require_past_date(text, today)
    except DateError as exc:
        return Interpretation(Kind.NOTE, step, None, exc.reason)
    if (today - parsed.date).days > MAX_DAYS_BACK:
        return Interpretation(Kind.NOTE, step, None, texts.DATE_TOO_OLD)
    return Interpretation(
        Kind.CORRECTION,
        DATE,
        parsed.date.isoformat(),
        texts.CHANGED.format(label="探访日期", value=parsed.date),
    )


def visit_date(slots: Mapping[str, Any], today: date | None = None) -> date:
    """The visit's date: the corrected one kept with the person, else today."""
    person = slots.get(slot_name(PERSON))
    if isinstance(person, dict) and person.get("date"):
        try:
            return date.fromisoformat(str(person["date"]))
        except ValueError:
            pass
    return today or clock.today()


def remaining(slots: Mapping[str, Any]) -> list[str]:
    """The slots still to ask, in order."""
    return [slot_name(s) for s in STEPS if slots.get(slot_name(s)) is None]


def answered(slots: Mapping[str, Any]) -> int:
    """How many steps before the confirmation have an answer."""
    return sum(1 for s in STEPS[:-1] if slots.get(slot_name(s)) is not None)


def ratings_of(slots: Mapping[str, Any]) -> dict[str, int | None]:
    """The checklist ratings for the database (不适用 -> None)."""
    out: dict[str, int | None] = {}
    for item in CHECKLIST:
        value = slots.get(slot_name(item.key))
        out[item.key] = value if isinstance(value, int) and not isinstance(value, bool) else None
    return out


def summary(slots: Mapping[str, Any], today: date | None = None) -> str:
    lines = [
        f"探访对象：{describe(PERSON, slots.get(slot_name(PERSON)))}",
        f"探访日期：{visit_date(slots, today)}",
    ]
    for item in CHECKLIST:
        lines.append(f"{item.label}：{describe(item.key, slots.get(slot_name(item.key)))}")
    lines.append(f"情况说明：{describe(NOTES, slots.get(slot_name(NOTES)))}")
    lines.append(f"照片：{describe(PHOTO, slots.get(slot_name(PHOTO)))}")
    return "\n".join(lines)
