"""How to answer crisis wording, as a plain function (issue 16): ``triage(text, intent=..., in_form=...)``.

- ``TICKET``: the full emergency reply and an urgent ticket (the resident then waits for staff, with the
  assistant still answering): danger now outside a form, self-harm anywhere, or an explicit request for a
  person or the police (the offered button ``/report_emergency``, "找人", "帮我报警").
- ``NUMBERS``: danger wording inside a form (the pre-check, the status lookup): the numbers at once in one or
  two lines, the urgent ticket offered as a button, and the form goes on (the answer is read for its step).
- ``HELP_ANSWER``: a question about help after an event ("发洪水了房子被冲了有什么救助"): the numbers first,
  then the answer to the question; the urgent ticket offered, not forced.
- None: nothing to do with a crisis (an answer such as "火灾" tagged report_emergency inside a form is read as
  an answer by the form).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.handoff.crisis import CrisisKind, Urgency, assess_crisis, is_explicit_request

EMERGENCY_INTENT = "report_emergency"
POLICE = "报警"


class Response(str, Enum):
    TICKET = "ticket"
    NUMBERS = "numbers"
    HELP_ANSWER = "help_answer"


@dataclass(frozen=True)
class Triage:
    response: Response
    kind: CrisisKind


def triage(
    text: str | None, *, intent: str | None, in_form: bool, remembered: CrisisKind | None = None
) -> Triage | None:
    """``remembered``: the kind of crisis already noted in this form (so "找人" right after it is explicit)."""
    text = (text or "").strip()
    button = text.startswith("/")
    words = "" if button else text
    crisis = assess_crisis(words)
    kind = crisis.kind if crisis else (remembered or CrisisKind.GENERAL)
    explicit = (
        (button and intent == EMERGENCY_INTENT)
        or POLICE in words  # "帮我报警": whatever the classifier made of it
        or (
            is_explicit_request(words)
            and (crisis is not None or remembered is not None or intent == EMERGENCY_INTENT)
        )
    )
    if crisis is not None and crisis.kind is CrisisKind.SELF_HARM:
        return Triage(Response.TICKET, kind)
    if explicit:
        return Triage(Response.TICKET, kind)
    if crisis is not None and crisis.urgency is Urgency.HELP_QUESTION:
        return Triage(Response.HELP_ANSWER, kind)
    if crisis is None and (in_form or intent != EMERGENCY_INTENT):
        return None
    return Triage(Response.NUMBERS if in_form else Response.TICKET, kind)


__all__ = ["Response", "Triage", "triage"]
