"""Which phone number to give when the assistant cannot help (e.g. Rasa is down).

The bureau's number comes from the county parameters (``bot.policy.parameters``). A number that is not
verified is never presented as the bureau's: we then point to the township office, and mention the
relief station's number only marked as unverified.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.frontends import texts
from bot.policy.parameters import load_parameters

log = logging.getLogger(__name__)


def _value_and_verified(param: Any) -> tuple[str, bool]:
    """Read a parameter that is either a Param-like object (value, verified) or a plain value."""
    if param is None:
        return "", False
    if isinstance(param, dict):
        return str(param.get("value") or "").strip(), bool(param.get("verified", False))
    value = getattr(param, "value", param)
    verified = bool(getattr(param, "verified", False))
    return (str(value).strip() if value is not None else ""), verified


def contact_text(parameters: Any = None) -> str:
    """One sentence telling the user whom to call. Never raises."""
    try:
        if parameters is None:
            parameters = load_parameters()
    except Exception as exc:  # the parameter file may be missing or broken
        log.warning("county parameters unavailable for the contact line: %s", type(exc).__name__)
        return texts.CONTACT_TOWNSHIP
    try:
        phone, verified = _value_and_verified(parameters.bureau().phone)
        if phone and verified:
            return texts.CONTACT_VERIFIED.format(phone=phone)
    except Exception as exc:
        log.warning("bureau phone unavailable: %s", type(exc).__name__)
    try:
        station = parameters.relief_station()
        phone, _verified = _value_and_verified(getattr(station, "phone", None))
        name, _ = _value_and_verified(getattr(station, "name", None))
        if phone:
            return texts.CONTACT_RELIEF_UNVERIFIED.format(name=name or texts.RELIEF_STATION, phone=phone)
    except Exception as exc:
        log.debug("relief station unavailable: %s", type(exc).__name__)
    return texts.CONTACT_TOWNSHIP
