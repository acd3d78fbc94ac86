"""One evaluation run (``scripts/evaluate_nlu.py``; ``make eval``).

1. loads every NLU file under the data directory (examples, regex, lookup tables, synonyms) and puts the
   examples in content order (``data.in_content_order``), so nothing depends on how they are spread over files;
2. holds out a fixed, stratified share of every intent's examples (``split``) and writes the split to
   ``<out>/split/{train,test}.yml``;
3. trains the project pipeline and the no-jieba baseline on the training side (NLU only), parses the test side
   with each model in-process, and scores the in-process baselines (``pipelines.PYTHON_BASELINES``) on the same
   split; scores the entity extractor over every example;
4. scores external test files with a model trained on all data;
5. writes ``<out>/nlu_eval.json`` and ``<out>/nlu_eval.md``.

Rasa runs inside the functions of ``rasa_nlu``; run this in the Rasa venv.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.nlu_eval.bench import percentile
from bot.nlu_eval.data import Example, Prediction, dedupe, in_content_order
from bot.nlu_eval.metrics import bootstrap_macro_f1, entity_metrics, paired_bootstrap_difference, score
from bot.nlu_eval.pipelines import (
    ADOPT_MAX_PARSE_P95_MS,
    ADOPT_MIN_GAIN,
    BASELINES,
    ENCODER,
    NO_JIEBA,
    PROJECT,
    PYTHON_BASELINES,
    baseline_in_sync,
    config_in_sync,
    derive_encoder_pipeline,
)
from bot.nlu_eval.provenance import git_commit, newest_input_mtime, rel
from bot.nlu_eval.rasa_nlu import (
    examples_from,
    find_nlu_files,
    latest_model,
    load_training_data,
    parse_texts,
    quiet_rasa,
    train_nlu_model,
    write_split_file,
)
from bot.nlu_eval.report import write_report
from bot.nlu_eval.split import DEFAULT_HOLDOUT, DEFAULT_SEED, stratified_split
from bot.settings import PROJECT_ROOT

PARSE_WARMUP = 5  # first parses of a freshly loaded model, not timed (lazy loading)


@dataclass
class EvalOptions:
    """What to evaluate. Paths are absolute or relative to the project root (Rasa configs name their files
    relative to it)."""

    config: Path = Path("config.yml")
    baseline_config: Path = Path("configs/baseline_no_jieba.yml")
    encoder_config: Path = Path("configs/experiment_encoder.yml")
    data: Path = Path("nlu_data")
    out: Path = Path("results")
    holdout: float = DEFAULT_HOLDOUT
    seed: str = DEFAULT_SEED
    # external Rasa NLU YAML test files, scored with a model trained on all data
    test_files: list[Path] = field(default_factory=list)
    # that model; default: the newest in models/ (warns when older than config/data), else one trained here
    model: Path | None = None
    train_full: bool = False  # train that model here even when models/ has one
    skip_holdout: bool = False
    no_baselines: bool = False
    no_encoder: bool = False  # skip the encoder experiment (it embeds every example: minutes)


def load_examples(data_dir: Path) -> tuple[list[Path], Any, list[Example], list[str]]:
    """The NLU files under ``data_dir``, their merged Rasa ``TrainingData``, the examples in content order
    without repeats, and the texts labelled with more than one intent."""
    if not data_dir.is_dir():
        raise SystemExit(f"NLU data directory not found: {data_dir}")
    nlu_files = find_nlu_files(data_dir)
    if not nlu_files:
        raise SystemExit(f"no NLU YAML files under {data_dir}")
    data = load_training_data(nlu_files)
    examples, conflicts = dedupe(in_content_order(examples_from(data)))
    if not examples:
        raise SystemExit(f"no intent examples under {data_dir}")
    return nlu_files, data, examples, conflicts


def write_split(
    options: EvalOptions, examples: list[Example], data: Any
) -> tuple[list[Example], list[Example], Path, Path]:
    """Split ``examples`` and write both sides as Rasa NLU YAML under ``<out>/split/`` (the training side with
    the regex, lookup and synonym data of ``data``)."""
    train, test = stratified_split(examples, options.holdout, options.seed)
    train_file, test_file = options.out / "split" / "train.yml", options.out / "split" / "test.yml"
    write_split_file(train_file, train, data)
    write_split_file(test_file, test, None)
    return train, test, train_file, test_file


def run(options: EvalOptions) -> dict[str, Any]:
    """Evaluate, write the report and return it."""
    quiet_rasa()
    nlu_files, data, examples, conflicts = load_examples(options.data)
    out = options.out
    models_dir = out / "eval_models"
    report: dict[str, Any] = {
        "generated_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "commit": git_commit(),
        "data": {
            "files": [rel(p) for p in nlu_files],
            "n_examples": len(examples),
            "conflicting_texts": conflicts,
        },
    }
    if conflicts:
        print(f"warning: {len(conflicts)} texts are labelled with more than one intent", file=sys.stderr)
    if not options.skip_holdout and not options.no_baselines:
        report["baseline_sync"] = baseline_in_sync(options.config, options.baseline_config)
        if not report["baseline_sync"]:
            print(
                f"warning: {rel(options.baseline_config)} is not config.yml minus jieba "
                "(see bot.nlu_eval.pipelines.derive_no_jieba_pipeline)",
                file=sys.stderr,
            )

    if not options.skip_holdout and not options.no_encoder:
        report["encoder_sync"] = config_in_sync(options.config, options.encoder_config, derive_encoder_pipeline)
        if not report["encoder_sync"]:
            print(f"warning: {rel(options.encoder_config)} is not config.yml plus the encoder view", file=sys.stderr)

    if not options.skip_holdout:
        _evaluate_holdout(options, report, examples, data, models_dir)

    if options.test_files:
        write_report(report, out)  # the hold-out results survive a failing test-file evaluation
        report["test_files"] = evaluate_test_files(options, models_dir, examples, data)

    write_report(report, out)
    return report


def _evaluate_holdout(
    options: EvalOptions, report: dict[str, Any], examples: list[Example], data: Any, models_dir: Path
) -> None:
    train, test, train_file, test_file = write_split(options, examples, data)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"train": 0, "test": 0})
    for side, items in (("train", train), ("test", test)):
        for ex in items:
            counts[ex.intent][side] += 1
    report["split"] = {
        "seed": options.seed,
        "holdout": options.holdout,
        "n_train": len(train),
        "n_test": len(test),
        "files": {"train": rel(train_file), "test": rel(test_file)},
        "per_intent": dict(sorted(counts.items())),
    }
    print(f"split: {len(train)} train / {len(test)} test examples -> {rel(train_file.parent)}/")
    holdout: dict[str, Any] = {}
    gold = [e.intent for e in test]
    predicted: dict[str, list[str]] = {}
    test_texts = [e.text for e in test]
    rasa_pipelines = [(PROJECT, options.config)]
    if not options.no_baselines:
        rasa_pipelines.append((NO_JIEBA, options.baseline_config))
    if not options.no_encoder:
        rasa_pipelines.append((ENCODER, options.encoder_config))
    project_model: Path | None = None
    for key, config in rasa_pipelines:
        print(f"training {key} ({config}) on the training side ...", flush=True)
        model, seconds = train_nlu_model(config, train_file, models_dir, f"holdout-{key}")
        print(f"  trained in {seconds:.0f} s; parsing {len(test)} test examples ...", flush=True)
        timings: list[float] = []
        preds = parse_texts(model, test_texts, timings)
        timed = timings[PARSE_WARMUP:] or timings
        holdout[key] = {
            "config": rel(config), "model": rel(model), "train_seconds": round(seconds, 1),
            "parse_ms": {"p50": round(percentile(timed, 50), 1), "p95": round(percentile(timed, 95), 1)},
        }
        holdout[key].update(score(test, preds))
        predicted[key] = [p.intent for p in preds]
        if key == PROJECT:
            project_model = model
    if not options.no_baselines:
        for key, predict in PYTHON_BASELINES.items():
            print(f"scoring {key} ...", flush=True)
            preds = [Prediction(intent=i) for i in predict(train, test_texts)]
            holdout[key] = score(test, preds, with_entities=False)
            predicted[key] = [p.intent for p in preds]
    print("bootstrap intervals ...", flush=True)
    for key, intents in predicted.items():
        holdout[key]["intent"]["macro_f1_interval"] = bootstrap_macro_f1(gold, intents)
    report["differences"] = {
        f"{PROJECT} - {other}": paired_bootstrap_difference(gold, predicted[PROJECT], predicted[other])
        for other in (*BASELINES, ENCODER) if other in predicted
    }
    if ENCODER in holdout:
        report["encoder_verdict"] = encoder_verdict(holdout)
    report["holdout"] = holdout
    if project_model is not None:
        # every example, annotated or not: the extractor is not trained, and spurious entities count
        print(f"parsing all {len(examples)} examples for the entity scores ...", flush=True)
        preds = parse_texts(project_model, [e.text for e in examples])
        report["entities_all_examples"] = entity_metrics(
            (e.text, e.entities, p.entities) for e, p in zip(examples, preds, strict=True)
        )


def encoder_verdict(holdout: dict[str, Any]) -> dict[str, Any]:
    """Whether the encoder experiment meets the bar for adoption: macro-F1 up by ``ADOPT_MIN_GAIN`` and parse
    p95 within ``ADOPT_MAX_PARSE_P95_MS``."""
    gain = holdout[ENCODER]["intent"]["macro_f1"] - holdout[PROJECT]["intent"]["macro_f1"]
    p95 = holdout[ENCODER]["parse_ms"]["p95"]
    return {
        "macro_f1_gain": round(gain, 4),
        "parse_p95_ms": p95,
        "adopt": gain >= ADOPT_MIN_GAIN and p95 <= ADOPT_MAX_PARSE_P95_MS,
        "rule": f"adopt if macro-F1 rises by >= {ADOPT_MIN_GAIN} and parse p95 <= {ADOPT_MAX_PARSE_P95_MS:.0f} ms",
    }


def evaluate_test_files(
    options: EvalOptions, models_dir: Path, examples: list[Example], data: Any
) -> dict[str, Any]:
    """Score each external test file with a model trained on all data; an error is recorded, not raised."""
    results: dict[str, Any] = {}
    try:
        model = choose_full_model(options, models_dir, examples, data)
    except Exception as exc:  # noqa: BLE001 - reported in the results and fails the check
        return {rel(p): {"error": f"no model: {type(exc).__name__}: {exc}"} for p in options.test_files}
    for path in options.test_files:
        try:
            test = examples_from(load_training_data([path]))
            if not test:
                raise ValueError(f"no intent examples in {path}")
            print(f"parsing {len(test)} examples of {rel(path)} with {rel(model)} ...", flush=True)
            preds = parse_texts(model, [e.text for e in test])
            results[rel(path)] = {"model": rel(model), **score(test, preds)}
            results[rel(path)]["intent"]["macro_f1_interval"] = bootstrap_macro_f1(
                [e.intent for e in test], [p.intent for p in preds]
            )
        except Exception as exc:  # noqa: BLE001
            print(f"error: {rel(path)}: {type(exc).__name__}: {exc}", file=sys.stderr)
            results[rel(path)] = {"model": rel(model), "error": f"{type(exc).__name__}: {exc}"}
    return results


def choose_full_model(options: EvalOptions, models_dir: Path, examples: list[Example], data: Any) -> Path:
    """``options.model``, else the newest model in models/ (warns when older than config/data), else one trained
    here on every example, in content order (``<out>/split/all.yml``)."""
    if options.model is not None:
        return options.model
    if not options.train_full:
        model = latest_model(PROJECT_ROOT / "models")
        if model is not None:
            if newest_input_mtime([options.config, options.data]) > model.stat().st_mtime:
                print(
                    f"warning: {model} is older than the config or the NLU data; use --train-full",
                    file=sys.stderr,
                )
            return model
    print("training an NLU model on all data for the test files ...", flush=True)
    all_file = options.out / "split" / "all.yml"
    write_split_file(all_file, examples, data)
    model, _ = train_nlu_model(options.config, all_file, models_dir, "full-nlu")
    return model


def passed(report: dict[str, Any]) -> bool:
    """Whether every check of a written report passed."""
    return all(c["passed"] for c in report["checks"])
