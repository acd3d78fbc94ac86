"""Configuration, read in one place: environment variables -> a frozen ``Settings`` object.

Call ``get_settings()``; nothing is read at import time. Tests build ``Settings.from_env({...})``.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_ID_HASH_KEY = "dev-only-id-hash-key-change-me"
# secrets of the production profile: at least this long (secrets.token_urlsafe(32) gives 43 characters)
MIN_SECRET_CHARS = 32
# the placeholder of deploy/production.env.example (any spelling: CHANGE-ME, change_me, changeme)
PLACEHOLDER_RE = re.compile(r"change[-_ ]?me", re.IGNORECASE)
# retention defaults (days); the README's Security section states them
RETENTION_DAYS = 180  # conversations (tracker store), closed tickets, sent outbox rows, stored pre-checks
VERIFICATION_RETENTION_DAYS = 30  # lookup and /bind attempts (the lockout needs the last hours only)
AUDIT_RETENTION_DAYS = 1095  # the audit log: three years


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


def _days(env: Mapping[str, str], key: str, default: int) -> int:
    days = _int(env, key, default)
    if days < 1:
        raise ConfigurationError(f"{key} must be at least one day, got {days}")
    return days


def is_loopback_host(host: str | None) -> bool:
    """``localhost``, 127.0.0.0/8, ::1, or no host at all (a Unix socket): traffic that never leaves the machine."""
    host = (host or "").strip().strip("[]").lower()
    if not host or host == "localhost" or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def link_problem(key: str, url: str) -> str | None:
    """Why ``url`` (PostgreSQL or Redis) would carry passwords and personal data in plain text, or None.

    A service on another machine must be reached over TLS that checks the server's certificate:
    ``sslmode=verify-full`` for PostgreSQL, ``rediss://`` for Redis.
    """
    if not url:
        return None
    parts = urlsplit(url)
    if is_loopback_host(parts.hostname):
        return None
    scheme = parts.scheme.lower()
    if scheme.startswith("postgres"):
        modes = parse_qs(parts.query).get("sslmode", [])
        if modes != ["verify-full"]:
            return f"{key} reaches PostgreSQL on {parts.hostname} without ?sslmode=verify-full (plain text or unchecked TLS)"
    elif scheme == "redis":
        return f"{key} reaches Redis on {parts.hostname} in plain text: use rediss:// (TLS)"
    return None


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
    rasa_interface: str = ""  # the address this machine's Rasa processes listen on (LUEYANG_RASA_INTERFACE)
    # web channel (bot/frontends/web): resident chat page and staff console
    web_listen: str = "127.0.0.1"
    web_port: int = 8080
    web_secret: str = ""  # signs the session cookies; empty: a key kept in var/web-secret.key (embedded only)
    web_public_url: str = ""  # e.g. https://zhushou.example.gov.cn (behind nginx): Secure cookies, Origin check
    # privacy
    id_hash_key: str = DEV_ID_HASH_KEY
    retention_days: int = RETENTION_DAYS
    verification_retention_days: int = VERIFICATION_RETENTION_DAYS
    audit_retention_days: int = AUDIT_RETENTION_DAYS
    lookup_max_failures: int = 5
    lookup_lock_minutes: int = 60
    import_max_mb: int = 20  # largest case file `lueyang cases import` reads (CSV or XLSX), in MiB
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
            rasa_interface=env.get("LUEYANG_RASA_INTERFACE", "").strip(),
            web_listen=env.get("WEB_LISTEN", "127.0.0.1").strip() or "127.0.0.1",
            web_port=_int(env, "WEB_PORT", 8080),
            web_secret=env.get("WEB_SECRET", "").strip(),
            web_public_url=env.get("WEB_PUBLIC_URL", "").strip().rstrip("/"),
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
            id_hash_key=env.get("ID_HASH_KEY", "").strip() or DEV_ID_HASH_KEY,
            retention_days=_days(env, "RETENTION_DAYS", RETENTION_DAYS),
            verification_retention_days=_days(env, "VERIFICATION_RETENTION_DAYS", VERIFICATION_RETENTION_DAYS),
            audit_retention_days=_days(env, "AUDIT_RETENTION_DAYS", AUDIT_RETENTION_DAYS),
            lookup_max_failures=_int(env, "LOOKUP_MAX_FAILURES", 5),
            lookup_lock_minutes=_int(env, "LOOKUP_LOCK_MINUTES", 60),
            import_max_mb=_int(env, "IMPORT_MAX_MB", 20),
            log_level=env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO",
            profile=profile,
        )

    @property
    def rasa_urls(self) -> list[str]:
        return [u.strip().rstrip("/") for u in self.rasa_url.split(",") if u.strip()]

    def channel_secret_problem(self) -> str | None:
        """Why Rasa's input channel must not start with these settings, or None.

        Staff identity comes from the sender id, so whoever can post to the channel can act as staff. Without
        ``RASA_CHANNEL_SECRET`` the channel may run only in the embedded profile and only on a loopback address
        (``LUEYANG_RASA_INTERFACE``, which the runner sets for the Rasa processes it starts; unset means unknown).
        """
        if self.rasa_channel_secret:
            return None
        if self.profile != "embedded":
            return "RASA_CHANNEL_SECRET must be set in the production profile"
        if not self.rasa_interface or not is_loopback_host(self.rasa_interface):
            where = self.rasa_interface or "an address that is not known (LUEYANG_RASA_INTERFACE is unset)"
            return f"RASA_CHANNEL_SECRET must be set when Rasa listens on {where}, not on loopback"
        return None

    def production_problems(self) -> list[str]:
        """Everything the production profile refuses (empty: fine, or not the production profile)."""
        if self.profile != "production":
            return []
        problems = []
        secrets = {
            "RASA_CHANNEL_SECRET": self.rasa_channel_secret,
            "ID_HASH_KEY": "" if self.id_hash_key == DEV_ID_HASH_KEY else self.id_hash_key,
        }
        if self.telegram_bot_token and self.telegram_mode == "webhook":
            secrets["TELEGRAM_WEBHOOK_SECRET"] = self.webhook_secret
        for key, value in secrets.items():
            if not value:
                problems.append(f"{key} must be set to a secret value")
            elif PLACEHOLDER_RE.search(value):
                problems.append(f"{key} is still the CHANGE-ME placeholder of deploy/production.env.example")
            elif len(value) < MIN_SECRET_CHARS:
                problems.append(f"{key} must be at least {MIN_SECRET_CHARS} characters long (it has {len(value)})")
        others = {
            "DATABASE_URL": self.database_url,
            "TRACKER_STORE_URL": self.tracker_store_url,
            "REDIS_URL": self.redis_url,
            "RASA_URL": self.rasa_url,
            "TELEGRAM_BOT_TOKEN": self.telegram_bot_token,
            "TELEGRAM_WEBHOOK_URL": self.webhook_url,
        }
        for key, value in others.items():
            if PLACEHOLDER_RE.search(value):
                problems.append(f"{key} still contains the CHANGE-ME placeholder of deploy/production.env.example")
        if not self.database_url.startswith("postgresql"):
            problems.append("DATABASE_URL must point at PostgreSQL")
        for key in ("DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL"):
            problem = link_problem(key, others[key])
            if problem:
                problems.append(problem)
        return problems

    def check_production(self) -> None:
        """Refuse unsafe production settings (ConfigurationError naming every problem)."""
        problems = self.production_problems()
        if problems:
            raise ConfigurationError("production profile: " + "; ".join(problems))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_env()
