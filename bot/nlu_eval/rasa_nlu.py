"""Rasa NLU files, training and parsing: the part of the evaluation that runs Rasa (Rasa venv only).

Rasa and TensorFlow are imported inside these functions, so importing this module costs nothing and works in
both virtualenvs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.nlu_eval.data import Entity, Example, Prediction, prediction_from_parse


def quiet_rasa() -> None:
    """Telemetry off, TensorFlow and library logs down to errors, no per-parse debug logging."""
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("LOG_LEVEL_LIBRARIES", "ERROR")
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
    """The intent examples of a Rasa ``TrainingData``, in its order."""
    out = []
    for msg in training_data.intent_examples:
        text = msg.get("text")
        entities = tuple(Entity.from_dict(e) for e in msg.get("entities") or [])
        out.append(Example(text=text, intent=msg.get("intent"), entities=entities))
    return out


def write_split_file(path: Path, examples: Sequence[Example], resources: Any | None) -> None:
    """Write examples (plus, for the training side, regex/lookups/synonyms) as Rasa NLU YAML, in the order
    given. Synonyms are written sorted: Rasa also collects them from the examples' annotations, in file order."""
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
        entity_synonyms=dict(sorted(resources.entity_synonyms.items())) if resources is not None else None,
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


def parse_texts(model_path: Path, texts: Sequence[str], timings: list[float] | None = None) -> list[Prediction]:
    """Load ``model_path`` in-process and parse every text with it, one at a time (as a live server does);
    the milliseconds of each parse are appended to ``timings`` when given."""
    from rasa.core.agent import Agent

    async def run() -> list[Prediction]:
        agent = Agent.load(str(model_path))
        out = []
        for text in texts:
            started = time.perf_counter()
            result = await agent.parse_message(text)
            if timings is not None:
                timings.append((time.perf_counter() - started) * 1000)
            out.append(prediction_from_parse(result))
        return out

    return asyncio.run(run())


def latest_model(models_dir: Path) -> Path | None:
    """The newest model archive in ``models_dir`` (Rasa's choice), if any."""
    from rasa.model import get_latest_model

    latest = get_latest_model(str(models_dir))
    return Path(latest) if latest else None
