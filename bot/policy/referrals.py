"""Referrals: 民政 benefits the national sources in ``shared/policy/sources`` do not cover (残疾人两项补贴, 孤儿和事实
无人抚养儿童保障, 高龄津贴, 基本殡葬服务).

The programme registry (``bot.programmes``) marks them ``referral=True``; what the answer says about each lives in
``county.yml`` under ``referrals:`` so the bureau can edit it: the benefit's name, the office that handles it and
where to ask first (each a county value with source and ``verified``: an office the sources do not confirm is
shown marked as unverified), an optional extra text, and ``mentions`` (articles of the sources that mention the
benefit, cited). The answer never gives conditions or amounts.

``load_referrals()`` reads the section on first use (cached per path); ``DataFileError`` on a malformed entry.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import DataFileError
from bot.policy.parameters import DEFAULT_PATH, Param, parse_param


@dataclass(frozen=True)
class Mention:
    doc: str  # key of sources.yml
    article: str


@dataclass(frozen=True)
class Referral:
    key: str  # the registry key (disability_allowance)
    benefit: str  # how the answer names it
    office: Param  # the office that handles it
    ask_first: Param  # where a resident can ask first
    text: str  # optional extra text of the bureau ("" when none)
    mentions: tuple[Mention, ...]

    def values(self) -> tuple[Param, ...]:
        return (self.office, self.ask_first)


_cache: dict[Path, dict[str, Referral]] = {}
_lock = threading.Lock()


def load_referrals(path: Path | None = None) -> dict[str, Referral]:
    """Registry key -> referral, from the ``referrals:`` section of the county file."""
    resolved = Path(path or DEFAULT_PATH).resolve()
    with _lock:
        if resolved in _cache:
            return _cache[resolved]
    found = _read(resolved)
    with _lock:
        _cache[resolved] = found
    return found


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _read(path: Path) -> dict[str, Referral]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read referrals from {path.name}: {exc}") from exc
    raw = (data or {}).get("referrals") if isinstance(data, dict) else None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DataFileError(f"{path.name}: `referrals:` must be a mapping of registry keys")
    return {str(key): _parse(str(key), entry, path.name) for key, entry in raw.items()}


def _parse(key: str, entry: Any, where: str) -> Referral:
    if not isinstance(entry, dict):
        raise DataFileError(f"{where}: referrals.{key}: must be a mapping")
    benefit = entry.get("benefit")
    if not isinstance(benefit, str) or not benefit.strip():
        raise DataFileError(f"{where}: referrals.{key}: needs `benefit`")
    text = entry.get("text") or ""
    if not isinstance(text, str):
        raise DataFileError(f"{where}: referrals.{key}: `text` must be text or null")
    mentions = []
    for m in entry.get("mentions") or []:
        if not isinstance(m, dict) or not m.get("doc"):
            raise DataFileError(f"{where}: referrals.{key}: each mention needs doc and article")
        mentions.append(Mention(str(m["doc"]), str(m.get("article") or "").strip()))
    return Referral(
        key=key,
        benefit=benefit.strip(),
        office=parse_param(f"referrals.{key}.office", entry.get("office"), where=where),
        ask_first=parse_param(f"referrals.{key}.ask_first", entry.get("ask_first"), where=where),
        text=text.strip(),
        mentions=tuple(mentions),
    )
