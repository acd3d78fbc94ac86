"""The NLU data files: one file per intent, named after it; the external test set is not copied from them."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
NLU = ROOT / "nlu_data" / "nlu"


def _blocks(path):
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []


def _texts(path):
    for block in _blocks(path):
        if "intent" in block:
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    # strip entity markup: [text](type) and [text]{...}
                    yield re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", line[2:]).strip()


def test_each_file_holds_the_examples_of_the_intent_it_is_named_after():
    files = sorted(NLU.glob("*"))
    assert len(files) >= 20
    for path in files:
        assert path.suffix == ".yml", f"{path.name}: NLU examples go in nlu_data/nlu/<intent>.yml"
        intents = [block.get("intent") for block in _blocks(path)]
        assert intents == [path.stem], f"{path.name} holds {intents}: one block, the intent {path.stem!r}"


def test_external_test_set_is_not_copied_from_the_training_data():
    external = list(_texts(ROOT / "tests" / "nlu" / "data" / "external_test.yml"))
    training = {t for p in (ROOT / "nlu_data").rglob("*.yml") for t in _texts(p)}
    assert len(external) >= 100
    assert [t for t in external if t in training] == []
