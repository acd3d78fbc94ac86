"""The programme registry itself: consistent, and in step with the data that names programmes elsewhere (policy
topics, the domain, NLU synonyms, the generated lookup table and jieba words)."""

from __future__ import annotations

import dataclasses
from itertools import combinations

import pytest
import yaml

from bot.cases.deadlines import RULES
from bot.conversation.menus import main_menu
from bot.frontends.texts import menu_buttons
from bot.parsing.programmes import match_programme
from bot.policy.answers import menu_topics
from bot.policy.knowledge import DATA_DIR, read_knowledge
from bot.policy.search import normalise_programme
from bot.policy.validate import domain_intents
from bot.programme_nlu import lookup_table, sync, userdict
from bot.programmes import (
    BUILTIN,
    GENERIC_INTENT,
    MENUS,
    REFERRAL_TOPIC,
    by_code,
    case_codes,
    check,
    get,
    intent_programme,
    programmes,
    referrals,
    resolve,
    temporary,
)
from bot.settings import PROJECT_ROOT

KB = read_knowledge(DATA_DIR)


def test_the_registry_is_consistent():
    assert check(programmes()) == []
    assert programmes() == BUILTIN


def test_keys_names_and_the_entity_values():
    assert [(p.key, p.name) for p in programmes()] == [
        ("dibao", "低保"), ("tekun", "特困供养"), ("temp_relief", "临时救助"), ("edge_family", "低保边缘家庭"),
        ("disaster_relief", "受灾人员救助"), ("medical_assistance", "医疗救助"), ("education_assistance", "教育救助"),
        ("housing_assistance", "住房救助"), ("employment_assistance", "就业救助"),
        ("disability_allowance", "残疾人两项补贴"), ("orphan_support", "孤儿和事实无人抚养儿童保障"),
        ("elderly_allowance", "高龄津贴"), ("funeral_services", "基本殡葬服务"),
    ]  # fmt: skip


def test_the_special_assistance_types_are_decided_by_their_departments():
    """社会救助暂行办法 第三条; 意见 三、（二）: 应急管理、医疗保障、教育、住房城乡建设、人力资源社会保障."""
    assert {p.name: p.decided_by for p in programmes() if not p.civil_affairs} == {
        "受灾人员救助": "县应急管理部门", "医疗救助": "县医疗保障部门", "教育救助": "县教育部门",
        "住房救助": "县住房城乡建设（住房保障）部门", "就业救助": "县人力资源社会保障部门",
    }  # fmt: skip
    for programme in programmes()[4:]:
        assert programme.case_code is None and programme.deadline_rule is None and not programme.menus
    assert [p.name for p in referrals()] == ["残疾人两项补贴", "孤儿和事实无人抚养儿童保障", "高龄津贴", "基本殡葬服务"]
    assert all(p.home_topic == REFERRAL_TOPIC and p.civil_affairs for p in referrals())
    assert not get("教育救助").township_intake and not get("就业救助").township_intake
    assert get("医疗救助").township_intake and get("住房救助").township_intake


@pytest.mark.parametrize(
    ("word", "name"),
    [("医疗求助", "医疗救助"), ("大病救助", "医疗救助"), ("教育补助", "教育救助"), ("自然灾害救助", "受灾人员救助"),
     ("救灾", "受灾人员救助"), ("住房救助", "住房救助"), ("就业救助", "就业救助"), ("两项补贴", "残疾人两项补贴"),
     ("孤儿", "孤儿和事实无人抚养儿童保障"), ("事实无人抚养儿童", "孤儿和事实无人抚养儿童保障"),
     ("高龄补贴", "高龄津贴"), ("殡葬补助", "基本殡葬服务")],
)  # fmt: skip
def test_aliases_of_the_new_entries_are_entities(word, name):
    assert match_programme(f"想问一下{word}的事") == name


@pytest.mark.parametrize(
    ("text", "name"),
    [("危房改造怎么弄", "住房救助"), ("公租房咋个申请", "住房救助"), ("发洪水了", "受灾人员救助"),
     ("公益性岗位", "就业救助"), ("助学金", "教育救助"), ("火化费", "基本殡葬服务")],
)  # fmt: skip
def test_loose_words_of_the_new_entries_are_search_words_only(text, name):
    """危房改造, 公租房 (wider programmes of their own), disaster words, 助学金: keyword search and a question
    with no programme named, never an entity; 丧葬 is never 殡葬 (特困供养 includes 办理丧葬事宜)."""
    assert match_programme(text) is None
    assert normalise_programme(text) == name
    assert match_programme("五保户去世了丧葬费哪个出") == "特困供养"


def test_aliases_are_unique_across_programmes():
    for a, b in combinations(programmes(), 2):
        shared = {w.lower() for w in a.words} & {w.lower() for w in b.words}
        assert not shared, (a.key, b.key, shared)


def test_case_codes_are_unique_and_read_back():
    assert case_codes() == {"低保": "DB", "特困供养": "TK", "临时救助": "LS"}
    codes = [p.case_code for p in programmes() if p.case_code]
    assert len(codes) == len(set(codes))
    for programme in programmes():
        if programme.case_code:
            assert by_code(programme.case_code.lower()) is programme


def test_every_home_topic_exists_and_is_about_its_programme():
    assert not KB.errors
    for programme in programmes():
        topic = KB.topics.get(programme.home_topic)
        assert topic is not None, programme.home_topic
        if programme.referral:
            assert topic.key == REFERRAL_TOPIC and topic.programme is None
        else:
            assert topic.programme == programme.name


def test_own_intents_exist_and_default_to_the_home_topic():
    intents = domain_intents()
    assert GENERIC_INTENT in intents
    for programme in programmes():
        if programme.intent:
            assert programme.intent in intents
            assert KB.default_for(programme.intent).key == programme.home_topic


def test_only_programme_intents_pin_their_programme():
    assert intent_programme("ask_tekun") == "特困供养"
    assert intent_programme("ask_temp_relief") == "临时救助"
    assert intent_programme("ask_edge_family") == "低保边缘家庭"
    # the generic intent and the question-type intents are about whatever programme the message names
    for intent in (GENERIC_INTENT, "ask_dibao_apply", "ask_dibao_standard", "ask_materials", "ask_appeal"):
        assert intent_programme(intent) is None


def test_deadline_rules_exist():
    for programme in programmes():
        if programme.deadline_rule:
            assert programme.deadline_rule in RULES
            assert programme.case_code  # only cases have deadlines


def test_menus_are_the_same_as_before_the_registry():
    assert main_menu() == [
        {"title": "低保申请条件", "payload": "/ask_dibao_eligibility"},
        {"title": "临时救助预审", "payload": "/start_precheck"},
        {"title": "查询申请进度", "payload": "/check_status"},
        {"title": "特困供养", "payload": "/ask_tekun"},
        {"title": "联系工作人员", "payload": "/request_human"},
    ]
    assert menu_buttons() == (
        ("低保申请条件", "/ask_dibao_eligibility"),
        ("临时救助", "/ask_temp_relief"),
        ("需要准备的材料", "/ask_materials"),
        ("临时救助预审", "/start_precheck"),
        ("查询办理进度", "/check_status"),
        ("联系工作人员", "/request_human"),
    )
    assert menu_topics() == ["dibao_eligibility", "tekun", "temp_relief", "materials", "appeal", "contact"]
    for programme in programmes():
        for menu_name, _ in programme.menus:
            assert menu_name in MENUS and programme.menu_label


def test_the_greeting_shows_the_main_menu():
    # domain/core.yml's greeting repeats the main menu (a domain response cannot call code): keep them equal
    domain = yaml.safe_load((PROJECT_ROOT / "domain" / "core.yml").read_text(encoding="utf-8"))
    [greeting] = domain["responses"]["utter_greet"]
    assert greeting["buttons"] == main_menu()


def test_nlu_synonyms_name_the_same_programme():
    data = yaml.safe_load((PROJECT_ROOT / "nlu_data" / "synonyms.yml").read_text(encoding="utf-8"))
    names = {p.name for p in programmes()}
    for entry in data["nlu"]:
        if entry.get("synonym") in names:
            for line in entry["examples"].splitlines():
                example = line.strip().removeprefix("- ").strip()
                if example:
                    assert match_programme(example) == entry["synonym"], example


def test_lookup_table_and_jieba_words_match_the_registry():
    # a failure here means bot/programmes.py changed: run `python scripts/sync_programmes.py` and retrain
    assert sync(write=False) == []


def test_generated_files_are_what_the_registry_gives():
    lookup = yaml.safe_load(lookup_table())
    [table] = lookup["nlu"]
    examples = [line.removeprefix("- ") for line in table["examples"].splitlines()]
    assert examples == list(dict.fromkeys(w for p in programmes() for w in (p.name, *p.aliases)))
    current = (PROJECT_ROOT / "nlu_data" / "jieba" / "userdict.txt").read_text(encoding="utf-8")
    assert userdict(current) == current  # idempotent
    lines = current.splitlines()
    assert "低保 60000 n" in lines and "低保户 0" in lines and "临时救助 10000 n" in lines
    assert len({line.split()[0] for line in lines}) == len(lines)  # one line per word


@pytest.mark.parametrize(
    ("raw", "name"),
    [("低保", "低保"), ("DB", "低保"), ("dibao", "低保"), ("农村低保", "低保"), ("tk", "特困供养"), ("五保户", "特困供养"),
     ("temp_relief", "临时救助"), ("Temporary Relief", "临时救助"), ("ls", "临时救助"), ("低边", "低保边缘家庭"),
     ("医疗救助", "医疗救助"), ("medical_assistance", "医疗救助"), ("孤儿", "孤儿和事实无人抚养儿童保障"),
     ("救助", None), ("", None)],
)  # fmt: skip
def test_resolve_exact_names(raw, name):
    found = resolve(raw)
    assert (found.name if found else None) == name


def test_loose_words_are_for_search_only():
    assert get("临时救助").search_words == ("临时",)
    assert match_programme("临时有事") is None
    assert normalise_programme("临时有事") == "临时救助"
    assert normalise_programme("边缘") == "低保边缘家庭"
    assert normalise_programme("低保边缘户") == "低保边缘家庭"  # the longest spelling, not 低保


@pytest.mark.parametrize(
    ("change", "problem"),
    [({"aliases": ("五保",)}, "spelling '五保'"), ({"case_code": "DB"}, "case code 'DB'"),
     ({"case_code": "C1"}, "two capital letters"), ({"home_topic": "tekun"}, "home topic 'tekun'"),
     ({"intent": "ask_tekun"}, "intent 'ask_tekun'"), ({"menus": (("main", 0),)}, "menu_label"),
     ({"dictionary": (("低保", 1),)}, "not one of its aliases"), ({"deadline_rule": "x"}, "needs a case code"),
     ({"search_words": ("新救",)}, "also an alias"), ({"referral": True}, "a referral's home topic"),
     ({"home_topic": "referral"}, "only referrals"),
     ({"referral": True, "home_topic": "referral", "case_code": "XJ"}, "no case code, intent or menu")],
)  # fmt: skip
def test_bad_entries_are_refused(change, problem):
    base = BUILTIN[0]
    extra = dataclasses.replace(
        base, key="new_relief", name="新救助", full_name="新救助", english="new relief", aliases=("新救",),
        home_topic="new_relief", case_code=None, deadline_rule=None, intent=None, menu_label=None, menus=(),
        dictionary=(),
    )  # fmt: skip
    assert check((*BUILTIN, extra)) == []
    bad = dataclasses.replace(extra, **change)
    problems = check((*BUILTIN, bad))
    assert any(problem in p for p in problems), problems
    with pytest.raises(ValueError, match="invalid programme registry"):
        with temporary(bad):
            pass  # pragma: no cover
    assert programmes() == BUILTIN
