import pytest

from bot.handoff.crisis import CrisisKind, detect_crisis


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
    ],
)
def test_leaves_ordinary_messages_alone(text):
    assert detect_crisis(text) is None


def test_crisis_module_is_stdlib_only():
    """Rasa's venv imports bot.handoff.crisis (CrisisGuard): only the standard library may be used."""
    import ast
    import sys
    from pathlib import Path

    import bot.handoff.crisis as crisis

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
