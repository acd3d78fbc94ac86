"""Crisis triage and the waiting room as plain functions (issue 16): table tests, no Rasa, no database."""

import pytest

from bot.handoff.crisis import CrisisKind
from bot.handoff.relay import Step, relay_step
from bot.handoff.triage import Response, triage

FIRE, GENERAL = CrisisKind.FIRE, CrisisKind.GENERAL


@pytest.mark.parametrize(
    ("text", "intent", "in_form", "remembered", "expected"),
    [
        # inside a form: the numbers, the form goes on
        ("家里着火了，房子烧了一半", "report_emergency", True, None, (Response.NUMBERS, FIRE)),
        ("救命", "report_emergency", True, None, (Response.NUMBERS, GENERAL)),
        # ...an answer the NLU tagged as an emergency stays an answer
        ("火灾", "report_emergency", True, None, None),
        ("上个星期", "inform", True, FIRE, None),
        # only an explicit request switches to a ticket
        ("/report_emergency", "report_emergency", True, FIRE, (Response.TICKET, FIRE)),
        ("找人", "request_human", True, FIRE, (Response.TICKET, FIRE)),
        ("找人", "request_human", True, None, None),  # no crisis noted: the form's own note
        ("帮我报警", "report_emergency", True, None, (Response.TICKET, GENERAL)),
        # self-harm: always the gentle message and a ticket
        ("我不想活了", "report_emergency", True, None, (Response.TICKET, CrisisKind.SELF_HARM)),
        # a question about help after an event: numbers, then the answer, ticket offered
        (
            "发洪水了房子被冲了有什么救助",
            "report_emergency",
            False,
            None,
            (Response.HELP_ANSWER, CrisisKind.DISASTER),
        ),
        (
            "我家房子塌了，住房救助怎么申请",
            "report_emergency",
            True,
            None,
            (Response.HELP_ANSWER, CrisisKind.DISASTER),
        ),
        # outside a form, danger now: the urgent ticket at once (as before)
        ("救命！我家着火了", "report_emergency", False, None, (Response.TICKET, FIRE)),
        ("出大事了", "report_emergency", False, None, (Response.TICKET, GENERAL)),
        ("低保怎么申请", "ask_dibao_apply", False, None, None),
    ],
)
def test_triage(text, intent, in_form, remembered, expected):
    got = triage(text, intent=intent, in_form=in_form, remembered=remembered)
    assert (got and (got.response, got.kind)) == expected


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "taken", "step"),
    [
        ("残疾人两项补贴怎么领", "ask_programme", 0.8, False, Step.ANSWER),
        ("医疗救助怎么申请", "ask_programme", 0.9, False, Step.ANSWER),
        ("略阳县上半年有多少人吃低保", "ask_statistics", 0.7, False, Step.ANSWER),
        ("我想查一下我的申请进度", "check_status", 0.9, False, Step.LEAVE),
        ("继续预检", "start_precheck", 0.9, False, Step.LEAVE),
        (
            "/start_precheck",
            "start_precheck",
            1.0,
            True,
            Step.LEAVE,
        ),  # the resume button, even with staff there
        ("你好", "greet", 0.9, False, Step.RESPOND),
        ("/request_human", "request_human", 1.0, False, Step.REPEAT),
        ("补充一下，家里三口人", "inform", 0.9, False, Step.RECORD),
        ("医疗救助怎么申请", "ask_programme", 0.3, False, Step.RECORD),  # not understood well enough
        # a person is there: relay both ways
        ("医疗救助怎么申请", "ask_programme", 0.9, True, Step.RELAY),
        ("好的，我等电话", "affirm", 0.9, True, Step.RELAY),
        # crisis wording is triaged whoever has the ticket
        ("救命，家里着火了", "report_emergency", 1.0, True, Step.CRISIS),
        ("发洪水了房子被冲了有什么救助", "report_emergency", 1.0, False, Step.CRISIS),
    ],
)
def test_waiting_room_steps(text, intent, confidence, taken, step):
    assert relay_step(text, intent, confidence, taken=taken) is step
