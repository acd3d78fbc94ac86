import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing.programmes import find_programmes, match_programme
from bot.programmes import names, programmes


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("低保", "低保"),
        ("底保", "低保"),
        ("低宝", "低保"),
        ("最低生活保障", "低保"),
        ("我想吃低保", "低保"),
        ("特困供养", "特困供养"),
        ("五保户", "特困供养"),
        ("特困", "特困供养"),
        ("特因", "特困供养"),
        ("供养", "特困供养"),
        ("临时救助", "临时救助"),
        ("临救", "临时救助"),
        ("临时求助", "临时救助"),
        ("临时救济", "临时救助"),
        ("急难救助", "临时救助"),
        ("低保边缘家庭", "低保边缘家庭"),
        ("低边", "低保边缘家庭"),
        ("边缘户", "低保边缘家庭"),
        ("低保边缘户怎么认定", "低保边缘家庭"),
        ("DIBAO", "低保"),
        ("特坤", "特困供养"),
        ("五宝户", "特困供养"),
        ("低边家庭", "低保边缘家庭"),  # its 低边
    ],
)
def test_match(text, canonical):
    assert match_programme(text) == canonical


def test_first_mention_wins_and_spans():
    text = "低保和临时救助能同时申请吗"
    found = find_programmes(text)
    assert [m.value for m in found] == ["低保", "临时救助"]
    assert match_programme(text) == "低保"
    for m in found:
        assert text[m.start : m.end] == m.raw


def test_every_programme_name_and_alias_is_read_as_that_programme():
    assert names()[:4] == ("低保", "特困供养", "临时救助", "低保边缘家庭")
    for programme in programmes():
        for spelling in (programme.name, *programme.aliases):
            assert match_programme(spelling) == programme.name, spelling


def test_loose_search_words_are_not_entities():
    # bare 临时 / 边缘 are read by keyword search only (bot.policy.search), never tagged as a programme
    assert match_programme("我临时有事") is None
    assert match_programme("在边缘地带") is None


def test_no_programme():
    assert match_programme("你好") is None
    assert match_programme("") is None


@given(st.text())
def test_never_crashes(text):
    assert match_programme(text) in (None, *names())
