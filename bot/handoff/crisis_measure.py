"""Precision and recall of the crisis guard on a labelled set (``scripts/measure_crisis_guard.py``).

The set (``tests/handoff/data/crisis_messages.yml``) maps a label to messages. What the guard does with a
message (``bot.handoff.crisis.assess_crisis``) is one of three outcomes:

- ``present_danger``: the emergency reply at once (outside a form: with an urgent ticket);
- ``help_question``: the numbers first, then the answer to the question, the urgent ticket offered;
- ``no_crisis``: left to the normal conversation.

Labels ``past_event`` and ``figurative`` expect ``no_crisis``. Besides the three-way table, the *guard* figures
count a message as flagged when it gets the numbers at all (present_danger or help_question): recall on
present-danger messages (must be 100 %) and precision (flagged messages labelled present danger or help question).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.handoff.crisis import Urgency, assess_crisis
from bot.settings import PROJECT_ROOT

DEFAULT_SET = PROJECT_ROOT / "tests" / "handoff" / "data" / "crisis_messages.yml"
OUTCOMES = ("present_danger", "help_question", "no_crisis")
EXPECTED = {
    "present_danger": "present_danger",
    "help_question": "help_question",
    "past_event": "no_crisis",
    "figurative": "no_crisis",
}


def outcome(text: str) -> str:
    crisis = assess_crisis(text)
    if crisis is None:
        return "no_crisis"
    return "present_danger" if crisis.urgency is Urgency.PRESENT else "help_question"


def load_set(path: Path = DEFAULT_SET) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - set(EXPECTED)
    if unknown:
        raise ValueError(f"unknown labels in {path}: {sorted(unknown)}")
    return {label: [str(m) for m in messages or []] for label, messages in data.items()}


@dataclass(frozen=True)
class Row:
    name: str
    support: int  # messages with this label (or expected outcome)
    predicted: int  # messages given this outcome
    correct: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.support if self.support else None


@dataclass(frozen=True)
class Report:
    outcome_rows: list[Row]  # three-way: present_danger / help_question / no_crisis
    label_rows: list[Row]  # per label: how many got the expected outcome
    guard_recall: float  # present-danger messages that got the numbers at all
    guard_precision: float  # flagged messages that were present danger or a help question
    misses: list[tuple[str, str, str]]  # (label, message, outcome) with the wrong outcome


def measure(labelled: dict[str, list[str]]) -> Report:
    pairs = [(label, text, outcome(text)) for label, texts in labelled.items() for text in texts]
    expected_counts = Counter(EXPECTED[label] for label, _, _ in pairs)
    predicted_counts = Counter(got for _, _, got in pairs)
    correct_counts = Counter(got for label, _, got in pairs if EXPECTED[label] == got)
    outcome_rows = [Row(o, expected_counts[o], predicted_counts[o], correct_counts[o]) for o in OUTCOMES]
    label_rows = []
    for label in EXPECTED:
        mine = [got for lab, _, got in pairs if lab == label]
        label_rows.append(
            Row(label, len(mine), sum(1 for _, _, g in pairs if g == EXPECTED[label]), sum(
                1 for g in mine if g == EXPECTED[label]))
        )  # fmt: skip
    present = [got for label, _, got in pairs if label == "present_danger"]
    flagged = [label for label, _, got in pairs if got != "no_crisis"]
    guard_recall = sum(1 for g in present if g != "no_crisis") / len(present) if present else 1.0
    wanted = sum(1 for label in flagged if label in ("present_danger", "help_question"))
    guard_precision = wanted / len(flagged) if flagged else 1.0
    misses = [(label, text, got) for label, text, got in pairs if EXPECTED[label] != got]
    return Report(outcome_rows, label_rows, guard_recall, guard_precision, misses)


def _pct(value: float | None) -> str:
    return "   –  " if value is None else f"{value * 100:5.1f}%"


def format_report(report: Report) -> str:
    lines = ["outcome          support  predicted  precision  recall"]
    for r in report.outcome_rows:
        lines.append(
            f"{r.name:<16} {r.support:>7}  {r.predicted:>9}  {_pct(r.precision):>9}  {_pct(r.recall):>6}"
        )
    lines.append("")
    lines.append("label            messages  expected outcome  right   recall")
    for r in report.label_rows:
        lines.append(f"{r.name:<16} {r.support:>8}  {EXPECTED[r.name]:<16}  {r.correct:>5}  {_pct(r.recall)}")
    lines.append("")
    lines.append(f"guard (numbers shown): recall on present danger {_pct(report.guard_recall)}, "
                 f"precision {_pct(report.guard_precision)}")  # fmt: skip
    if report.misses:
        lines.append("")
        lines.append("wrong outcomes:")
        lines.extend(f"  [{label}] {text} -> {got}" for label, text, got in report.misses)
    return "\n".join(lines)


__all__ = ["DEFAULT_SET", "Report", "format_report", "load_set", "measure", "outcome"]
