"""Performance fixes for Rasa 3.6 internals, installed in every Rasa process (``install_speedups``: by our input
channel and by our tracker store, whichever is created first).

``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result, spec)`` on every action-server
response, which checks the schema itself each time: 19.8 ms per action call here with jsonschema 4.17 — the
largest single cost of a turn (see results/load_test.md). A validator built once does the same check in
0.27 ms. Behaviour is unchanged: a response that does not match the spec still raises ``ValidationError``.

``Event.resolve_by_type`` (every event read from the tracker store or returned by the action server) walks the
whole ``Event`` class tree with ``inspect.isabstract`` on each class to find one type name: 5.9 % of the Rasa
process's CPU under load (py-spy, issue 21), about 3 ms a turn. ``install_event_type_cache`` answers from a
table built by the same walk (first class in Rasa's order wins, as in the walk); a type name not in the table
rebuilds it (events classes imported later) and then falls back to Rasa's own function (``topic``, unknown
names: same result or error).
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the Action endpoint "
    "is valid. For more information about the format visit https://rasa.com/docs/rasa/custom-actions"
)


def install_speedups() -> None:
    """Every fix of this module; idempotent."""
    install_fast_action_validation()
    install_event_type_cache()


def install_event_type_cache() -> bool:
    """Replace ``Event.resolve_by_type``'s class-tree walk by a table lookup (module docstring). Idempotent."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    if getattr(Event, "_lueyang_type_cache", False):
        return False
    walk = Event.resolve_by_type
    table: dict[str, type[Event]] = {}

    def rebuild() -> None:
        table.clear()
        for cls in all_subclasses(Event):
            table.setdefault(cls.type_name, cls)

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        cls = table.get(type_name)
        if cls is None:
            rebuild()
            cls = table.get(type_name)
        return cls if cls is not None else walk(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)
    Event._lueyang_type_cache = True
    logger.info("installed the event type table")
    return True


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
