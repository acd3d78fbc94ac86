"""The prebuilt validator for action-server responses accepts and rejects exactly what Rasa's own check does."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from rasa_addons.channels import SecureRestInput
from rasa_addons.speedups import install_fast_action_validation

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "town", "value": "接官亭镇"}], "responses": [{"text": "好的"}]},
    {},
]
BAD = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": "nope"},
]


@pytest.mark.parametrize("result", GOOD + BAD)
def test_same_verdict_as_jsonschema_validate(result):
    spec = RemoteAction.action_response_format_spec()
    try:
        jsonschema.validate(result, spec)
        expected_ok = True
    except jsonschema.ValidationError:
        expected_ok = False
    install_fast_action_validation()
    action = RemoteAction("action_x", None)
    if expected_ok:
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError):
            action._validate_action_result(result)


def test_installed_by_the_channel_and_idempotent():
    SecureRestInput.from_credentials({"secret": "a-test-secret-of-at-least-32-characters"})
    assert getattr(RemoteAction, "_lueyang_fast_validation", False)
    assert install_fast_action_validation() is False
