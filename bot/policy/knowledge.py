"""The policy knowledge base: topics (``data/topics/*.yml``), the sources registry (``data/sources.yml``) and
the county's own figures (``data/statistics.yml``).

``load_knowledge()`` reads and checks the files on first use (cached per directory). Structural problems are
collected by ``read_knowledge()`` as a list of messages so ``lueyang policy validate`` can report all of them;
``load_knowledge()`` raises ``DataFileError`` when there is any.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.errors import DataFileError
from bot.programmes import names as programme_names

DATA_DIR = Path(__file__).resolve().parent / "data"

AUDIENCES = ("resident", "staff")
SCRIPT_FIELDS = (
    "opening",
    "key_points",
    "questions_to_ask",
    "documents",
    "where_to_send",
    "closing",
    "staff_notes",
)
SCRIPT_LISTS = ("key_points", "questions_to_ask", "documents", "staff_notes")
PLACEHOLDER_RE = re.compile(r"\{param:([A-Za-z0-9_.]+)\}")
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    issuer: str
    number: str | None
    effective_from: str | None  # YYYY, YYYY-MM or YYYY-MM-DD
    date_label: str  # shown after the citation, e.g. 2021年7月1日起施行
    file: str | None  # path relative to the shared folder (../shared), e.g. policy/sources/02_….md


@dataclass(frozen=True)
class Citation:
    doc: str
    article: str
    effective_from: str

    def render(self, sources: dict[str, Source]) -> str:
        source = sources.get(self.doc)
        if source is None:
            return f"{self.doc} {self.article}"
        article = f"{self.article}" if self.article else ""
        return f"《{source.title}》{article}（{source.date_label}）"


@dataclass(frozen=True)
class Script:
    opening: str
    key_points: tuple[str, ...]
    questions_to_ask: tuple[str, ...]
    documents: tuple[str, ...]
    where_to_send: str
    closing: str
    staff_notes: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    key: str
    intent: str
    title: str
    programme: str | None
    families: tuple[str, ...]
    default: bool
    keywords: tuple[str, ...]
    short: str
    detail: str
    script: Script
    citations: tuple[Citation, ...]
    uses_parameters: tuple[str, ...]
    related: tuple[str, ...] = ()
    next_steps: tuple[tuple[str, str], ...] = ()  # (title, payload)
    file: str = ""

    @property
    def family(self) -> str:
        return self.families[0]

    def texts(self) -> list[str]:
        """Every text of the topic (for placeholder checks)."""
        s = self.script
        return [
            self.short, self.detail, s.opening, s.where_to_send, s.closing,
            *s.key_points, *s.questions_to_ask, *s.documents, *s.staff_notes,
        ]  # fmt: skip


@dataclass
class KnowledgeBase:
    topics: dict[str, Topic]
    sources: dict[str, Source]
    statistics: dict[str, Any]
    version: str
    directory: Path
    errors: list[str] = field(default_factory=list)

    def by_intent(self, intent: str) -> list[Topic]:
        return [t for t in self.topics.values() if t.intent == intent]

    def default_for(self, intent: str) -> Topic | None:
        candidates = self.by_intent(intent)
        for topic in candidates:
            if topic.default:
                return topic
        return candidates[0] if candidates else None


# --- loading ----------------------------------------------------------------------------------------
_cache: dict[Path, KnowledgeBase] = {}
_lock = threading.Lock()


def load_knowledge(directory: Path | None = None) -> KnowledgeBase:
    """Read and check the knowledge files (cached per directory); ``DataFileError`` lists every problem."""
    resolved = Path(directory or DATA_DIR).resolve()
    with _lock:
        if resolved in _cache:
            return _cache[resolved]
    kb = read_knowledge(resolved)
    if kb.errors:
        raise DataFileError("policy knowledge files are invalid:\n" + "\n".join(f"- {e}" for e in kb.errors))
    with _lock:
        _cache[resolved] = kb
    return kb


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def read_knowledge(directory: Path) -> KnowledgeBase:
    """Parse every knowledge file of ``directory``; problems go to ``errors`` instead of raising."""
    errors: list[str] = []
    digest = hashlib.sha256()
    sources = _read_sources(directory / "sources.yml", errors, digest)
    statistics = _read_yaml(directory / "statistics.yml", errors, digest) or {}
    if not isinstance(statistics, dict):
        errors.append("statistics.yml: top level must be a mapping")
        statistics = {}
    topics: dict[str, Topic] = {}
    topic_dir = directory / "topics"
    files = sorted(topic_dir.glob("*.yml")) if topic_dir.is_dir() else []
    if not files:
        errors.append(f"{topic_dir}: no topic files (*.yml)")
    for path in files:
        data = _read_yaml(path, errors, digest)
        if data is None:
            continue
        entries = data.get("topics") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            errors.append(f"topics/{path.name}: expected a `topics:` list")
            continue
        for i, entry in enumerate(entries):
            topic = _parse_topic(entry, f"topics/{path.name}#{i + 1}", errors)
            if topic is None:
                continue
            if topic.key in topics:
                errors.append(f"topics/{path.name}: duplicate topic key {topic.key!r}")
                continue
            topics[topic.key] = topic
    version = digest.hexdigest()[:12]
    return KnowledgeBase(
        topics=topics,
        sources=sources,
        statistics=statistics,
        version=version,
        directory=directory,
        errors=errors,
    )


def _read_yaml(path: Path, errors: list[str], digest: Any) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        errors.append(f"{path.name}: cannot read ({exc.strerror})")
        return None
    digest.update(path.name.encode())
    digest.update(raw)
    try:
        return yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        errors.append(f"{path.name}: not valid YAML ({exc})")
        return None


def _date_text(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw).strip()
    return text if DATE_RE.match(text) else None


def _read_sources(path: Path, errors: list[str], digest: Any) -> dict[str, Source]:
    data = _read_yaml(path, errors, digest)
    if data is None:
        return {}
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        errors.append("sources.yml: expected a non-empty `sources:` mapping")
        return {}
    out: dict[str, Source] = {}
    for key, entry in entries.items():
        where = f"sources.yml: {key}"
        if not isinstance(entry, dict):
            errors.append(f"{where}: must be a mapping")
            continue
        title = entry.get("title")
        issuer = entry.get("issuer")
        label = entry.get("date_label")
        if not (isinstance(title, str) and title.strip()):
            errors.append(f"{where}: missing title")
            continue
        if not (isinstance(issuer, str) and issuer.strip()):
            errors.append(f"{where}: missing issuer")
        if not (isinstance(label, str) and label.strip()):
            errors.append(f"{where}: missing date_label")
        eff = entry.get("effective_from")
        eff_text = _date_text(eff)
        if eff is not None and eff_text is None:
            errors.append(f"{where}: effective_from must be YYYY, YYYY-MM or YYYY-MM-DD")
        out[str(key)] = Source(
            key=str(key),
            title=title.strip(),
            issuer=str(issuer or "").strip(),
            number=(str(entry["number"]).strip() if entry.get("number") else None),
            effective_from=eff_text,
            date_label=str(label or "").strip(),
            file=(str(entry["file"]).strip() if entry.get("file") else None),
        )
    return out


def _text(entry: dict, name: str, where: str, errors: list[str], *, required: bool = True) -> str:
    value = entry.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(f"{where}: `{name}` is empty")
        return ""
    if not isinstance(value, str):
        errors.append(f"{where}: `{name}` must be text")
        return ""
    return value.strip()


def _text_list(value: Any, name: str, where: str, errors: list[str], *, required: bool) -> tuple[str, ...]:
    if value is None:
        if required:
            errors.append(f"{where}: `{name}` is empty")
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors.append(f"{where}: `{name}` must be a list of non-empty texts")
        return ()
    if required and not value:
        errors.append(f"{where}: `{name}` is empty")
    return tuple(v.strip() for v in value)


def _parse_topic(entry: Any, where: str, errors: list[str]) -> Topic | None:
    if not isinstance(entry, dict):
        errors.append(f"{where}: a topic must be a mapping")
        return None
    key = entry.get("key")
    if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key or ""):
        errors.append(f"{where}: `key` must be a lower-case identifier")
        return None
    where = f"{where} ({key})"
    n_errors = len(errors)
    intent = _text(entry, "intent", where, errors)
    if intent and not intent.startswith("ask_"):
        errors.append(f"{where}: intent must be an ask_* intent, got {intent!r}")
    title = _text(entry, "title", where, errors)
    programme = entry.get("programme")
    if programme is not None and programme not in programme_names():
        errors.append(f"{where}: programme must be one of {', '.join(programme_names())} or null")
    families = entry.get("family")
    families = [families] if isinstance(families, str) else families
    fam = _text_list(families, "family", where, errors, required=True)
    keywords = _text_list(entry.get("keywords"), "keywords", where, errors, required=True)
    resident = entry.get("resident")
    if not isinstance(resident, dict):
        errors.append(f"{where}: `resident` must be a mapping with short and detail")
        resident = {}
    short = _text(resident, "short", f"{where} resident", errors)
    detail = _text(resident, "detail", f"{where} resident", errors)
    raw_script = entry.get("script")
    if not isinstance(raw_script, dict):
        errors.append(f"{where}: `script` must be a mapping with {', '.join(SCRIPT_FIELDS)}")
        raw_script = {}
    script = Script(
        opening=_text(raw_script, "opening", f"{where} script", errors),
        key_points=_text_list(
            raw_script.get("key_points"), "script.key_points", where, errors, required=True
        ),
        questions_to_ask=_text_list(
            raw_script.get("questions_to_ask"), "script.questions_to_ask", where, errors, required=True
        ),
        documents=_text_list(raw_script.get("documents"), "script.documents", where, errors, required=False),
        where_to_send=_text(raw_script, "where_to_send", f"{where} script", errors),
        closing=_text(raw_script, "closing", f"{where} script", errors),
        staff_notes=_text_list(
            raw_script.get("staff_notes"), "script.staff_notes", where, errors, required=False
        ),
    )
    citations = []
    raw_cites = entry.get("citations")
    if not isinstance(raw_cites, list) or not raw_cites:
        errors.append(f"{where}: `citations` must be a non-empty list")
        raw_cites = []
    for c in raw_cites:
        if not isinstance(c, dict) or not c.get("doc"):
            errors.append(f"{where}: each citation needs doc, article, effective_from")
            continue
        eff = _date_text(c.get("effective_from"))
        if eff is None:
            errors.append(
                f"{where}: citation {c.get('doc')} {c.get('article')}: effective_from must be a date"
            )
            continue
        citations.append(
            Citation(doc=str(c["doc"]), article=str(c.get("article") or "").strip(), effective_from=eff)
        )
    uses = _text_list(entry.get("uses_parameters"), "uses_parameters", where, errors, required=False)
    related = _text_list(entry.get("related"), "related", where, errors, required=False)
    steps: list[tuple[str, str]] = []
    for step in entry.get("next_steps") or []:
        if (
            isinstance(step, dict)
            and isinstance(step.get("title"), str)
            and isinstance(step.get("payload"), str)
        ):
            steps.append((step["title"].strip(), step["payload"].strip()))
        else:
            errors.append(f"{where}: next_steps entries need title and payload")
    if len(errors) > n_errors:
        return None
    return Topic(
        key=key,
        intent=intent,
        title=title,
        programme=programme,
        families=fam,
        default=bool(entry.get("default", False)),
        keywords=keywords,
        short=short,
        detail=detail,
        script=script,
        citations=tuple(citations),
        uses_parameters=uses,
        related=related,
        next_steps=tuple(steps),
    )
