"""NLU evaluation: fixed stratified hold-out split, external test files, two baselines.

Run from the project root in the Rasa venv (``make eval`` does this)::

    PYTHONPATH=. .venvs/rasa/bin/python scripts/evaluate_nlu.py [--check] [--test-file FILE ...]

What it does:

1. loads every NLU file under ``nlu_data/`` (examples, regex, lookup tables, synonyms);
2. holds out a fixed, stratified 20 % of the examples of every intent (deterministic: an example goes to the
   test side when the SHA-256 of ``seed + text`` ranks among the lowest of its intent), writes the split to
   ``results/split/{train,test}.yml``;
3. trains the project pipeline (``config.yml``) and the no-jieba baseline (``configs/baseline_no_jieba.yml``)
   on the training side (NLU only) and parses the test side with each model in-process; scores a third
   baseline, TF-IDF character 1-3-grams + logistic regression (scikit-learn), on the same split;
4. ``--test-file`` (repeatable) evaluates a model trained on all data (``--model``, else the newest model in
   ``models/``, else one trained here) on any file in Rasa NLU YAML format;
5. writes ``results/nlu_eval.json`` and ``results/nlu_eval.md``, prints a summary, and with ``--check``
   exits 1 when a target is missed.

Scoring. The predicted intent is what the pipeline returns, so a message the FallbackClassifier turns into
``nlu_fallback`` counts as a miss. Macro-F1 averages the F1 of the intents present in the gold labels.
Entities: a predicted entity matches an annotation when type, role and character span agree, and, when the
annotation gives an explicit normalised value (``[ly-2023-ls-00123]{"entity": "case_no", "value":
"LY2023LS00123"}``), the value too; every unmatched prediction is a false positive, every unmatched
annotation a false negative. Entities come from ``StructuredEntityExtractor`` (DIET's entity recognition is
off); the extractor is not trained, so entity scores are also reported over all annotated examples.

The split and the metrics are plain functions without Rasa imports (tested in ``tests/nlu`` in the app venv);
Rasa, TensorFlow and scikit-learn are imported only inside the functions that need them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = "lueyang-nlu-holdout-v1"
DEFAULT_HOLDOUT = 0.2
TARGET_MACRO_F1 = 0.95
TARGET_CASE_NO_F1 = 0.98
FALLBACK_INTENT = "nlu_fallback"
CHUNK_TOKENIZER = "rasa_addons.char_tokenizer.ChunkTokenizer"
MAX_ROWS = 40  # rows of example lists in the Markdown report (the JSON has all)

PROJECT = "project"
NO_JIEBA = "baseline_no_jieba"
TFIDF = "baseline_tfidf_lr"
PIPELINE_TITLES = {
    PROJECT: "project pipeline (jieba + dictionary, config.yml)",
    NO_JIEBA: "baseline: same pipeline without jieba (char n-grams)",
    TFIDF: "baseline: TF-IDF char 1-3-grams + logistic regression",
}


# --------------------------------------------------------------------------------------------------
# Data model (plain Python)


@dataclass(frozen=True)
class Entity:
    """One entity annotation or prediction: character span, type, optional role, value."""

    entity: str
    start: int
    end: int
    value: str
    role: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            entity=str(data["entity"]),
            start=int(data["start"]),
            end=int(data["end"]),
            value=str(data.get("value", "")),
            role=data.get("role") or None,
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "value": self.value,
        }
        if self.role:
            out["role"] = self.role
        return out


@dataclass(frozen=True)
class Example:
    """A labelled NLU example."""

    text: str
    intent: str
    entities: tuple[Entity, ...] = ()


@dataclass
class Prediction:
    """What a classifier returned for one text."""

    intent: str
    confidence: float | None = None
    entities: tuple[Entity, ...] = ()
    # best intent other than nlu_fallback (for the fallback statistics)
    top_non_fallback: str | None = None


# --------------------------------------------------------------------------------------------------
# Split


def split_rank(text: str, seed: str) -> str:
    """Position of an example in its intent's hold-out order: stable, independent of file order."""
    return hashlib.sha256(f"{seed}\x00{text}".encode()).hexdigest()


def holdout_count(n: int, holdout: float) -> int:
    """How many of an intent's ``n`` examples go to the test side: round(n * holdout), at least one when the
    intent has two or more examples, never all of them."""
    if n < 2:
        return 0
    k = math.floor(n * holdout + 0.5)
    return min(max(k, 1), n - 1)


def dedupe(examples: Iterable[Example]) -> tuple[list[Example], list[str]]:
    """Drop repeated (text, intent) pairs; report texts labelled with more than one intent."""
    seen: set[tuple[str, str]] = set()
    intents_by_text: dict[str, set[str]] = defaultdict(set)
    out = []
    for ex in examples:
        key = (ex.text.strip(), ex.intent)
        intents_by_text[key[0]].add(ex.intent)
        if key in seen:
            continue
        seen.add(key)
        out.append(ex)
    conflicts = sorted(t for t, intents in intents_by_text.items() if len(intents) > 1)
    return out, conflicts


def stratified_split(
    examples: Sequence[Example], holdout: float = DEFAULT_HOLDOUT, seed: str = DEFAULT_SEED
) -> tuple[list[Example], list[Example]]:
    """Fixed stratified hold-out split: per intent, the ``holdout_count`` examples of lowest rank are the test
    side. Deterministic and order-independent; adding an example moves at most one other example."""
    if not 0.0 < holdout < 1.0:
        raise ValueError(f"holdout must be between 0 and 1, got {holdout}")
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        by_intent[ex.intent].append(ex)
    test_ids: set[int] = set()
    for items in by_intent.values():
        ranked = sorted(items, key=lambda e: (split_rank(e.text, seed), e.text))
        test_ids.update(id(e) for e in ranked[: holdout_count(len(items), holdout)])
    train = [e for e in examples if id(e) not in test_ids]
    test = [e for e in examples if id(e) in test_ids]
    return train, test


# --------------------------------------------------------------------------------------------------
# Metrics


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def intent_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the gold intents, per-intent precision/recall/F1/support, top confusions."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    if not gold:
        return {
            "n": 0,
            "accuracy": 0.0,
            "macro_f1": 0.0,
            "per_intent": {},
            "confusions": [],
            "fallback_rate": 0.0,
        }
    labels = sorted(set(gold))
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            fp[p] += 1
            confusions[(g, p)] += 1
    support = Counter(gold)
    per_intent = {lab: {**_prf(tp[lab], fp[lab], fn[lab]), "support": support[lab]} for lab in labels}
    return {
        "n": len(gold),
        "accuracy": sum(tp.values()) / len(gold),
        "macro_f1": sum(v["f1"] for v in per_intent.values()) / len(labels),
        "weighted_f1": sum(v["f1"] * v["support"] for v in per_intent.values()) / len(gold),
        "fallback_rate": sum(1 for p in predicted if p == FALLBACK_INTENT) / len(gold),
        "per_intent": per_intent,
        "confusions": [
            {"gold": g, "predicted": p, "count": c}
            for (g, p), c in sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


def _value_agrees(gold: Entity, pred: Entity, text: str) -> bool:
    explicit_value = gold.value != text[gold.start : gold.end]
    return not explicit_value or gold.value == pred.value


def entity_matches(gold: Entity, pred: Entity, text: str) -> bool:
    """Strict (the official score): same type, role and span; same value too when the annotation states a
    normalised value."""
    if (gold.entity, gold.role, gold.start, gold.end) != (pred.entity, pred.role, pred.start, pred.end):
        return False
    return _value_agrees(gold, pred, text)


def entity_matches_overlap(gold: Entity, pred: Entity, text: str) -> bool:
    """Lenient (what slot filling needs): same type, role and value, spans overlap (boundaries may differ,
    e.g. 1800 vs 1800块)."""
    if (gold.entity, gold.role) != (pred.entity, pred.role):
        return False
    if max(gold.start, pred.start) >= min(gold.end, pred.end):
        return False
    return _value_agrees(gold, pred, text)


def _count(
    items: Sequence[tuple[str, Sequence[Entity], Sequence[Entity]]], match: Any
) -> tuple[Counter[str], Counter[str], Counter[str], list[dict[str, Any]]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    for text, gold, pred in items:
        unused = list(pred)
        missed = []
        for g in gold:
            hit = next((p for p in unused if match(g, p, text)), None)
            if hit is None:
                fn[g.entity] += 1
                missed.append(g)
            else:
                tp[g.entity] += 1
                unused.remove(hit)
        for p in unused:
            fp[p.entity] += 1
        if missed or unused:
            errors.append(
                {
                    "text": text,
                    "missed": [e.as_dict() for e in missed],
                    "spurious": [e.as_dict() for e in unused],
                }
            )
    return tp, fp, fn, errors


def _scores(tp: Counter[str], fp: Counter[str], fn: Counter[str]) -> dict[str, Any]:
    types = sorted(set(tp) | set(fp) | set(fn))
    per_entity = {t: {**_prf(tp[t], fp[t], fn[t]), "support": tp[t] + fn[t]} for t in types}
    micro = {
        **_prf(sum(tp.values()), sum(fp.values()), sum(fn.values())),
        "support": sum(tp.values()) + sum(fn.values()),
    }
    return {"per_entity": per_entity, "micro": micro}


def entity_metrics(items: Iterable[tuple[str, Sequence[Entity], Sequence[Entity]]]) -> dict[str, Any]:
    """Per-entity-type and micro precision/recall/F1 over (text, gold entities, predicted entities) triples:
    strict (``per_entity``, ``micro``, ``errors``) and with overlapping spans (``overlap``)."""
    items = list(items)
    tp, fp, fn, errors = _count(items, entity_matches)
    strict = _scores(tp, fp, fn)
    tp, fp, fn, _ = _count(items, entity_matches_overlap)
    return {**strict, "errors": errors, "overlap": _scores(tp, fp, fn)}


def derive_no_jieba_pipeline(pipeline: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The project pipeline without word segmentation: the tokenizer becomes ``ChunkTokenizer`` and the
    count-vector featurizers become one character 1-3-gram featurizer; every other component is kept as is.
    ``configs/baseline_no_jieba.yml`` must equal this (tests/nlu checks it)."""
    out: list[dict[str, Any]] = []
    char_ngrams_added = False
    for component in pipeline:
        name = str(component.get("name", ""))
        if name.endswith("Tokenizer"):
            out.append({"name": CHUNK_TOKENIZER})
        elif name == "CountVectorsFeaturizer":
            if not char_ngrams_added:
                out.append(
                    {"name": "CountVectorsFeaturizer", "analyzer": "char", "min_ngram": 1, "max_ngram": 3}
                )
                char_ngrams_added = True
        else:
            out.append(dict(component))
    return out


def baseline_in_sync(project_config: Path, baseline_config: Path) -> bool:
    import yaml

    project = yaml.safe_load(project_config.read_text(encoding="utf-8"))
    baseline = yaml.safe_load(baseline_config.read_text(encoding="utf-8"))
    return baseline.get("language") == project.get("language") and baseline.get("pipeline") == (
        derive_no_jieba_pipeline(project.get("pipeline") or [])
    )


# --------------------------------------------------------------------------------------------------
# Checks and report (plain Python)


@dataclass
class Check:
    name: str
    target: str
    value: str
    passed: bool


def evaluate_checks(report: dict[str, Any]) -> list[Check]:
    """The targets of the NLU issue, evaluated on a finished report."""
    checks: list[Check] = [
        Check(f"test file {path} evaluated", "no error", res["error"], False)
        for path, res in (report.get("test_files") or {}).items()
        if "error" in res
    ]
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
            _fmt(macro),
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
                    _fmt(per["f1"]),
                    per["f1"] >= TARGET_CASE_NO_F1,
                )
            )
    for baseline in (NO_JIEBA, TFIDF):
        other = holdout.get(baseline, {}).get("intent", {}).get("macro_f1")
        if other is None:
            checks.append(Check(f"project ahead of {baseline}", "macro-F1 higher", "baseline not run", False))
        else:
            checks.append(
                Check(
                    f"project ahead of {baseline}",
                    "macro-F1 higher",
                    f"{_fmt(macro)} vs {_fmt(other)}",
                    macro is not None and macro > other,
                )
            )
    return checks


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


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
            "| pipeline | accuracy | macro-F1 | weighted-F1 | fallback rate | macro-F1 without fallback |",
        ]
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for key, res in holdout.items():
            m = res["intent"]
            alt = (res.get("intent_without_fallback") or {}).get("macro_f1")
            lines.append(
                f"| {PIPELINE_TITLES.get(key, key)} | {_fmt(m['accuracy'])} | **{_fmt(m['macro_f1'])}** | "
                f"{_fmt(m['weighted_f1'])} | {_fmt(m['fallback_rate'])} | {_fmt(alt)} |"
            )
        lines.append("")
        keys = list(holdout)
        lines += ["### Per-intent F1", "", "| intent | train | test | " + " | ".join(keys) + " |"]
        lines.append("| --- | --- | --- | " + " | ".join("---" for _ in keys) + " |")
        per_split = split["per_intent"] if split else {}
        for intent in sorted(holdout[keys[0]]["intent"]["per_intent"]):
            counts = per_split.get(intent, {"train": "", "test": ""})
            cells = [_fmt(holdout[k]["intent"]["per_intent"].get(intent, {}).get("f1")) for k in keys]
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
            f"| {_cell(w['text'])} | {w['gold']} | {w['predicted']} | {_fmt(w['confidence'])} |"
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
                f"**Not evaluated**: {_cell(res['error'], 300)}",
                "",
            ]
            continue
        m = res["intent"]
        lines += [
            f"## External test file `{path}`",
            "",
            f"Model `{res['model']}`: {m['n']} examples, accuracy {_fmt(m['accuracy'])}, "
            f"macro-F1 {_fmt(m['macro_f1'])}, fallback rate {_fmt(m['fallback_rate'])}.",
            "",
            "| intent | support | F1 |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {k} | {v['support']} | {_fmt(v['f1'])} |" for k, v in sorted(m["per_intent"].items())]
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
            f"| {name} | {_fmt(v['precision'])} | {_fmt(v['recall'])} | {_fmt(v['f1'])} | {v['support']} "
            f"| {_fmt(loose)} |"
        )
    mi = section["micro"]
    lines.append(
        f"| **micro** | {_fmt(mi['precision'])} | {_fmt(mi['recall'])} | **{_fmt(mi['f1'])}** | {mi['support']} "
        f"| {_fmt(overlap.get('micro', {}).get('f1'))} |"
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
            lines.append(f"| {_cell(err['text'])} | {missed} | {spurious} |")
        lines.append("")
    return lines


def _ent(e: dict[str, Any]) -> str:
    role = f"#{e['role']}" if e.get("role") else ""
    return f"{e['entity']}{role}={_cell(str(e['value']))}@{e['start']}-{e['end']}"


def _cell(text: str, limit: int = 60) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------------------------------
# Rasa side (imports inside the functions)


def _quiet_rasa() -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("LOG_LEVEL_LIBRARIES", "ERROR")
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # otherwise every parse is logged at debug level
    for name in ("rasa", "tensorflow", "absl", "jieba", "sanic", "matplotlib"):
        logging.getLogger(name).setLevel(logging.ERROR)


def find_nlu_files(data_dir: Path) -> list[Path]:
    """Every YAML file under ``data_dir`` that holds NLU data (examples, regex, lookups, synonyms)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    files = sorted(p for p in data_dir.rglob("*") if p.suffix in {".yml", ".yaml"} and p.is_file())
    return [p for p in files if RasaYAMLReader.is_yaml_nlu_file(p)]


def load_training_data(paths: Sequence[Path]) -> Any:
    """Rasa ``TrainingData`` merged from the given NLU YAML files."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    parts = [load_data(str(p), language="zh") for p in paths]
    return TrainingData().merge(*parts) if parts else TrainingData()


def examples_from(training_data: Any) -> list[Example]:
    out = []
    for msg in training_data.intent_examples:
        text = msg.get("text")
        entities = tuple(Entity.from_dict(e) for e in msg.get("entities") or [])
        out.append(Example(text=text, intent=msg.get("intent"), entities=entities))
    return out


def write_split_file(path: Path, examples: Sequence[Example], resources: Any | None) -> None:
    """Write examples (plus, for the training side, regex/lookups/synonyms) as Rasa NLU YAML."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    messages = []
    for ex in examples:
        data: dict[str, Any] = {"text": ex.text, "intent": ex.intent}
        if ex.entities:
            data["entities"] = [e.as_dict() for e in ex.entities]
        messages.append(Message(data=data))
    td = TrainingData(
        training_examples=messages,
        entity_synonyms=dict(resources.entity_synonyms) if resources is not None else None,
        regex_features=list(resources.regex_features) if resources is not None else None,
        lookup_tables=list(resources.lookup_tables) if resources is not None else None,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    RasaYAMLWriter().dump(str(path), td)


def train_nlu_model(config: Path, nlu_data: Path, out_dir: Path, name: str) -> tuple[Path, float]:
    """Train an NLU-only model; returns its path and the wall time."""
    from rasa.model_training import train_nlu

    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    model = train_nlu(config=str(config), nlu_data=str(nlu_data), output=str(out_dir), fixed_model_name=name)
    elapsed = time.perf_counter() - started
    if not model:
        raise RuntimeError(f"training {name} with {config} on {nlu_data} produced no model")
    return Path(model), elapsed


def parse_texts(model_path: Path, texts: Sequence[str]) -> list[Prediction]:
    """Load ``model_path`` in-process and parse every text with it."""
    import asyncio

    from rasa.core.agent import Agent

    async def run() -> list[Prediction]:
        agent = Agent.load(str(model_path))
        out = []
        for text in texts:
            result = await agent.parse_message(text)
            out.append(prediction_from_parse(result))
        return out

    return asyncio.run(run())


def prediction_from_parse(result: dict[str, Any]) -> Prediction:
    """A Prediction from Rasa's parse result."""
    intent = (result.get("intent") or {}).get("name") or FALLBACK_INTENT
    ranking = [r.get("name") for r in result.get("intent_ranking") or []]
    top = next((n for n in ranking if n and n != FALLBACK_INTENT), None)
    entities = tuple(
        Entity.from_dict(e) for e in result.get("entities") or [] if {"entity", "start", "end"} <= set(e)
    )
    return Prediction(
        intent=intent,
        confidence=(result.get("intent") or {}).get("confidence"),
        entities=entities,
        top_non_fallback=top,
    )


def tfidf_lr_predict(train: Sequence[Example], test_texts: Sequence[str]) -> list[str]:
    """Baseline: TF-IDF over character 1-3-grams + multinomial logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=True),
        LogisticRegression(C=10.0, max_iter=5000),
    )
    model.fit([e.text for e in train], [e.intent for e in train])
    return list(model.predict(list(test_texts)))


def score(
    examples: Sequence[Example], predictions: Sequence[Prediction], with_entities: bool = True
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "intent": intent_metrics([e.intent for e in examples], [p.intent for p in predictions]),
    }
    if any(p.top_non_fallback for p in predictions):
        # the classifier's best real intent, as if there were no FallbackClassifier: separates "wrong" from
        # "not sure enough"
        alt = intent_metrics(
            [e.intent for e in examples], [p.top_non_fallback or p.intent for p in predictions]
        )
        result["intent_without_fallback"] = {"accuracy": alt["accuracy"], "macro_f1": alt["macro_f1"]}
    if with_entities:
        result["entities"] = entity_metrics(
            (e.text, e.entities, p.entities) for e, p in zip(examples, predictions, strict=True)
        )
    result["misclassified"] = [
        {"text": e.text, "gold": e.intent, "predicted": p.intent, "confidence": p.confidence}
        for e, p in zip(examples, predictions, strict=True)
        if e.intent != p.intent
    ]
    return result


def git_commit() -> str:
    """Short commit of the project, with "+changes" when config/data/rasa_addons differ from it."""
    import subprocess

    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "status",
                "--porcelain",
                "--",
                "config.yml",
                "nlu_data",
                "rasa_addons",
                "domain",
                "bot/parsing",
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def rel(path: Path) -> str:
    """``path`` relative to the project root when inside it (for readable reports)."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def newest_input_mtime(paths: Iterable[Path]) -> float:
    latest = 0.0
    for p in paths:
        files = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file()]
        latest = max([latest] + [f.stat().st_mtime for f in files])
    return latest


# --------------------------------------------------------------------------------------------------
# CLI


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--config", type=Path, default=Path("config.yml"), help="project pipeline (default: config.yml)"
    )
    p.add_argument("--baseline-config", type=Path, default=Path("configs/baseline_no_jieba.yml"))
    p.add_argument(
        "--data", type=Path, default=Path("nlu_data"), help="NLU data directory (default: nlu_data)"
    )
    p.add_argument("--out", type=Path, default=Path("results"), help="output directory (default: results)")
    p.add_argument(
        "--holdout", type=float, default=DEFAULT_HOLDOUT, help="test share per intent (default 0.2)"
    )
    p.add_argument("--seed", default=DEFAULT_SEED, help="split seed (changing it changes the split)")
    p.add_argument(
        "--test-file", action="append", type=Path, default=[], help="external Rasa NLU YAML test file"
    )
    p.add_argument(
        "--model", type=Path, help="model for --test-file (default: newest in models/, else train one)"
    )
    p.add_argument(
        "--train-full", action="store_true", help="for --test-file: train an NLU model on all data"
    )
    p.add_argument("--skip-holdout", action="store_true", help="only evaluate --test-file files")
    p.add_argument(
        "--no-baselines", action="store_true", help="skip both baselines (faster; --check then fails)"
    )
    p.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    return p


def run(args: argparse.Namespace) -> dict[str, Any]:
    _quiet_rasa()
    if not args.data.is_dir():
        raise SystemExit(f"NLU data directory not found: {args.data}")
    nlu_files = find_nlu_files(args.data)
    if not nlu_files:
        raise SystemExit(f"no NLU YAML files under {args.data}")
    data = load_training_data(nlu_files)
    examples, conflicts = dedupe(examples_from(data))
    if not examples:
        raise SystemExit(f"no intent examples under {args.data}")
    out: Path = args.out
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
    if not args.skip_holdout and not args.no_baselines:
        report["baseline_sync"] = baseline_in_sync(args.config, args.baseline_config)
        if not report["baseline_sync"]:
            print(
                f"warning: {rel(args.baseline_config)} is not config.yml minus jieba (see derive_no_jieba_pipeline)",
                file=sys.stderr,
            )

    if not args.skip_holdout:
        train, test = stratified_split(examples, args.holdout, args.seed)
        train_file, test_file = out / "split" / "train.yml", out / "split" / "test.yml"
        write_split_file(train_file, train, data)
        write_split_file(test_file, test, None)
        counts: dict[str, dict[str, int]] = defaultdict(lambda: {"train": 0, "test": 0})
        for side, items in (("train", train), ("test", test)):
            for ex in items:
                counts[ex.intent][side] += 1
        report["split"] = {
            "seed": args.seed,
            "holdout": args.holdout,
            "n_train": len(train),
            "n_test": len(test),
            "files": {"train": rel(train_file), "test": rel(test_file)},
            "per_intent": dict(sorted(counts.items())),
        }
        print(f"split: {len(train)} train / {len(test)} test examples -> {rel(train_file.parent)}/")
        holdout: dict[str, Any] = {}
        test_texts = [e.text for e in test]
        pipelines = [(PROJECT, args.config)] + (
            [] if args.no_baselines else [(NO_JIEBA, args.baseline_config)]
        )
        project_model: Path | None = None
        for key, config in pipelines:
            print(f"training {key} ({config}) on the training side ...", flush=True)
            model, seconds = train_nlu_model(config, train_file, models_dir, f"holdout-{key}")
            print(f"  trained in {seconds:.0f} s; parsing {len(test)} test examples ...", flush=True)
            preds = parse_texts(model, test_texts)
            holdout[key] = {"config": rel(config), "model": rel(model), "train_seconds": round(seconds, 1)}
            holdout[key].update(score(test, preds))
            if key == PROJECT:
                project_model = model
        if not args.no_baselines:
            print("scoring TF-IDF + logistic regression baseline ...", flush=True)
            tf_preds = [Prediction(intent=i) for i in tfidf_lr_predict(train, test_texts)]
            holdout[TFIDF] = score(test, tf_preds, with_entities=False)
        report["holdout"] = holdout
        if project_model is not None:
            # every example, annotated or not: the extractor is not trained, and spurious entities count
            print(f"parsing all {len(examples)} examples for the entity scores ...", flush=True)
            preds = parse_texts(project_model, [e.text for e in examples])
            report["entities_all_examples"] = entity_metrics(
                (e.text, e.entities, p.entities) for e, p in zip(examples, preds, strict=True)
            )

    if args.test_file:
        write_report(report, out)  # the hold-out results survive a failing test-file evaluation
        report["test_files"] = evaluate_test_files(args, models_dir)

    write_report(report, out)
    return report


def write_report(report: dict[str, Any], out: Path) -> None:
    """(Re)compute the checks and write results/nlu_eval.{json,md}."""
    report["checks"] = [c.__dict__ for c in evaluate_checks(report)]
    out.mkdir(parents=True, exist_ok=True)
    (out / "nlu_eval.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out / "nlu_eval.md").write_text(render_markdown(report) + "\n", encoding="utf-8")


def evaluate_test_files(args: argparse.Namespace, models_dir: Path) -> dict[str, Any]:
    """Score each --test-file with a model trained on all data; an error is recorded, not raised."""
    results: dict[str, Any] = {}
    try:
        model = choose_full_model(args, models_dir)
    except Exception as exc:  # noqa: BLE001 - reported in the results and fails the check
        return {rel(p): {"error": f"no model: {type(exc).__name__}: {exc}"} for p in args.test_file}
    for path in args.test_file:
        try:
            test = examples_from(load_training_data([path]))
            if not test:
                raise ValueError(f"no intent examples in {path}")
            print(f"parsing {len(test)} examples of {rel(path)} with {rel(model)} ...", flush=True)
            preds = parse_texts(model, [e.text for e in test])
            results[rel(path)] = {"model": rel(model), **score(test, preds)}
        except Exception as exc:  # noqa: BLE001
            print(f"error: {rel(path)}: {type(exc).__name__}: {exc}", file=sys.stderr)
            results[rel(path)] = {"model": rel(model), "error": f"{type(exc).__name__}: {exc}"}
    return results


def choose_full_model(args: argparse.Namespace, models_dir: Path) -> Path:
    """--model, else the newest model in models/ (warns when older than config/data), else train one."""
    if args.model is not None:
        return args.model
    if not args.train_full:
        from rasa.model import get_latest_model

        latest = get_latest_model(str(PROJECT_ROOT / "models"))
        if latest:
            model = Path(latest)
            if newest_input_mtime([args.config, args.data]) > model.stat().st_mtime:
                print(
                    f"warning: {model} is older than the config or the NLU data; use --train-full",
                    file=sys.stderr,
                )
            return model
    print("training an NLU model on all data for the test files ...", flush=True)
    model, _ = train_nlu_model(args.config, args.data, models_dir, "full-nlu")
    return model


def print_summary(report: dict[str, Any], out: Path) -> None:
    print()
    for key, res in (report.get("holdout") or {}).items():
        m = res["intent"]
        print(
            f"{PIPELINE_TITLES.get(key, key):60s} accuracy {_fmt(m['accuracy'])}  macro-F1 {_fmt(m['macro_f1'])}"
        )
    ent = (report.get("holdout") or {}).get(PROJECT, {}).get("entities")
    if ent:
        print(
            f"{'entities (held-out, micro)':60s} F1 {_fmt(ent['micro']['f1'])}  (n={ent['micro']['support']})"
        )
    for path, res in (report.get("test_files") or {}).items():
        if "error" in res:
            print(f"{'test file ' + path:60s} ERROR {res['error']}")
            continue
        m = res["intent"]
        print(f"{'test file ' + path:60s} accuracy {_fmt(m['accuracy'])}  macro-F1 {_fmt(m['macro_f1'])}")
    for c in report.get("checks", []):
        print(f"[{'pass' if c['passed'] else 'FAIL'}] {c['name']}: {c['value']} (target {c['target']})")
    print(f"\nwritten: {out / 'nlu_eval.json'}, {out / 'nlu_eval.md'}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # paths are relative to the caller's directory; Rasa configs are relative to the project root
    for name in ("config", "baseline_config", "data", "out", "model"):
        if getattr(args, name) is not None:
            setattr(args, name, getattr(args, name).resolve())
    args.test_file = [p.resolve() for p in args.test_file]
    os.chdir(PROJECT_ROOT)
    report = run(args)
    print_summary(report, args.out)
    if args.check and not all(c["passed"] for c in report["checks"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
