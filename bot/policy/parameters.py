"""County parameters: local standards, multiples, statutory time limits and offices.

The data lives in ``bot/policy/data/county.yml`` so the bureau can edit it without a programmer. Every value
carries its source, the date it took effect and whether it is verified. Unverified values must never be shown
to a user as the county's figure: use ``value_if_verified`` (returns ``None`` for them) or check ``verified``.

Nothing is read at import time; ``load_parameters()`` reads and validates the file on first use and caches the
result per path.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.errors import DataFileError, TownError, UnknownParameter
from bot.parsing.towns import normalize_town

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_PATH = DATA_DIR / "county.yml"

PARAM_FIELDS = ("value", "unit", "source", "effective_from", "verified", "note")
OFFICE_KINDS = ("bureau", "township", "relief_station")
OFFICE_FIELDS = ("address", "phone", "hours")

OfficeKind = Literal["bureau", "township", "relief_station"]


@dataclass(frozen=True)
class Param:
    """One county value with its provenance."""

    key: str
    value: Any
    unit: str | None
    source: str
    effective_from: date | None
    verified: bool
    note: str = ""
    # optional structured citation (document key of sources.yml, article), used by the validator
    doc: str | None = None
    article: str | None = None

    @property
    def known(self) -> bool:
        """True when the value may be shown to a user as the county's figure."""
        return self.verified and self.value is not None


@dataclass(frozen=True)
class Office:
    """An office that residents can contact (bureau, township unit or relief station)."""

    key: str
    name: str
    kind: OfficeKind
    address: Param
    phone: Param
    hours: Param
    handles: str
    code: str | None = None  # NBS division code for township units


class CountyParameters:
    """The validated contents of the county parameter file."""

    def __init__(
        self,
        *,
        version: str,
        path: Path,
        params: dict[str, Param],
        bureau: Office,
        townships: list[Office],
        relief_station: Office,
    ) -> None:
        self.version = version
        self.path = path
        self._params = params
        self._bureau = bureau
        self._townships = list(townships)
        self._relief_station = relief_station

    # --- values -------------------------------------------------------------------------------------
    def keys(self) -> list[str]:
        return sorted(self._params)

    def __contains__(self, key: object) -> bool:
        return key in self._params

    def get(self, key: str) -> Param:
        try:
            return self._params[key]
        except KeyError:
            raise UnknownParameter(f"unknown county parameter {key!r} in {self.path.name}") from None

    def value_if_verified(self, key: str) -> Any | None:
        """The value when it is verified, else ``None`` (never a placeholder)."""
        param = self.get(key)
        return param.value if param.known else None

    def unverified(self) -> list[Param]:
        """Every unverified value, including office addresses, phones and hours."""
        out = [p for p in self._params.values() if not p.verified]
        for office in self.offices():
            out.extend(p for p in (office.address, office.phone, office.hours) if not p.verified)
        return out

    # --- offices ------------------------------------------------------------------------------------
    def offices(self) -> list[Office]:
        return [self._bureau, *self._townships, self._relief_station]

    def townships(self) -> list[Office]:
        return list(self._townships)

    def bureau(self) -> Office:
        return self._bureau

    def relief_station(self) -> Office:
        return self._relief_station

    def office(self, town: str | None = None) -> Office:
        """The township office for a canonical town name (e.g. 接官亭镇); the bureau when ``town`` is None.

        Short forms without 镇/街道 (接官亭) are accepted too. Raises ``TownError`` for a place outside 略阳.
        """
        if town is None or not str(town).strip():
            return self._bureau
        wanted = str(town).strip()
        for office in self._townships:
            if wanted in (office.key, office.code, _town_name(office)):
                return office
        for office in self._townships:
            if _short_town(_town_name(office)) == _short_town(wanted):
                return office
        canonical = normalize_town(wanted)  # aliases and typos; raises TownError (e.g. 勉县不属于略阳县)
        for office in self._townships:
            if canonical == _town_name(office):
                return office
        raise TownError(f"“{wanted}”不是略阳县的镇（街道）。", value=wanted)


def _town_name(office: Office) -> str:
    return office.key  # township offices are keyed by the canonical town name


def _short_town(name: str) -> str:
    """接官亭镇 -> 接官亭, 兴州街道 -> 兴州 (郭镇 -> 郭)."""
    for suffix in ("街道办事处", "街道", "人民政府", "镇"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


# --- loading ----------------------------------------------------------------------------------------
_cache: dict[Path, CountyParameters] = {}
_lock = threading.Lock()


def load_parameters(path: Path | None = None) -> CountyParameters:
    """Read, validate and cache the parameter file (default ``bot/policy/data/county.yml``)."""
    resolved = Path(path or DEFAULT_PATH).resolve()
    with _lock:
        cached = _cache.get(resolved)
        if cached is not None:
            return cached
    params = _load(resolved)
    with _lock:
        _cache[resolved] = params
    return params


def clear_cache() -> None:
    """Forget cached files (tests, or after the bureau edited the file)."""
    with _lock:
        _cache.clear()


def _load(path: Path) -> CountyParameters:
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"cannot read county parameter file {path}: {exc}") from exc
    try:
        data = yaml.safe_load(raw_bytes.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{path.name}: top level must be a mapping")
    file_version = data.get("version")
    if not isinstance(file_version, str | int | float) or str(file_version).strip() == "":
        raise DataFileError(f"{path.name}: missing `version:` field")
    digest = hashlib.sha256(raw_bytes).hexdigest()[:12]
    version = f"{file_version}+{digest}"

    raw_params = data.get("parameters")
    if not isinstance(raw_params, dict) or not raw_params:
        raise DataFileError(f"{path.name}: `parameters:` must be a non-empty mapping")
    params = {str(key): parse_param(str(key), entry, where=path.name) for key, entry in raw_params.items()}

    raw_offices = data.get("offices")
    if not isinstance(raw_offices, dict):
        raise DataFileError(
            f"{path.name}: `offices:` must be a mapping with bureau, townships, relief_station"
        )
    bureau = _parse_office(raw_offices.get("bureau"), "bureau", where=path.name)
    station = _parse_office(raw_offices.get("relief_station"), "relief_station", where=path.name)
    raw_towns = raw_offices.get("townships")
    if not isinstance(raw_towns, list) or not raw_towns:
        raise DataFileError(f"{path.name}: offices.townships must be a non-empty list")
    towns = [_parse_office(t, "township", where=path.name) for t in raw_towns]
    names = [t.key for t in towns]
    if len(set(names)) != len(names):
        raise DataFileError(f"{path.name}: duplicate township names in offices.townships")
    return CountyParameters(
        version=version, path=path, params=params, bureau=bureau, townships=towns, relief_station=station
    )


def parse_param(key: str, entry: Any, *, where: str) -> Param:
    """Validate one parameter entry (all six fields present, types right, verified values complete)."""
    if not isinstance(entry, dict):
        raise DataFileError(f"{where}: {key}: must be a mapping with {', '.join(PARAM_FIELDS)}")
    missing = [f for f in PARAM_FIELDS if f not in entry]
    if missing:
        raise DataFileError(f"{where}: {key}: missing field(s) {', '.join(missing)}")
    verified = entry["verified"]
    if not isinstance(verified, bool):
        raise DataFileError(f"{where}: {key}: `verified` must be true or false")
    source = entry["source"]
    if not isinstance(source, str) or not source.strip():
        raise DataFileError(f"{where}: {key}: `source` must be a non-empty text")
    unit = entry["unit"]
    if unit is not None and not isinstance(unit, str):
        raise DataFileError(f"{where}: {key}: `unit` must be text or null")
    note = entry["note"]
    if note is not None and not isinstance(note, str):
        raise DataFileError(f"{where}: {key}: `note` must be text or null")
    effective = _parse_date(entry["effective_from"], key=key, where=where)
    value = entry["value"]
    if verified and value is None:
        raise DataFileError(f"{where}: {key}: a verified parameter needs a value")
    if verified and effective is None:
        raise DataFileError(f"{where}: {key}: a verified parameter needs `effective_from`")
    cite = entry.get("cite")
    doc = article = None
    if cite is not None:
        if not isinstance(cite, dict) or not cite.get("doc"):
            raise DataFileError(f"{where}: {key}: `cite` must be a mapping with doc and article")
        doc, article = str(cite["doc"]), (str(cite["article"]) if cite.get("article") else None)
    return Param(
        key=key,
        value=value,
        unit=unit,
        source=source.strip(),
        effective_from=effective,
        verified=verified,
        note=(note or "").strip(),
        doc=doc,
        article=article,
    )


def _parse_date(raw: Any, *, key: str, where: str) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise DataFileError(
            f"{where}: {key}: effective_from must be YYYY-MM-DD or null, got {raw!r}"
        ) from exc


def _parse_office(entry: Any, kind: str, *, where: str) -> Office:
    if not isinstance(entry, dict):
        raise DataFileError(f"{where}: office of kind {kind} must be a mapping")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DataFileError(f"{where}: office of kind {kind} needs a name")
    key = str(entry.get("key") or "").strip()
    if not key:
        raise DataFileError(f"{where}: office {name}: needs a key")
    handles = entry.get("handles")
    if not isinstance(handles, str) or not handles.strip():
        raise DataFileError(f"{where}: office {name}: needs `handles`")
    fields = {}
    for field_name in OFFICE_FIELDS:
        fields[field_name] = parse_param(f"offices.{key}.{field_name}", entry.get(field_name), where=where)
    code = entry.get("code")
    return Office(
        key=key,
        name=name.strip(),
        kind=kind,  # type: ignore[arg-type]
        address=fields["address"],
        phone=fields["phone"],
        hours=fields["hours"],
        handles=handles.strip(),
        code=str(code) if code is not None else None,
    )
