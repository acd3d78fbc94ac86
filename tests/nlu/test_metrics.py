"""Intent and entity metrics on toy sets with hand-computed values; the targets and the Markdown report."""

import pytest

from bot.nlu_eval.checks import evaluate_checks
from bot.nlu_eval.data import Entity, Example, Prediction, prediction_from_parse
from bot.nlu_eval.metrics import (
    bootstrap_macro_f1,
    entity_matches,
    entity_matches_overlap,
    entity_metrics,
    intent_metrics,
    paired_bootstrap_difference,
    score,
)
from bot.nlu_eval.pipelines import NO_JIEBA, PROJECT, TFIDF
from bot.nlu_eval.report import cell, render_markdown


def test_intent_metrics_on_a_toy_set():
    gold = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "nlu_fallback"]
    m = intent_metrics(gold, pred)
    assert m["n"] == 5
    assert m["accuracy"] == pytest.approx(3 / 5)
    # a: P=1 R=1/2 F=2/3; b: P=2/3 R=1 F=4/5; c: F=0 (the fallback is a miss, not a class of its own)
    assert m["per_intent"]["a"] == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2})
    assert m["per_intent"]["b"] == pytest.approx({"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2})
    assert m["per_intent"]["c"]["f1"] == 0.0
    assert set(m["per_intent"]) == {"a", "b", "c"}
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0.8 + 0.0) / 3)
    assert m["weighted_f1"] == pytest.approx((2 * 2 / 3 + 2 * 0.8) / 5)
    assert m["fallback_rate"] == pytest.approx(0.2)
    assert m["confusions"] == [
        {"gold": "a", "predicted": "b", "count": 1},
        {"gold": "c", "predicted": "nlu_fallback", "count": 1},
    ]


def test_perfect_predictions_score_one():
    m = intent_metrics(["x", "y", "y"], ["x", "y", "y"])
    assert m["accuracy"] == 1.0 and m["macro_f1"] == 1.0 and m["confusions"] == []


def test_intent_metrics_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        intent_metrics(["a"], [])


def E(entity, start, end, value, role=None):
    return Entity(entity=entity, start=start, end=end, value=value, role=role)


def test_entity_match_needs_type_and_span():
    text = "查LY2023LS00123"
    gold = E("case_no", 1, 14, "LY2023LS00123")
    assert entity_matches(gold, E("case_no", 1, 14, "LY2023LS00123"), text)
    assert not entity_matches(gold, E("case_no", 2, 14, "Y2023LS00123"), text)
    assert not entity_matches(gold, E("id_last6", 1, 14, "LY2023LS00123"), text)


def test_explicit_normalised_value_must_match():
    text = "ly-2023-ls-00123 到哪了"
    gold = E("case_no", 0, 16, "LY2023LS00123")  # annotated value differs from the surface text
    assert entity_matches(gold, E("case_no", 0, 16, "LY2023LS00123"), text)
    assert not entity_matches(gold, E("case_no", 0, 16, "ly-2023-ls-00123"), text)


def test_surface_annotation_accepts_any_normalised_value():
    text = "两千五"
    gold = E("amount", 0, 3, "两千五")  # no explicit value: type + span decide
    assert entity_matches(gold, E("amount", 0, 3, "2500"), text)


def test_role_must_match():
    text = "一个月1800"
    gold = E("amount", 3, 7, "1800", role="month")
    assert entity_matches(gold, E("amount", 3, 7, "1800", role="month"), text)
    assert not entity_matches(gold, E("amount", 3, 7, "1800", role="year"), text)
    assert not entity_matches(gold, E("amount", 3, 7, "1800"), text)


def test_entity_metrics_per_type_and_micro():
    t1 = "LY2023LS00123 我电话13800138000"
    t2 = "住在接官亭"
    t3 = "案件号LY2024DB00007"
    items = [
        # case_no hit, phone hit, plus a spurious town
        (
            t1,
            [E("case_no", 0, 13, "LY2023LS00123"), E("phone", 16, 27, "13800138000")],
            [
                E("case_no", 0, 13, "LY2023LS00123"),
                E("phone", 16, 27, "13800138000"),
                E("town", 0, 2, "x"),
            ],
        ),
        # town missed
        (t2, [E("town", 2, 5, "接官亭镇")], []),
        # case_no with a wrong span: one FP and one FN
        (t3, [E("case_no", 3, 16, "LY2024DB00007")], [E("case_no", 2, 16, "号LY2024DB00007")]),
    ]
    m = entity_metrics(items)
    case = m["per_entity"]["case_no"]
    assert case["support"] == 2
    assert case["precision"] == pytest.approx(0.5) and case["recall"] == pytest.approx(0.5)
    assert case["f1"] == pytest.approx(0.5)
    assert m["per_entity"]["phone"]["f1"] == 1.0
    town = m["per_entity"]["town"]
    assert (town["precision"], town["recall"], town["support"]) == (0.0, 0.0, 1)
    # micro: tp=2 (case, phone), fp=2 (town, case), fn=2 (town, case)
    assert m["micro"]["precision"] == pytest.approx(0.5)
    assert m["micro"]["recall"] == pytest.approx(0.5)
    assert m["micro"]["support"] == 4
    assert [e["text"] for e in m["errors"]] == [t1, t2, t3]


def test_a_prediction_is_matched_only_once():
    text = "LY2023LS00123"
    gold = [E("case_no", 0, 13, text), E("case_no", 0, 13, text)]
    m = entity_metrics([(text, gold, [E("case_no", 0, 13, text)])])
    assert m["per_entity"]["case_no"]["recall"] == pytest.approx(0.5)
    assert m["per_entity"]["case_no"]["precision"] == 1.0


def test_prediction_from_a_rasa_parse_result():
    result = {
        "text": "LY2023LS00123",
        "intent": {"name": "nlu_fallback", "confidence": 0.45},
        "intent_ranking": [{"name": "nlu_fallback"}, {"name": "check_status"}, {"name": "inform"}],
        "entities": [
            {"entity": "case_no", "start": 0, "end": 13, "value": "LY2023LS00123", "extractor": "X"},
            {"entity": "amount", "start": 0, "end": 2, "value": 12, "role": "month"},
        ],
    }
    p = prediction_from_parse(result)
    assert p.intent == "nlu_fallback" and p.top_non_fallback == "check_status"
    assert p.entities[0] == E("case_no", 0, 13, "LY2023LS00123")
    assert p.entities[1] == E("amount", 0, 2, "12", role="month")


def report_with(macro, case_f1, case_all_f1, no_jieba, tfidf):
    def ent(f1):
        return {
            "per_entity": {"case_no": {"precision": f1, "recall": f1, "f1": f1, "support": 10}},
            "micro": {},
        }

    holdout = {PROJECT: {"intent": {"macro_f1": macro}, "entities": ent(case_f1)}}
    if no_jieba is not None:
        holdout[NO_JIEBA] = {"intent": {"macro_f1": no_jieba}}
    if tfidf is not None:
        holdout[TFIDF] = {"intent": {"macro_f1": tfidf}}
    return {"holdout": holdout, "entities_all_examples": ent(case_all_f1)}


def test_checks_pass_when_every_target_is_met():
    checks = evaluate_checks(report_with(0.96, 1.0, 1.0, 0.93, 0.95))
    assert len(checks) == 5 and all(c.passed for c in checks)


@pytest.mark.parametrize(
    ("args", "failing"),
    [
        ((0.92, 1.0, 1.0, 0.90, 0.90), "intent macro-F1"),
        ((0.96, 0.99, 1.0, 0.90, 0.90), "case_no entity F1, held-out"),
        ((0.96, 1.0, 0.99, 0.90, 0.90), "case_no entity F1, all"),
        ((0.96, 1.0, 1.0, 0.96, 0.90), "baseline_no_jieba"),
        ((0.96, 1.0, 1.0, 0.90, 0.97), "baseline_tfidf_lr"),
        ((0.96, 1.0, 1.0, None, 0.90), "baseline_no_jieba"),
    ],
)
def test_each_missed_target_fails_its_check(args, failing):
    checks = evaluate_checks(report_with(*args))
    failed = [c.name for c in checks if not c.passed]
    assert len(failed) == 1 and failing in failed[0]


def test_ahead_of_a_baseline_means_beyond_the_noise_when_the_bootstrap_ran():
    report = report_with(0.96, 1.0, 1.0, 0.95, 0.90)
    report["differences"] = {
        f"{PROJECT} - {NO_JIEBA}": {"difference": 0.01, "low": -0.004, "high": 0.024},
        f"{PROJECT} - {TFIDF}": {"difference": 0.06, "low": 0.04, "high": 0.08},
    }
    failed = [c.name for c in evaluate_checks(report) if not c.passed]
    assert failed == [f"project ahead of {NO_JIEBA} by more than the noise"]


def test_external_test_files_have_their_own_target():
    report = report_with(0.96, 1.0, 1.0, 0.90, 0.90)
    report["test_files"] = {
        "good.yml": {"intent": {"macro_f1": 0.98}},
        "weak.yml": {"intent": {"macro_f1": 0.95}},
        "broken.yml": {"error": "no model"},
    }
    failed = [c.name for c in evaluate_checks(report) if not c.passed]
    assert failed == ["intent macro-F1, weak.yml", "test file broken.yml evaluated"]


def test_bootstrap_interval_holds_the_score_and_is_exact_for_a_perfect_model():
    gold = ["a", "b", "c", "d"] * 50
    assert bootstrap_macro_f1(gold, gold) == {"low": 1.0, "high": 1.0}
    predicted = [g if i % 5 else "nlu_fallback" for i, g in enumerate(gold)]
    point = intent_metrics(gold, predicted)["macro_f1"]
    interval = bootstrap_macro_f1(gold, predicted)
    assert interval["low"] < point < interval["high"]
    assert interval["high"] - interval["low"] < 0.2
    # fewer test examples, more noise
    small = bootstrap_macro_f1(gold[:40], predicted[:40])
    assert small["high"] - small["low"] > interval["high"] - interval["low"]


def test_paired_difference_of_a_model_with_itself_is_zero_and_a_better_model_is_ahead():
    gold = ["a", "b", "c"] * 60
    weaker = [g if i % 4 else "a" for i, g in enumerate(gold)]
    assert paired_bootstrap_difference(gold, weaker, weaker) == {"difference": 0.0, "low": 0.0, "high": 0.0}
    diff = paired_bootstrap_difference(gold, gold, weaker)
    expected = 1.0 - intent_metrics(gold, weaker)["macro_f1"]
    assert diff["difference"] == pytest.approx(expected)
    assert 0 < diff["low"] <= diff["difference"] <= diff["high"]


def test_markdown_report_shows_the_tables():
    report = report_with(0.96, 1.0, 1.0, 0.9, 0.9)
    for res in report["holdout"].values():
        res["intent"] = intent_metrics(["a", "b"], ["a", "a"])
    text = "LY2023LS00123"
    case = E("case_no", 0, 13, text)
    report["holdout"][PROJECT]["entities"] = entity_metrics([(text, [case], [case])])
    report["entities_all_examples"] = entity_metrics([(text, [case], [])])
    report["generated_at"] = "now"
    report["split"] = {
        "seed": "s",
        "holdout": 0.2,
        "n_train": 8,
        "n_test": 2,
        "per_intent": {"a": {"train": 4, "test": 1}, "b": {"train": 4, "test": 1}},
    }
    report["checks"] = [c.__dict__ for c in evaluate_checks(report)]
    md = render_markdown(report)
    assert "| a | 4 | 1 | 0.667 | 0.667 | 0.667 |" in md
    assert "| b | 4 | 1 | 0.000 | 0.000 | 0.000 |" in md
    assert "| case_no | 1.000 | 1.000 | 1.000 | 1 |" in md
    assert "| case_no | 0.000 | 0.000 | 0.000 | 1 |" in md
    assert "**FAIL**" in md and "## Targets" in md


def test_markdown_cells_escape_pipes_and_truncate():
    assert cell("a|b\nc") == "a\\|b c"
    assert cell("字" * 70).endswith("…") and len(cell("字" * 70)) == 61


def test_overlap_score_forgives_boundaries_but_not_values_or_roles():
    text = "一个月1800块"
    gold = E("amount", 3, 7, "1800", role="month")
    wider = E("amount", 3, 8, "1800", role="month")
    assert not entity_matches(gold, wider, text)
    assert entity_matches_overlap(gold, wider, text)
    assert not entity_matches_overlap(gold, E("amount", 3, 8, "1800", role="year"), text)
    assert not entity_matches_overlap(gold, E("amount", 7, 8, "1800", role="month"), text)  # disjoint
    explicit = E("amount", 0, 3, "2500")
    assert not entity_matches_overlap(explicit, E("amount", 0, 4, "25000"), "两千五块")
    m = entity_metrics([(text, [gold], [wider])])
    assert m["per_entity"]["amount"]["f1"] == 0.0
    assert m["overlap"]["per_entity"]["amount"]["f1"] == 1.0
    assert m["overlap"]["micro"]["f1"] == 1.0


def test_a_failed_test_file_fails_the_checks():
    checks = evaluate_checks({"test_files": {"x.yml": {"error": "GraphSchemaException: ..."}}})
    assert [(c.name, c.passed) for c in checks] == [("test file x.yml evaluated", False)]
    md = render_markdown(
        {
            "generated_at": "now",
            "test_files": {"x.yml": {"error": "boom"}},
            "checks": [c.__dict__ for c in checks],
        }
    )
    assert "**Not evaluated**: boom" in md


def test_score_reports_the_intent_behind_the_fallback():
    examples = [Example("a", "x"), Example("b", "y"), Example("c", "y")]
    preds = [
        Prediction("nlu_fallback", 0.2, (), "x"),  # right intent, not confident enough
        Prediction("nlu_fallback", 0.2, (), "x"),  # wrong either way
        Prediction("y", 0.9, (), "y"),
    ]
    res = score(examples, preds, with_entities=False)
    assert res["intent"]["accuracy"] == pytest.approx(1 / 3)
    assert res["intent_without_fallback"]["accuracy"] == pytest.approx(2 / 3)
    assert [m["text"] for m in res["misclassified"]] == ["a", "b"]
