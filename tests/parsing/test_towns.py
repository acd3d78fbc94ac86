import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import TownError
from bot.parsing import towns as towns_module
from bot.parsing.towns import find_town_mentions, is_foreign_place, match_town, normalize_town, towns

SOURCE = Path("/work/shared/policy/sources/08_略阳县乡级区划_NBS2022_modood.csv")


def test_seventeen_towns_with_12_digit_codes():
    all_towns = towns()
    assert len(all_towns) == 17
    assert towns_module.TOWNS == all_towns
    assert all(
        len(t.code) == 12 and t.code.startswith("610727") and t.code.endswith("000") for t in all_towns
    )
    assert {t.kind for t in all_towns} == {"镇", "街道"}
    assert sum(t.kind == "街道" for t in all_towns) == 2
    assert len({t.name for t in all_towns}) == 17


@pytest.mark.skipif(not SOURCE.exists(), reason="shared policy sources not mounted")
def test_data_matches_the_nbs_source():
    with SOURCE.open(encoding="utf-8") as fh:
        source = {row[1]: row[0] for row in csv.reader(fh)}
    assert {t.name: t.code[:9] for t in towns()} == source


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("接官亭", "接官亭镇"),
        ("接官亭镇", "接官亭镇"),
        ("接官停", "接官亭镇"),
        ("兴州", "兴州街道"),
        ("横岘河", "横现河街道"),
        ("白水江", "白水江镇"),
        ("硖口驿", "硖口驿镇"),
        ("峡口驿", "硖口驿镇"),
        ("硖口", "硖口驿镇"),
        ("峡口", "硖口驿镇"),
        ("郭镇", "郭镇"),
        ("略阳县郭镇", "郭镇"),
        ("陕西省汉中市略阳县两河口镇", "两河口镇"),
        (" 仙台坝 ", "仙台坝镇"),
        ("我住在乐素河那边", "乐素河镇"),
    ],
)
def test_normalize_town(text, name):
    assert normalize_town(text) == name


def test_every_official_name_normalises_to_itself():
    for town in towns():
        assert normalize_town(town.name) == town.name
        assert match_town(f"我是{town.name}的") == town


def test_guo_has_no_short_form():
    assert match_town("郭") is None
    assert match_town("我姓郭") is None


def test_longest_match_wins():
    assert match_town("白水江镇").name == "白水江镇"
    mentions = find_town_mentions("硖口驿镇")
    assert len(mentions) == 1 and mentions[0].raw == "硖口驿镇"


def test_find_town_mentions_spans():
    text = "从接官亭到白水江怎么走"
    found = find_town_mentions(text)
    assert [m.value for m in found] == ["接官亭镇", "白水江镇"]
    for m in found:
        assert text[m.start : m.end] == m.raw


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("勉县", "勉县"),
        ("我是宁强的", "宁强县"),
        ("汉中", "汉中市区"),
        ("我在城固县", "城固县"),
        ("陇南康县", "陇南市"),
        ("成县", "成县"),
    ],
)
def test_foreign_places(text, place):
    assert is_foreign_place(text) == place
    assert match_town(text) is None


@pytest.mark.parametrize("text", ["汉中市略阳县", "我在略阳", "汉中市略阳县接官亭镇", "接官亭", "今天天气好"])
def test_not_foreign(text):
    assert is_foreign_place(text) is None


def test_foreign_place_error_says_not_lueyang():
    with pytest.raises(TownError) as err:
        normalize_town("勉县")
    assert "勉县不属于略阳县" in err.value.reason


def test_unknown_town_suggests_nearest():
    with pytest.raises(TownError) as err:
        normalize_town("白水")
    assert "白水江镇" in err.value.reason
    with pytest.raises(TownError) as err:
        normalize_town("马蹄")
    assert "马蹄湾镇" in err.value.reason


def test_nothing_close_lists_all_towns():
    with pytest.raises(TownError) as err:
        normalize_town("北京")
    assert "兴州街道" in err.value.reason and "观音寺镇" in err.value.reason


def test_empty():
    with pytest.raises(TownError):
        normalize_town("  ")


@given(st.text())
def test_never_crashes(text):
    try:
        normalize_town(text)
    except TownError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.reason)  # a Chinese reason
    match_town(text)
    is_foreign_place(text)
