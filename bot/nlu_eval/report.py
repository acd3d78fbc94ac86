"""The evaluation report: ``results/nlu_eval.json``, ``results/nlu_eval.md`` and the printed summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.nlu_eval.checks import evaluate_checks, fmt
from bot.nlu_eval.pipelines import PIPELINE_TITLES, PROJECT

MAX_ROWS = 40  # rows of example lists in the Markdown report (the JSON has all)


def write_report(report: dict[str, Any], out: Path) -> None:
    """(Re)compute the checks and write ``out``/nlu_eval.{json,md}."""
    report["checks"] = [c.__dict__ for c in evaluate_checks(report)]
    out.mkdir(parents=True, exist_ok=True)
    (out / "nlu_eval.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out / "nlu_eval.md").write_text(render_markdown(report) + "\n", encoding="utf-8")


def render_markdown(report: dict[str, Any]) -> str:
    """The Markdown version of the report (results/nlu_eval.md)."""
    lines = ["# NLU evaluation", ""]
    lines.append(
        f"Generated {report['generated_at']} by `scripts/evaluate_nlu.py` at commit {report.get('commit', '?')}."
    )
    lines.append("")
    split = report.get("split")
    if split:
        lines += [
            f"Hold-out split: {split['n_train']} training / {split['n_test']} test examples, "
            f"{len(split['per_intent'])} intents, {int(split['holdout'] * 100)} % per intent, seed `{split['seed']}`.",
            "",
        ]
    holdout = report.get("holdout")
    if holdout:
        lines += [
            "## Intents, held-out split",
            "",
            "| pipeline | accuracy | macro-F1 | 95 % interval | weighted-F1 | fallback rate "
            "| macro-F1 without fallback | training s | parse p50 / p95 ms |",
        ]
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for key, res in holdout.items():
            m = res["intent"]
            alt = (res.get("intent_without_fallback") or {}).get("macro_f1")
            parse = res.get("parse_ms")
            timing = f"{parse['p50']:.1f} / {parse['p95']:.1f}" if parse else "-"
            lines.append(
                f"| {PIPELINE_TITLES.get(key, key)} | {fmt(m['accuracy'])} | **{fmt(m['macro_f1'])}** | "
                f"{interval(m.get('macro_f1_interval'))} | {fmt(m['weighted_f1'])} | {fmt(m['fallback_rate'])} | "
                f"{fmt(alt)} | {res.get('train_seconds', '-')} | {timing} |"
            )
        lines += [
            "",
            "Intervals: 95 % percentile bootstrap over the test examples (1,000 resamples). Training seconds: NLU "
            "only, on the training side. Parse: one message at a time in this process (first 5 not timed).",
            "",
        ]
        differences = report.get("differences") or {}
        if differences:
            lines += ["### Differences (paired bootstrap, same resamples)", "",
                      "| macro-F1 difference | value | 95 % interval |", "| --- | --- | --- |"]
            lines += [f"| {name} | {d['difference']:+.3f} | [{d['low']:+.3f}, {d['high']:+.3f}] |"
                      for name, d in differences.items()]
            lines.append("")
        verdict = report.get("encoder_verdict")
        if verdict:
            lines += [
                "### Encoder experiment",
                "",
                f"Macro-F1 gain {verdict['macro_f1_gain']:+.3f}, parse p95 {verdict['parse_p95_ms']:.1f} ms: "
                f"{'**adopt**' if verdict['adopt'] else '**not adopted**'} ({verdict['rule']}).",
                "",
            ]
        keys = list(holdout)
        lines += ["### Per-intent F1", "", "| intent | train | test | " + " | ".join(keys) + " |"]
        lines.append("| --- | --- | --- | " + " | ".join("---" for _ in keys) + " |")
        per_split = split["per_intent"] if split else {}
        for intent in sorted(holdout[keys[0]]["intent"]["per_intent"]):
            counts = per_split.get(intent, {"train": "", "test": ""})
            cells = [fmt(holdout[k]["intent"]["per_intent"].get(intent, {}).get("f1")) for k in keys]
            lines.append(f"| {intent} | {counts['train']} | {counts['test']} | " + " | ".join(cells) + " |")
        lines.append("")
        confusions = holdout.get(PROJECT, {}).get("intent", {}).get("confusions", [])
        if confusions:
            lines += [
                "### Project pipeline: confusions (gold -> predicted)",
                "",
                "| gold | predicted | count |",
            ]
            lines.append("| --- | --- | --- |")
            lines += [f"| {c['gold']} | {c['predicted']} | {c['count']} |" for c in confusions[:15]]
            lines.append("")
    wrong = (holdout or {}).get(PROJECT, {}).get("misclassified", [])
    if wrong:
        lines += [
            f"### Project pipeline: misclassified held-out examples ({len(wrong)})",
            "",
            "| text | gold | predicted | confidence |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| {cell(w['text'])} | {w['gold']} | {w['predicted']} | {fmt(w['confidence'])} |"
            for w in wrong[:MAX_ROWS]
        ]
        lines.append("")
    for title, section in (
        ("Entities, held-out split (project pipeline)", (holdout or {}).get(PROJECT, {}).get("entities")),
        ("Entities, all examples (the extractor is not trained)", report.get("entities_all_examples")),
    ):
        if section:
            lines += _entity_table(title, section)
    for path, res in report.get("test_files", {}).items():
        if "error" in res:
            lines += [
                f"## External test file `{path}`",
                "",
                f"**Not evaluated**: {cell(res['error'], 300)}",
                "",
            ]
            continue
        m = res["intent"]
        lines += [
            f"## External test file `{path}`",
            "",
            f"Model `{res['model']}`: {m['n']} examples, accuracy {fmt(m['accuracy'])}, "
            f"macro-F1 {fmt(m['macro_f1'])} {interval(m.get('macro_f1_interval'))}, "
            f"fallback rate {fmt(m['fallback_rate'])}.",
            "",
            "| intent | support | F1 |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {k} | {v['support']} | {fmt(v['f1'])} |" for k, v in sorted(m["per_intent"].items())]
        lines.append("")
        if res.get("entities"):
            lines += _entity_table(f"Entities in `{path}`", res["entities"])
    checks = report.get("checks")
    if checks:
        lines += ["## Targets", "", "| check | target | value | result |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {c['name']} | {c['target']} | {c['value']} | {'pass' if c['passed'] else '**FAIL**'} |"
            for c in checks
        ]
        lines.append("")
    return "\n".join(lines)


def _entity_table(title: str, section: dict[str, Any]) -> list[str]:
    lines = [
        f"## {title}",
        "",
        "| entity | precision | recall | F1 | support | F1, overlapping span |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    overlap = section.get("overlap") or {}
    for name, v in section["per_entity"].items():
        loose = overlap.get("per_entity", {}).get(name, {}).get("f1")
        lines.append(
            f"| {name} | {fmt(v['precision'])} | {fmt(v['recall'])} | {fmt(v['f1'])} | {v['support']} "
            f"| {fmt(loose)} |"
        )
    mi = section["micro"]
    lines.append(
        f"| **micro** | {fmt(mi['precision'])} | {fmt(mi['recall'])} | **{fmt(mi['f1'])}** | {mi['support']} "
        f"| {fmt(overlap.get('micro', {}).get('f1'))} |"
    )
    lines.append("")
    errors = section.get("errors") or []
    if errors:
        lines += [
            f"Entity errors ({len(errors)} texts):",
            "",
            "| text | missed | spurious |",
            "| --- | --- | --- |",
        ]
        for err in errors[:MAX_ROWS]:
            missed = ", ".join(_ent(e) for e in err["missed"]) or "-"
            spurious = ", ".join(_ent(e) for e in err["spurious"]) or "-"
            lines.append(f"| {cell(err['text'])} | {missed} | {spurious} |")
        lines.append("")
    return lines


def _ent(e: dict[str, Any]) -> str:
    role = f"#{e['role']}" if e.get("role") else ""
    return f"{e['entity']}{role}={cell(str(e['value']))}@{e['start']}-{e['end']}"


def interval(bounds: dict[str, float] | None) -> str:
    """``[low, high]`` of a bootstrap interval, ``-`` when none was computed."""
    return f"[{fmt(bounds['low'])}, {fmt(bounds['high'])}]" if bounds else "-"


def cell(text: str, limit: int = 60) -> str:
    """``text`` as a Markdown table cell: pipes escaped, one line, at most ``limit`` characters."""
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def print_summary(report: dict[str, Any], out: Path) -> None:
    """The headline figures and the checks, on stdout."""
    print()
    for key, res in (report.get("holdout") or {}).items():
        m = res["intent"]
        parse = res.get("parse_ms")
        timing = f"  train {res['train_seconds']} s  parse p50/p95 {parse['p50']}/{parse['p95']} ms" if parse else ""
        print(
            f"{PIPELINE_TITLES.get(key, key):70s} accuracy {fmt(m['accuracy'])}  macro-F1 {fmt(m['macro_f1'])} "
            f"{interval(m.get('macro_f1_interval'))}{timing}"
        )
    for name, d in (report.get("differences") or {}).items():
        print(f"{name:70s} {d['difference']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]")
    verdict = report.get("encoder_verdict")
    if verdict:
        print(f"encoder experiment: gain {verdict['macro_f1_gain']:+.3f}, parse p95 {verdict['parse_p95_ms']} ms -> "
              f"{'adopt' if verdict['adopt'] else 'not adopted'} ({verdict['rule']})")
    ent = (report.get("holdout") or {}).get(PROJECT, {}).get("entities")
    if ent:
        print(
            f"{'entities (held-out, micro)':60s} F1 {fmt(ent['micro']['f1'])}  (n={ent['micro']['support']})"
        )
    for path, res in (report.get("test_files") or {}).items():
        if "error" in res:
            print(f"{'test file ' + path:60s} ERROR {res['error']}")
            continue
        m = res["intent"]
        print(f"{'test file ' + path:70s} accuracy {fmt(m['accuracy'])}  macro-F1 {fmt(m['macro_f1'])} "
              f"{interval(m.get('macro_f1_interval'))}")
    for c in report.get("checks", []):
        print(f"[{'pass' if c['passed'] else 'FAIL'}] {c['name']}: {c['value']} (target {c['target']})")
    print(f"\nwritten: {out / 'nlu_eval.json'}, {out / 'nlu_eval.md'}")
