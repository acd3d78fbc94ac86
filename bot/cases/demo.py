"""Synthetic demo data: ~200 cases over the 17 township units and every status, plus a few staff.

Fixed RNG seed, invented names, checksum-valid synthetic ID numbers (region 610727). Loading is idempotent:
cases are upserted through the importer (same case numbers every time), staff are created once.

Demo case numbers use serials 90001 and up (``bot.cases.numbering``), a range real numbering never reaches and
the importer refuses, so demo cases never overwrite real ones. The demo staff are bound to terminal sessions,
which nothing authenticates. So the production profile refuses demo data (``check_demo_allowed``) unless asked
for a demo of the production profile on this machine (`lueyang production --demo-on-this-machine`), and even then
only into a case database on this machine that holds no real case.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.cases.identity import stored_id
from bot.cases.importer import CaseRow, ImportReport, write_rows
from bot.cases.lookup import china_today
from bot.cases.numbering import DEMO_SERIAL_MIN, SERIAL_DIGITS, demo_case_no
from bot.cases.staff import add_staff
from bot.cases.status import STATUSES
from bot.db.models import Case, Staff, StaffChannel
from bot.errors import ConfigurationError
from bot.parsing.identity import generate_id_number
from bot.parsing.towns import towns
from bot.programmes import DIBAO, TEKUN, TEMP_RELIEF, case_code
from bot.settings import Settings, get_settings, is_loopback_host

SEED = 20230630
DEMO_NOTE = "演示数据"
N_CASES = 204  # 12 per town

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文"
GIVEN = (
    "建国 秀英 志强 桂兰 明华 海燕 永红 德福 玉梅 春生 小军 金花 国庆 淑珍 红梅 长青 福贵 翠兰 家宝 兴旺 "
    "晓东 丽娟 文斌 秋菊 宏伟 凤英 德明 素芬 俊杰 春燕 成林 美华 振华 巧云 云峰 月娥 树林 冬梅 光明 玉兰"
).split()
VILLAGES = "新华村 团结村 红岩村 石坝村 青岗村 柳树村 杨家村 白沙村 中心社区 河坝村 高坪村 大湾村".split()
PROGRAMME_WEIGHTS = ((DIBAO, 6), (TEKUN, 2), (TEMP_RELIEF, 3))


@dataclass(frozen=True)
class DemoStaff:
    name: str
    role: str
    towns: tuple[str, ...]
    channels: tuple[str, ...]


DEMO_STAFF = (
    DemoStaff("演示工作人员", "caseworker", ("兴州街道", "横现河街道", "接官亭镇"), ("term:staff",)),
    DemoStaff("郑晓岚", "caseworker", ("白水江镇", "硖口驿镇"), ()),
    DemoStaff("钱立新", "caseworker", ("郭镇", "黑河镇"), ()),
    DemoStaff("孙玉洁", "caseworker", ("徐家坪镇", "金家河镇", "两河口镇"), ()),
    DemoStaff("热线值班员", "hotline", tuple(t.name for t in towns()), ("term:hotline",)),
    DemoStaff("系统管理员", "admin", (), ("term:admin",)),
)


def _caseworker_for(town: str) -> str | None:
    for s in DEMO_STAFF:
        if s.role == "caseworker" and town in s.towns:
            return s.name
    return None


def demo_rows(today: date | None = None, *, seed: int = SEED, n: int = N_CASES) -> list[CaseRow]:
    """The demo cases (deterministic for a given ``today``)."""
    today = today or china_today()
    rng = random.Random(seed)
    town_names = [t.name for t in towns()]
    statuses = list(STATUSES)
    programmes = [p for p, w in PROGRAMME_WEIGHTS for _ in range(w)]
    serial: dict[tuple[int, str], int] = {}
    seen_ids: set[str] = set()
    rows: list[CaseRow] = []
    for i in range(n):
        town = town_names[i % len(town_names)]
        status = statuses[i % len(statuses)] if i < 3 * len(statuses) else rng.choice(statuses)
        programme = rng.choice(programmes)
        age_days = rng.randint(1, 80)
        applied = today - timedelta(days=age_days)
        accepted = min(applied + timedelta(days=rng.randint(0, 4)), today)
        changed = accepted + timedelta(days=rng.randint(0, max(0, (today - accepted).days)))
        if status == "已受理":
            changed = accepted
        year = applied.year
        key = (year, programme)
        serial[key] = serial.get(key, 0) + 1
        case_no = demo_case_no(year, case_code(programme), serial[key])
        while True:
            id_number = generate_id_number(rng)
            if id_number not in seen_ids:
                seen_ids.add(id_number)
                break
        ident = stored_id(id_number)
        amount = None
        if status in ("已批准", "已发放"):
            amount = Decimal(
                rng.randrange(200, 800, 10) if programme != TEMP_RELIEF else rng.randrange(500, 3000, 100)
            )
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        phone = f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
        rows.append(
            CaseRow(
                line=i + 2,
                case_no=case_no,
                programme=programme,
                applicant_name=name,
                id_hash=ident.id_hash,
                id_last6=ident.id_last6,
                id_masked=ident.id_masked,
                id_last6_hash=ident.id_last6_hash,
                phone=phone,
                town=town,
                village=rng.choice(VILLAGES),
                applied_on=applied,
                accepted_on=accepted,
                status=status,
                status_changed_on=changed,
                amount=amount,
                caseworker=_caseworker_for(town),
                note=DEMO_NOTE if status != "需补充材料" else f"{DEMO_NOTE}：缺少户口簿复印件",
            )
        )
    return rows


def demo_samples(today: date | None = None) -> list[tuple[str, str, str, str]]:
    """A few (case number, last six of the ID, programme, status) pairs to try the lookup with."""
    return [(r.case_no, r.id_last6, r.programme, r.status) for r in demo_rows(today)[:9]]


def ensure_demo_staff(session: Session, *, settings: Settings | None = None) -> int:
    """Create the demo staff that do not exist yet (matched by name); returns how many were created.

    Their terminal bindings are allowed here only: ``load_demo`` has checked that demo data may be loaded."""
    created = 0
    existing = {s.name for s in session.scalars(select(Staff))}
    for s in DEMO_STAFF:
        if s.name in existing:
            continue
        channels = [
            c
            for c in s.channels
            if not session.scalar(select(StaffChannel).where(StaffChannel.channel_id == c))
        ]
        add_staff(session, s.name, s.role, list(s.towns), channels, settings=settings, allow_terminal=True)
        created += 1
    return created


def _in_demo_range():
    """SQL condition: the case number's serial is in the demo range (works on SQLite and PostgreSQL)."""
    return func.substr(Case.case_no, func.length(Case.case_no) - SERIAL_DIGITS + 1) >= f"{DEMO_SERIAL_MIN:05d}"


def demo_loaded(session: Session) -> int:
    """How many demo cases (case numbers in the demo range) are in the database."""
    return session.scalar(select(func.count()).select_from(Case).where(_in_demo_range())) or 0


def real_cases(session: Session) -> int:
    """How many cases outside the demo range (real ones, or demo cases numbered before the demo range existed)."""
    return session.scalar(select(func.count()).select_from(Case).where(~_in_demo_range())) or 0


def check_demo_allowed(session: Session, settings: Settings, *, on_this_machine: bool = False) -> None:
    """ConfigurationError unless demo data may go into this case database.

    The embedded profile always may. The production profile only when asked for a demo on this machine, into a
    case database on this machine (loopback or a local socket) that holds no real case.
    """
    if settings.profile != "production":
        return
    if not on_this_machine:
        raise ConfigurationError(
            "the production profile refuses demo data (demo staff bound to unauthenticated terminal sessions, "
            "case pairs anyone can compute); for a demo of the production profile on this machine run "
            "`lueyang production --demo-on-this-machine` (make production)"
        )
    host = make_url(settings.database_url).host
    if not is_loopback_host(host):
        raise ConfigurationError(
            f"demo data only into a case database on this machine: DATABASE_URL points at {host}"
        )
    real = real_cases(session)
    if real:
        raise ConfigurationError(
            f"the case database holds {real} cases outside the demo range: demo data goes only into a database "
            "without real cases (use another DATABASE_URL for the demo)"
        )


def load_demo(
    session: Session,
    *,
    today: date | None = None,
    refresh: bool = False,
    settings: Settings | None = None,
    on_this_machine: bool = False,
) -> tuple[int, ImportReport]:
    """Load staff and cases; safe to run again (nothing is duplicated).

    Demo dates are relative to today; once demo cases exist they are left alone unless ``refresh`` (which
    upserts them with dates relative to today again). ``check_demo_allowed`` first (``on_this_machine``: the
    production profile's local demo).
    """
    settings = settings or get_settings()
    check_demo_allowed(session, settings, on_this_machine=on_this_machine)
    staff_created = ensure_demo_staff(session, settings=settings)
    report = ImportReport()
    existing = demo_loaded(session)
    if existing and not refresh:
        report.total = report.unchanged = existing
        return staff_created, report
    rows = demo_rows(today)
    report.total = len(rows)
    write_rows(session, rows, report, source="demo")
    report.imported = True
    return staff_created, report
