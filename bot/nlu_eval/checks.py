"""The targets of the NLU issue, evaluated on a finished report (plain Python)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.nlu_eval.pipelines import BASELINES, PROJECT

TARGET_MACRO_F1 = 0.93  # hold-out (issue 20)
TARGET_EXTERNAL_MACRO_F1 = 0.97  # each external test file
TARGET_CASE_NO_F1 = 1.0


@dataclass
class Check:
    name: str
    target: str
    value: str
    passed: bool


def fmt(x: float | None) -> str:
    """A score with three decimals, ``n/a`` when missing."""
    return "n/a" if x is None else f"{x:.3f}"


def evaluate_checks(report: dict[str, Any]) -> list[Check]:
    """Every target: test files evaluated without error, the baseline config in sync, intent macro-F1, case_no F1
    (held-out and over all examples), the project pipeline ahead of each baseline."""
    checks: list[Check] = []
    for path, res in (report.get("test_files") or {}).items():
        if "error" in res:
            checks.append(Check(f"test file {path} evaluated", "no error", res["error"], False))
        else:
            value = res["intent"]["macro_f1"]
            checks.append(Check(f"intent macro-F1, {path}", f">= {TARGET_EXTERNAL_MACRO_F1}", fmt(value),
                                value >= TARGET_EXTERNAL_MACRO_F1))
    if report.get("baseline_sync") is False:
        checks.append(
            Check("baseline_no_jieba mirrors config.yml", "same pipeline except jieba", "out of sync", False)
        )
    holdout = report.get("holdout")
    if not holdout:
        return checks
    project = holdout.get(PROJECT, {})
    macro = project.get("intent", {}).get("macro_f1")
    checks.append(
        Check(
            "intent macro-F1, held-out split",
            f">= {TARGET_MACRO_F1}",
            fmt(macro),
            macro is not None and macro >= TARGET_MACRO_F1,
        )
    )
    for label, section in (
        ("held-out split", project.get("entities")),
        ("all examples", report.get("entities_all_examples")),
    ):
        per = (section or {}).get("per_entity", {}).get("case_no")
        if per is None or per["support"] == 0:
            checks.append(
                Check(
                    f"case_no entity F1, {label}", f">= {TARGET_CASE_NO_F1}", "no case_no annotations", False
                )
            )
        else:
            checks.append(
                Check(
                    f"case_no entity F1, {label} (n={per['support']})",
                    f">= {TARGET_CASE_NO_F1}",
                    fmt(per["f1"]),
                    per["f1"] >= TARGET_CASE_NO_F1,
                )
            )
    differences = report.get("differences") or {}
    for baseline in BASELINES:
        other = holdout.get(baseline, {}).get("intent", {}).get("macro_f1")
        diff = differences.get(f"{PROJECT} - {baseline}")
        if other is None:
            checks.append(Check(f"project ahead of {baseline}", "macro-F1 higher", "baseline not run", False))
        elif diff is None:
            checks.append(
                Check(
                    f"project ahead of {baseline}",
                    "macro-F1 higher",
                    f"{fmt(macro)} vs {fmt(other)}",
                    macro is not None and macro > other,
                )
            )
        else:
            checks.append(
                Check(
                    f"project ahead of {baseline} by more than the noise",
                    "95 % paired bootstrap interval of the difference above 0",
                    f"{diff['difference']:+.3f} [{diff['low']:+.3f}, {diff['high']:+.3f}]",
                    diff["low"] > 0,
                )
            )
    return checks
