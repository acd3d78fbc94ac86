from __future__ import annotations

import pytest

from bot.errors import ConfigurationError
from bot.settings import Settings


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
    ok = Settings.from_env({
        "LUEYANG_PROFILE": "production", "ID_HASH_KEY": "k", "RASA_CHANNEL_SECRET": "s",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1/test",
    })
    ok.check_production()
