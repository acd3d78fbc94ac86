"""configs/baseline_no_jieba.yml must stay config.yml minus jieba, or the comparison means nothing."""

from pathlib import Path

import yaml

from bot.nlu_eval.pipelines import baseline_in_sync, derive_no_jieba_pipeline

ROOT = Path(__file__).resolve().parents[2]


def test_baseline_is_the_project_pipeline_without_jieba():
    assert baseline_in_sync(ROOT / "config.yml", ROOT / "configs" / "baseline_no_jieba.yml"), (
        "config.yml changed: update configs/baseline_no_jieba.yml to "
        "bot.nlu_eval.pipelines.derive_no_jieba_pipeline(config.yml pipeline)"
    )


def test_derivation_swaps_tokenizer_and_ngram_featurizers_only():
    pipeline = [
        {"name": "JiebaTokenizer", "dictionary_path": "x"},
        {"name": "RegexFeaturizer"},
        {"name": "CountVectorsFeaturizer", "min_ngram": 1, "max_ngram": 2},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3},
        {"name": "DIETClassifier", "epochs": 7},
    ]
    assert derive_no_jieba_pipeline(pipeline) == [
        {"name": "rasa_addons.char_tokenizer.ChunkTokenizer"},
        {"name": "RegexFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char", "min_ngram": 1, "max_ngram": 3},
        {"name": "DIETClassifier", "epochs": 7},
    ]


def test_a_changed_setting_is_detected(tmp_path):
    baseline = yaml.safe_load((ROOT / "configs" / "baseline_no_jieba.yml").read_text(encoding="utf-8"))
    for component in baseline["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["epochs"] = component.get("epochs", 0) + 1
    changed = tmp_path / "b.yml"
    changed.write_text(yaml.safe_dump(baseline, allow_unicode=True), encoding="utf-8")
    assert not baseline_in_sync(ROOT / "config.yml", changed)
