"""Configuration, read in one place: environment variables -> a frozen ``Settings`` object.

Call ``get_settings()``; nothing is read at import time. Tests build ``Settings.from_env({...})``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{key} must be an integer, got {raw!r}") from exc


def _float(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{key} must be a number, got {raw!r}") from exc


def _id_set(raw: str) -> frozenset[int]:
    out = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if part:
            try:
                out.add(int(part))
            except ValueError as exc:
                raise ConfigurationError(f"STAFF_TELEGRAM_IDS: {part!r} is not a numeric user id") from exc
    return frozenset(out)


@dataclass(frozen=True)
class Settings:
    """Every setting of the application. Field names mirror the environment variables."""

    root: Path = PROJECT_ROOT
    var_dir: Path = PROJECT_ROOT / "var"
    models_dir: Path = PROJECT_ROOT / "models"
    # databases
    database_url: str = ""  # case database; default: SQLite file in var/
    tracker_store_url: str = ""  # Rasa tracker store; default: SQLite file in var/
    redis_url: str = ""  # Rasa lock store; empty = in-memory (embedded profile)
    # Rasa
    rasa_url: str = "http://127.0.0.1:5005"  # may be a comma-separated list (production: several processes)
    rasa_channel_secret: str = ""  # shared secret between the front ends and Rasa's input channel
    rasa_timeout: float = 8.0
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    # Telegram
    telegram_bot_token: str = ""
    telegram_api_base_url: str = ""  # e.g. http://127.0.0.1:8081/bot for a local Bot API server
    telegram_mode: str = "polling"  # polling | webhook
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    webhook_url: str = ""
    webhook_secret: str = ""
    staff_telegram_ids: frozenset[int] = field(default_factory=frozenset)
    flood_limit_per_minute: int = 20
    # privacy
    id_hash_key: str = "dev-only-id-hash-key-change-me"
    retention_days: int = 180
    lookup_max_failures: int = 5
    lookup_lock_minutes: int = 60
    # misc
    log_level: str = "INFO"
    profile: str = "embedded"  # embedded | production

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        root = Path(env.get("LUEYANG_ROOT", str(PROJECT_ROOT))).resolve()
        var_dir = Path(env.get("LUEYANG_VAR_DIR", str(root / "var"))).resolve()
        mode = env.get("TELEGRAM_MODE", "polling").strip().lower() or "polling"
        if mode not in {"polling", "webhook"}:
            raise ConfigurationError(f"TELEGRAM_MODE must be 'polling' or 'webhook', got {mode!r}")
        profile = env.get("LUEYANG_PROFILE", "embedded").strip().lower() or "embedded"
        if profile not in {"embedded", "production"}:
            raise ConfigurationError(f"LUEYANG_PROFILE must be 'embedded' or 'production', got {profile!r}")
        return cls(
            root=root,
            var_dir=var_dir,
            models_dir=Path(env.get("LUEYANG_MODELS_DIR", str(root / "models"))).resolve(),
            database_url=env.get("DATABASE_URL", "").strip() or f"sqlite:///{var_dir / 'cases.db'}",
            tracker_store_url=env.get("TRACKER_STORE_URL", "").strip() or f"sqlite:///{var_dir / 'tracker.db'}",
            redis_url=env.get("REDIS_URL", "").strip(),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").strip().rstrip("/"),
            rasa_channel_secret=env.get("RASA_CHANNEL_SECRET", "").strip(),
            rasa_timeout=_float(env, "RASA_TIMEOUT", 8.0),
            action_server_url=env.get("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook").strip(),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL", "").strip(),
            telegram_mode=mode,
            webhook_listen=env.get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1").strip(),
            webhook_port=_int(env, "TELEGRAM_WEBHOOK_PORT", 8443),
            webhook_path=env.get("TELEGRAM_WEBHOOK_PATH", "telegram").strip().strip("/"),
            webhook_url=env.get("TELEGRAM_WEBHOOK_URL", "").strip(),
            webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", "").strip(),
            staff_telegram_ids=_id_set(env.get("STAFF_TELEGRAM_IDS", "")),
            flood_limit_per_minute=_int(env, "FLOOD_LIMIT_PER_MINUTE", 20),
            id_hash_key=env.get("ID_HASH_KEY", "").strip() or "dev-only-id-hash-key-change-me",
            retention_days=_int(env, "RETENTION_DAYS", 180),
            lookup_max_failures=_int(env, "LOOKUP_MAX_FAILURES", 5),
            lookup_lock_minutes=_int(env, "LOOKUP_LOCK_MINUTES", 60),
            log_level=env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO",
            profile=profile,
        )

    @property
    def rasa_urls(self) -> list[str]:
        return [u.strip().rstrip("/") for u in self.rasa_url.split(",") if u.strip()]

    def check_production(self) -> None:
        """Refuse unsafe production settings."""
        if self.profile != "production":
            return
        problems = []
        if self.id_hash_key == "dev-only-id-hash-key-change-me":
            problems.append("ID_HASH_KEY must be set to a secret value")
        if not self.rasa_channel_secret:
            problems.append("RASA_CHANNEL_SECRET must be set")
        if not self.database_url.startswith("postgresql"):
            problems.append("DATABASE_URL must point at PostgreSQL")
        if problems:
            raise ConfigurationError("production profile: " + "; ".join(problems))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_env()
