"""Inside the Rasa process: the secure REST channel refuses to start without ``RASA_CHANNEL_SECRET`` unless it runs
in the embedded profile on a loopback address, and without a secret answers only loopback peers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.errors import ConfigurationError
from rasa_addons.channels import SECRET_HEADER, SecureRestInput

SECRET = "a-channel-secret-of-32-characters-or-more"
ENV_KEYS = ("RASA_CHANNEL_SECRET", "LUEYANG_RASA_INTERFACE", "LUEYANG_PROFILE", "ID_HASH_KEY", "DATABASE_URL",
            "TRACKER_STORE_URL", "REDIS_URL", "TELEGRAM_BOT_TOKEN")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)


def request(ip: str, secret: str | None = None):
    return SimpleNamespace(ip=ip, headers={SECRET_HEADER: secret} if secret is not None else {})


def test_refuses_to_start_without_a_secret_on_an_unknown_or_private_address(monkeypatch):
    with pytest.raises(ConfigurationError, match="RASA_CHANNEL_SECRET must be set"):
        SecureRestInput.from_credentials({})  # `rasa run` by hand listens on 0.0.0.0
    monkeypatch.setenv("LUEYANG_RASA_INTERFACE", "10.0.0.21")
    with pytest.raises(ConfigurationError, match="10.0.0.21"):
        SecureRestInput.from_credentials(None)


def test_refuses_to_start_without_a_secret_in_the_production_profile_even_on_loopback(monkeypatch):
    monkeypatch.setenv("LUEYANG_RASA_INTERFACE", "127.0.0.1")
    monkeypatch.setenv("LUEYANG_PROFILE", "production")
    with pytest.raises(ConfigurationError, match="RASA_CHANNEL_SECRET must be set"):
        SecureRestInput.from_credentials({})


def test_refuses_unsafe_production_settings_however_rasa_was_started(monkeypatch):
    monkeypatch.setenv("LUEYANG_PROFILE", "production")
    monkeypatch.setenv("RASA_CHANNEL_SECRET", "CHANGE-ME")
    monkeypatch.setenv("DATABASE_URL", "postgresql://lueyang:CHANGE-ME@127.0.0.1/lueyang_cases")
    with pytest.raises(ConfigurationError) as err:
        SecureRestInput.from_credentials({})
    assert "RASA_CHANNEL_SECRET is still the CHANGE-ME" in str(err.value)
    assert "ID_HASH_KEY must be set" in str(err.value)
    monkeypatch.setenv("RASA_CHANNEL_SECRET", SECRET)
    monkeypatch.setenv("ID_HASH_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://lueyang:pw@127.0.0.1/lueyang_cases")
    channel = SecureRestInput.from_credentials({})
    assert channel.secret == SECRET


def test_embedded_on_loopback_starts_without_a_secret_and_answers_loopback_only(monkeypatch):
    monkeypatch.setenv("LUEYANG_RASA_INTERFACE", "127.0.0.1")
    channel = SecureRestInput.from_credentials({})
    assert channel.secret == ""
    assert channel.is_authorised(request("127.0.0.1"))
    assert channel.is_authorised(request("::1"))
    assert not channel.is_authorised(request("10.0.0.5"))


def test_with_a_secret_every_request_must_carry_it(monkeypatch):
    monkeypatch.setenv("LUEYANG_RASA_INTERFACE", "10.0.0.21")
    channel = SecureRestInput.from_credentials({"secret": SECRET})
    assert channel.is_authorised(request("10.0.0.5", SECRET))
    assert not channel.is_authorised(request("10.0.0.5"))
    assert not channel.is_authorised(request("127.0.0.1", "wrong"))
