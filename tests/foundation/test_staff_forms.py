"""The helpers the visit (#17) and monitoring (#18) forms share: actions/staff_forms.py and bot/reports.py."""

from __future__ import annotations

import inspect
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rasa_sdk.executor import ActionExecutor

from actions import staff_forms
from actions.staff_forms import AskAction, StaffFormValidation, form_command, refusal
from bot import reports
from bot.staff_access import StaffMember
from tests.auxil.trackers import make_tracker

TEXTS = SimpleNamespace(REFUSED="no", REFUSED_NO_TOWNS="no towns")


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        (None, "no"),
        (StaffMember("甲", "hotline", ("城关镇",), 1), "no"),
        (StaffMember("乙", "caseworker", (), 2), "no towns"),
        (StaffMember("丙", "caseworker", ("城关镇",), 3), None),
        (StaffMember("丁", "admin", (), 4), None),
        (StaffMember("戊", "hotline", (), None), "no towns"),  # bootstrap: staff, but no towns on record
    ],
)
def test_refusal(member, expected):
    assert refusal(member, ("caseworker", "admin"), TEXTS) == expected


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        (None, (None, "")),
        ({"command": "visit", "args": " 张三 "}, ("visit", "张三")),
        ({"command": "photo"}, ("photo", "")),
        ({"args": "x"}, (None, "x")),
    ],
)
def test_form_command(metadata, expected):
    assert form_command(make_tracker("/visit", metadata=metadata)) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 0, None), (1, 3, Decimal("33.3")), (2, 3, Decimal("66.7")), (5, 5, Decimal("100.0"))],
)
def test_percent(part, whole, expected):
    assert reports.percent(part, whole) == expected


def test_the_bases_are_abstract_and_not_registered_by_the_action_server():
    assert inspect.isabstract(AskAction) and inspect.isabstract(StaffFormValidation)
    executor = ActionExecutor()
    executor.register_package("actions.visits")
    executor.register_package("actions.monitoring")
    assert {"action_ask_visit_notes", "action_ask_check_task", "validate_visit_form", "validate_check_form"} <= set(
        executor.actions
    )
    assert "" not in executor.actions


def test_step_validator_hands_the_step_to_validate():
    class Form:
        def _validate(self, step, dispatcher, tracker):
            return {"step": step}

        validate_x = staff_forms.step_validator("x")

    assert Form().validate_x("value", None, None, {}) == {"step": "x"}
