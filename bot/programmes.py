"""The programme registry: the only definition of every assistance programme the assistant knows.

Everything about a programme that more than one part of the code needs lives in its ``Programme`` entry, and
the rest derives from it:

- entity extraction (``bot.parsing.programmes``) reads ``aliases``; the NLU lookup table
  ``nlu_data/lookups/programme.yml`` and the programme words of ``nlu_data/jieba/userdict.txt`` are generated from
  ``aliases`` and ``dictionary`` (``scripts/sync_programmes.py``; ``tests/programmes`` fail on drift);
- case numbers (``bot.parsing.case_numbers``) read ``case_code``; the importer accepts ``resolve()``'s names;
- deadlines (``bot.cases.deadlines.RULES``) are chosen by ``deadline_rule``;
- policy answers (``bot.policy``) fall back to ``home_topic``, keep a question asked as the programme's own
  ``intent`` about that programme, read ``search_words`` only in keyword search, and answer with the general
  (programme-less) 民政 topics only for programmes ``decided_by`` the civil-affairs bureau;
- menus (``bot.conversation.menus``, ``bot.frontends.texts``) place ``menu_label`` where ``menus`` says.

Adding a programme: one ``Programme`` below, its topic file(s) under ``bot/policy/data/topics/``, NLU examples
(``nlu_data/nlu/ask_programme.yml``), tests, then ``python scripts/sync_programmes.py`` (lookup table and jieba
words). No new intent is needed: every ``ask_*`` intent with a ``programme`` entity is answered from that
programme's topics (its topic of the same kind of question, else its home topic; for a programme another
department decides, the one of its own topics whose keywords fit the message best), and a question that names a
programme but no particular kind of question, or a menu button of a programme without an own intent, is
``GENERIC_INTENT`` (``ask_programme``) with the programme entity.

A *referral* entry (``referral=True``) is a 民政 benefit the national sources in ``shared/policy/sources`` do not
cover (残疾人两项补贴, 孤儿…): residents' words for it are recognised like any programme, but the answer only names
the benefit and the office that handles it (county-editable text in ``county.yml`` → ``referrals``, read by
``bot.policy.referrals``), gives no conditions or amounts, and the question is logged for the unanswered-questions
report. Its ``home_topic`` is the shared ``referral`` topic.

Stdlib only: the Rasa process imports it through ``bot.parsing``. Nothing is computed at import time; derived
tables are cached and rebuilt when the registry changes (``temporary`` in tests).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

__all__ = [
    "CIVIL_AFFAIRS",
    "DEFAULT_WORD_FREQUENCY",
    "DIBAO",
    "DISASTER_RELIEF",
    "EDGE_FAMILY",
    "EDUCATION",
    "EMPLOYMENT",
    "GENERIC_INTENT",
    "HOUSING",
    "MEDICAL",
    "MENUS",
    "Programme",
    "REFERRAL_TOPIC",
    "TEKUN",
    "TEMP_RELIEF",
    "alias_index",
    "alias_pattern",
    "by_code",
    "case_code",
    "case_codes",
    "case_programmes",
    "check",
    "display_name",
    "get",
    "home_topic",
    "intent_programme",
    "menu",
    "names",
    "programmes",
    "referrals",
    "resolve",
    "revision",
    "search_words",
    "temporary",
]

CIVIL_AFFAIRS = "县民政局"

# The intent of a question that names a programme but no particular kind of question ("医疗救助是啥子", "孤儿有
# 什么补助"), and of the menu button of a programme without an intent of its own (payload
# ``/ask_programme{"programme": "医疗救助"}``). Any ``ask_*`` intent with a programme entity is answered from that
# programme's topics; this one has no programme of its own (its default topic is the overview of all kinds).
GENERIC_INTENT = "ask_programme"

# the shared topic of every referral entry (its texts frame the county's referral configuration)
REFERRAL_TOPIC = "referral"

# menus that list programmes: main (fallback and greeting), help (/help in the front ends), policy (the menu
# answer of the policy action, built from the home topics' titles)
MENUS = ("main", "help", "policy")

DEFAULT_WORD_FREQUENCY = 5000

_CODE_RE = re.compile(r"^[A-Z]{2}$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Programme:
    """One assistance programme. Only ``key``, ``name``, ``full_name``, ``english``, ``aliases`` and ``home_topic``
    are required."""

    key: str  # stable ASCII identifier (also accepted by the case importer): "dibao"
    name: str  # canonical name: the `programme` entity value, the case database value, topics' `programme`
    full_name: str  # how replies name it: "最低生活保障（低保）"
    english: str  # English name (accepted by the case importer): "minimum living allowance"
    # precise spellings for entity extraction: synonyms, dialect and typos (the name is always one). Never a
    # word that also means something else: every alias becomes a `programme` entity wherever it occurs.
    aliases: tuple[str, ...]
    home_topic: str  # policy topic key its questions fall back to (bot/policy/data/topics)
    # loose words that keyword search (/script 边缘) and the follow-up check read, never entity extraction
    # (tagging bare 临时 as an entity would break the NLU annotations)
    search_words: tuple[str, ...] = ()
    case_code: str | None = None  # two letters in case numbers (LY2023DB00001); None: no county case records
    deadline_rule: str | None = None  # a key of bot.cases.deadlines.RULES; None: no statutory deadline
    decided_by: str = CIVIL_AFFAIRS  # the body that decides applications (e.g. 县医疗保障局 for 医疗救助)
    # the programme's own intent, whose default topic is the home topic (ask_tekun). A question classified as it
    # stays about this programme when the message names the programme (unless it is GENERIC_INTENT).
    intent: str | None = None
    menu_label: str | None = None  # button title in the main and help menus
    # (menu in MENUS, slot): its button goes after the first `slot` fixed items of that menu (programmes with the
    # same slot in registry order), so one programme's placement never moves another's
    menus: tuple[tuple[str, int], ...] = ()
    # jieba user-dictionary words (aliases) and their frequency; 0 makes jieba split the word (低保户 -> 低保 户).
    # The name is always in the dictionary (DEFAULT_WORD_FREQUENCY unless listed here).
    dictionary: tuple[tuple[str, int], ...] = ()
    # applications are made at (or forwarded by) the 乡镇（街道）, so an answer can name the town's office; False
    # where the sources send people elsewhere (教育救助: the school; 就业救助: the public employment service)
    township_intake: bool = True
    # a 民政 benefit the sources do not cover: answered with a referral only (see the module docstring)
    referral: bool = False

    @property
    def civil_affairs(self) -> bool:
        """Decided by the civil-affairs bureau: the general 民政 topics (materials, appeal, review…) apply."""
        return self.decided_by == CIVIL_AFFAIRS

    @property
    def words(self) -> tuple[str, ...]:
        """Every spelling of the programme: name, aliases, search words (loose words last)."""
        return _unique((self.name, *self.aliases, *self.search_words))

    @property
    def dictionary_words(self) -> tuple[tuple[str, int], ...]:
        """The jieba words of the programme: its name first unless listed, then ``dictionary``."""
        if any(word == self.name for word, _ in self.dictionary):
            return self.dictionary
        return ((self.name, DEFAULT_WORD_FREQUENCY), *self.dictionary)

    def menu_slot(self, menu_name: str) -> int | None:
        for name, slot in self.menus:
            if name == menu_name:
                return slot
        return None

    @property
    def menu_payload(self) -> str:
        """What its menu button sends to Rasa: its own intent, or GENERIC_INTENT with the programme entity."""
        if self.intent:
            return f"/{self.intent}"
        return f"/{GENERIC_INTENT}" + json.dumps({"programme": self.name}, ensure_ascii=False)


DIBAO = "低保"
TEKUN = "特困供养"
TEMP_RELIEF = "临时救助"
EDGE_FAMILY = "低保边缘家庭"
DISASTER_RELIEF = "受灾人员救助"
MEDICAL = "医疗救助"
EDUCATION = "教育救助"
HOUSING = "住房救助"
EMPLOYMENT = "就业救助"

# the departments the sources name for the special assistance types (社会救助暂行办法 第三条; 意见 三、（二）)
MEDICAL_SECURITY = "县医疗保障部门"
EDUCATION_DEPT = "县教育部门"
HOUSING_DEPT = "县住房城乡建设（住房保障）部门"
HUMAN_RESOURCES = "县人力资源社会保障部门"
EMERGENCY_MANAGEMENT = "县应急管理部门"

BUILTIN: tuple[Programme, ...] = (
    Programme(
        key="dibao",
        name=DIBAO,
        full_name="最低生活保障（低保）",
        english="minimum living allowance",
        aliases=(
            "低保", "最低生活保障", "城乡最低生活保障", "最低生活保证", "低保户", "吃低保", "城乡低保", "农村低保",
            "城市低保", "底保", "低宝", "低包", "抵保", "低堡", "低饱", "滴保", "dibao",
        ),
        home_topic="dibao_eligibility",
        case_code="DB",
        deadline_rule="dibao",
        intent="ask_dibao_eligibility",
        menu_label="低保申请条件",
        menus=(("main", 0), ("help", 0), ("policy", 0)),
        dictionary=(
            ("低保", 60000), ("最低生活保障", 5000), ("底保", 4000), ("低宝", 3000), ("低包", 3000), ("低保户", 0),
        ),
    ),
    Programme(
        key="tekun",
        name=TEKUN,
        full_name="特困人员救助供养",
        english="support for people in extreme poverty",
        aliases=(
            "特困供养", "特困人员", "特困户", "特困", "特因", "特捆", "特昆", "特坤", "特困人员救助供养",
            "特困救助供养", "五保", "五保户", "五宝", "五宝户", "五保供养", "供养", "分散供养", "集中供养",
        ),
        home_topic="tekun",
        case_code="TK",
        deadline_rule="tekun",
        intent="ask_tekun",
        menu_label="特困供养",
        menus=(("main", 2), ("policy", 0)),
        dictionary=(
            ("特困供养", 8000), ("特困", 8000), ("五保", 6000), ("五宝", 3000), ("集中供养", 4000),
            ("分散供养", 4000), ("特困户", 0), ("五保户", 0), ("五宝户", 0),
        ),
    ),
    Programme(
        key="temp_relief",
        name=TEMP_RELIEF,
        full_name="临时救助",
        english="temporary relief",
        aliases=(
            "临时救助", "临救", "临时求助", "临时救济", "急难救助", "急难型临时救助", "临时补助", "临时就助",
            "临时救治", "零时救助", "临时救主",
        ),
        search_words=("临时",),
        home_topic="temp_relief",
        case_code="LS",
        deadline_rule="temp_relief",
        intent="ask_temp_relief",
        menu_label="临时救助",
        menus=(("help", 0), ("policy", 0)),
        dictionary=(("临时救助", 10000), ("临救", 3000)),
    ),
    Programme(
        key="edge_family",
        name=EDGE_FAMILY,
        full_name="低保边缘家庭",
        english="low-income family on the margin of the minimum living allowance",
        # not 低边家庭: the NLU annotations tag its 低边 (same value), and the extractor must agree with them
        aliases=(
            "低保边缘家庭", "低保边缘户", "低保边缘", "低保边沿", "低边户", "低边", "边缘户", "边缘家庭",
        ),
        search_words=("边缘",),
        home_topic="edge_family",
        intent="ask_edge_family",
        dictionary=(("低保边缘家庭", 5000), ("低保边缘", 4000), ("低保边缘户", 3000)),
    ),
    # --- special assistance decided by other departments (社会救助暂行办法 第四至八章); no county case records ---
    Programme(
        key="disaster_relief",
        name=DISASTER_RELIEF,
        full_name="受灾人员救助（自然灾害救助）",
        english="relief for people affected by natural disasters",
        aliases=(
            "受灾人员救助", "受灾救助", "自然灾害救助", "灾害救助", "救灾", "灾民救助", "受灾群众救助", "因灾救助",
            "灾后救助", "受灾补助", "救灾补助", "过渡期生活救助", "冬春救助", "受灾人员求助", "受灾求助",
        ),
        # disaster words: keyword search and a question with no programme named, never entities
        search_words=(
            "受灾", "受了灾", "遭灾", "遭了灾", "灾后", "洪水", "洪灾", "山洪", "发大水", "泥石流", "滑坡", "塌方",
            "地震", "水灾", "水毁", "冰雹", "暴雨",
        ),
        home_topic="disaster_relief",
        decided_by=EMERGENCY_MANAGEMENT,
        dictionary=(("受灾人员救助", 5000), ("自然灾害救助", 4000), ("受灾救助", 3000), ("救灾", 3000)),
    ),
    Programme(
        key="medical_assistance",
        name=MEDICAL,
        full_name="医疗救助",
        english="medical assistance",
        aliases=(
            "医疗救助", "医疗求助", "医疗就助", "医疗救济", "医疗补助", "大病救助", "大病医疗救助", "医疗救助金",
            "疾病应急救助", "重特大疾病医疗救助",
        ),
        home_topic="medical_assistance",
        decided_by=MEDICAL_SECURITY,
        dictionary=(("医疗救助", 8000), ("大病救助", 3000), ("医疗求助", 2000)),
    ),
    Programme(
        key="education_assistance",
        name=EDUCATION,
        full_name="教育救助",
        english="education assistance",
        aliases=("教育救助", "教育补助", "教育救济", "教育求助", "教育就助", "助学救助"),
        # forms of help the words name, not the programme itself
        search_words=("助学金", "学生资助", "勤工助学", "学费减免"),
        home_topic="education_assistance",
        decided_by=EDUCATION_DEPT,
        township_intake=False,  # applied for at the school (社会救助暂行办法 第三十六条)
        dictionary=(("教育救助", 5000), ("教育补助", 3000)),
    ),
    Programme(
        key="housing_assistance",
        name=HOUSING,
        full_name="住房救助",
        english="housing assistance",
        aliases=("住房救助", "住房求助", "住房救济", "住房就助"),
        # the ways it is given (第三十八条), also wider programmes of their own: search words, not entities
        search_words=("危房改造", "危房", "危改", "公租房", "廉租房", "租房补贴", "住房困难"),
        home_topic="housing_assistance",
        decided_by=HOUSING_DEPT,
        dictionary=(("住房救助", 5000),),
    ),
    Programme(
        key="employment_assistance",
        name=EMPLOYMENT,
        full_name="就业救助",
        english="employment assistance",
        aliases=("就业救助", "就业求助", "就业救济", "就业就助"),
        search_words=("就业援助", "公益性岗位", "零就业", "就业困难", "职业介绍"),
        home_topic="employment_assistance",
        decided_by=HUMAN_RESOURCES,
        township_intake=False,  # applied for at the public employment service (第四十四条)
        dictionary=(("就业救助", 5000),),
    ),
    # --- referrals: 民政 benefits the sources do not cover (answer: the benefit and its office, no conditions) ---
    Programme(
        key="disability_allowance",
        name="残疾人两项补贴",
        full_name="残疾人两项补贴（困难残疾人生活补贴和重度残疾人护理补贴）",
        english="the two disability allowances",
        aliases=(
            "残疾人两项补贴", "两项补贴", "残疾两项补贴", "残疾人两项", "残疾人补贴", "残疾补贴", "残疾人生活补贴",
            "困难残疾人生活补贴", "残疾人护理补贴", "重度残疾人护理补贴", "重残护理补贴", "残疾人补助", "残疾补助",
        ),
        home_topic=REFERRAL_TOPIC,
        township_intake=False,
        referral=True,
        dictionary=(("两项补贴", 3000), ("残疾人补贴", 2000)),
    ),
    Programme(
        key="orphan_support",
        name="孤儿和事实无人抚养儿童保障",
        full_name="孤儿和事实无人抚养儿童基本生活保障",
        english="basic living support for orphans and de facto unsupported children",
        aliases=(
            "孤儿和事实无人抚养儿童保障", "孤儿", "孤儿补助", "孤儿补贴", "孤儿保障", "孤儿救助", "孤儿基本生活费",
            "孤儿基本生活保障", "孤儿基本生活保障金", "事实无人抚养儿童", "事实无人抚养", "无人抚养儿童", "事实孤儿",
        ),
        home_topic=REFERRAL_TOPIC,
        township_intake=False,
        referral=True,
        dictionary=(("孤儿", 5000), ("事实无人抚养儿童", 3000)),
    ),
    Programme(
        key="elderly_allowance",
        name="高龄津贴",
        full_name="高龄津贴",
        english="allowance for the very old",
        aliases=("高龄津贴", "高龄补贴", "高龄补助", "高龄老人补贴", "高龄老人津贴", "长寿补贴"),
        home_topic=REFERRAL_TOPIC,
        township_intake=False,
        referral=True,
        dictionary=(("高龄补贴", 3000),),
    ),
    Programme(
        key="funeral_services",
        name="基本殡葬服务",
        full_name="基本殡葬服务（殡葬费用减免）",
        english="basic funeral services",
        # never 丧葬: 特困供养 includes 办理丧葬事宜 (社会救助暂行办法 第十五条), so 丧葬费 questions are 特困 ones
        aliases=("基本殡葬服务", "殡葬服务", "殡葬补贴", "殡葬补助", "殡葬费减免", "殡葬费用减免", "惠民殡葬", "殡葬费"),
        search_words=("火化",),
        home_topic=REFERRAL_TOPIC,
        township_intake=False,
        referral=True,
        dictionary=(("殡葬服务", 3000),),
    ),
)  # fmt: skip

_active: tuple[Programme, ...] = BUILTIN
_revision = 0


# --- the registry -----------------------------------------------------------------------------------
def programmes() -> tuple[Programme, ...]:
    """Every registered programme, in registry order."""
    return _active


def names() -> tuple[str, ...]:
    """Canonical names, in registry order: ('低保', '特困供养', '临时救助', '低保边缘家庭', '受灾人员救助', …)."""
    return tuple(p.name for p in _active)


def revision() -> int:
    """Changes whenever the registry does: part of the key of caches derived from it elsewhere."""
    return _revision


@cache
def _by_name() -> dict[str, Programme]:
    return {p.name: p for p in _active} | {p.key: p for p in _active}


def get(name: str | None) -> Programme | None:
    """The programme with this canonical name or key, else None."""
    return _by_name().get(name or "")


def by_code(code: str | None) -> Programme | None:
    """The programme with this case-number code ('DB'), else None."""
    wanted = (code or "").upper()
    return next((p for p in _active if p.case_code and p.case_code == wanted), None)


def referrals() -> tuple[Programme, ...]:
    """Referral entries: 民政 benefits the sources do not cover."""
    return tuple(p for p in _active if p.referral)


def case_programmes() -> tuple[Programme, ...]:
    """Programmes with county case records (a case-number code)."""
    return tuple(p for p in _active if p.case_code)


def case_codes() -> dict[str, str]:
    """Canonical name -> case-number code, for programmes with case records."""
    return {p.name: p.case_code for p in _active if p.case_code}


def case_code(name: str) -> str:
    """The case-number code of a programme; KeyError when it has none."""
    programme = get(name)
    if programme is None or not programme.case_code:
        raise KeyError(name)
    return programme.case_code


def display_name(name: str) -> str:
    """How replies name the programme (最低生活保障（低保）); unknown names unchanged."""
    programme = get(name)
    return programme.full_name if programme else name


def home_topic(name: str | None) -> str | None:
    programme = get(name)
    return programme.home_topic if programme else None


def intent_programme(intent: str | None) -> str | None:
    """The programme a question classified as ``intent`` is about by definition (ask_tekun -> 特困供养), else None.

    GENERIC_INTENT is about whichever programme the message names, so it never is.
    """
    if not intent or intent == GENERIC_INTENT:
        return None
    return next((p.name for p in _active if p.intent == intent), None)


@cache
def _resolve_index() -> dict[str, Programme]:
    index: dict[str, Programme] = {}
    for p in _active:
        for word in (p.key, p.english, p.case_code or "", *p.aliases, p.name):
            if word:
                index[word.lower()] = p
    return index


def resolve(text: str | None) -> Programme | None:
    """The programme ``text`` is exactly a name of (name, alias, key, English name or case code; any case)."""
    return _resolve_index().get((text or "").strip().lower())


# --- derived tables (cached until the registry changes) ---------------------------------------------
@cache
def alias_index() -> dict[str, str]:
    """Lower-case entity alias -> canonical name (names included; search words excluded)."""
    return {alias.lower(): p.name for p in _active for alias in (p.name, *p.aliases)}


@cache
def alias_pattern() -> re.Pattern[str]:
    """One regex over every entity alias, longest first (the longest alias wins at a position)."""
    keys = sorted(alias_index(), key=lambda k: (-len(k), k))
    return re.compile("|".join(re.escape(k) for k in keys), re.IGNORECASE)


@cache
def search_words() -> tuple[tuple[str, str], ...]:
    """(word, canonical name) for every spelling incl. loose search words, longest word first."""
    pairs = {(word, p.name) for p in _active for word in p.words}
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0])))


_T = TypeVar("_T")


def menu(menu_name: str, fixed: Sequence[_T], entry: Callable[[Programme], _T]) -> list[_T]:
    """``fixed`` menu items with ``entry(programme)`` of every programme listed in the menu, each after the first
    ``slot`` fixed items (registry order within a slot)."""
    if menu_name not in MENUS:
        raise ValueError(f"unknown menu {menu_name!r}")
    slots: dict[int, list[Programme]] = {}
    for p in _active:
        slot = p.menu_slot(menu_name)
        if slot is not None:
            slots.setdefault(min(slot, len(fixed)), []).append(p)
    items: list[_T] = []
    for index in range(len(fixed) + 1):
        items.extend(entry(p) for p in slots.get(index, ()))
        if index < len(fixed):
            items.append(fixed[index])
    return items


# --- checks and temporary registries ------------------------------------------------------------------
def check(entries: Iterable[Programme]) -> list[str]:
    """Problems of a list of programme definitions (empty when it is consistent)."""
    entries = list(entries)
    problems: list[str] = []

    def unique(label: str, values: Iterable[tuple[str, str]]) -> None:
        seen: dict[str, str] = {}
        for value, owner in values:
            if value in seen and seen[value] != owner:
                problems.append(f"{label} {value!r} is used by both {seen[value]} and {owner}")
            seen.setdefault(value, owner)

    for p in entries:
        if not _KEY_RE.match(p.key):
            problems.append(f"{p.key!r}: key must be a lower-case identifier")
        if not p.name or not p.full_name or not p.home_topic:
            problems.append(f"{p.key}: name, full_name and home_topic are required")
        if p.case_code is not None and not _CODE_RE.match(p.case_code):
            problems.append(f"{p.key}: case_code must be two capital letters, got {p.case_code!r}")
        if p.deadline_rule and not p.case_code:
            problems.append(f"{p.key}: a deadline rule needs a case code")
        if p.intent is not None and not p.intent.startswith("ask_"):
            problems.append(f"{p.key}: intent must be an ask_* intent, got {p.intent!r}")
        if p.menus and not p.menu_label:
            problems.append(f"{p.key}: listed in a menu without a menu_label")
        for menu_name, slot in p.menus:
            if menu_name not in MENUS or slot < 0:
                problems.append(f"{p.key}: bad menu placement ({menu_name!r}, {slot})")
        spellings = {w.lower() for w in (p.name, *p.aliases)}
        for word, _ in p.dictionary:
            if word.lower() not in spellings:
                problems.append(f"{p.key}: dictionary word {word!r} is not one of its aliases")
        for word in p.search_words:
            if word.lower() in spellings:
                problems.append(f"{p.key}: search word {word!r} is also an alias")
        if p.referral:
            if p.home_topic != REFERRAL_TOPIC:
                problems.append(f"{p.key}: a referral's home topic is {REFERRAL_TOPIC!r}")
            if p.case_code or p.intent or p.menus:
                problems.append(f"{p.key}: a referral has no case code, intent or menu")
        elif p.home_topic == REFERRAL_TOPIC:
            problems.append(f"{p.key}: only referrals use the {REFERRAL_TOPIC!r} topic")
    unique("key", ((p.key, p.key) for p in entries))
    unique("name", ((p.name, p.key) for p in entries))
    unique("case code", ((p.case_code, p.key) for p in entries if p.case_code))
    unique("intent", ((p.intent, p.key) for p in entries if p.intent))
    unique("home topic", ((p.home_topic, p.key) for p in entries if not p.referral))
    unique(
        "spelling",
        ((w.lower(), p.key) for p in entries for w in {*p.words, p.key, p.english, p.case_code or ""} if w),
    )
    return problems


def _install(entries: tuple[Programme, ...]) -> None:
    global _active, _revision
    _active = entries
    _revision += 1
    for cached in (_by_name, _resolve_index, alias_index, alias_pattern, search_words):
        cached.cache_clear()


@contextmanager
def temporary(*extra: Programme, replace: bool = False) -> Iterator[tuple[Programme, ...]]:
    """Register ``extra`` programmes (or only them, with ``replace``) for the duration of the block (tests).

    Caches derived from the registry are cleared on entry and exit; the registry is checked on entry.
    """
    previous = _active
    entries = tuple(extra) if replace else (*previous, *extra)
    problems = check(entries)
    if problems:
        raise ValueError("invalid programme registry: " + "; ".join(problems))
    _install(entries)
    try:
        yield entries
    finally:
        _install(previous)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))
