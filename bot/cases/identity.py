"""Resident ID numbers as stored: keyed hash for exact match, last six for verification, masked for display.

The plain ID number never reaches the database or a log line.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from bot.parsing.identity import validate_id_number
from bot.privacy import mask_id_number
from bot.settings import get_settings


@dataclass(frozen=True)
class StoredId:
    id_hash: str
    id_last6: str
    id_masked: str


def id_hash(id_number: str, key: str | None = None) -> str:
    """HMAC-SHA256 (hex) of the validated, normalised ID number, keyed with ``ID_HASH_KEY``."""
    number = validate_id_number(id_number)
    secret = (key if key is not None else get_settings().id_hash_key).encode("utf-8")
    return hmac.new(secret, number.encode("ascii"), hashlib.sha256).hexdigest()


def stored_id(id_number: str, key: str | None = None) -> StoredId:
    """What the database keeps of an ID number (validates it first: ``IdNumberError`` when invalid)."""
    number = validate_id_number(id_number)
    return StoredId(id_hash=id_hash(number, key), id_last6=number[-6:], id_masked=mask_id_number(number))


def last6_matches(stored_last6: str, given_last6: str) -> bool:
    """Constant-time comparison of the verification fragment."""
    return hmac.compare_digest(stored_last6.upper().encode(), given_last6.upper().encode())
