"""Composing policy answers: plain functions used by the actions, the CLI and the tests.

``answer(intent, programme=..., town=..., amount=..., detail=..., audience=...)`` picks the topic that fits the
question (sub-topic by the words of the message, another programme's version when the programme entity says
so), fills in county parameters (never an unverified figure), adds the citations and the buttons. Staff get the
hotline script version; residents never see staff notes.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bot.errors import TownError
from bot.parsing.programmes import find_programmes
from bot.parsing.towns import is_foreign_place
from bot.policy.knowledge import Citation, KnowledgeBase, Topic, load_knowledge
from bot.policy.parameters import CountyParameters, Office, load_parameters
from bot.policy.referrals import load_referrals
from bot.policy.render import Rendered, describe_office, format_value, render_citations
from bot.policy.search import (
    keyword_hits,
    mentions_programme,
    normalise_programme,
    search_topics,
    strip_programmes,
)
from bot.programmes import (
    DIBAO,
    EDGE_FAMILY,
    GENERIC_INTENT,
    REFERRAL_TOPIC,
    TEMP_RELIEF,
    display_name,
    home_topic,
    intent_programme,
    menu,
    search_words,
)
from bot.programmes import get as get_programme

AUDIENCES = ("resident", "staff")
CONFIRM_DEFAULT = "略阳县民政局或户籍所在镇（街道）"
MAX_BUTTONS = 4
MAX_AMOUNT = Decimal(10) ** 12

# topics offered when nothing matches, after the home topics of the programmes listed in the "policy" menu
GENERAL_MENU_TOPICS = ("materials", "appeal", "contact")


def menu_topics() -> list[str]:
    """Topic keys of the menu answer: the registry's "policy" menu programmes' home topics, then the general ones."""
    return menu("policy", GENERAL_MENU_TOPICS, lambda programme: programme.home_topic)


@dataclass(frozen=True)
class CitationRef:
    doc: str
    title: str
    article: str
    effective_from: str

    @property
    def text(self) -> str:
        return f"《{self.title}》{self.article}"


@dataclass(frozen=True)
class Answer:
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (title, payload)
    citations: list[CitationRef] = field(default_factory=list)
    topic: str | None = None
    family: str | None = None
    programme: str | None = None
    version: str = ""
    audience: str = "resident"

    def button_dicts(self) -> list[dict[str, str]]:
        return [{"title": t, "payload": p} for t, p in self.buttons]


# --- payloads ---------------------------------------------------------------------------------------
def topic_payload(topic: Topic, *, detail: bool = False) -> str:
    key = "detail" if detail else "topic"
    return f"/{topic.intent}" + json.dumps({key: topic.key}, ensure_ascii=False)


_PAYLOAD_RE = re.compile(r"^/(?P<intent>[A-Za-z_]+)(?P<entities>\{.*\})?\s*$", re.S)


def parse_payload(text: str | None) -> dict[str, str]:
    """Entities of a button payload such as ``/ask_tekun{"detail": "tekun_care"}`` ({} for normal text).

    Rasa drops payload entities that are not in the domain (``detail``, ``topic``), so the actions read them from
    the message text, which for a payload is the payload itself.
    """
    if not text:
        return {}
    m = _PAYLOAD_RE.match(text.strip())
    if not m or not m.group("entities"):
        return {}
    try:
        data = json.loads(m.group("entities"))
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int | float)}


# --- topic choice -----------------------------------------------------------------------------------
def _for_programme(kb: KnowledgeBase, family: str, programme: str) -> Topic | None:
    for topic in kb.topics.values():
        if topic.programme == programme and family in topic.families:
            return topic
    return None


def _home(kb: KnowledgeBase, programme: str) -> Topic | None:
    return kb.topics.get(home_topic(programme) or "")


def _general_topics_apply(programme: str | None) -> bool:
    """The general (programme-less) topics answer for programmes the civil-affairs bureau decides; another
    department's programme (医疗救助: 医保) is answered from its own topics."""
    entry = get_programme(programme)
    return entry is None or entry.civil_affairs


# words that make a question one about how and where to apply (the "apply" family of a programme's topics)
APPLY_WORDS = (
    "怎么申请", "咋个申请", "咋申请", "如何申请", "怎样申请", "怎么去申请", "去哪申请", "去哪里申请", "到哪申请",
    "到哪里申请", "在哪申请", "在哪里申请", "哪里申请", "怎么办理", "咋个办理", "咋个办", "去哪办", "去哪里办",
    "到哪里办", "找谁", "找哪个", "流程", "手续", "要带", "材料", "怎么报", "咋个报", "怎么领", "咋个领", "去哪登记",
    "怎么弄", "咋个弄", "咋弄",
)  # fmt: skip


def asked_family(text: str | None) -> str | None:
    """ "apply" when the message asks how or where to apply, else None (no other kind is read from words)."""
    return "apply" if text and any(word in text for word in APPLY_WORDS) else None


def _own_topic(
    kb: KnowledgeBase, programme: str, families: tuple[str, ...], text: str | None
) -> Topic | None:
    """Among a programme's own topics: the one of the kind the words ask for (how to apply), then of the
    question's kind, then the one whose keywords cover most of the message, then its home topic."""
    own = [t for t in kb.topics.values() if t.programme == programme]
    if not own:
        return None
    home = _home(kb, programme)
    asked = asked_family(text)

    def rank(topic: Topic) -> tuple[bool, bool, int, bool]:
        return (
            asked is not None and asked in topic.families,
            any(f in topic.families for f in families),
            keyword_hits(topic, text) if text else 0,
            topic is home,
        )

    return max(own, key=rank)


def select_topic(
    kb: KnowledgeBase, intent: str, *, programme: str | None = None, text: str | None = None
) -> Topic | None:
    """The topic answering ``intent``, narrowed by the message words and the programme entity.

    With a programme entity: for a programme another department decides (医疗救助…), the best of its own topics
    (``_own_topic``); else the programme's topic of the same kind of question (family) when it has one, else its
    home topic (registry), unless the question's topic is a general one that applies to the programme.
    ``GENERIC_INTENT`` without a programme is answered by its programme-less topics only (the overview).
    """
    candidates = kb.by_intent(intent)
    if intent == GENERIC_INTENT and not programme:
        candidates = [t for t in candidates if t.programme is None]
    if not candidates:
        return None
    base = kb.default_for(intent)
    if text:
        subs = [
            (keyword_hits(t, text), i, t)
            for i, t in enumerate(candidates)
            if not t.default and t.key != REFERRAL_TOPIC
        ]
        subs = [s for s in subs if s[0] > 0]
        if subs:
            base = max(subs, key=lambda s: (s[0], -s[1]))[2]
    if base is None:
        return None
    entry = get_programme(programme)
    if entry is not None and not entry.civil_affairs and not entry.referral:
        families = () if intent == GENERIC_INTENT else base.families
        own = _own_topic(kb, entry.name, families, text)
        if own is not None:
            return own
    if programme and programme != base.programme:
        for family in base.families:
            other = _for_programme(kb, family, programme)
            if other is not None:
                return other
        # a programme-specific question about another programme, or a general question about a programme that
        # the general topics do not cover
        if base.programme is not None or not _general_topics_apply(programme):
            return _home(kb, programme) or base
    return base


_FOLLOWUP_FILLERS = (
    "那么",
    "那个",
    "还有",
    "换成",
    "如果是",
    "要是",
    "那",
    "呢",
    "嘞",
    "咧",
    "勒",
    "吗",
    "么",
    "的",
    "是",
)


def is_followup(text: str | None, intent: str | None, programme: str | None, last_family: str | None) -> bool:
    """ "那特困呢?" after a 低保 answer: the same kind of question about another programme.

    True when the message is only a programme name with follow-up words (那…呢), or an ``inform`` that is only a
    programme name; "特困怎么申请呢" is a new question, not a follow-up.
    """
    if not (programme and last_family and text):
        return False
    if text.strip().startswith("/"):
        return False
    core = re.sub(r"[\s,，。.!！?？~～]+", "", text)
    marked = core.startswith(("那", "还有", "换成")) or core.endswith(("呢", "嘞", "咧", "勒"))
    rest = strip_programmes(core)
    for filler in _FOLLOWUP_FILLERS:
        rest = rest.replace(filler, "")
    if len(rest) > 1 or rest == core:
        return False
    return marked or intent == "inform"


# --- composing --------------------------------------------------------------------------------------
def _office_for(params: CountyParameters, town: str | None) -> Office | None:
    if not town:
        return None
    try:
        return params.office(town)
    except TownError:
        return None


def _confirm_with(office: Office | None) -> str:
    if office is None or office.kind != "township":
        return CONFIRM_DEFAULT
    return f"{office.name}或略阳县民政局"


def _office_line(office: Office, programme: str) -> str:
    """Where a resident of ``office``'s town applies for ``programme`` ('' where the town's office is not it)."""
    entry = get_programme(programme)
    if entry is None or entry.referral or not entry.township_intake:
        return ""
    if entry.name == TEMP_RELIEF:
        return f"您在{office.key}：户籍在本镇（街道）或者急难发生在本镇（街道）的，可以到{office.name}申请。"
    if not entry.civil_affairs:
        return f"您在{office.key}：可以到{office.name}提出，由其按职责办理或者转请县里有关部门办理。"
    return f"您在{office.key}：可以到{office.name}办理（户籍在本镇、街道的）。"


def _yuan(amount: str | int | float | Decimal | None) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return None
    # an amount a household could state (below a trillion yuan); "1E100" is not one
    return value if value.is_finite() and 0 <= value < MAX_AMOUNT else None


def _fmt_yuan(value: Decimal) -> str:
    value = value.quantize(Decimal("0.01"))
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def _amount_paragraph(
    topic: Topic,
    params: CountyParameters,
    rendered: Rendered,
    amount: Decimal,
    period: str | None,
    household_size: int | None,
) -> str:
    if topic.programme not in (DIBAO, EDGE_FAMILY) or topic.family not in (
        "eligibility", "income", "standard", "single",
    ):  # fmt: skip
        return ""
    per = {"month": "每月", "year": "每年"}.get(period or "", "")
    lines = [f"您提到的收入是{per}{_fmt_yuan(amount)}元。"]
    per_capita = None
    if household_size and household_size > 0:
        per_capita = amount / household_size
        lines.append(f"按{household_size}口人算，人均约{per}{_fmt_yuan(per_capita)}元。")
    else:
        lines.append("低保看的是家庭人均收入：家庭收入 ÷ 共同生活的人数。")
    urban = params.get("dibao.standard.urban_monthly")
    rural = params.get("dibao.standard.rural_yearly")
    multiple = params.get("edge_family.income_multiple")
    if urban.known or rural.known:
        known = []
        if urban.known:
            known.append(f"城市低保标准{format_value(urban)}")
        if rural.known:
            known.append(f"农村低保标准{format_value(rural)}")
        text = "当地" + "，".join(known) + "。"
        if topic.programme == EDGE_FAMILY and multiple.known:
            text += f"低保边缘家庭看人均收入是否低于低保标准的{format_value(multiple)}。"
        lines.append(text)
    else:
        for p in (urban, rural):
            if p not in rendered.unverified:
                rendered.unverified.append(p)
        lines.append("当地低保标准暂无核实数据，无法替您比较。")
    lines.append("是否符合，以镇（街道）调查核实的结果为准。")
    return "".join(lines)


def _citation_refs(topic: Topic, kb: KnowledgeBase) -> list[CitationRef]:
    refs = []
    for c in topic.citations:
        source = kb.sources.get(c.doc)
        refs.append(
            CitationRef(
                doc=c.doc,
                title=source.title if source else c.doc,
                article=c.article,
                effective_from=c.effective_from,
            )
        )
    return refs


def _buttons(topic: Topic, kb: KnowledgeBase, *, detail: bool) -> list[tuple[str, str]]:
    buttons: list[tuple[str, str]] = []
    if not detail and topic.detail:
        buttons.append(("详细说明", topic_payload(topic, detail=True)))
    buttons.extend(topic.next_steps)
    for key in topic.related:
        related = kb.topics.get(key)
        if related is not None and len(buttons) < MAX_BUTTONS:
            buttons.append((related.title, topic_payload(related)))
    return buttons[:MAX_BUTTONS]


def render_topic(
    topic: Topic,
    *,
    kb: KnowledgeBase,
    params: CountyParameters,
    audience: str = "resident",
    detail: bool = False,
    town: str | None = None,
    amount: str | int | float | Decimal | None = None,
    amount_period: str | None = None,
    household_size: int | None = None,
    extra: str = "",
) -> Answer:
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}")
    office = _office_for(params, town)
    rendered = Rendered(params)
    parts: list[str] = []
    if audience == "staff":
        s = topic.script
        parts.append(f"【热线话术】{topic.title}")
        parts.append(f"开场：{rendered.fill(s.opening)}")
        parts.append(
            "要点：\n" + "\n".join(f"{i}. {rendered.fill(p)}" for i, p in enumerate(s.key_points, 1))
        )
        parts.append("询问来电人：\n" + "\n".join(f"- {rendered.fill(q)}" for q in s.questions_to_ask))
        if s.documents:
            parts.append("请对方准备：\n" + "\n".join(f"- {rendered.fill(d)}" for d in s.documents))
        parts.append(f"引导去向：{rendered.fill(s.where_to_send)}")
        if extra:
            parts.append(extra)
        parts.append(f"结束语：{rendered.fill(s.closing)}")
        if s.staff_notes:
            parts.append(
                "内部提示（仅工作人员可见）：\n" + "\n".join(f"- {rendered.fill(n)}" for n in s.staff_notes)
            )
    else:
        parts.append(f"【{topic.title}】\n{rendered.fill(topic.short)}")
        if detail and topic.detail:
            parts.append(rendered.fill(topic.detail))
        if extra:
            parts.append(extra)
    if office is not None and topic.programme is not None:
        parts.append(_office_line(office, topic.programme))
    value = _yuan(amount)
    if value is not None:
        paragraph = _amount_paragraph(topic, params, rendered, value, amount_period, household_size)
        if paragraph:
            parts.append(paragraph)
    note = rendered.note(_confirm_with(office))
    if note:
        parts.append(note)
    parts.append("依据：" + render_citations(topic.citations, kb.sources))
    return Answer(
        text="\n\n".join(p for p in parts if p),
        buttons=_buttons(topic, kb, detail=detail or audience == "staff"),
        citations=_citation_refs(topic, kb),
        topic=topic.key,
        family=topic.family,
        programme=topic.programme,
        version=f"{params.version}/{kb.version}",
        audience=audience,
    )


def answer(
    intent: str,
    *,
    programme: str | None = None,
    town: str | None = None,
    amount: str | int | float | Decimal | None = None,
    amount_period: str | None = None,
    household_size: int | str | None = None,
    detail: bool | str = False,
    topic: str | None = None,
    text: str | None = None,
    audience: str = "resident",
    kb: KnowledgeBase | None = None,
    params: CountyParameters | None = None,
) -> Answer:
    """The answer to an ``ask_*`` intent. ``detail`` may be a topic key (the "详细说明" button)."""
    kb = kb or load_knowledge()
    params = params or load_parameters()
    programme = _canonical_programme(programme)
    size = _int_or_none(household_size)
    if isinstance(detail, str) and detail and detail not in ("true", "1"):
        topic, detail = detail, True
    detail = bool(detail)
    if intent == "ask_contact" and _general_topics_apply(programme) and not _is_referral(programme):
        return contact_answer(town=town, text=text, audience=audience, kb=kb, params=params)
    if intent == "ask_statistics":
        return statistics_answer(
            programme=programme or normalise_programme(text),
            audience=audience,
            kb=kb,
            params=params,
            detail=detail,
        )
    chosen = kb.topics.get(topic) if topic else None
    own = intent_programme(intent)
    if own and programme and programme != own and mentions_programme(text, own):
        programme = own  # "低保和五保能同时吃吗" asked as ask_tekun stays a 特困 question
    default = kb.default_for(intent)
    if chosen is None and intent == GENERIC_INTENT:
        programme = generic_programme(programme, text)  # "我是低保户，看病能享受医疗救助不" -> 医疗救助
    elif chosen is None and programme is None and default is not None and default.programme is None:
        programme = normalise_programme(text)  # 特因要什么材料 -> 特困供养
    entry = get_programme(programme)
    if entry is not None and entry.referral and (chosen is None or chosen.key == REFERRAL_TOPIC):
        return referral_answer(entry.name, audience=audience, kb=kb, params=params)
    if chosen is None:
        chosen = select_topic(kb, intent, programme=programme, text=text)
    if chosen is None:
        return menu_answer(kb=kb, params=params, audience=audience)
    return render_topic(
        chosen,
        kb=kb,
        params=params,
        audience=audience,
        detail=detail,
        town=town,
        amount=amount,
        amount_period=amount_period,
        household_size=size,
    )


def followup_answer(
    family: str, programme: str, *, audience: str = "resident", town: str | None = None,
    kb: KnowledgeBase | None = None, params: CountyParameters | None = None,
) -> Answer:  # fmt: skip
    """ "那特困呢?": the last kind of question (``family``) answered for ``programme``."""
    kb = kb or load_knowledge()
    params = params or load_parameters()
    programme = _canonical_programme(programme) or programme
    if _is_referral(programme):
        return referral_answer(programme, audience=audience, kb=kb, params=params)
    entry = get_programme(programme)
    if entry is not None and not entry.civil_affairs:
        chosen = _own_topic(kb, programme, (family,), None)
    else:
        chosen = _for_programme(kb, family, programme) or _home(kb, programme)
    if chosen is None:
        return menu_answer(kb=kb, params=params, audience=audience)
    return render_topic(chosen, kb=kb, params=params, audience=audience, town=town)


def generic_programme(programme: str | None, text: str | None) -> str | None:
    """The programme a ``GENERIC_INTENT`` question is about: of the programmes the message names (the entity,
    every alias, then the loose search words), the first without an intent of its own (受灾人员救助, 医疗救助…,
    the referrals) — a 低保户 asking about 医疗救助 asks about 医疗救助 — else the entity or the first one named."""
    named = [m.value for m in find_programmes(text or "")]
    loose = [name for word, name in search_words() if text and word in text]
    for name in (*([programme] if programme else []), *named, *loose):
        entry = get_programme(name)
        if entry is not None and not entry.intent:
            return entry.name
    return programme or next(iter(named + loose), None)


def _is_referral(programme: str | None) -> bool:
    entry = get_programme(programme)
    return entry is not None and entry.referral


# --- referrals: 民政 benefits the sources do not cover ------------------------------------------------
UNVERIFIED_REFERRAL = "（未经核实，请以实际为准）"


def referral_answer(
    programme: str, *, audience: str = "resident", kb: KnowledgeBase | None = None,
    params: CountyParameters | None = None,
) -> Answer:  # fmt: skip
    """A referral: the benefit and the office that handles it (county configuration, marked when unverified),
    no conditions or amounts. The answer's family is "referral": the policy action logs it for the
    unanswered-questions report."""
    kb = kb or load_knowledge()
    params = params or load_parameters()
    entry = get_programme(programme)
    if entry is None or not entry.referral:
        raise ValueError(f"{programme!r} is not a referral entry of the programme registry")
    configured = load_referrals(params.path).get(entry.key)
    topic = kb.topics[REFERRAL_TOPIC]
    benefit = configured.benefit if configured else entry.full_name
    lines: list[str] = []
    if configured is not None and configured.office.value not in (None, ""):
        mark = "" if configured.office.verified else UNVERIFIED_REFERRAL
        lines.append(f"经办单位：{configured.office.value}{mark}。")
    else:
        lines.append("经办单位：本助手暂无资料，请向县民政局咨询。")
    if configured is not None and configured.ask_first.value not in (None, ""):
        mark = "" if configured.ask_first.verified else UNVERIFIED_REFERRAL
        lines.append(f"可以先到{configured.ask_first.value}咨询{mark}。")
    if configured is not None and configured.text:
        lines.append(configured.text)
    mentions = tuple(
        Citation(doc=m.doc, article=m.article, effective_from=(kb.sources[m.doc].effective_from or ""))
        for m in (configured.mentions if configured else ())
        if m.doc in kb.sources
    )
    lines.append(topic.detail)  # "您的问题已经记录下来…"
    framed = dataclasses.replace(topic, title=benefit, citations=(*topic.citations, *mentions))
    result = render_topic(framed, kb=kb, params=params, audience=audience, extra="\n".join(lines))
    return dataclasses.replace(result, programme=entry.name, buttons=list(topic.next_steps))


def _canonical_programme(programme: str | None) -> str | None:
    if not programme:
        return None
    return normalise_programme(programme) or None


def _int_or_none(value: int | str | None) -> int | None:
    try:
        n = int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None
    return n if n and 0 < n < 100 else None


# --- contact, statistics, menus ---------------------------------------------------------------------
def _foreign_place(text: str | None, town: str | None) -> str | None:
    for candidate in (town, text):
        if candidate:
            place = is_foreign_place(candidate)
            if place:
                return place
    return None


def contact_answer(
    *, town: str | None = None, text: str | None = None, audience: str = "resident",
    kb: KnowledgeBase | None = None, params: CountyParameters | None = None,
) -> Answer:  # fmt: skip
    kb = kb or load_knowledge()
    params = params or load_parameters()
    topic = kb.topics["contact"]
    foreign = _foreign_place(text, town)
    office: Office | None = None
    problem = ""
    if foreign is None and town:
        try:
            office = params.office(town)
        except TownError as exc:
            foreign = _foreign_place(town, None)
            problem = exc.user_message
    if foreign is not None:
        body = (
            f"{foreign}不属于略阳县。本助手只解答略阳县的社会救助事项；{foreign}的低保、特困供养、临时救助等事项，"
            f"请向{foreign}当地的乡镇（街道）或民政部门咨询。\n"
            "如果您在当地遇到急难，可以直接向急难发生地的乡镇（街道）求助，不受户籍限制。"
            "如果您的户口在略阳，请告诉我您所在的镇（街道）。"
        )
        return Answer(
            text=body + "\n\n依据：" + render_citations(_nonlocal_citations(kb), kb.sources),
            buttons=[(t.title, topic_payload(t)) for t in (kb.topics["contact"], kb.topics["temp_relief"])],
            citations=[
                CitationRef(c.doc, kb.sources[c.doc].title, c.article, c.effective_from)
                for c in _nonlocal_citations(kb)
            ],
            topic="contact",
            family="contact",
            version=f"{params.version}/{kb.version}",
            audience=audience,
        )
    lines = []
    if problem:
        lines.append(problem)
    if office is not None:
        desc, _ = describe_office(office)
        lines.append(f"{office.key}的办理单位：{desc}。\n负责：{office.handles}。")
    bureau_desc, _ = describe_office(params.bureau())
    lines.append(f"县级审核确认：{bureau_desc}。")
    if office is None:
        station_desc, _ = describe_office(params.relief_station())
        lines.append(f"外地来略阳、生活无着的人员：{station_desc}。")
    lines.append(
        "县民政局和各镇（街道）的电话、办公时间暂未核实录入本助手，请到镇（街道）便民服务中心现场咨询，"
        "或以县政府公开的信息为准。"
    )
    return render_topic(topic, kb=kb, params=params, audience=audience, extra="\n".join(lines))


def _nonlocal_citations(kb: KnowledgeBase):
    return tuple(
        c
        for c in kb.topics["temp_relief_nonlocal"].citations
        if c.doc in ("monitoring_opinions", "notice_2022")
    )[:2]


def statistics_answer(
    *, programme: str | None = None, audience: str = "resident", detail: bool = False,
    kb: KnowledgeBase | None = None, params: CountyParameters | None = None,
) -> Answer:  # fmt: skip
    kb = kb or load_knowledge()
    params = params or load_parameters()
    stats = kb.statistics
    groups: dict[str, dict] = stats.get("groups", {})
    lines: list[str] = []
    if programme and programme not in stats.get("programme_groups", {}):
        # the report gives no figure for it: say so, never show another group's figures in its place
        lines.append(f"《{kb.sources[stats['source']].title}》没有{display_name(programme)}的统计数字。")
        note = stats.get("no_figure_notes", {}).get(programme)
        if note:
            lines.append(str(note).strip())
        names: list[str] = []
    else:
        wanted = stats.get("programme_groups", {}).get(programme) if programme else None
        names = [g for g in (wanted or groups) if g in groups]
    for name in names:
        lines.extend(f"- {item}" for item in groups[name].get("items", ()))
    topic = kb.topics["statistics"]
    # cite the report's sections of the figures shown (the whole report when there is none)
    article = report_sections(groups[name].get("article", "") for name in names)
    eff = topic.citations[0].effective_from if topic.citations else ""
    topic = dataclasses.replace(
        topic, citations=(Citation(doc=stats["source"], article=article, effective_from=eff),)
    )
    return render_topic(
        topic,
        kb=kb,
        params=params,
        audience=audience,
        detail=detail,
        extra="\n".join(lines),
    )


_SECTION_ORDER = "一二三四五六七八九十"


def report_sections(articles) -> str:
    """Sections of the county report merged in the report's order: ("一、二是", "一、一是、二是") -> "一、一是、二是"."""
    parts: dict[str, set[str]] = {}
    for article in articles:
        head, _, rest = str(article or "").partition("、")
        if head:
            parts.setdefault(head, set()).update(p for p in rest.split("、") if p)

    def order(point: str) -> int:
        index = _SECTION_ORDER.find(point[:1])
        return index if index >= 0 else len(_SECTION_ORDER)

    return "；".join(
        "、".join([head, *sorted(points, key=order)])
        for head, points in sorted(parts.items(), key=lambda i: order(i[0]))
    )


def menu_answer(
    *, kb: KnowledgeBase | None = None, params: CountyParameters | None = None, audience: str = "resident",
    prefix: str = "",
) -> Answer:  # fmt: skip
    kb = kb or load_knowledge()
    params = params or load_parameters()
    topics = [kb.topics[k] for k in menu_topics() if k in kb.topics]
    text = (
        (prefix + "\n" if prefix else "")
        + "我可以解答这些问题，请选择或直接提问：\n"
        + "\n".join(f"- {t.title}" for t in topics)
    )
    return Answer(
        text=text,
        buttons=[(t.title, topic_payload(t)) for t in topics[:MAX_BUTTONS]],
        version=f"{params.version}/{kb.version}",
        audience=audience,
    )


def script_search(
    keyword: str, *, audience: str = "staff", kb: KnowledgeBase | None = None,
    params: CountyParameters | None = None,
) -> Answer:  # fmt: skip
    """``/script <keyword>``: the best topic's script (the resident answer for non-staff), plus suggestions."""
    kb = kb or load_knowledge()
    params = params or load_parameters()
    keyword = (keyword or "").strip()
    if not keyword:
        return menu_answer(
            kb=kb,
            params=params,
            audience=audience,
            prefix="请在 /script 后面写关键词，例如：/script 边缘、/script 材料。",
        )
    found = search_topics(keyword, kb)
    if not found:
        return menu_answer(
            kb=kb, params=params, audience=audience, prefix=f"没有找到与“{keyword[:20]}”相关的内容。"
        )
    best = render_topic(found[0], kb=kb, params=params, audience=audience)
    others = [(t.title, topic_payload(t)) for t in found[1:4]]
    if others:
        text = best.text + "\n\n其他相关：" + "、".join(t for t, _ in others)
        return Answer(
            text=text,
            buttons=others,
            citations=best.citations,
            topic=best.topic,
            family=best.family,
            programme=best.programme,
            version=best.version,
            audience=audience,
        )
    return best


def suggestions(text: str, *, kb: KnowledgeBase | None = None, limit: int = 3) -> list[tuple[str, str]]:
    """Buttons for the topics nearest to a message (for fallbacks and unknown keywords)."""
    kb = kb or load_knowledge()
    return [(t.title, topic_payload(t)) for t in search_topics(text, kb, limit=limit)]
