"""Finding topics by keyword (``/script 边缘``, unknown words) and reading programme names, typos included."""

from __future__ import annotations

import difflib
import re

from bot.parsing.programmes import match_programme
from bot.policy.knowledge import KnowledgeBase, Topic, load_knowledge
from bot.programmes import get, search_words

_PUNCT = re.compile(r"[\s,，。.!！?？、;；:：~～'\"“”‘’()（）\[\]【】]+")
MIN_SCORE = 0.6


def normalise_programme(text: str | None) -> str | None:
    """The programme a text names, or None: the first one mentioned by name or alias (typos such as 特因, 临救,
    底保 included), else the longest loose search word of the registry (bare 临时, 边缘)."""
    if not text:
        return None
    named = match_programme(text)
    if named:
        return named
    return next((name for word, name in search_words() if word in text), None)


def mentions_programme(text: str | None, programme: str) -> bool:
    """Whether ``text`` contains any spelling of ``programme`` (loose search words included)."""
    entry = get(programme)
    return bool(text and entry) and any(word in text for word in entry.words)


def strip_programmes(text: str) -> str:
    """``text`` without any spelling of any programme (longest first)."""
    for word, _ in search_words():
        text = text.replace(word, "")
    return text


def clean(text: str) -> str:
    return _PUNCT.sub("", text or "").strip()


def _keyword_score(query: str, keyword: str) -> float:
    if not keyword:
        return 0.0
    if query == keyword:
        return 3.0
    if len(keyword) >= 2 and keyword in query:
        return 2.0 + min(len(keyword), 6) / 10
    if len(query) >= 2 and query in keyword:
        return 2.0
    ratio = difflib.SequenceMatcher(None, query, keyword).ratio()
    return ratio if ratio >= MIN_SCORE else 0.0


def score_topic(topic: Topic, query: str, programme: str | None) -> float:
    best = max((_keyword_score(query, k) for k in (*topic.keywords, topic.title)), default=0.0)
    if programme and topic.programme == programme:
        best += 1.0
    if best and topic.default:
        best += 0.2
    return best


def search_topics(keyword: str, kb: KnowledgeBase | None = None, *, limit: int = 5) -> list[Topic]:
    """Topics nearest to ``keyword``, best first; [] when nothing is close (e.g. 火车票)."""
    if kb is None:
        kb = load_knowledge()
    query = clean(keyword)
    if not query:
        return []
    programme = normalise_programme(query)
    scored = [(score_topic(t, query, programme), i, t) for i, t in enumerate(kb.topics.values())]
    hits = [(s, i, t) for s, i, t in scored if s >= MIN_SCORE]
    hits.sort(key=lambda x: (-x[0], x[1]))
    return [t for _, _, t in hits[:limit]]


def keyword_hits(topic: Topic, text: str) -> int:
    """How many characters of ``text`` the topic's keywords cover (sub-topic choice within an intent)."""
    text = clean(text)
    return sum(len(k) for k in topic.keywords if len(k) >= 1 and k in text)
