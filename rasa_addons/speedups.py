"""Performance fixes for Rasa 3.6 internals, installed when our input channel is created.

``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result, spec)`` on every action-server
response, which checks the schema itself each time: 19.8 ms per action call here with jsonschema 4.17 — the
largest single cost of a turn (see results/load_test.md). A validator built once does the same check in
0.27 ms. Behaviour is unchanged: a response that does not match the spec still raises ``ValidationError``.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the Action endpoint "
    "is valid. For more information about the format visit https://rasa.com/docs/rasa/custom-actions"
)


def install_fast_action_validation() -> bool:
    """Replace RemoteAction's per-call schema validation by a prebuilt validator. Idempotent."""
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction, "_lueyang_fast_validation", False):
        return False
    spec = RemoteAction.action_response_format_spec()
    validator_cls = validator_for(spec)
    validator_cls.check_schema(spec)
    validator = validator_cls(spec)

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as e:
            e.message += _HINT
            raise e

    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction._lueyang_fast_validation = True
    logger.info("installed the prebuilt validator for action-server responses")
    return True
