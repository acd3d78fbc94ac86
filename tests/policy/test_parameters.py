"""County parameter file: schema, verified statutory values, offices, unverified local amounts."""

from __future__ import annotations

import csv

import pytest

from bot.errors import DataFileError, TownError, UnknownParameter
from bot.policy.parameters import DEFAULT_PATH, clear_cache, load_parameters
from bot.settings import PROJECT_ROOT

SOURCES = PROJECT_ROOT.parent / "shared" / "policy" / "sources"


@pytest.fixture()
def params():
    clear_cache()
    return load_parameters()


@pytest.mark.parametrize(
    ("key", "value", "unit"),
    [
        ("deadlines.dibao.investigation", 3, "工作日"),
        ("deadlines.dibao.publicity", 7, "天"),
        ("deadlines.dibao.county_decision", 10, "工作日"),
        ("deadlines.dibao.total", 30, "工作日"),
        ("deadlines.dibao.total_special", 45, "工作日"),
        ("deadlines.dibao.refusal_notice", 3, "工作日"),
        ("deadlines.tekun.township", 15, "工作日"),
        ("deadlines.tekun.publicity", 7, "天"),
        ("deadlines.tekun.county", 15, "工作日"),
        ("deadlines.devolved.total", 20, "工作日"),
        ("dibao.gradual_exit_max_months", 6, "个月"),
        ("edge_family.income_multiple", 1.5, "倍低保标准"),
    ],
)
def test_statutory_values_are_verified(params, key, value, unit):
    p = params.get(key)
    assert p.verified is True
    assert p.value == value
    assert p.unit == unit
    assert p.effective_from is not None
    assert params.value_if_verified(key) == value


@pytest.mark.parametrize(
    "key",
    [
        "dibao.standard.urban_monthly",
        "dibao.standard.rural_yearly",
        "tekun.basic_living.urban_monthly",
        "tekun.basic_living.rural_yearly",
        "tekun.care.full_disability_monthly",
        "tekun.care.partial_disability_monthly",
        "tekun.care.self_care_monthly",
        "temp_relief.emergency_multiple_months",
        "temp_relief.ceiling",
        "temp_relief.township_approval_limit",
        "dibao.property.deposit_limit_months",
        "dibao.property.vehicle_rule",
        "dibao.property.housing_rule",
        "monitoring.income_line",
        "handoff.response_hours",
        "hotline.psychological",
    ],
)
def test_unknown_local_values_are_unverified(params, key):
    p = params.get(key)
    assert p.verified is False
    assert params.value_if_verified(key) is None
    assert p in params.unverified()


def test_unknown_key_is_a_key_error(params):
    with pytest.raises(KeyError):
        params.get("dibao.nonexistent")
    with pytest.raises(UnknownParameter):
        params.value_if_verified("nope")


def test_version_combines_file_version_and_hash(params):
    file_version, digest = params.version.split("+")
    assert file_version == "2023.1"
    assert len(digest) == 12


@pytest.mark.skipif(not SOURCES.is_dir(), reason="shared policy sources not available")
def test_all_17_townships_from_official_list(params):
    with (SOURCES / "08_略阳县乡级区划_NBS2022_modood.csv").open(encoding="utf-8") as fh:
        official = {row[1]: row[0] for row in csv.reader(fh)}
    towns = params.townships()
    assert len(towns) == 17
    assert {t.key: t.code for t in towns} == official
    for t in towns:
        assert t.kind == "township"
        assert not t.phone.verified and t.phone.value is None


@pytest.mark.parametrize(
    ("town", "name"),
    [
        ("接官亭镇", "接官亭镇人民政府"),
        ("接官亭", "接官亭镇人民政府"),
        ("兴州街道", "兴州街道办事处"),
        ("郭镇", "郭镇人民政府"),
        (None, "略阳县民政局"),
    ],
)
def test_office_lookup(params, town, name):
    assert params.office(town).name == name


def test_office_outside_lueyang(params):
    with pytest.raises(TownError):
        params.office("勉县")


def test_relief_station_default_is_unverified(params):
    station = params.relief_station()
    assert station.kind == "relief_station"
    assert station.phone.value == "0916-4822453"
    assert station.phone.verified is False
    assert "灵岩路" in station.address.value


def test_loader_is_cached_per_path(params):
    assert load_parameters() is params
    assert load_parameters(DEFAULT_PATH) is params


def _write(tmp_path, text):
    path = tmp_path / "county.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_field_is_rejected(tmp_path):
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace(
        "    value: 1.5\n    unit: 倍低保标准\n", "    value: 1.5\n", 1
    )
    with pytest.raises(DataFileError, match="edge_family.income_multiple: missing field"):
        load_parameters(_write(tmp_path, text))


def test_verified_without_value_is_rejected(tmp_path):
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("    value: 1.5\n", "    value: null\n", 1)
    with pytest.raises(DataFileError, match="needs a value"):
        load_parameters(_write(tmp_path, text))


def test_bad_yaml_is_rejected(tmp_path):
    with pytest.raises(DataFileError):
        load_parameters(_write(tmp_path, "version: [unclosed\n"))
