"""A short, masked summary of the conversation for the ticket: intents seen and pre-check answers/result."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.conversation.window import user_intents
from bot.precheck.flow import QUESTIONS, describe
from bot.precheck.model import Category, Overall
from bot.privacy import mask_text

INTENT_LABELS = {
    "greet": "问候",
    "goodbye": "告别",
    "thank": "致谢",
    "affirm": "肯定",
    "deny": "否定",
    "bot_challenge": "问是否机器人",
    "out_of_scope": "超出范围",
    "request_human": "转人工",
    "report_emergency": "紧急情况",
    "ask_dibao_eligibility": "低保条件",
    "ask_dibao_standard": "低保标准",
    "ask_dibao_apply": "低保申请",
    "ask_tekun": "特困供养",
    "ask_temp_relief": "临时救助",
    "ask_materials": "申请材料",
    "ask_edge_family": "低保边缘家庭",
    "ask_illness_poverty": "因病致贫",
    "ask_appeal": "投诉异议",
    "ask_review": "复核复审",
    "ask_contact": "联系方式",
    "ask_statistics": "统计数据",
    "ask_programme": "救助项目",
    "start_precheck": "临时救助预审",
    "check_status": "进度查询",
    "inform": "提供信息",
    "cancel": "取消",
    "nlu_fallback": "未能理解",
}
_SKIP = {"greet", "goodbye", "thank", "affirm", "deny", "inform", "cancel"}
MAX_LEN = 600


def intents_seen(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """Intent names of the user's messages, in first-seen order, without small talk; in a long conversation the
    tracker holds the last turns only, and the intents before them come from its window marker
    (``bot.conversation.window``)."""
    return [name for name in user_intents(events) if name not in _SKIP]


_PRECHECK_INTERNAL = {"reask", "cancelled"}  # pre-check bookkeeping slots, not answers


def _answer_text(key: str, value: Any) -> str:
    """'遇到的情况=火灾' for a pre-check answer (the pre-check's own words); raw 'key=value' as a fallback."""
    if key == "reference":
        return f"预检参考编号={value}"
    try:
        question = QUESTIONS.get(key)
        if question is not None:
            return f"{question.label}={describe(key, value)}"
    except Exception:  # noqa: BLE001 - a summary never fails; the raw value still helps staff
        pass
    return f"{key}={value}"


def _result_text(value: Any) -> str:
    """'可能符合急难型临时救助（reason）' for the pre-check's stored result summary (a dict); text as is."""
    if isinstance(value, Mapping) and value.get("overall"):
        try:
            overall = Overall(value["overall"]).label
            kind = f"{Category(value['category']).label}临时救助" if value.get("category") else "临时救助"
        except ValueError:
            return str(value)
        reason = value.get("reason")
        return f"{overall}{kind}" + (f"（{reason}）" if reason else "")
    return str(value)


def summarize(events: Iterable[Mapping[str, Any]], slots: Mapping[str, Any], *, extra: str = "") -> str:
    """'咨询：临时救助、转人工；预审：event=火灾，household_size=3；预审结果：…' (masked, at most 600 chars)."""
    parts = []
    intents = intents_seen(events)
    if intents:
        parts.append("咨询：" + "、".join(INTENT_LABELS.get(i, i) for i in intents))
    answers = [
        _answer_text(key[3:], value)
        for key, value in sorted(slots.items())
        if key.startswith("pc_")
        and value not in (None, "", [])
        and "result" not in key
        and key[3:] not in _PRECHECK_INTERNAL
    ]
    if answers:
        parts.append("预审回答：" + "，".join(answers))
    results = [
        _result_text(value)
        for key, value in sorted(slots.items())
        if key.startswith("pc_") and "result" in key and value
    ]
    if results:
        parts.append("预审结果：" + "；".join(results))
    town = slots.get("town")
    if town:
        parts.append(f"所在镇（街道）：{town}")
    if extra:
        parts.append(extra)
    text = mask_text("；".join(parts)) or "（对话中没有可摘要的内容）"
    return text if len(text) <= MAX_LEN else text[: MAX_LEN - 1] + "…"
