"""Fixtures: the real county parameters (local amounts unverified) and a synthetic, fully verified copy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.policy.parameters import DEFAULT_PATH, clear_cache, load_parameters

# Synthetic test values, NOT the county's figures: they only make the arithmetic of the rules testable.
TEST_VALUES = {
    "dibao.standard.urban_monthly": 700,  # income line 1.5 x 700 = 1050 per person and month
    "dibao.standard.rural_yearly": 6000,  # 500 a month; income line 750
    "temp_relief.emergency_multiple_months": 3,
    "temp_relief.ceiling": 5000,
    "temp_relief.township_approval_limit": 1000,
    "dibao.property.deposit_limit_months": 24,  # rural 12000 / urban 16800 per person
    "low_income.per_capita_disposable_income_yearly": 20000,
}


def write_verified_copy(target: Path) -> Path:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    for key, value in TEST_VALUES.items():
        data["parameters"][key] = {
            "value": value,
            "unit": "元",
            "source": "测试用合成数值（不是略阳的实际标准）",
            "effective_from": "2023-01-01",
            "verified": True,
            "note": "test only",
        }
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def verified_params(tmp_path_factory):
    return load_parameters(write_verified_copy(tmp_path_factory.mktemp("params") / "county.yml"))


@pytest.fixture()
def real_params():
    clear_cache()
    return load_parameters()


@pytest.fixture(autouse=True)
def _isolated_audit_db(isolated_audit_db):
    """Pre-check results are written to the audit log: every test here runs against the shared throw-away audit
    database (tests that need their own database still set it), so none writes to the developer's var/cases.db."""
    yield isolated_audit_db
