"""Load test: N concurrent simulated residents talking to the assistant through the REST channel.

Each simulated user holds realistic conversations one after another, with a think time between turns:
policy questions, a full temporary-relief pre-check, and a status lookup with verification (a demo case
from the case database: case number + the stored last six of the ID). Conversations are spread over the
Rasa processes the way the front end does it (``RasaClient.urls_for``: stable hash of the sender id).

Every reply is checked: HTTP 200 with a non-empty list, every message addressed to the sender
(``recipient_id``), the status answer names the user's own case number and no other, and the pre-check
steps advance one by one. Latency is measured per turn and reported as p50/p95/p99 per turn kind.

By default one run measures three profiles side by side and writes ``results/load_test.md``:

- ``embedded``: SQLite tracker store and case database, in-memory lock store, 1 Rasa + 1 action server;
- ``production-1``: PostgreSQL tracker store and case database, Redis lock store, 1 Rasa + 1 action server;
- ``production-2``: the same with 2 Rasa processes + 2 action servers.

``--against URL[,URL]`` instead measures an assistant that is already running (e.g. ``lueyang production
--demo-on-this-machine``; pass ``--secret`` and ``--database-url``). Bounded: every user stops after ``--duration`` seconds
or ``--max-conversations`` conversations, every pre-check after ``MAX_PRECHECK_TURNS`` turns, and only
127.0.0.1 is ever contacted.

    .venvs/app/bin/python scripts/load_test.py --users 50 --duration 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import redis
from psycopg import sql
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cases.demo import DEMO_NOTE, demo_rows  # noqa: E402
from bot.cli.production import check_services, pg_connect, prepare_case_database  # noqa: E402
from bot.db.models import Case  # noqa: E402
from bot.db.session import make_engine  # noqa: E402
from bot.frontends.rasa_client import SECRET_HEADER, WEBHOOK_PATH, RasaClient  # noqa: E402
from bot.runner import Cluster  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.training import model_fingerprint, model_path  # noqa: E402

SECRET = "load-test-secret-at-least-32-characters"  # the production check wants >= 32
PG = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/3"
MAX_PRECHECK_TURNS = 16
REQUEST_TIMEOUT = 30.0
KINDS = ("policy", "precheck", "status")
POLICY_P95_TARGET = 0.060  # s, realistic load (issue 21)
CAPACITY_TARGET = 60  # turns/s without think time (issue 21)

POLICY_QUESTIONS = (
    "低保需要什么条件",
    "略阳的低保标准是多少",
    "申请低保去哪里办",
    "特困供养怎么申请",
    "临时救助能给多少钱",
    "办低保要带哪些材料",
    "什么是低保边缘家庭",
    "因病致贫重病患者怎么认定",
    "低保被取消了不服怎么办",
    "民政办的电话是多少",
)
# a fragment of each pre-check question -> an answer a resident would give
PRECHECK_ANSWERS = (
    ("户籍", "户籍在略阳"),
    ("遇到了什么情况", "看病花费大"),
    ("什么时候发生", "3天前"),
    ("享受低保", "都没有"),
    ("几口人", "3口人"),
    ("总收入", "每月两千五"),
    ("赔偿", "没有"),
    ("损失或要花的钱", "损失大概10万"),
    ("支出一共", "住院花了3万"),
    ("存款", "没有存款"),
    ("哪个镇", "接官亭镇"),
)
STEP_RE = re.compile(r"（第\s*(\d+)\s*/\s*(\d+)\s*步）")
CASE_RE = re.compile(r"LY\d{4}(?:DB|TK|LS)\d{5}")


# -- measurements ---------------------------------------------------------------------------------------------
@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    crosstalk: int = 0
    conversations: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    load: list[float] = field(default_factory=list)  # 1-minute load average of the machine, sampled
    # (seconds since start, kind, latency s, Rasa URL) of every turn, for --timeline
    timeline: list[tuple[float, str, float, str]] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds the profile's processes used, by role

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(f"{kind}: {detail[:300]}")

    @property
    def turns(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def seconds(self) -> float:
        return max(1e-9, self.finished - self.started)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class Failed(Exception):
    """A turn went wrong; the conversation is abandoned (counted once as an error)."""


class User:
    def __init__(self, index: int, profile: str, client: httpx.AsyncClient, router: RasaClient, stats: Stats,
                 cases: list[tuple[str, str]], think: tuple[float, float], rng: random.Random) -> None:
        self.index, self.profile, self.client, self.router = index, profile, client, router
        self.stats, self.cases, self.think, self.rng = stats, cases, think, rng
        self.all_case_numbers = {c for c, _ in cases}

    async def turn(self, kind: str, sender: str, text: str) -> list[dict]:
        base = self.router.urls_for(sender)[0]
        url = base + WEBHOOK_PATH
        started = time.perf_counter()
        try:
            resp = await self.client.post(url, json={"sender": sender, "message": text,
                                                     "metadata": {"channel": "load_test"}})
        except httpx.HTTPError as exc:
            self.stats.error("http", f"{kind} {type(exc).__name__}")
            raise Failed from exc
        elapsed = time.perf_counter() - started
        self.stats.latencies[kind].append(elapsed)
        self.stats.timeline.append((started - self.stats.started, kind, elapsed, base))
        if resp.status_code != 200:
            self.stats.error("http", f"{kind} HTTP {resp.status_code}")
            raise Failed
        try:
            messages = resp.json()
        except ValueError as exc:
            self.stats.error("http", f"{kind} body is not JSON")
            raise Failed from exc
        if not isinstance(messages, list) or not messages:
            self.stats.error("empty", f"{kind} {text!r} -> {messages!r}")
            raise Failed
        for m in messages:
            if m.get("recipient_id") != sender:
                self.stats.crosstalk += 1
                self.stats.error("crosstalk", f"reply for {m.get('recipient_id')!r} went to {sender!r}")
                raise Failed
        return messages

    async def pause(self) -> None:
        low, high = self.think
        if high > 0:
            await asyncio.sleep(self.rng.uniform(low, high))

    @staticmethod
    def text_of(messages: list[dict]) -> str:
        return "\n".join(str(m.get("text") or "") for m in messages)

    # -- conversations -------------------------------------------------------------------------------------
    async def policy(self, sender: str) -> None:
        for question in self.rng.sample(POLICY_QUESTIONS, 3):
            await self.turn("policy", sender, question)
            await self.pause()

    async def status(self, sender: str, case_no: str, last6: str) -> None:
        text = self.text_of(await self.turn("status", sender, "/check_status"))
        if "案件编号" not in text:
            self.stats.error("flow", f"status: no case number question: {text!r}")
            raise Failed
        await self.pause()
        text = self.text_of(await self.turn("status", sender, case_no))
        if "后六位" not in text:
            self.stats.error("flow", f"status: no last-six question after {case_no}: {text!r}")
            raise Failed
        await self.pause()
        text = self.text_of(await self.turn("status", sender, last6))
        found = set(CASE_RE.findall(text))
        if found - {case_no}:
            self.stats.crosstalk += 1
            self.stats.error("crosstalk", f"status reply for {case_no} names {sorted(found - {case_no})}")
            raise Failed
        if f"查到了您的申请：{case_no}" not in text:
            self.stats.error("flow", f"status: {case_no} not found: {text[:200]!r}")
            raise Failed
        await self.pause()

    async def precheck(self, sender: str) -> None:
        messages = await self.turn("precheck", sender, "/start_precheck")
        last_step = 0
        for _ in range(MAX_PRECHECK_TURNS):
            text = self.text_of(messages)
            steps = STEP_RE.findall(text)
            if not steps:
                if "要保存吗" in text:
                    await self.pause()
                    await self.turn("precheck", sender, "/deny")
                    return
                self.stats.error("flow", f"precheck: neither a question nor a result: {text[:200]!r}")
                raise Failed
            step = int(steps[-1][0])
            if step != last_step + 1:
                # a reply for another conversation would show someone else's step
                self.stats.error("flow", f"precheck: step {step} after step {last_step}: {text[:160]!r}")
                raise Failed
            last_step = step
            answer = next((a for frag, a in PRECHECK_ANSWERS if frag in text.rsplit("步）", 1)[-1]), None)
            if answer is None:
                self.stats.error("flow", f"precheck: unknown question {text[-120:]!r}")
                raise Failed
            await self.pause()
            messages = await self.turn("precheck", sender, answer)
        self.stats.error("flow", "precheck: did not finish within the turn limit")
        raise Failed

    async def run(self, deadline: float, max_conversations: int) -> None:
        scenarios = ["policy", "precheck", "status"]
        offset = self.index % len(scenarios)
        await self.pause()  # users arrive spread over one think time, not all in the same millisecond
        for n in range(max_conversations):
            if time.monotonic() >= deadline:
                return
            kind = scenarios[(n + offset) % len(scenarios)]
            sender = f"load-{self.profile}-{self.index}-{n}-{self.rng.randrange(1 << 30):x}"
            try:
                if kind == "policy":
                    await self.policy(sender)
                elif kind == "precheck":
                    await self.precheck(sender)
                else:
                    case_no, last6 = self.cases[(self.index + n * 7919) % len(self.cases)]
                    await self.status(sender, case_no, last6)
            except Failed:
                await self.pause()  # a failed conversation is followed by a pause like any other turn
                continue
            self.stats.conversations[kind] += 1


async def run_load(urls: list[str], secret: str, cases: list[tuple[str, str]], *, profile: str, users: int,
                   duration: float, max_conversations: int, think: tuple[float, float], seed: int,
                   warmup: bool = True) -> Stats:
    for url in urls:
        if urlsplit(url).hostname != "127.0.0.1":
            raise SystemExit(f"refusing to load-test {url}: only 127.0.0.1")
    if not cases:
        raise SystemExit("no demo cases in the case database: run `lueyang demo load` first")
    router = RasaClient(urls, secret=secret)
    limits = httpx.Limits(max_connections=users + 4, max_keepalive_connections=users + 4)
    async with httpx.AsyncClient(headers={SECRET_HEADER: secret}, timeout=REQUEST_TIMEOUT, limits=limits,
                                 trust_env=False) as client:
        if warmup:  # first messages load lazily initialised parts of Rasa and the action server
            warm = Stats()
            for i, url in enumerate(urls):
                w = User(i, f"warm{profile}", client, RasaClient([url], secret=secret), warm, cases, (0, 0),
                         random.Random(seed))
                for coro in (w.policy(f"warm-{profile}-{i}"), w.status(f"warm-{profile}-s{i}", *cases[0]),
                             w.precheck(f"warm-{profile}-p{i}")):
                    try:
                        await coro
                    except Failed:
                        pass
        stats = Stats()
        rng = random.Random(seed)
        population = [
            User(i, profile, client, router, stats, cases, think, random.Random(rng.randrange(1 << 30)))
            for i in range(users)
        ]
        stats.started = time.perf_counter()
        deadline = time.monotonic() + duration

        async def sample_load() -> None:
            while time.monotonic() < deadline:
                stats.load.append(os.getloadavg()[0])
                await asyncio.sleep(2.0)

        sampler = asyncio.create_task(sample_load())
        await asyncio.gather(*(u.run(deadline, max_conversations) for u in population))
        stats.finished = time.perf_counter()
        sampler.cancel()
    return stats


# -- profiles -------------------------------------------------------------------------------------------------
def demo_cases(database_url: str, limit: int = 400) -> list[tuple[str, str]]:
    """(case number, last six of the applicant's ID) of demo cases in the case database. Only a keyed hash of
    the last six is stored: the plain value comes from the demo generator, matched on the case number (the ID
    hashes depend on the profile's ID_HASH_KEY, which this process does not share)."""
    last6_by_case = {r.case_no: r.id_last6 for r in demo_rows()}
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Case.case_no)
                .where(Case.note.like(f"{DEMO_NOTE}%"))
                .order_by(Case.case_no)
                .limit(limit)
            ).all()
    finally:
        engine.dispose()
    return [(r[0], last6_by_case[r[0]]) for r in rows if r[0] in last6_by_case]


@dataclass(frozen=True)
class Profile:
    name: str
    rasa: int
    actions: int
    production: bool

    def env(self, var_dir: Path) -> dict[str, str]:
        env = {
            "LUEYANG_VAR_DIR": str(var_dir),
            "RASA_CHANNEL_SECRET": SECRET,
            "LOG_LEVEL": "WARNING",
            "ID_HASH_KEY": "load-test-id-hash-key-at-least-32-characters",
        }
        if self.production:
            env.update({
                "LUEYANG_PROFILE": "production",
                "DATABASE_URL": f"{PG}/lueyang_load_cases",
                "TRACKER_STORE_URL": f"{PG}/lueyang_load_tracker",
                "REDIS_URL": REDIS,
            })
        else:
            env.update({
                "LUEYANG_PROFILE": "embedded",
                "DATABASE_URL": f"sqlite:///{var_dir / 'cases.db'}",
                "TRACKER_STORE_URL": f"sqlite:///{var_dir / 'tracker.db'}",
                "REDIS_URL": "",
            })
        return env


PROFILES = {
    "embedded": Profile("embedded", 1, 1, False),
    "production-1": Profile("production-1", 1, 1, True),
    "production-2": Profile("production-2", 2, 2, True),
}


def reset_postgres(env: dict[str, str]) -> None:
    """Fresh load-test databases (a tracker store that grew in an earlier run would skew the comparison)."""
    with pg_connect(env["DATABASE_URL"], "postgres") as conn:
        for key in ("DATABASE_URL", "TRACKER_STORE_URL"):
            name = env[key].rsplit("/", 1)[1]
            assert name.startswith("lueyang_load_"), name  # never drop anything else
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_profile(profile: Profile, model: Path, args: argparse.Namespace) -> tuple[dict[str, Stats], dict]:
    var_dir = Path(tempfile.mkdtemp(prefix=f"load-{profile.name}-"))
    env = profile.env(var_dir)
    child_env = {**os.environ, **env}
    if profile.production:
        problems = check_services(child_env)
        if problems:
            raise SystemExit("; ".join(problems))
        reset_postgres(child_env)
        redis.Redis.from_url(REDIS).flushdb()  # the load test's own Redis database (3): stale locks only
    prepare_case_database(child_env, demo=True)
    settings = Settings.from_env(child_env)
    settings.check_production()
    cases = demo_cases(settings.database_url)
    cluster = Cluster(settings=settings, model=model, rasa_processes=profile.rasa, action_processes=profile.actions,
                      rasa_port=args.rasa_port, action_port=args.action_port, log_dir=var_dir / "logs",
                      extra_env=env)
    info = {"var_dir": str(var_dir)}
    try:
        t0 = time.monotonic()
        cluster.start(echo=lambda m: print(f"[{profile.name}] {m}", flush=True))
        info["startup_s"] = round(time.monotonic() - t0, 1)
        runs: dict[str, Stats] = {}
        for mode, duration, think in (("realistic", args.duration, args.think),
                                      ("no think time", args.stress_duration, (0.0, 0.0))):
            if duration <= 0:
                continue
            print(f"[{profile.name}] {mode}: {args.users} users for {duration:.0f} s ...", flush=True)
            cpu_before = cpu_by_role(cluster)
            stats = asyncio.run(run_load(cluster.rasa_urls, SECRET, cases, profile=profile.name, users=args.users,
                                         duration=duration, max_conversations=args.max_conversations,
                                         think=think, seed=args.seed, warmup=not runs))
            cpu_after = cpu_by_role(cluster)
            stats.cpu = {role: cpu_after[role] - cpu_before.get(role, 0.0) for role in cpu_after}
            dead = [c.name for c in cluster.dead()]
            if dead:
                stats.error("process", f"died during the run: {', '.join(dead)}")
            runs[mode] = stats
            if args.timeline:
                write_timeline(args.timeline / f"{profile.name}-{mode.replace(' ', '-')}.csv", stats)
    finally:
        cluster.stop()
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    return runs, info


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads) so far, from /proc; 0.0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


def cpu_by_role(cluster: Cluster) -> dict[str, float]:
    """CPU seconds used so far by the cluster's Rasa processes and by its action servers."""
    totals = {"rasa": 0.0, "actions": 0.0}
    for child in cluster.children:
        role = "actions" if child.name.startswith("actions") else "rasa"
        totals[role] += process_cpu_seconds(child.proc.pid)
    return totals


# -- report ---------------------------------------------------------------------------------------------------
def write_timeline(path: Path, stats: Stats) -> None:
    """Every turn of a run as CSV (start offset s, kind, latency ms, Rasa URL): shows when slow turns happen."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = ["start_s,kind,latency_ms,rasa"]
    rows += [f"{t:.3f},{kind},{lat * 1000:.1f},{url}" for t, kind, lat, url in sorted(stats.timeline)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def cpu_cell(r: dict) -> str:
    cpu = r.get("cpu_ms_per_turn") or {}
    if not cpu:
        return "–"
    return f"{cpu.get('rasa', float('nan')):.1f} + {cpu.get('actions', float('nan')):.1f}"


def ms(v: float) -> str:
    return "–" if v != v else f"{v * 1000:.0f}"


def summary(stats: Stats) -> dict:
    out = {
        "turns": stats.turns,
        "seconds": round(stats.seconds, 1),
        "throughput": round(stats.turns / stats.seconds, 1),
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors),
        "crosstalk": stats.crosstalk,
        "conversations": dict(stats.conversations),
        "error_samples": stats.error_samples,
        "load_avg": round(statistics.fmean(stats.load), 2) if stats.load else float("nan"),
        "cpu_ms_per_turn": {role: round(seconds * 1000 / stats.turns, 1) if stats.turns else float("nan")
                            for role, seconds in stats.cpu.items()},
    }
    everything = [v for vals in stats.latencies.values() for v in vals]
    for kind, values in [*((k, stats.latencies.get(k, [])) for k in KINDS), ("all", everything)]:
        out[kind] = {
            "n": len(values),
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "p99": percentile(values, 99),
            "mean": statistics.fmean(values) if values else float("nan"),
        }
    return out


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def markdown(results: dict[tuple[str, str], dict], args: argparse.Namespace, model: str,
             infos: dict[str, dict]) -> str:
    lines = [
        "# Load test results",
        "",
        f"Generated by `scripts/load_test.py` on {time.strftime('%Y-%m-%d %H:%M %Z')} · {machine()} · model "
        f"`{model}`.",
        "",
        f"{args.users} concurrent simulated residents per profile. Each user holds conversations one after another: "
        "3 policy questions; a full temporary-relief pre-check (10 questions, then declines saving); a status "
        "lookup with verification (case number, then the last six of the ID, of a demo case from the case "
        "database). Conversations are spread over the Rasa processes by a stable hash of the sender id, as the "
        "front end does. Latency is per turn: one HTTP request to the REST channel, including every "
        "action-server call of that turn. *Machine load avg* is the 1-minute load average during the run: the "
        "load generator, every process of the profile, PostgreSQL, and whatever else ran on the machine.",
        "",
        f"- **realistic**: think time {args.think[0]:g}–{args.think[1]:g} s between turns (reading the answer, "
        f"typing or pressing a button), {args.duration:.0f} s;",
        f"- **no think time**: the same users send their next message as soon as the answer arrives "
        f"({args.stress_duration:.0f} s): the capacity of the profile, and latency under overload.",
        "",
        "| profile | Rasa | actions | stores | load | turns | turns/s | conversations | errors | cross-talk | "
        "policy p50/p95/p99 ms | pre-check p50/p95/p99 ms | status p50/p95/p99 ms | all p95 ms | "
        "CPU ms/turn Rasa + actions | machine load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (name, mode), r in results.items():
        p = PROFILES.get(name)
        stores = "as running" if p is None else "PostgreSQL + Redis" if p.production else "SQLite + in-memory lock"
        convs = sum(r["conversations"].values())

        def trio(kind: str, r=r) -> str:
            return f"{ms(r[kind]['p50'])} / {ms(r[kind]['p95'])} / {ms(r[kind]['p99'])}"

        lines.append(
            f"| {name} | {p.rasa if p else '?'} | {p.actions if p else '?'} | {stores} | {mode} | {r['turns']} | "
            f"{r['throughput']} | {convs} | {r['errors']} | {r['crosstalk']} | {trio('policy')} | "
            f"{trio('precheck')} | {trio('status')} | {ms(r['all']['p95'])} | {cpu_cell(r)} | {r['load_avg']} |"
        )
    lines += ["", f"Targets (issue 21) at {args.users} concurrent users: zero errors and zero cross-talk, also under "
              f"overload; policy p95 ≤ {POLICY_P95_TARGET * 1000:.0f} ms under realistic load; capacity (no think "
              f"time) ≥ {CAPACITY_TARGET} turns/s on the machine's cores.", ""]
    for (name, mode), r in results.items():
        policy_ok = r["policy"]["p95"] <= POLICY_P95_TARGET
        verdict = ("✅" if policy_ok else "❌") if mode == "realistic" else (
            f"(overload) · capacity {r['throughput']} turns/s {'✅' if r['throughput'] >= CAPACITY_TARGET else '❌'}")
        lines.append(
            f"- **{name}, {mode}**: errors {'✅ 0' if r['errors'] == 0 else '❌ ' + str(r['errors'])}, cross-talk "
            f"{'✅ 0' if r['crosstalk'] == 0 else '❌ ' + str(r['crosstalk'])}, policy p95 "
            f"{ms(r['policy']['p95'])} ms {verdict}"
            + (f" · startup {infos[name]['startup_s']} s" if mode == "realistic" and infos.get(name, {}).get(
                "startup_s") else "")
            + (f" · errors: {r['error_kinds']}" if r["errors"] else "")
        )
    samples = [(f"{n}, {m}", s) for (n, m), r in results.items() for s in r["error_samples"][:5]]
    if samples:
        lines += ["", "First errors:", ""] + [f"- {n}: `{s}`" for n, s in samples]
    lines += [
        "",
        f"Reproduce: `.venvs/app/bin/python scripts/load_test.py --users {args.users} --duration "
        f"{args.duration:.0f} --stress-duration {args.stress_duration:.0f} --think {args.think[0]:g}:"
        f"{args.think[1]:g}" + (f" --against {args.against}`" if args.against else "` (needs a trained model, "
                                "PostgreSQL and Redis on 127.0.0.1)."),
        "",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--duration", type=float, default=90.0, help="seconds of realistic load per profile")
    p.add_argument("--stress-duration", type=float, default=30.0,
                   help="seconds without think time per profile (0: skip)")
    p.add_argument("--max-conversations", type=int, default=1000, help="per user (a bound, not a target)")
    p.add_argument("--think", type=lambda s: tuple(float(x) for x in s.split(":")), default=(2.0, 10.0),
                   help="think time between turns, MIN:MAX seconds (default 2:10)")
    p.add_argument("--profiles", default="embedded,production-1,production-2")
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--rasa-port", type=int, default=16005)
    p.add_argument("--action-port", type=int, default=16055)
    p.add_argument("--model", type=Path, default=None, help="default: the model for the current inputs")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "load_test.md")
    p.add_argument("--json", type=Path, default=None, help="also write the raw figures as JSON")
    p.add_argument("--timeline", type=Path, default=None, help="write every turn as CSV into this directory")
    p.add_argument("--keep", action="store_true", help="keep the profiles' var directories (logs)")
    p.add_argument("--against", default=None, help="measure running Rasa URL(s) instead of starting profiles")
    p.add_argument("--secret", default=os.environ.get("RASA_CHANNEL_SECRET", ""))
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = p.parse_args(argv)
    if len(args.think) != 2 or args.think[0] > args.think[1] or args.think[0] < 0:
        p.error("--think must be MIN:MAX with 0 <= MIN <= MAX")
    if not 1 <= args.users <= 500 or not 1 <= args.duration <= 3600 or not 0 <= args.stress_duration <= 3600:
        p.error("--users must be 1..500, --duration 1..3600 s, --stress-duration 0..3600 s")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results: dict[tuple[str, str], dict] = {}
    infos: dict[str, dict] = {}
    if args.against:
        urls = [u.strip().rstrip("/") for u in args.against.split(",") if u.strip()]
        stats = asyncio.run(run_load(urls, args.secret, demo_cases(args.database_url), profile="running",
                                     users=args.users, duration=args.duration,
                                     max_conversations=args.max_conversations, think=args.think, seed=args.seed))
        results[("running", "realistic")] = summary(stats)
        model_name = "(running assistant)"
    else:
        model = args.model or model_path(Settings.from_env({}), model_fingerprint(ROOT))
        if not model.exists():
            raise SystemExit(f"no model {model}: run `make train` (or pass --model)")
        model_name = model.name
        for name in [n.strip() for n in args.profiles.split(",") if n.strip()]:
            if name not in PROFILES:
                raise SystemExit(f"unknown profile {name!r}: {', '.join(PROFILES)}")
            runs, infos[name] = run_profile(PROFILES[name], model, args)
            for mode, stats in runs.items():
                r = results[(name, mode)] = summary(stats)
                print(f"[{name}] {mode}: {r['turns']} turns, {r['throughput']} turns/s, errors {r['errors']} "
                      f"{r['error_kinds']}, cross-talk {r['crosstalk']}, policy p95 {ms(r['policy']['p95'])} ms, "
                      f"all p95 {ms(r['all']['p95'])} ms", flush=True)
    text = markdown(results, args, model_name, infos)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    if args.json:
        raw = {f"{n} / {m}": r for (n, m), r in results.items()}
        args.json.write_text(json.dumps(raw, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    print(text)
    failed = any(r["errors"] or r["crosstalk"] for r in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
