import ast
import sys
from pathlib import Path

import pytest

import bot.handoff.crisis as crisis
from bot.handoff.crisis import CrisisKind, Urgency, assess_crisis, detect_crisis, is_explicit_request
from bot.handoff.crisis_measure import load_set, measure


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我不想活了", CrisisKind.SELF_HARM),
        ("日子实在活不下去了，想一死了之", CrisisKind.SELF_HARM),
        ("我刚喝了农药", CrisisKind.SELF_HARM),
        ("家里着火了！", CrisisKind.FIRE),
        ("厨房闻到煤气味", CrisisKind.FIRE),
        ("我妈晕倒了叫不醒", CrisisKind.MEDICAL),
        ("老伴心脏病犯了", CrisisKind.MEDICAL),
        ("他又打我，我好害怕", CrisisKind.VIOLENCE),
        ("山体滑坡我们被困住了", CrisisKind.DISASTER),
        ("我已经两天没饭吃了，也没地方住", CrisisKind.DESTITUTE),
        ("钱包被偷了回不了家", CrisisKind.DESTITUTE),
        # the most serious kind wins
        ("着火了，我不想活了", CrisisKind.SELF_HARM),
        # full-width and spaces
        ("家里 着 火 了", CrisisKind.FIRE),
    ],
)
def test_detects_acute_danger(text, kind):
    assert detect_crisis(text) is kind


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "火灾",  # a pre-check answer about a past event
        "去年家里失火，能申请临时救助吗",
        "低保一个月多少钱",
        "我没有想自杀，只是想问问政策",
        "/report_emergency",
        "因病致贫怎么认定",
        # programme names and figurative uses (issue 16)
        "疾病应急救助怎么申请",
        "紧急救助有哪些",
        "急救电话是多少",
        "急死了，低保什么时候批下来",
        "想死你了",
        "这是我们家的救命钱",
        "最近被困扰了很久",
        # past events told as facts
        "上个星期家里着火了，房子烧了一半，有什么救助",
        "2021年发洪水的时候房子塌了",
    ],
)
def test_leaves_ordinary_messages_alone(text):
    assert detect_crisis(text) is None


def test_crisis_module_is_stdlib_only():
    """Rasa's venv imports bot.handoff.crisis (CrisisGuard): only the standard library may be used."""
    package = Path(crisis.__file__).parent
    for path in (package / "crisis.py", package / "__init__.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root == "__future__" or root in sys.stdlib_module_names, f"{path.name} imports {name}"


@pytest.mark.parametrize(
    ("text", "kind", "urgency"),
    [
        # a question about help after an event: the numbers first (it could be now), then the answer
        ("发洪水了房子被冲了有什么救助", CrisisKind.DISASTER, Urgency.HELP_QUESTION),
        ("我家房子塌了，住房救助怎么申请", CrisisKind.DISASTER, Urgency.HELP_QUESTION),
        ("没饭吃了，低保怎么申请", CrisisKind.DESTITUTE, Urgency.HELP_QUESTION),
        # a danger to life stays present inside a question
        ("房子塌了有人被埋，找谁救助", CrisisKind.DISASTER, Urgency.PRESENT),
        ("我不想活了，有什么救助", CrisisKind.SELF_HARM, Urgency.PRESENT),
        # a pre-check answer in words: present wording
        ("家里着火了，房子烧了一半", CrisisKind.FIRE, Urgency.PRESENT),
        # past marker, but happening now
        ("去年发过洪水，现在又被困住了", CrisisKind.DISASTER, Urgency.PRESENT),
        ("上个月家里失火，现在没地方住了", CrisisKind.DESTITUTE, Urgency.PRESENT),
        ("救命", CrisisKind.GENERAL, Urgency.PRESENT),
    ],
)
def test_urgency_of_crisis_wording(text, kind, urgency):
    crisis = assess_crisis(text)
    assert crisis is not None and (crisis.kind, crisis.urgency) == (kind, urgency)


@pytest.mark.parametrize(
    ("text", "explicit"),
    [
        ("帮我报警", True),
        ("找人", True),
        ("我要找工作人员", True),
        ("转人工", True),
        ("/report_emergency", False),  # the button is recognised by its intent, not its words
        ("上个星期", False),
        ("火灾", False),
        ("", False),
    ],
)
def test_explicit_request_for_a_person(text, explicit):
    assert is_explicit_request(text) is explicit


def test_labelled_set_keeps_full_recall_on_present_danger():
    report = measure(load_set())
    assert report.guard_recall == 1.0, [m for m in report.misses if m[0] == "present_danger"]
    present = next(r for r in report.label_rows if r.name == "present_danger")
    assert present.support >= 50
    # the figures stated in the closing note; a change in either direction should be looked at
    assert report.guard_precision >= 0.95
