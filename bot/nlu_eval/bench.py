"""NLU benchmark (``scripts/bench_nlu.py``; ``make bench-nlu``): full training time, model load time, parse
latency, memory.

1. ``rasa train --force`` on the whole project (NLU + core) into a temporary directory, with Rasa's training
   cache disabled (``RASA_MAX_CACHE_SIZE=0``) so every component really trains; wall time and the peak RSS
   of the training process. With an existing model this step is skipped.
2. ``Agent.load(model)`` in this process: wall time.
3. ``await agent.parse_message(text)`` (NLU only, what Rasa does first for every user message) over varied
   messages after a warm-up: training examples sampled from every intent plus edge cases (empty-ish,
   5,000 characters, emoji, English, SQL, case numbers, ID numbers); p50/p95/p99/max.
4. Writes ``<out>/bench_nlu.md`` and ``<out>/bench_nlu.json``.

Rasa is imported inside the functions that run it; run this in the Rasa venv.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.nlu_eval.provenance import git_commit
from bot.nlu_eval.rasa_nlu import examples_from, find_nlu_files, load_training_data, quiet_rasa
from bot.settings import PROJECT_ROOT

EDGE_CASES = [
    "你好",
    "嗯",
    "？",
    "😀😀😀",
    "hello, is anyone there?",
    "'; DROP TABLE cases; --",
    "LY2023LS00123",
    "ly-2024-db-00007 办到哪一步了",
    "我的身份证号是61072719800101123X",
    "手机13800138000，住在接官亭镇，一家四口，月收入两千五",
    "低保" * 2500,  # 5,000 characters
    "我屋头遭水淹了，今晚上没得地方住，娃儿还病了，咋个办嘛，能不能先给点临时救助，" * 5,
]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def sample_messages(texts_by_intent: dict[str, list[str]], n: int, seed: int = 7) -> list[str]:
    """``n`` messages: the edge cases, then training texts taken round-robin over intents (deterministic, and
    independent of how the texts are ordered or spread over files)."""
    rng = random.Random(seed)
    pools = {k: rng.sample(sorted(v), len(v)) for k, v in sorted(texts_by_intent.items()) if v}
    out = list(EDGE_CASES[:n])
    while len(out) < n and any(pools.values()):
        for pool in pools.values():
            if pool and len(out) < n:
                out.append(pool.pop())
    return out


def peak_rss_mb(who: int) -> float:
    """ru_maxrss (KiB on Linux) of this process or of its waited-for children, in MiB."""
    return resource.getrusage(who).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def train_full(out_dir: Path) -> tuple[Path, float, float]:
    """``rasa train --force`` on the project, no training cache; returns model, seconds, peak RSS (MiB)."""
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", RASA_MAX_CACHE_SIZE="0", TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")]))
    cmd = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--force",
        "--config",
        "config.yml",
        "--domain",
        "domain",
        "--data",
        "nlu_data",
        "--out",
        str(out_dir),
        "--fixed-model-name",
        "bench",
    ]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"rasa train failed (exit {proc.returncode})")
    model = out_dir / "bench.tar.gz"
    if not model.exists():
        raise SystemExit(f"rasa train did not write {model}")
    return model, seconds, peak_rss_mb(resource.RUSAGE_CHILDREN)


def load_texts_by_intent(data_dir: Path) -> dict[str, list[str]]:
    """Every training text under ``data_dir``, by intent."""
    out: dict[str, list[str]] = {}
    for ex in examples_from(load_training_data(find_nlu_files(data_dir))):
        out.setdefault(ex.intent, []).append(ex.text)
    return out


async def load_and_parse(model: Path, messages: Sequence[str], warmup: int) -> dict[str, Any]:
    from rasa.core.agent import Agent

    rss_before = current_rss_mb()
    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - started
    rss_loaded = current_rss_mb()
    for text in messages[:warmup]:
        await agent.parse_message(text)
    latencies = []
    for text in messages:
        t0 = time.perf_counter()
        await agent.parse_message(text)
        latencies.append((time.perf_counter() - t0) * 1000)
    return {
        "load_seconds": load_seconds,
        "rss_before_load_mb": rss_before,
        "rss_after_load_mb": rss_loaded,
        "latencies_ms": latencies,
    }


def run_benchmark(model: Path | None, n_messages: int = 300, warmup: int = 20) -> dict[str, Any]:
    """Train (unless ``model`` is given), load and parse; returns the figures."""
    quiet_rasa()
    import rasa

    fig: dict[str, Any] = {"generated_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "commit": git_commit()}
    fig["machine"] = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "rasa": rasa.__version__,
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        if model is not None:
            fig["train_seconds"] = None
        else:
            print("training the full model (rasa train --force, no cache) ...", flush=True)
            model, seconds, rss = train_full(Path(tmp))
            fig["train_seconds"], fig["train_peak_rss_mb"] = seconds, rss
            print(f"  {seconds:.0f} s, peak RSS {rss:.0f} MiB", flush=True)
            fig["model"] = "(temporary) bench.tar.gz"
        messages = sample_messages(load_texts_by_intent(PROJECT_ROOT / "nlu_data"), n_messages)
        print(f"loading {model} and parsing {len(messages)} messages ...", flush=True)
        res = asyncio.run(load_and_parse(model, messages, warmup))
        fig.setdefault("model", str(model))
        fig["model_size_mb"] = model.stat().st_size / 2**20
    lat = res.pop("latencies_ms")
    fig.update(res)
    fig["parse_ms"] = {
        "n": len(lat),
        "p50": percentile(lat, 50),
        "p95": percentile(lat, 95),
        "p99": percentile(lat, 99),
        "mean": statistics.fmean(lat),
        "max": max(lat),
        "slowest_message_chars": len(messages[max(range(len(lat)), key=lat.__getitem__)]),
    }
    fig["parse_peak_rss_mb"] = peak_rss_mb(resource.RUSAGE_SELF)
    fig["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 2)
    return fig


def write_benchmark(fig: dict[str, Any], out: Path) -> str:
    """Write ``out``/bench_nlu.{md,json}; returns the Markdown."""
    md = render_markdown(fig)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_nlu.md").write_text(md + "\n", encoding="utf-8")
    (out / "bench_nlu.json").write_text(json.dumps(fig, indent=2) + "\n", encoding="utf-8")
    return md


def render_markdown(fig: dict[str, Any]) -> str:
    lat = fig["parse_ms"]
    lines = [
        "# NLU benchmark",
        "",
        f"Generated {fig['generated_at']} by `scripts/bench_nlu.py` at commit {fig['commit']} on {fig['machine']['cpu']} "
        f"({fig['machine']['cores']} cores), Python {fig['machine']['python']}, Rasa {fig['machine']['rasa']}.",
        "",
        f"1-minute load average {fig['machine']['load_average_at_start']} at the start and "
        f"{fig['machine']['load_average_at_end']} at the end (other processes share the cores: figures on a quiet "
        "machine are lower).",
        "",
        "| measure | value |",
        "| --- | --- |",
    ]
    if fig.get("train_seconds") is not None:
        lines.append(
            f"| full training (`rasa train --force`, NLU + core, no cache) | {fig['train_seconds']:.0f} s |"
        )
        lines.append(f"| peak RSS of the training process | {fig['train_peak_rss_mb']:.0f} MiB |")
    lines += [
        f"| model load (`Agent.load`, fresh process, incl. TensorFlow start-up) | {fig['load_seconds']:.1f} s |",
        f"| parse latency p50 / p95 / p99 (n={lat['n']}) | {lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f} ms |",
        f"| parse latency mean / max | {lat['mean']:.1f} / {lat['max']:.1f} ms "
        f"(slowest: a {lat['slowest_message_chars']}-character message) |",
        f"| RSS after loading the model | {fig['rss_after_load_mb']:.0f} MiB |",
        f"| peak RSS of the parsing process | {fig['parse_peak_rss_mb']:.0f} MiB |",
        "",
        f"Model: `{fig['model']}` ({fig['model_size_mb']:.1f} MiB). Parse = `Agent.parse_message` (NLU pipeline "
        "only), in-process, one message at a time after a warm-up; messages are training examples from every "
        "intent plus edge cases (5,000 characters, emoji, English, SQL, case and ID numbers).",
        "",
    ]
    return "\n".join(lines)
