"""A new programme is one registry entry plus its topic file: 测试救助 (code CS, alias 测救), registered only for
the test, flows through parsing, case numbers, policy answers, menus, the importer, deadlines, replies and the
NLU data generator, and disappears again afterwards."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from actions.policy import policy_reply
from bot.cases.deadlines import statutory_deadline
from bot.cases.importer import normalize_programme, validate_row
from bot.conversation.menus import main_menu
from bot.errors import CaseNumberError, InputError
from bot.frontends.texts import menu_buttons
from bot.parsing.case_numbers import normalize_case_no, programme_of
from bot.parsing.entities import extract_entities
from bot.parsing.programmes import find_programmes, match_programme
from bot.policy.answers import (
    answer,
    followup_answer,
    is_followup,
    menu_answer,
    menu_topics,
    parse_payload,
    select_topic,
)
from bot.policy.knowledge import load_knowledge
from bot.policy.search import normalise_programme, search_topics
from bot.programme_nlu import lookup_table, userdict
from bot.programmes import CIVIL_AFFAIRS, GENERIC_INTENT, display_name, names
from tests.auxil.trackers import make_tracker

from .conftest import TEST_RELIEF, with_programme

TODAY = date(2025, 7, 1)
PAYLOAD = f'/{GENERIC_INTENT}{{"programme": "测试救助"}}'


def test_parsing_reads_its_names(test_relief):
    text = "我想问一下测救的事，还有低保"
    found = find_programmes(text)
    assert [m.value for m in found] == ["测试救助", "低保"]
    assert text[found[0].start : found[0].end] == "测救"
    assert match_programme("测试救助金发了没") == "测试救助"  # the longest alias wins
    assert {"entity": "programme", "value": "测试救助", "start": 5, "end": 7} | {"confidence_entity": 1.0} in (
        extract_entities(text)
    )
    assert match_programme("测试一下") is None  # a loose search word is not an entity
    assert normalise_programme("/script 测试") == "测试救助"  # but keyword search reads it


def test_case_numbers_accept_its_code(test_relief):
    assert normalize_case_no("ly-2025-cs-00001", today=TODAY) == "LY2025CS00001"
    assert programme_of("LY2025CS00001") == "测试救助"
    with pytest.raises(CaseNumberError) as err:
        normalize_case_no("LY2025XX00001", today=TODAY)
    assert "DB（低保）、TK（特困供养）、LS（临时救助）或 CS（测试救助）" in err.value.reason


def test_policy_answers_route_any_question_to_its_topics(test_relief, knowledge_dir):
    kb = load_knowledge()
    assert kb.directory == knowledge_dir.resolve()
    # no intent of its own: a question-type intent with the programme entity gets its topic of that kind ...
    assert answer("ask_dibao_apply", programme="测试救助").topic == "test_relief_apply"
    assert answer("ask_tekun", programme="测试救助").topic == "test_relief"  # eligibility family
    # ... or its home topic when it has none of that kind
    assert answer("ask_dibao_standard", programme="测试救助").topic == "test_relief"
    assert answer("ask_temp_relief", programme="测试救助", text="测救能给多少钱").topic == "test_relief"
    # another department decides it: the general 民政 topics (materials, appeal, contact…) do not answer for it
    for intent in ("ask_materials", "ask_appeal", "ask_review", "ask_illness_poverty", "ask_contact"):
        assert answer(intent, programme="测试救助").topic == "test_relief", intent
    assert select_topic(kb, "ask_materials", programme="测试救助").key == "test_relief"
    # the programme read from the text when the question has no programme entity; "要带什么材料" asks how to
    # apply, so of its own topics the one about applying answers
    assert answer("ask_materials", text="测救要带什么材料").topic == "test_relief_apply"
    assert answer("ask_materials", text="测救是啥子").topic == "test_relief"
    # the menu button's payload: the generic intent with the programme entity
    result = answer(GENERIC_INTENT, programme=parse_payload(PAYLOAD)["programme"])
    assert result.topic == "test_relief" and result.programme == "测试救助"
    assert "县测试局" in result.text and "《社会救助暂行办法》第二条" in result.text
    # follow-ups: "那测救呢?" after a 低保 standard answer
    assert is_followup("那测救呢？", "ask_dibao_standard", "测试救助", "standard")
    assert followup_answer("standard", "测试救助").topic == "test_relief"
    assert followup_answer("apply", "测试救助").topic == "test_relief_apply"
    assert search_topics("测救")[0].key in ("test_relief", "test_relief_apply")
    # the existing programmes are answered as before
    assert answer("ask_materials", programme="特困供养").topic == "materials_tekun"
    assert answer("ask_appeal", programme="低保").topic == "appeal"


def test_the_policy_action_answers_its_menu_button(test_relief, isolated_audit_db):
    tracker = make_tracker(
        PAYLOAD, GENERIC_INTENT, sender="term-someone", entities=[{"entity": "programme", "value": "测试救助"}]
    )
    assert policy_reply(tracker).topic == "test_relief"


def test_a_civil_affairs_programme_shares_the_general_topics(knowledge_dir):
    civil = dataclasses.replace(TEST_RELIEF, decided_by=CIVIL_AFFAIRS)
    with with_programme(civil):
        assert answer("ask_appeal", programme="测试救助").topic == "appeal"
        assert answer("ask_materials", programme="测试救助").topic == "materials"
        assert answer("ask_dibao_standard", programme="测试救助").topic == "test_relief"  # programme-specific


def test_menus_list_it_where_flagged(test_relief, knowledge_dir):
    button = {"title": "测试救助", "payload": PAYLOAD}
    assert main_menu()[1] == button
    assert [b["title"] for b in main_menu()] == ["低保申请条件", "测试救助", "临时救助预审", "查询申请进度", "特困供养",
                                                 "联系工作人员"]  # fmt: skip
    assert [title for title, _ in menu_buttons()] == ["低保申请条件", "临时救助", "需要准备的材料", "测试救助",
                                                      "临时救助预审", "查询办理进度", "联系工作人员"]  # fmt: skip
    assert ("测试救助", PAYLOAD) in menu_buttons()
    assert menu_topics() == ["dibao_eligibility", "tekun", "temp_relief", "test_relief", "materials", "appeal",
                             "contact"]  # fmt: skip
    menu = menu_answer()
    assert "测试救助是什么、谁能申请" in menu.text
    assert ("测试救助是什么、谁能申请", '/ask_dibao_eligibility{"topic": "test_relief"}') in menu.buttons


def test_menus_leave_it_out_when_not_flagged(knowledge_dir):
    with with_programme(dataclasses.replace(TEST_RELIEF, menus=())):
        assert all(b["title"] != "测试救助" for b in main_menu())
        assert all(title != "测试救助" for title, _ in menu_buttons())
        assert "test_relief" not in menu_topics()


def test_importer_deadlines_and_replies(test_relief):
    for raw in ("测试救助", "测救", "CS", "cs", "test_relief", "Test Relief"):
        assert normalize_programme(raw) == "测试救助", raw
    row = validate_row(
        2,
        {"case_no": "LY2025CS00001", "programme": "测救", "applicant_name": "王建国", "id_number": "610727197407245303",
         "town": "兴州街道", "applied_on": "2025-06-30", "status": "已受理"},
        today=TODAY, hash_key="test-key",
    )  # fmt: skip
    assert (row.case_no, row.programme) == ("LY2025CS00001", "测试救助")
    with pytest.raises(InputError, match="不一致"):
        validate_row(
            2,
            {"case_no": "LY2025DB00001", "programme": "测救", "applicant_name": "王建国",
             "id_number": "610727197407245303", "town": "兴州街道", "applied_on": "2025-06-30", "status": "已受理"},
            today=TODAY, hash_key="test-key",
        )  # fmt: skip
    deadline = statutory_deadline("测试救助", TODAY)
    assert deadline.due is None  # no deadline rule in the registry
    assert display_name("测试救助") == "测试救助（演示项目）"


def test_a_programme_without_cases_is_refused_by_the_importer(knowledge_dir):
    with with_programme(dataclasses.replace(TEST_RELIEF, case_code=None)):
        with pytest.raises(InputError) as err:
            normalize_programme("测救")
        assert err.value.user_message.endswith("应为：低保、特困供养、临时救助")
        with pytest.raises(CaseNumberError):
            normalize_case_no("LY2025CS00001", today=TODAY)


def test_nlu_data_generator_includes_it(test_relief):
    assert "    - 测救\n" in lookup_table()
    generated = userdict("测试救助 1 n\n其他 100 n\n")
    assert generated.splitlines()[-3:] == ["测试救助 4000 n", "测救 3000 n", "其他 100 n"]


def test_everything_reverts_after_the_block(knowledge_dir):
    with with_programme():
        assert "测试救助" in names()
    assert "测试救助" not in names()
    assert match_programme("测救") is None
    with pytest.raises(CaseNumberError):
        normalize_case_no("LY2025CS00001", today=TODAY)
    with pytest.raises(InputError):
        normalize_programme("测救")
    assert all(b["title"] != "测试救助" for b in main_menu())
    # its topic file now names an unknown programme: the knowledge base refuses it
    with pytest.raises(Exception, match="programme must be one of"):
        load_knowledge()


def test_payload_is_valid_json():
    assert json.loads(PAYLOAD[len(GENERIC_INTENT) + 1 :]) == {"programme": "测试救助"}
