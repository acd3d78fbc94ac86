"""The domain digest protocol between Rasa and the action server (stdlib only: both virtualenvs import it).

Rasa sends its whole domain (13.8 kB of JSON here) with every custom-action call, and both sides encode and parse
it each time although it only changes with the model. Instead:

1. The first call from a Rasa process to an action-server URL carries the full domain, as Rasa does today. The
   action server keeps it under its digest (``digest_of``: SHA-256 of the canonical JSON) in a small
   ``DomainCache``.
2. Later calls with the same domain carry only the marker ``{"domain_digest": "<hex>"}`` (``marker``) in place of
   the domain; the action server puts its cached domain back before any action sees the call.
3. An action server that does not know the digest (restarted, another server behind the URL, evicted) answers
   ``UNKNOWN_DIGEST_STATUS`` (409) with ``unknown_digest_body``; Rasa then resends the same call once with the
   full domain (``is_unknown_digest_answer`` tells this answer from any other error).

The Rasa side lives in ``rasa_addons.speedups`` (``install_domain_digest``), the action-server side in
``bot.action_server`` (``expand_domain_digest``). Deflate-compressed calls always carry the full domain.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

DIGEST_KEY = "domain_digest"
UNKNOWN_DIGEST_STATUS = 409
UNKNOWN_DIGEST_ERROR = "unknown_domain_digest"
CACHE_SIZE = 4  # domains kept by an action server: the current model's, plus a few while models are swapped


def canonical_json(domain: Any) -> bytes:
    """The one JSON text of a domain both sides hash: sorted keys, no ASCII escapes, no spaces, UTF-8."""
    return json.dumps(domain, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest_of(domain: Any) -> str:
    """SHA-256 hex digest of ``canonical_json(domain)``; ``domain`` as parsed from JSON (string keys only)."""
    return hashlib.sha256(canonical_json(domain)).hexdigest()


def marker(digest: str) -> dict[str, str]:
    """What a call carries as its ``domain`` once the action server has received that domain."""
    return {DIGEST_KEY: digest}


def digest_in(domain: Any) -> str | None:
    """The digest of a call's ``domain`` value if it is a marker, else None (a full domain, or none at all)."""
    if isinstance(domain, dict) and len(domain) == 1:
        digest = domain.get(DIGEST_KEY)
        if isinstance(digest, str):
            return digest
    return None


def unknown_digest_body(digest: str) -> dict[str, str]:
    """The action server's answer (with ``UNKNOWN_DIGEST_STATUS``) to a marker whose domain it does not hold."""
    return {
        "error": UNKNOWN_DIGEST_ERROR,
        DIGEST_KEY: digest,
        "detail": "the action server does not hold this domain: send the call again with the full domain",
    }


def is_unknown_digest_answer(status: int, body: str | bytes | None) -> bool:
    """Whether an error answer is the unknown-digest one (and not some other 409)."""
    if status != UNKNOWN_DIGEST_STATUS or not body:
        return False
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    return isinstance(parsed, dict) and parsed.get("error") == UNKNOWN_DIGEST_ERROR


class DomainCache:
    """The action server's domains by digest: the ``size`` most recently used ones. Returns the stored dict
    itself (no copy): actions read the domain, none writes to it."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        if size < 1:
            raise ValueError("a domain cache holds at least one domain")
        self.size = size
        self._domains: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._domains)

    def __contains__(self, digest: object) -> bool:
        return digest in self._domains

    def get(self, digest: str) -> dict[str, Any] | None:
        domain = self._domains.get(digest)
        if domain is not None:
            self._domains.move_to_end(digest)
        return domain

    def put(self, domain: dict[str, Any]) -> str:
        """Keep a full domain (as parsed from a call); returns its digest. Evicts the least recently used."""
        digest = digest_of(domain)
        self._domains[digest] = domain
        self._domains.move_to_end(digest)
        while len(self._domains) > self.size:
            self._domains.popitem(last=False)
        return digest
