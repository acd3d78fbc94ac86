"""Our own reference codes stay readable in tickets and the audit log; identifiers do not."""

from __future__ import annotations

from bot.audit.masking import mask


def test_precheck_reference_and_case_numbers_stay_readable():
    text = "预审参考号 YJ261128-7KQ3，案件 LY2023LS00123"
    assert mask(text) == text


def test_bare_id_tail_and_long_numbers_are_still_hidden():
    masked = mask("后六位 12345X，另一个 654321，身份证 610727199001011234")
    assert "12345X" not in masked and "654321" not in masked and "199001011234" not in masked
