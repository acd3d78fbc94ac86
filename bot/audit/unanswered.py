"""The unanswered-questions report, read straight from Rasa's tracker store (table ``events``).

A user message counts as unanswered when its intent is ``nlu_fallback`` or its confidence is below the
threshold. Messages are masked, normalised (width, case, spaces, trailing punctuation) and grouped; the CSV has
one row per group, the Markdown summary gives totals, the intents they were closest to and the top groups.
Button presses and front-end commands (texts starting with "/") are not questions and are skipped.

Referrals count too: a question about a 民政 benefit the assistant has no policy material for (残疾人两项补贴…)
is understood, but answered only with the office that handles it; the policy action then sets the slot
``policy_referral`` (the benefit), and the message before it is reported with the closest intent
"转介→<benefit>" so the bureau sees which material is missing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Engine, inspect, text

from bot.privacy import mask_text

DEFAULT_THRESHOLD = 0.6
REFERRAL_FAMILY = "referral"  # the answer family of a referral (bot.policy.answers.referral_answer)
REFERRAL_SLOT = "policy_referral"  # set by the policy action on a referral answer (its value: the benefit)
REFERRAL_PREFIX = "转介→"
_PUNCT = re.compile(r"[\s。，,.!！?？~～…、；;：:\"'“”‘’()（）]+")


@dataclass
class Group:
    key: str
    example: str
    count: int = 0
    intents: Counter = field(default_factory=Counter)
    confidences: list[float] = field(default_factory=list)
    senders: set[str] = field(default_factory=set)
    first: float = 0.0
    last: float = 0.0

    @property
    def mean_confidence(self) -> float:
        return sum(self.confidences) / len(self.confidences) if self.confidences else 0.0


@dataclass
class Report:
    groups: list[Group]
    total_messages: int  # user messages looked at
    unanswered: int
    threshold: float
    since: datetime | None
    referred: int = 0  # of ``unanswered``: questions answered only with a referral


def normalise(text_: str) -> str:
    t = unicodedata.normalize("NFKC", text_).lower()
    return _PUNCT.sub("", t)


def _closest_intent(parse: dict) -> tuple[str, float]:
    intent = parse.get("intent") or {}
    name, conf = intent.get("name") or "", float(intent.get("confidence") or 0.0)
    if name == "nlu_fallback":
        ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        if ranking:
            return f"nlu_fallback→{ranking[0].get('name')}", float(ranking[0].get("confidence") or 0.0)
    return name, conf


def build_report(
    engine: Engine, *, threshold: float = DEFAULT_THRESHOLD, since: datetime | None = None
) -> Report:
    if not inspect(engine).has_table("events"):
        return Report([], 0, 0, threshold, since)
    sql = "SELECT sender_id, timestamp, data FROM events WHERE type_name IN ('user', 'slot')"
    params: dict = {}
    if since is not None:
        sql += " AND timestamp >= :t"
        params["t"] = since.replace(tzinfo=since.tzinfo or timezone.utc).timestamp()
    groups: dict[str, Group] = {}
    total = unanswered = referred = 0
    # the sender's last question not counted yet: (text, timestamp, parse data)
    pending: dict[str, tuple[str, float, dict]] = {}

    def add(sender: str, raw: str, ts: float, closest: str, closest_conf: float) -> None:
        masked = mask_text(raw)
        key = normalise(masked) or masked
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key=key, example=masked[:200], first=ts or 0.0)
        group.count += 1
        group.intents[closest or "?"] += 1
        group.confidences.append(closest_conf)
        group.senders.add(sender)
        group.first = min(group.first, ts or 0.0)
        group.last = max(group.last, ts or 0.0)

    with engine.connect() as conn:
        for sender, ts, data in conn.execute(text(sql + " ORDER BY id"), params):
            try:
                event = json.loads(data or "{}")
            except ValueError:
                continue
            if event.get("event") == "slot":
                value = event.get("value")
                if event.get("name") == REFERRAL_SLOT and value and sender in pending:
                    raw, asked_at, parse = pending.pop(sender)
                    unanswered += 1
                    referred += 1
                    confidence = float((parse.get("intent") or {}).get("confidence") or 0.0)
                    add(sender, raw, asked_at, f"{REFERRAL_PREFIX}{value}", confidence)
                continue
            raw = (event.get("text") or "").strip()
            if not raw or raw.startswith("/"):
                continue
            total += 1
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            name, conf = intent.get("name"), float(intent.get("confidence") or 0.0)
            if name != "nlu_fallback" and conf >= threshold:
                pending[sender] = (raw, ts or 0.0, parse)  # understood; a referral answer may still follow
                continue
            pending.pop(sender, None)
            unanswered += 1
            closest, closest_conf = _closest_intent(parse)
            add(sender, raw, ts, closest, closest_conf)
    ordered = sorted(groups.values(), key=lambda g: (-g.count, -g.last))
    return Report(ordered, total, unanswered, threshold, since, referred)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M") if ts else ""


# a cell starting with one of these is a formula to Excel/WPS/LibreOffice ("=HYPERLINK(...)", "+1+cmd|...", "@SUM");
# tab and carriage return as well, since some programs drop them and read what follows
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value safe to open in a spreadsheet: text that a spreadsheet would run as a formula gets a leading
    apostrophe (shown as text, OWASP "CSV injection"). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(report: Report) -> str:
    """One row per group; every text cell through ``csv_cell`` (messages are what residents typed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["message", "count", "people", "closest_intent", "mean_confidence", "first_seen_utc", "last_seen_utc"]
    )
    for g in report.groups:
        row = [
            g.example,
            g.count,
            len(g.senders),
            g.intents.most_common(1)[0][0] if g.intents else "",
            f"{g.mean_confidence:.2f}",
            _iso(g.first),
            _iso(g.last),
        ]
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue()


def to_markdown(report: Report, *, top: int = 20) -> str:
    share = f"{report.unanswered / report.total_messages:.1%}" if report.total_messages else "0%"
    since = f"自 {report.since:%Y-%m-%d} 起，" if report.since else ""
    lines = [
        "# 未能回答的问题（未识别或低置信度）",
        "",
        f"{since}共 {report.total_messages} 条用户消息，其中 {report.unanswered} 条未识别或置信度低于 "
        f"{report.threshold:.2f}（{share}），归为 {len(report.groups)} 组。",
        "",
    ]
    if report.referred:
        lines[-1:-1] = [
            f"其中 {report.referred} 条问的是本助手没有政策资料的待遇，只答复了经办单位（转介，意图列为“{REFERRAL_PREFIX}待遇”）。",
        ]
    by_intent: Counter = Counter()
    for g in report.groups:
        by_intent.update(g.intents)
    if by_intent:
        lines += ["## 最接近的意图", "", "| 意图 | 条数 |", "| --- | ---: |"]
        lines += [f"| {name} | {n} |" for name, n in by_intent.most_common()]
        lines.append("")
    if report.groups:
        lines += [
            f"## 最常见的 {min(top, len(report.groups))} 组",
            "",
            "| 消息 | 次数 | 人数 | 最接近的意图 | 平均置信度 |",
            "| --- | ---: | ---: | --- | ---: |",
        ]
        for g in report.groups[:top]:
            example = g.example.replace("|", "\\|").replace("\n", " ")
            closest = g.intents.most_common(1)[0][0] if g.intents else ""
            lines.append(
                f"| {example} | {g.count} | {len(g.senders)} | {closest} | {g.mean_confidence:.2f} |"
            )
        lines.append("")
        lines.append(
            "把这些问题补充到 nlu_data/nlu/ 的训练例句中（或在政策知识库中补充答案），然后重新训练。"
        )
    else:
        lines.append("没有未能回答的问题。")
    return "\n".join(lines) + "\n"
