"""Issue 15: referral answers for the 民政 benefits the sources do not cover (残疾人两项补贴, 孤儿和事实无人抚养儿童,
高龄津贴, 基本殡葬服务). The answer names the benefit and the office (county configuration, marked unverified),
gives no conditions or amounts, and the question reaches the unanswered-questions report."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.policy import ActionAnswerPolicy, policy_reply
from bot.audit.unanswered import build_report, to_markdown
from bot.policy.answers import answer, followup_answer, referral_answer
from bot.policy.parameters import DEFAULT_PATH, load_parameters
from bot.policy.validate import validate
from bot.programmes import GENERIC_INTENT, referrals
from tests.auxil.trackers import make_tracker

SA = "sa_measures"
REFORM = "reform_opinions"
TEKUN = "tekun_measures"
MONITOR = "monitoring_opinions"

# (id, intent, kwargs, benefit shown, citations)
REFERRALS = [
    ("两项补贴怎么领", GENERIC_INTENT, {"programme": "残疾人两项补贴", "text": "残疾人两项补贴怎么领"},
     "残疾人两项补贴（困难残疾人生活补贴和重度残疾人护理补贴）", [(SA, "第六十条"), (REFORM, "二、（三）13")]),
    ("护理补贴 as dibao", "ask_dibao_eligibility", {"programme": "残疾人两项补贴", "text": "重度残疾人护理补贴找哪个"},
     "残疾人两项补贴", [(MONITOR, "四、（五）")]),
    ("孤儿有什么补助", "ask_tekun", {"programme": "孤儿和事实无人抚养儿童保障", "text": "孤儿有什么补助"},
     "孤儿和事实无人抚养儿童基本生活保障", [(REFORM, "二、（三）13"), (TEKUN, "第九条")]),
    ("事实无人抚养", GENERIC_INTENT, {"text": "事实无人抚养儿童补贴咋个领"}, "孤儿和事实无人抚养儿童基本生活保障", [(SA, "第六十条")]),
    ("孤儿 材料", "ask_materials", {"programme": "孤儿和事实无人抚养儿童保障", "text": "孤儿申请要带监护人的户口本吗"},
     "孤儿和事实无人抚养儿童基本生活保障", [(SA, "第六十条")]),
    ("孤儿 找谁", "ask_contact", {"programme": "孤儿和事实无人抚养儿童保障", "text": "哪个部门负责孤儿的事"},
     "孤儿和事实无人抚养儿童基本生活保障", [(SA, "第六十条")]),
    ("高龄津贴", GENERIC_INTENT, {"programme": "高龄津贴", "text": "高龄津贴怎么申请"}, "高龄津贴", [(TEKUN, "第六条")]),
    ("高龄补贴 typo", GENERIC_INTENT, {"text": "我妈八十五了，有没有高龄补贴"}, "高龄津贴", [(SA, "第六十条")]),
    ("殡葬", GENERIC_INTENT, {"programme": "基本殡葬服务", "text": "殡葬补助咋个申请"}, "基本殡葬服务（殡葬费用减免）",
     [(REFORM, "二、（三）13"), (MONITOR, "四、（五）")]),
    ("火化费", GENERIC_INTENT, {"text": "火化费能不能减免"}, "基本殡葬服务", [(SA, "第六十条")]),
    ("殡葬 appeal intent", "ask_appeal", {"programme": "基本殡葬服务", "text": "殡葬费减免没给我办"}, "基本殡葬服务",
     [(SA, "第六十条")]),
]  # fmt: skip

# words that would give conditions or amounts
NO_CONDITIONS = re.compile(r"\d+元|周岁|[一二三四五六七八九十百\d]+岁以上|标准是|每月发|每人每月")


@pytest.mark.parametrize(
    ("qid", "intent", "kwargs", "benefit", "cites"), REFERRALS, ids=[r[0] for r in REFERRALS]
)
def test_referral_answers(qid, intent, kwargs, benefit, cites):
    result = answer(intent, **kwargs)
    assert result.topic == "referral" and result.family == "referral", (qid, result.topic)
    assert f"【{benefit}" in result.text
    assert "不介绍申请条件和补助标准" in result.text
    assert "经办单位：略阳县民政局" in result.text and "（未经核实，请以实际为准）" in result.text
    assert "您的问题已经记录下来" in result.text
    assert not NO_CONDITIONS.search(result.text.split("依据：")[0]), result.text
    shown = {(c.doc, c.article) for c in result.citations}
    for cite in cites:
        assert cite in shown, (qid, cite, sorted(shown))
    assert result.buttons == [("找工作人员", "/request_human")]


def test_every_referral_entry_has_its_county_text():
    for entry in referrals():
        result = referral_answer(entry.name)
        assert result.programme == entry.name and "经办单位：" in result.text


def test_a_question_about_the_own_programme_stays_there():
    # 孤儿能不能纳入特困 asked as ask_tekun is a 特困 question (认定办法 第九条 in the 特困 answer), not a referral
    assert (
        answer("ask_tekun", programme="孤儿和事实无人抚养儿童保障", text="孤儿能不能纳入特困供养").topic
        == "tekun"
    )
    # the report has no count of orphans: the statistics answer says so instead of referring
    stats = answer("ask_statistics", programme="孤儿和事实无人抚养儿童保障", text="全县有多少孤儿")
    assert stats.topic == "statistics" and "没有孤儿和事实无人抚养儿童基本生活保障的统计数字" in stats.text


def test_follow_up_to_a_referral():
    assert followup_answer("eligibility", "高龄津贴").family == "referral"


def test_staff_get_the_script_version():
    text = answer(GENERIC_INTENT, programme="残疾人两项补贴", audience="staff").text
    assert "【热线话术】" in text and "不讲条件和标准" in text and "经办单位：" in text


def _county_copy(tmp_path, change):
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "county.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_referral_text_is_county_configuration(tmp_path):
    def confirm(data):
        entry = data["referrals"]["elderly_allowance"]
        entry["office"].update(value="略阳县民政局养老服务股", verified=True, effective_from="2024-01-01")
        entry["text"] = "办理时请带老人的身份证。"

    params = load_parameters(_county_copy(tmp_path, confirm))
    text = answer(GENERIC_INTENT, programme="高龄津贴", params=params).text
    assert "经办单位：略阳县民政局养老服务股。" in text
    assert "办理时请带老人的身份证。" in text
    assert text.count("未经核实") == 1  # only the place to ask first is still unverified


def test_validate_checks_the_referrals(tmp_path):
    report = validate()
    assert report.ok, report.errors
    assert {p.key for p in report.unverified} >= {"referrals.orphan_support.office"}

    def drop(data):
        del data["referrals"]["funeral_services"]
        data["referrals"]["disability_allowance"]["mentions"][0]["article"] = "九、（九）99"

    errors = validate(county_file=_county_copy(tmp_path, drop)).errors
    assert any("no entry for the referral funeral_services" in e for e in errors)
    assert any("reform_opinions has no article" in e for e in errors)


def test_the_action_sets_the_referral_slot():
    tracker = make_tracker(
        "残疾人两项补贴怎么领", GENERIC_INTENT, sender="term-someone", confidence=0.95,
        entities=[{"entity": "programme", "value": "残疾人两项补贴"}],
    )  # fmt: skip
    assert policy_reply(tracker).family == "referral"
    dispatcher = CollectingDispatcher()
    events = ActionAnswerPolicy().run(dispatcher, tracker, {})
    assert SlotSet("policy_referral", "残疾人两项补贴") in events
    assert "经办单位" in dispatcher.messages[0]["text"]
    other = make_tracker(
        "医疗救助怎么申请", GENERIC_INTENT, sender="term-someone", confidence=0.95,
        entities=[{"entity": "programme", "value": "医疗救助"}],
    )  # fmt: skip
    assert all(
        e.get("name") != "policy_referral"
        for e in ActionAnswerPolicy().run(CollectingDispatcher(), other, {})
    )


# --- the unanswered-questions report ---------------------------------------------------------------------------
def _events_table(engine, rows):
    metadata = sa.MetaData()
    events = sa.Table(
        "events", metadata,
        sa.Column("id", sa.Integer, primary_key=True), sa.Column("sender_id", sa.String(255)),
        sa.Column("type_name", sa.String(255)), sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)), sa.Column("action_name", sa.String(255)), sa.Column("data", sa.Text),
    )  # fmt: skip
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(events.insert(), rows)


def _user(sender, text, intent, confidence, ts):
    data = {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}},
    }
    return {
        "sender_id": sender,
        "type_name": "user",
        "timestamp": ts,
        "data": json.dumps(data, ensure_ascii=False),
    }


def _slot(sender, name, value, ts):
    data = {"event": "slot", "name": name, "value": value}
    return {
        "sender_id": sender,
        "type_name": "slot",
        "timestamp": ts,
        "data": json.dumps(data, ensure_ascii=False),
    }


def test_referred_questions_are_in_the_unanswered_report(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    _events_table(engine, [
        _user("tg-1-1", "残疾人两项补贴怎么领？", GENERIC_INTENT, 0.97, 1.0),
        _slot("tg-1-1", "policy_topic", "referral", 1.1),
        _slot("tg-1-1", "policy_referral", "残疾人两项补贴", 1.2),
        _user("tg-2-2", "残疾人两项补贴怎么领", GENERIC_INTENT, 0.9, 2.0),
        _slot("tg-2-2", "policy_referral", "残疾人两项补贴", 2.1),
        _user("tg-3-3", "医疗救助怎么申请", GENERIC_INTENT, 0.95, 3.0),  # answered: not reported
        _slot("tg-3-3", "policy_topic", "medical_assistance_apply", 3.1),
        _user("tg-4-4", "高龄补贴呢", GENERIC_INTENT, 0.3, 4.0),  # low confidence: counted once, not twice
        _slot("tg-4-4", "policy_referral", "高龄津贴", 4.1),
        _slot("tg-5-5", "policy_referral", "高龄津贴", 5.0),  # no question before it: nothing to report
    ])  # fmt: skip
    report = build_report(engine, threshold=0.6)
    assert report.total_messages == 4 and report.unanswered == 3 and report.referred == 2
    top = report.groups[0]
    assert top.count == 2 and top.intents.most_common(1)[0][0] == "转介→残疾人两项补贴"
    markdown = to_markdown(report)
    assert "其中 2 条问的是本助手没有政策资料的待遇" in markdown and "转介→残疾人两项补贴" in markdown
