"""Unverified county values never appear as figures; staff get scripts, residents never see staff notes;
keyword search and bad input."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.policy.answers import answer, contact_answer, script_search, suggestions
from bot.policy.knowledge import load_knowledge
from bot.policy.parameters import DEFAULT_PATH, load_parameters
from bot.policy.search import normalise_programme, search_topics

ASK_INTENTS = [
    "ask_dibao_eligibility", "ask_dibao_standard", "ask_dibao_apply", "ask_tekun", "ask_temp_relief",
    "ask_materials", "ask_edge_family", "ask_illness_poverty", "ask_appeal", "ask_review", "ask_contact",
    "ask_statistics", "ask_programme",
]  # fmt: skip


def _all_answers():
    kb = load_knowledge()
    for topic in kb.topics.values():
        for audience in ("resident", "staff"):
            for detail in (False, True):
                yield (
                    topic.key,
                    audience,
                    answer(topic.intent, topic=topic.key, detail=detail, audience=audience),
                )


def test_unverified_parameter_values_never_appear():
    params = load_parameters()
    # unverified parameters that carry a (placeholder/example) value: it must never be shown
    leaky = [p for p in params.unverified() if p.key.count(".") and not p.key.startswith("offices.")]
    valued = [p for p in leaky if p.value is not None]
    assert valued, (
        "the test needs at least one unverified parameter with an example value (handoff.response_hours)"
    )
    for key, audience, result in _all_answers():
        for p in valued:
            assert f"{p.value}{p.unit or ''}" not in result.text, (key, audience, p.key)
            assert f"{p.value}小时" not in result.text


def test_every_unverified_placeholder_is_explained():
    for key, audience, result in _all_answers():
        if "待核实" in result.text:
            assert "本助手暂无经过核实的数据" in result.text, (key, audience)
            assert "确认" in result.text


def test_unverified_standard_is_never_stated_as_the_county_figure():
    text = answer("ask_dibao_standard").text
    assert "城市待核实" in text or "城市（待核实）" in text
    assert "城市低保标准、农村低保标准" in text
    assert "元/人" not in text and "每人每月" not in text


def test_relief_station_phone_only_with_an_unverified_marker():
    for key, audience, result in _all_answers():
        if "0916-4822453" in result.text:
            assert "尚未核实" in result.text, (key, audience)
    text = contact_answer().text
    assert "0916-4822453" in text and "尚未核实" in text


@pytest.mark.parametrize("intent", ASK_INTENTS)
def test_staff_get_the_script(intent):
    result = answer(intent, audience="staff")
    assert result.audience == "staff"
    assert "【热线话术】" in result.text
    for part in ("开场：", "要点：", "询问来电人：", "引导去向：", "结束语：", "依据："):
        assert part in result.text


def test_residents_never_see_staff_notes():
    kb = load_knowledge()
    notes = {n for t in kb.topics.values() for n in t.script.staff_notes}
    assert notes
    for key, audience, result in _all_answers():
        if audience == "resident":
            assert "内部提示" not in result.text, key
            assert "热线话术" not in result.text, key
            for note in notes:
                assert note not in result.text, (key, note)


def test_staff_notes_are_in_the_staff_script():
    result = answer("ask_dibao_eligibility", audience="staff")
    assert "内部提示（仅工作人员可见）" in result.text
    assert "不要报具体金额" in result.text


@pytest.mark.parametrize(
    ("keyword", "topic"),
    [("边缘", "edge_family"), ("材料", "materials"), ("特因", "tekun"), ("临救", "temp_relief"), ("单人保", "dibao_single_person"),
     ("复议", "appeal"), ("渐退", "gradual_exit"), ("三类人群", "three_groups"), ("五保", "tekun"), ("底保", "dibao_eligibility")],
)  # fmt: skip
def test_script_search_finds_the_topic(keyword, topic):
    assert search_topics(keyword)[0].key == topic
    result = script_search(keyword)
    assert result.topic == topic
    assert "【热线话术】" in result.text


def test_script_search_offers_other_topics():
    result = script_search("边缘")
    assert "其他相关" in result.text
    assert result.buttons


@pytest.mark.parametrize(
    "keyword", ["火车票", "天气", "asdfgh", "😀😀", "'; DROP TABLE cases; --", "x" * 5000]
)
def test_unknown_keywords_get_suggestions_not_errors(keyword):
    result = script_search(keyword)
    assert "没有找到" in result.text
    assert "我可以解答这些问题" in result.text
    assert result.buttons
    assert len(result.text) < 500  # the keyword is not echoed at length


def test_empty_script_keyword_explains_usage():
    result = script_search("   ")
    assert "/script 边缘" in result.text


def test_script_for_residents_is_the_resident_answer():
    result = script_search("边缘", audience="resident")
    assert "热线话术" not in result.text and "内部提示" not in result.text


@pytest.mark.parametrize(
    ("text", "programme"),
    [("特因", "特困供养"), ("临救", "临时救助"), ("底保", "低保"), ("五保户", "特困供养"), ("低保边缘户", "低保边缘家庭"),
     ("低保", "低保"), ("火车票", None), ("", None)],
)  # fmt: skip
def test_programme_misspellings(text, programme):
    assert normalise_programme(text) == programme


def test_town_outside_lueyang_is_polite():
    for kwargs in ({"town": "勉县"}, {"text": "勉县的低保找谁"}, {"town": "宁强"}):
        result = answer("ask_contact", **kwargs)
        assert "不属于略阳县" in result.text
        assert result.buttons


def test_unknown_town_gets_suggestions_and_the_bureau():
    result = answer("ask_contact", town="火星镇")
    assert "没有找到" in result.text
    assert "略阳县民政局" in result.text


def test_suggestions_for_a_misspelled_question():
    titles = [t for t, _ in suggestions("特因")]
    assert titles and titles[0] == "特困供养条件"
    assert suggestions("火车票") == []


def test_example_values_in_unverified_entries_are_never_shown(tmp_path):
    """Give every unverified parameter a conspicuous example value: no answer may show any of them."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    head, offices = text.split("\noffices:", 1)
    counter = iter(range(987001, 988000))

    def fill(match):
        return f"value: {next(counter)}\n    unit:"

    # only entries that are unverified: rewrite `value: null` in blocks whose verified flag is false
    blocks = re.split(r"(?m)^(?=  [a-z_]+\.[a-z_.]+:\n)", head)
    out = []
    for block in blocks:
        if "verified: false" in block:
            block = re.sub(r"value: null\n    unit:", fill, block)
        out.append(block)
    path = tmp_path / "county.yml"
    path.write_text("".join(out) + "\noffices:" + offices, encoding="utf-8")
    params = load_parameters(path)
    examples = [str(p.value) for p in params.unverified() if isinstance(p.value, int) and p.value >= 987001]
    assert len(examples) >= 10
    kb = load_knowledge()
    for topic in kb.topics.values():
        for audience in ("resident", "staff"):
            for detail in (False, True):
                result = answer(
                    topic.intent, topic=topic.key, detail=detail, audience=audience, params=params
                )
                for example in examples:
                    assert example not in result.text, (topic.key, audience, example)
    for amount_answer in (
        answer("ask_dibao_eligibility", amount="3000", household_size="3", params=params),
        answer("ask_edge_family", amount="3000", params=params),
    ):
        assert not any(example in amount_answer.text for example in examples)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=60), intent=st.sampled_from(ASK_INTENTS + ["inform", "greet"]))
def test_any_text_gets_an_answer_without_errors(text, intent):
    result = answer(
        intent, text=text, town=text[:6] or None, programme=text[:4] or None, amount=text[:8] or None
    )
    assert result.text
    search = script_search(text)
    assert search.text
