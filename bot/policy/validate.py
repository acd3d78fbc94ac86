"""Checks of the policy data files, for ``lueyang policy validate`` and the run command's start-up warning.

Errors: schema problems, citations that do not resolve to a document of the sources registry (or to an article
that is not in the document's text, when the shared sources are available), ``ask_*`` intents without a topic,
placeholders that name unknown parameters or offices, parameters used but not declared in ``uses_parameters``,
related topics and button intents that do not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import AssistantError, TownError
from bot.policy.knowledge import DATA_DIR, KnowledgeBase, read_knowledge
from bot.policy.parameters import CountyParameters, Param, load_parameters
from bot.policy.referrals import load_referrals
from bot.policy.render import OFFICE_RE, PLACEHOLDER_RE
from bot.programmes import REFERRAL_TOPIC, referrals
from bot.settings import PROJECT_ROOT

FALLBACK_ASK_INTENTS = (
    "ask_dibao_eligibility", "ask_dibao_standard", "ask_dibao_apply", "ask_tekun", "ask_temp_relief",
    "ask_materials", "ask_edge_family", "ask_illness_poverty", "ask_appeal", "ask_review", "ask_contact",
    "ask_statistics", "ask_programme",
)  # fmt: skip
_SECTION_TOKEN = re.compile(
    r"[一二三四五六七八九十]+是|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+"
)
_PAYLOAD_INTENT = re.compile(r"^/([A-Za-z_]+)")


@dataclass
class ValidationReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unverified: list[Param] = field(default_factory=list)
    topics: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def domain_intents(root: Path = PROJECT_ROOT) -> list[str]:
    """Intents of the fixed contract (domain/core.yml); the known list when the file is missing."""
    path = root / "domain" / "core.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        intents = [i if isinstance(i, str) else next(iter(i)) for i in data.get("intents", [])]
        return intents or list(FALLBACK_ASK_INTENTS)
    except (OSError, yaml.YAMLError, AttributeError):
        return list(FALLBACK_ASK_INTENTS)


def shared_dir(root: Path = PROJECT_ROOT) -> Path:
    return root.parent / "shared"


def validate(
    data_dir: Path | None = None,
    county_file: Path | None = None,
    *,
    root: Path = PROJECT_ROOT,
    shared: Path | None = None,
) -> ValidationReport:
    report = ValidationReport()
    data_dir = Path(data_dir or DATA_DIR)
    kb = read_knowledge(data_dir)
    report.errors.extend(kb.errors)
    report.topics = len(kb.topics)
    try:
        params = load_parameters(county_file or data_dir / "county.yml")
    except AssistantError as exc:
        report.errors.append(f"county parameters: {exc}")
        params = None
    intents = domain_intents(root)
    _check_coverage(kb, intents, report)
    _check_citations(kb, report, shared if shared is not None else shared_dir(root))
    if params is not None:
        _check_parameters(kb, params, report)
        report.unverified = params.unverified()
    _check_links(kb, intents, report)
    _check_referrals(
        kb,
        Path(county_file or data_dir / "county.yml"),
        report,
        shared if shared is not None else shared_dir(root),
    )
    return report


def _check_referrals(kb: KnowledgeBase, county_file: Path, report: ValidationReport, shared: Path) -> None:
    """Every referral entry of the programme registry has its text in county.yml (referrals:), citing documents
    and articles that exist; its unverified offices count as unverified county values."""
    try:
        configured = load_referrals(county_file)
    except AssistantError as exc:
        report.errors.append(f"county referrals: {exc}")
        return
    entries = referrals()
    if entries and REFERRAL_TOPIC not in kb.topics:
        report.errors.append(f"the referral entries need the topic {REFERRAL_TOPIC!r}")
    keys = {p.key for p in entries}
    for entry in entries:
        if entry.key not in configured:
            report.errors.append(
                f"county.yml referrals: no entry for the referral {entry.key} ({entry.name})"
            )
    for key, referral in configured.items():
        if key not in keys:
            report.errors.append(
                f"county.yml referrals: {key} is not a referral entry of the programme registry"
            )
        for mention in referral.mentions:
            source = kb.sources.get(mention.doc)
            if source is None:
                report.errors.append(
                    f"county.yml referrals: {key}: mention {mention.doc!r} is not in sources.yml"
                )
            elif source.file and (shared / source.file).is_file():
                text = (shared / source.file).read_text(encoding="utf-8", errors="replace")
                if not _article_in_text(mention.article, text):
                    report.errors.append(
                        f"county.yml referrals: {key}: {mention.doc} has no article {mention.article!r}"
                    )
        report.unverified.extend(p for p in referral.values() if not p.verified)


def _check_coverage(kb: KnowledgeBase, intents: list[str], report: ValidationReport) -> None:
    for intent in intents:
        if not intent.startswith("ask_"):
            continue
        topics = kb.by_intent(intent)
        if not topics:
            report.errors.append(f"intent {intent}: no topic answers it")
        elif sum(t.default for t in topics) != 1:
            report.errors.append(f"intent {intent}: exactly one topic must be `default: true`")
    for topic in kb.topics.values():
        if topic.intent not in intents:
            report.errors.append(f"topic {topic.key}: intent {topic.intent} is not in the domain")


def _article_in_text(article: str, text: str) -> bool:
    if not article:
        return True
    if article.startswith("第"):
        return article in text
    tokens = _SECTION_TOKEN.findall(article)
    return all((t + "." if t.isdigit() else t) in text for t in tokens)


def _check_citations(kb: KnowledgeBase, report: ValidationReport, shared: Path) -> None:
    texts: dict[str, str | None] = {}
    for key, source in kb.sources.items():
        if not source.file:
            texts[key] = None
            continue
        path = shared / source.file
        if not shared.is_dir():
            texts[key] = None
        elif not path.is_file():
            report.errors.append(f"sources.yml: {key}: file {source.file} not found in {shared}")
            texts[key] = None
        else:
            texts[key] = path.read_text(encoding="utf-8", errors="replace")
    if not shared.is_dir():
        report.warnings.append(f"shared sources folder {shared} not found: article numbers not checked")
    for topic in kb.topics.values():
        for c in topic.citations:
            if c.doc not in kb.sources:
                report.errors.append(f"topic {topic.key}: citation {c.doc!r} is not in sources.yml")
                continue
            text = texts.get(c.doc)
            if text is not None and not _article_in_text(c.article, text):
                report.errors.append(f"topic {topic.key}: {c.doc} has no article {c.article!r}")
    stats_source = kb.statistics.get("source")
    if stats_source and stats_source not in kb.sources:
        report.errors.append(f"statistics.yml: source {stats_source!r} is not in sources.yml")


def _check_parameters(kb: KnowledgeBase, params: CountyParameters, report: ValidationReport) -> None:
    for key in params.keys():
        p = params.get(key)
        if p.doc is not None and p.doc not in kb.sources:
            report.errors.append(f"county.yml: {key}: cite.doc {p.doc!r} is not in sources.yml")
    for topic in kb.topics.values():
        declared = set(topic.uses_parameters)
        for key in declared:
            if key not in params:
                report.errors.append(f"topic {topic.key}: uses_parameters names unknown parameter {key!r}")
        for text in topic.texts():
            for key in PLACEHOLDER_RE.findall(text):
                if key not in params:
                    report.errors.append(
                        f"topic {topic.key}: placeholder {{param:{key}}} is not a county parameter"
                    )
                elif key not in declared:
                    report.errors.append(
                        f"topic {topic.key}: {{param:{key}}} is used but not in uses_parameters"
                    )
            for office in OFFICE_RE.findall(text):
                if office in ("bureau", "relief_station"):
                    continue
                try:
                    params.office(office)
                except TownError:
                    report.errors.append(
                        f"topic {topic.key}: placeholder {{office:{office}}} names no office"
                    )


def _check_links(kb: KnowledgeBase, intents: list[str], report: ValidationReport) -> None:
    for topic in kb.topics.values():
        for key in topic.related:
            if key not in kb.topics:
                report.errors.append(f"topic {topic.key}: related topic {key!r} does not exist")
        for title, payload in topic.next_steps:
            m = _PAYLOAD_INTENT.match(payload)
            if not m or m.group(1) not in intents:
                report.errors.append(
                    f"topic {topic.key}: button {title!r} payload {payload!r} names no intent"
                )


def startup_warning() -> str | None:
    """A one-line warning for the run command while county values are unverified (None when all are verified)."""
    try:
        params = load_parameters()
    except AssistantError as exc:
        return f"policy data: county parameters cannot be loaded: {exc}"
    count = len(params.unverified())
    if not count:
        return None
    return (
        f"policy data: {count} county values are unverified (local amounts, office phones/hours); the assistant "
        "tells users to confirm them with the office. List them with `lueyang policy unverified`."
    )
