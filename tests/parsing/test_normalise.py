"""Classifier text normalisation: simplified, usual spellings, same length; entity masking."""

from __future__ import annotations

import pytest

from bot.parsing.normalise import TYPOS, fix_typos, mask_entities, normalise
from bot.parsing.text import to_simplified


def test_traditional_to_simplified():
    assert to_simplified("申請特困供養需要帶哪些證件") == "申请特困供养需要带哪些证件"
    assert to_simplified("復審是什麼時候") == "复审是什么时候"
    assert to_simplified("低保怎么申请") == "低保怎么申请"


@pytest.mark.parametrize(
    ("typed", "usual"),
    [("底保咋个申请", "低保咋个申请"), ("五宝户", "五保户"), ("临时求助能给多少", "临时救助能给多少"),
     ("建退期有几个月", "渐退期有几个月"), ("行政附议", "行政复议"), ("特因人员", "特困人员")],
)
def test_typos(typed, usual):
    assert fix_typos(typed) == usual


def test_typo_table_keeps_length():
    assert all(len(k) == len(v) for k, v in TYPOS.items())


@pytest.mark.parametrize(
    "text",
    ["", "ＬＹ2023ＬＳ00123", "臨時求助 LY-2023-LS-00123", "İstanbul 低保", "😀😀", "a" * 50, "低保\n特困"],
)
def test_normalise_keeps_length(text):
    assert len(normalise(text)) == len(text)


def test_normalise_folds_width_and_case():
    assert normalise("ＬＹ2023ls00123") == "ly2023ls00123"


def test_mask_entities_replaces_each_entity_by_its_type():
    assert mask_entities("五宝户一个月能拿好多钱") == mask_entities("低保户一个月能拿好多钱") == "Ⓟ一个月能拿好多钱"
    assert mask_entities("回个电话到13900002468") == "回个电话到Ⓓ"
    assert mask_entities("LY2023LS00123到哪了") == "Ⓒ到哪了"
    assert mask_entities("我家4口人 月收入两千五 住在接官亭") == "我家Ⓗ 月收入Ⓐ 住在Ⓣ"
    assert mask_entities("你好") == "你好"
