from __future__ import annotations

import pytest

from bot.cli.production import read_env_file
from bot.errors import ConfigurationError
from bot.settings import (
    AUDIT_RETENTION_DAYS,
    PROJECT_ROOT,
    RETENTION_DAYS,
    VERIFICATION_RETENTION_DAYS,
    Settings,
)

SECRET = "s" * 32
KEY = "k" * 32
SAFE = {
    "LUEYANG_PROFILE": "production", "ID_HASH_KEY": KEY, "RASA_CHANNEL_SECRET": SECRET,
    "DATABASE_URL": "postgresql://lueyang_app:pw@127.0.0.1/lueyang_cases",
}


def test_defaults_are_embedded_sqlite(tmp_path):
    s = Settings.from_env({"LUEYANG_VAR_DIR": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'cases.db'}"
    assert s.tracker_store_url.startswith("sqlite:///")
    assert s.redis_url == "" and s.telegram_bot_token == "" and s.profile == "embedded"
    assert s.rasa_urls == ["http://127.0.0.1:5005"]


def test_several_rasa_urls_and_staff_ids():
    s = Settings.from_env({"RASA_URL": "http://a:1/, http://b:2", "STAFF_TELEGRAM_IDS": "1, 2;3"})
    assert s.rasa_urls == ["http://a:1", "http://b:2"]
    assert s.staff_telegram_ids == frozenset({1, 2, 3})


@pytest.mark.parametrize(
    "env",
    [{"TELEGRAM_MODE": "carrier-pigeon"}, {"STAFF_TELEGRAM_IDS": "abc"}, {"RASA_TIMEOUT": "soon"},
     {"LUEYANG_PROFILE": "staging"}],
)
def test_bad_settings_are_refused_with_a_clear_error(env):
    with pytest.raises(ConfigurationError):
        Settings.from_env(env)


def test_production_profile_refuses_unsafe_defaults():
    s = Settings.from_env({"LUEYANG_PROFILE": "production"})
    with pytest.raises(ConfigurationError) as err:
        s.check_production()
    assert "ID_HASH_KEY" in str(err.value) and "RASA_CHANNEL_SECRET" in str(err.value)
    Settings.from_env(SAFE).check_production()


def test_production_refuses_the_placeholders_of_the_example_env_file():
    example = read_env_file(PROJECT_ROOT / "deploy" / "production.env.example")
    with_token = {**example, "TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35}
    with pytest.raises(ConfigurationError) as err:
        Settings.from_env(with_token).check_production()
    text = str(err.value)
    for key in ("RASA_CHANNEL_SECRET", "ID_HASH_KEY", "TELEGRAM_WEBHOOK_SECRET", "DATABASE_URL",
                "TRACKER_STORE_URL", "REDIS_URL"):
        assert f"{key} is still the CHANGE-ME" in text or f"{key} still contains the CHANGE-ME" in text, key
    lower = {**SAFE, "RASA_CHANNEL_SECRET": "change_me" + "x" * 30}
    with pytest.raises(ConfigurationError, match="RASA_CHANNEL_SECRET is still the CHANGE-ME"):
        Settings.from_env(lower).check_production()


@pytest.mark.parametrize("key", ["RASA_CHANNEL_SECRET", "ID_HASH_KEY"])
def test_production_refuses_short_secrets(key):
    with pytest.raises(ConfigurationError, match=f"{key} must be at least 32 characters long"):
        Settings.from_env({**SAFE, key: "x" * 31}).check_production()
    Settings.from_env({**SAFE, key: "x" * 32}).check_production()


def test_production_checks_the_webhook_secret_in_webhook_mode():
    telegram = {**SAFE, "TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35, "TELEGRAM_MODE": "webhook"}
    with pytest.raises(ConfigurationError, match="TELEGRAM_WEBHOOK_SECRET must be set"):
        Settings.from_env(telegram).check_production()
    with pytest.raises(ConfigurationError, match="TELEGRAM_WEBHOOK_SECRET must be at least 32"):
        Settings.from_env({**telegram, "TELEGRAM_WEBHOOK_SECRET": "s3cret_token"}).check_production()
    Settings.from_env({**telegram, "TELEGRAM_WEBHOOK_SECRET": "w" * 43}).check_production()
    Settings.from_env({**telegram, "TELEGRAM_MODE": "polling"}).check_production()  # no webhook, no secret


def test_production_refuses_plain_text_links_to_other_machines():
    remote = {
        **SAFE,
        "DATABASE_URL": "postgresql://lueyang_app:pw@10.0.0.10:5432/lueyang_cases",
        "TRACKER_STORE_URL": "postgresql://lueyang_rasa:pw@db.internal/lueyang_tracker?sslmode=require",
        "REDIS_URL": "redis://:pw@10.0.0.10:6379/0",
    }
    with pytest.raises(ConfigurationError) as err:
        Settings.from_env(remote).check_production()
    text = str(err.value)
    assert "DATABASE_URL reaches PostgreSQL on 10.0.0.10 without ?sslmode=verify-full" in text
    assert "TRACKER_STORE_URL reaches PostgreSQL on db.internal" in text  # TLS without a certificate check
    assert "REDIS_URL reaches Redis on 10.0.0.10 in plain text" in text
    Settings.from_env({
        **remote,
        "DATABASE_URL": "postgresql://lueyang_app:pw@10.0.0.10:5432/lueyang_cases?sslmode=verify-full",
        "TRACKER_STORE_URL": "postgresql://lueyang_rasa:pw@db.internal/lueyang_tracker?sslmode=verify-full",
        "REDIS_URL": "rediss://lueyang:pw@10.0.0.10:6380/0",
    }).check_production()
    Settings.from_env({**SAFE, "REDIS_URL": "redis://localhost:6379/0"}).check_production()  # same machine


def test_retention_periods_are_settings_with_defaults():
    s = Settings.from_env({})
    assert (s.retention_days, s.verification_retention_days, s.audit_retention_days) == (
        RETENTION_DAYS, VERIFICATION_RETENTION_DAYS, AUDIT_RETENTION_DAYS) == (180, 30, 1095)
    s = Settings.from_env({"RETENTION_DAYS": "90", "VERIFICATION_RETENTION_DAYS": "7", "AUDIT_RETENTION_DAYS": "365"})
    assert (s.retention_days, s.verification_retention_days, s.audit_retention_days) == (90, 7, 365)
    with pytest.raises(ConfigurationError, match="AUDIT_RETENTION_DAYS must be at least one day"):
        Settings.from_env({"AUDIT_RETENTION_DAYS": "0"})


@pytest.mark.parametrize(
    ("env", "refused"),
    [
        ({}, True),  # interface unknown: `rasa run` alone listens on 0.0.0.0
        ({"LUEYANG_RASA_INTERFACE": "127.0.0.1"}, False),
        ({"LUEYANG_RASA_INTERFACE": "::1"}, False),
        ({"LUEYANG_RASA_INTERFACE": "0.0.0.0"}, True),
        ({"LUEYANG_RASA_INTERFACE": "10.0.0.21"}, True),
        ({"LUEYANG_RASA_INTERFACE": "127.0.0.1", "LUEYANG_PROFILE": "production"}, True),
        ({"LUEYANG_RASA_INTERFACE": "10.0.0.21", "RASA_CHANNEL_SECRET": SECRET}, False),
    ],
)
def test_the_channel_needs_a_secret_unless_embedded_on_loopback(env, refused):
    problem = Settings.from_env(env).channel_secret_problem()
    assert (problem is not None) == refused, problem
