"""`lueyang policy validate` / `unverified`: the shipped data passes; broken copies are caught (exit code 1)."""

from __future__ import annotations

import shutil

import pytest

from bot.cli import main
from bot.policy.knowledge import DATA_DIR
from bot.policy.validate import shared_dir, startup_warning, validate

HAS_SHARED = (shared_dir() / "policy" / "sources").is_dir()


@pytest.fixture()
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_shipped_data_is_valid(capsys):
    assert main(["policy", "validate"]) == 0
    out = capsys.readouterr().out
    assert "policy data OK" in out
    report = validate()
    assert report.ok, report.errors
    assert report.topics >= 20


def test_copy_is_valid(data):
    assert validate(data).ok


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("topics/dibao.yml", "{doc: sa_measures, article: 第九条", "{doc: no_such_doc, article: 第九条", "not in sources.yml"),
        ("topics/tekun.yml", "  - key: tekun_care\n", "  - key: Tekun Care\n", "lower-case identifier"),
        ("topics/dibao.yml", "{param:deadlines.dibao.total}", "{param:deadlines.dibao.totl}", "not a county parameter"),
        ("topics/illness.yml", "intent: ask_illness_poverty", "intent: ask_appeal", "intent ask_illness_poverty: no topic"),
        ("topics/appeal_review.yml", "    uses_parameters: [dibao.gradual_exit_max_months]\n", "    uses_parameters: []\n",
         "not in uses_parameters"),
        ("topics/materials.yml", "related: [dibao_apply]", "related: [dibao_aply]", "related topic"),
        ("topics/temp_relief.yml", "payload: /start_precheck}", "payload: /start_pre_check}", "names no intent"),
        ("sources.yml", "  tekun_measures:\n    title: 特困人员认定办法\n", "  tekun_measures:\n    title: \"\"\n",
         "missing title"),
        ("county.yml", "    value: 45\n    unit: 工作日\n", "    value: 45\n", "missing field"),
        ("topics/edge_family.yml", "{doc: rigid_measures, article: 第十条, effective_from: 2025-01-01}",
         "{doc: rigid_measures, article: 第十条, effective_from: soon}", "effective_from must be a date"),
    ],
)  # fmt: skip
def test_broken_data_is_caught(data, capsys, file, old, new, message):
    _edit(data / file, old, new)
    assert main(["policy", "validate", "--data-dir", str(data)]) == 1
    out = capsys.readouterr().out
    assert message in out
    assert "error(s)" in out


def test_empty_answer_is_caught(data):
    path = data / "topics" / "illness.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      short: |-")
    end = text.index("      detail: |-")
    path.write_text(text[:start] + '      short: ""\n' + text[end:], encoding="utf-8")
    report = validate(data)
    assert any("`short` is empty" in e for e in report.errors)


@pytest.mark.skipif(not HAS_SHARED, reason="shared policy sources not available")
def test_wrong_article_number_is_caught(data):
    _edit(
        data / "topics" / "tekun.yml",
        "{doc: tekun_measures, article: 第五条",
        "{doc: tekun_measures, article: 第九十五条",
    )
    report = validate(data)
    assert any("第九十五条" in e for e in report.errors)


@pytest.mark.skipif(not HAS_SHARED, reason="shared policy sources not available")
def test_missing_source_file_is_caught(data):
    _edit(data / "sources.yml", "02_最低生活保障审核确认办法_2021_Comet-law.md", "02_missing.md")
    assert any("not found" in e for e in validate(data).errors)


def test_without_shared_sources_articles_are_not_checked_but_reported(data, tmp_path):
    report = validate(data, shared=tmp_path / "nowhere")
    assert report.ok
    assert any("not checked" in w for w in report.warnings)


def test_unverified_lists_every_value_with_its_source(capsys):
    assert main(["policy", "unverified"]) == 0
    out = capsys.readouterr().out
    assert "dibao.standard.urban_monthly\tvalue=null\tsource=" in out
    assert "offices.接官亭镇.phone" in out
    assert "offices.relief_station.phone\tvalue='0916-4822453'" in out
    assert "deadlines.dibao.total" not in out  # verified
    assert "referrals.disability_allowance.office\tvalue='略阳县民政局（会同县残疾人联合会）'" in out
    # the same count as `policy validate`, which counts the referral offices too
    assert f"{len(validate().unverified)} unverified value(s)" in out


def test_startup_warning_mentions_the_command():
    warning = startup_warning()
    assert warning is not None and "lueyang policy unverified" in warning
