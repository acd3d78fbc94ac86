"""Model fingerprint: changes with any training input (dictionary included), stable otherwise."""

from __future__ import annotations

import shutil

from bot.settings import PROJECT_ROOT
from bot.training import TrainingTimer, fingerprint_files, format_timing, model_fingerprint, rasa_side_sources


def _copy_inputs(tmp_path):
    for src in fingerprint_files(PROJECT_ROOT):
        dst = tmp_path / src.relative_to(PROJECT_ROOT)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    return tmp_path


def test_fingerprint_is_stable(tmp_path):
    root = _copy_inputs(tmp_path)
    assert model_fingerprint(root) == model_fingerprint(root)
    assert model_fingerprint(root) == model_fingerprint(PROJECT_ROOT)


def test_fingerprint_follows_the_jieba_dictionary(tmp_path):
    root = _copy_inputs(tmp_path)
    before = model_fingerprint(root)
    userdict = root / "nlu_data" / "jieba" / "userdict.txt"
    userdict.parent.mkdir(parents=True, exist_ok=True)
    with open(userdict, "a", encoding="utf-8") as fh:
        fh.write("新词条 10 n\n")
    assert model_fingerprint(root) != before


def test_fingerprint_follows_config_domain_and_data(tmp_path):
    root = _copy_inputs(tmp_path)
    seen = {model_fingerprint(root)}
    for rel in ("config.yml", "domain/core.yml", "nlu_data/rules/core.yml"):
        with open(root / rel, "a", encoding="utf-8") as fh:
            fh.write("\n# changed\n")
        seen.add(model_fingerprint(root))
    assert len(seen) == 4


def test_the_project_code_rasa_imports_is_part_of_the_fingerprint():
    sources = {p.relative_to(PROJECT_ROOT).as_posix() for p in rasa_side_sources(PROJECT_ROOT)}
    # imported by the extractor and the channel, directly or through bot.parsing
    assert {"bot/programmes.py", "bot/privacy.py", "bot/parsing/entities.py", "bot/handoff/crisis.py"} <= sources
    # application code Rasa never imports stays out (changing it must not retrain)
    assert not any(s.startswith(("bot/cases/", "bot/frontends/", "bot/db/")) for s in sources)


def test_a_module_that_rasa_starts_to_import_changes_the_fingerprint(tmp_path):
    root = _copy_inputs(tmp_path)
    before = model_fingerprint(root)
    helper = root / "bot" / "newhelper.py"
    helper.write_text("X = 1\n", encoding="utf-8")
    assert model_fingerprint(root) == before  # not imported by Rasa yet: not an input
    with open(root / "rasa_addons" / "guards.py", "a", encoding="utf-8") as fh:
        fh.write("\nfrom bot.newhelper import X  # noqa\n")
    after_import = model_fingerprint(root)
    assert after_import != before
    helper.write_text("X = 2\n", encoding="utf-8")
    assert model_fingerprint(root) != after_import


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_training_timer_reads_where_the_time_goes_from_rasa_log_lines():
    clock = _Clock()
    timer = TrainingTimer(clock)
    lines = [
        (30.0, "INFO rasa.cli.train - Started validating domain and training data..."),
        (40.0, "INFO rasa.engine.training.hooks - Starting to train component 'FingerprintedJiebaTokenizer'."),
        (42.0, "INFO rasa.engine.training.hooks - Finished training component 'FingerprintedJiebaTokenizer'."),
        (45.0, "INFO rasa.engine.training.hooks - Starting to train component 'CountVectorsFeaturizer'."),
        (46.0, "INFO rasa.engine.training.hooks - Finished training component 'CountVectorsFeaturizer'."),
        (46.5, "INFO rasa.engine.training.hooks - Starting to train component 'CountVectorsFeaturizer'."),
        (50.0, "INFO rasa.engine.training.hooks - Finished training component 'CountVectorsFeaturizer'."),
        (50.0, "Epochs: 100%|██████| 60/60"),
    ]
    for offset, line in lines:
        clock.now = 100.0 + offset
        timer.feed(line)
    rows = dict(timer.summary(ended=158.0))
    assert rows["start-up, data loading and validation"] == 40.0
    assert rows["train FingerprintedJiebaTokenizer"] == 2.0
    assert rows["train CountVectorsFeaturizer"] == 1.0
    assert rows["train CountVectorsFeaturizer #2"] == 3.5
    assert rows["between components (graph, training cache)"] == 3.5
    assert rows["packaging the model"] == 8.0
    assert rows["total"] == 58.0
    assert "train CountVectorsFeaturizer #2" in format_timing(timer.summary(ended=158.0))


def test_training_timer_without_component_lines_reports_the_total():
    clock = _Clock()
    timer = TrainingTimer(clock)
    timer.feed("Error: something failed")
    assert timer.summary(ended=112.5) == [("total", 12.5)]
