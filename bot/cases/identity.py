"""Resident ID numbers as stored: keyed hashes for exact match and for the resident's proof of identity (the
last six characters), a display form with at most the last two characters.

Neither the plain ID number nor its last six reach the database or a log line. Both hashes are HMAC-SHA256
keyed with ``ID_HASH_KEY`` (``Settings.id_hash_key``): whoever holds the database without the key cannot test
guesses against them, so the key lives only in the environment of the application hosts (docs/production.md).
Changing the key makes every stored hash useless: re-import the cases after a key change.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from bot.parsing.identity import validate_id_last6, validate_id_number
from bot.privacy import mask_id_number
from bot.settings import get_settings


@dataclass(frozen=True)
class StoredId:
    """What the database keeps of an ID number (``id_hash``, ``id_last6_hash``, ``id_masked``), and the last
    six in plain text for the caller's use in memory (demo pairs, tests): never written anywhere."""

    id_hash: str
    id_last6_hash: str
    id_masked: str
    id_last6: str


def _key(key: str | None) -> bytes:
    return (key if key is not None else get_settings().id_hash_key).encode("utf-8")


def _hash_valid(number: str, key: str | None) -> str:
    return hmac.new(_key(key), number.encode("ascii"), hashlib.sha256).hexdigest()


def id_hash(id_number: str, key: str | None = None) -> str:
    """HMAC-SHA256 (hex) of the validated, normalised ID number, keyed with ``ID_HASH_KEY``."""
    return _hash_valid(validate_id_number(id_number), key)


def hashed_and_masked(id_number: str, key: str | None = None) -> tuple[str, str]:
    """``(id_hash, id_masked)`` of an ID number, validated once: for lists of people who are not applicants (no
    proof-of-identity hash of the last six is kept for them). ``IdNumberError`` when invalid."""
    number = validate_id_number(id_number)
    return _hash_valid(number, key), mask_id_number(number)


def last6_hash(id_hash_hex: str, last6: str, key: str | None = None) -> str:
    """HMAC-SHA256 (hex) of the last six characters, keyed with ``ID_HASH_KEY`` and bound to the applicant's ID
    hash (two applicants with the same last six get different values).

    The message is ``"last6:<id_hash>:<LAST6>"``; migration 0004 computes the same for the rows it converts.
    """
    tail = validate_id_last6(last6)
    return hmac.new(_key(key), f"last6:{id_hash_hex}:{tail}".encode("ascii"), hashlib.sha256).hexdigest()


def stored_id(id_number: str, key: str | None = None) -> StoredId:
    """What the database keeps of an ID number (validates it first: ``IdNumberError`` when invalid)."""
    number = validate_id_number(id_number)
    hashed = _hash_valid(number, key)
    return StoredId(
        id_hash=hashed,
        id_last6_hash=last6_hash(hashed, number[-6:], key),
        id_masked=mask_id_number(number),
        id_last6=number[-6:],
    )


def last6_matches(id_hash_hex: str, stored_last6_hash: str, given_last6: str, key: str | None = None) -> bool:
    """Whether ``given_last6`` is the last six of the applicant with ``id_hash_hex`` (constant-time compare)."""
    return hmac.compare_digest(stored_last6_hash.encode("ascii"), last6_hash(id_hash_hex, given_last6, key).encode())


__all__ = ["StoredId", "hashed_and_masked", "id_hash", "last6_hash", "last6_matches", "stored_id"]
