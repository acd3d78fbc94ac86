#!/usr/bin/env python
"""Turn latency against the length of one conversation session, before and after the tracker store's window
(issue 21), in one run.

For each store it starts the assistant (``bot.runner.Cluster``: one Rasa process with the tuned thread settings,
one action server, SQLite tracker store and case database in a temporary var/), warms it up with another sender,
then drives ONE sender through ``--turns`` policy questions over the REST channel, one after the other (no think
time, so the session never expires). It prints the p50 of the 15 turns that follow 0, 50, 150 and 500 turns, and
the size of the requests Rasa sent the action server during those turns (a pass-through proxy in this process
counts the bytes; with TCP_NODELAY it adds well under a millisecond per action call to both columns).

On a shared machine the load drifts over the minutes a run takes, so each checkpoint's 15 turns alternate with
the first 15 turns of a new sender ("same moment, new session"): the ratio of the two is the growth with the
session's length under the same load, whatever the load was.

- before: Rasa's own ``SQL`` tracker store (what the masking store did: every event of the session, every turn);
- after: ``rasa_addons.tracker_store.MaskingSQLTrackerStore`` (the window: the last turns, the state carried in).

    .venvs/app/bin/python scripts/bench_turns.py                    # ~10 min on 2 idle cores
    .venvs/app/bin/python scripts/bench_turns.py --turns 200 --checkpoints 0,50,150 --stores after
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.frontends.rasa_client import SECRET_HEADER, WEBHOOK_PATH  # noqa: E402
from bot.identity import terminal_sender  # noqa: E402
from bot.runner import RASA_PROCESS_ENV, TRACKER_STORE_TYPE, Cluster  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.training import model_fingerprint, model_path  # noqa: E402
from scripts.load_test import POLICY_QUESTIONS  # noqa: E402

SECRET = "bench-turns-secret-at-least-32-characters"
STORES = {"before": "SQL", "after": TRACKER_STORE_TYPE}
WINDOW = 15  # turns per checkpoint
# the load test's policy questions and two more
QUESTIONS = (*POLICY_QUESTIONS, "低保多久审批下来", "临时救助需要什么材料")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ActionProxy:
    """Forwards Rasa's requests to the action server and records the size of each POST body."""

    def __init__(self, target_port: int) -> None:
        self.sizes: list[int] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes: without TCP_NODELAY the body waits for the client's delayed
            # ACK of the headers (~40 ms on Linux), which the first version of this proxy added to every turn
            disable_nagle_algorithm = True

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.command == "POST":
                    proxy.sizes.append(len(body))
                conn = http.client.HTTPConnection("127.0.0.1", target_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                except OSError:  # the action server is not up yet (the cluster's health check polls)
                    self.send_response(502)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                finally:
                    conn.close()
                self.send_response(resp.status)
                for key, value in resp.getheaders():
                    if key.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _forward  # noqa: N815

            def log_message(self, *args) -> None:  # noqa: ARG002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ActionProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class ProxiedCluster(Cluster):
    """Rasa reaches the action server through ``proxy_port`` (the action server itself listens on
    ``action_port``)."""

    proxy_port: int = 0

    @property
    def action_urls(self) -> list[str]:
        if self.proxy_port:
            return [f"http://127.0.0.1:{self.proxy_port}"]
        return super().action_urls


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def run_store(name: str, model: Path, turns: int, checkpoints: list[int]) -> dict[int, tuple[float, int, int, float]]:
    """{checkpoint: (p50 ms of the WINDOW turns after it, median action-request bytes, max bytes, p50 ms of a new
    session's first WINDOW turns at the same moment)}."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"bench-turns-{name}-"))
    env = {
        "LUEYANG_PROFILE": "embedded",
        "LUEYANG_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'cases.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{var_dir / 'tracker.db'}",
        "RASA_CHANNEL_SECRET": SECRET,
        "ID_HASH_KEY": "bench-turns-id-hash-key-at-least-32-characters",
        "LOG_LEVEL": "WARNING",
    }
    child_env = {**os.environ, **env}
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], check=True, env=child_env, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    settings = Settings.from_env(child_env)
    action_port = free_port()
    results: dict[int, tuple[float, int, int, float]] = {}
    with ActionProxy(action_port) as proxy:
        cluster = ProxiedCluster(settings=settings, model=model, rasa_port=free_port(), action_port=action_port,
                                 log_dir=var_dir / "logs", extra_env=env, tracker_store_type=STORES[name])
        cluster.proxy_port = proxy.port
        url = cluster.rasa_urls[0] + WEBHOOK_PATH
        try:
            cluster.start(echo=lambda m: print(f"[{name}] {m}", flush=True))
            with httpx.Client(timeout=120, trust_env=False) as client:

                def turn(sender: str, text: str) -> tuple[float, list[int]]:
                    before = len(proxy.sizes)
                    t0 = time.perf_counter()
                    resp = client.post(url, json={"sender": sender, "message": text,
                                                  "metadata": {"channel": "bench"}},
                                       headers={SECRET_HEADER: SECRET})
                    elapsed = time.perf_counter() - t0
                    resp.raise_for_status()
                    if not resp.json():
                        raise SystemExit(f"[{name}] no reply to {text!r}")
                    return elapsed, proxy.sizes[before:]

                for n in range(10):  # warm-up: model, caches, connections
                    turn(str(terminal_sender("bench-warmup")), QUESTIONS[n % len(QUESTIONS)])
                sender = str(terminal_sender(f"bench-{name}"))
                times: list[float] = []
                sizes: list[list[int]] = []
                fresh: dict[int, list[float]] = {c: [] for c in checkpoints}
                t_start = time.monotonic()
                for n in range(turns):
                    elapsed, sent = turn(sender, QUESTIONS[n % len(QUESTIONS)])
                    times.append(elapsed)
                    sizes.append(sent)
                    for c in checkpoints:  # the same moment: a new session's turn n - c
                        if c <= n < c + WINDOW:
                            fresh[c].append(turn(f"{sender}-new-{c}", QUESTIONS[(n - c) % len(QUESTIONS)])[0])
                    if (n + 1) % 50 == 0:
                        print(f"[{name}] {n + 1} turns, last {elapsed * 1000:.0f} ms "
                              f"({time.monotonic() - t_start:.0f} s)", flush=True)
            for c in checkpoints:
                window = times[c : c + WINDOW]
                window_sizes = [s for turn_sizes in sizes[c : c + WINDOW] for s in turn_sizes]
                if len(window) == WINDOW and window_sizes:
                    results[c] = (statistics.median(window) * 1000, int(statistics.median(window_sizes)),
                                  max(window_sizes), statistics.median(fresh[c]) * 1000)
        finally:
            cluster.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, default=os.environ.get("LUEYANG_TEST_MODEL"),
                   help="model archive (default: LUEYANG_TEST_MODEL, else the model for the current inputs)")
    p.add_argument("--turns", type=int, default=500 + WINDOW)
    p.add_argument("--checkpoints", default="0,50,150,500", help="turns already in the session")
    p.add_argument("--stores", default="before,after")
    args = p.parse_args(argv)
    model = args.model or model_path(Settings.from_env({}), model_fingerprint(ROOT))
    if not Path(model).exists():
        raise SystemExit(f"no model {model}: run `make train` (or pass --model / LUEYANG_TEST_MODEL)")
    checkpoints = [int(c) for c in args.checkpoints.split(",") if c.strip()]
    if max(checkpoints) + WINDOW > args.turns:
        raise SystemExit(f"--turns must be at least {max(checkpoints) + WINDOW} for these checkpoints")
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    load_before = os.getloadavg()
    results = {}
    for name in stores:
        results[name] = run_store(name, Path(model), args.turns, checkpoints)
        print(f"[{name}] {results[name]}", flush=True)  # (p50 ms, median bytes, max bytes, new-session p50 ms)
    load_after = os.getloadavg()

    print()
    print(f"One sender, {args.turns} policy questions in one session over the REST channel; model {Path(model).name}; "
          f"{os.cpu_count()} cores; Rasa process settings {RASA_PROCESS_ENV}.")
    print(f"Load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
          f"({'a LOADED machine: other work shared the cores' if max(load_before[0], load_after[0]) > 1.0 else 'idle'}).")
    print()
    head = "| turns already in the session |"
    rule = "| --- |"
    for name in stores:
        head += (f" {name}: p50 of next {WINDOW} turns | {name}: same moment, new session |"
                 f" {name}: action-server request (median / max) |")
        rule += " --- | --- | --- |"
    print(head)
    print(rule)
    for c in checkpoints:
        row = f"| {c} |"
        for name in stores:
            r = results[name].get(c)
            row += (f" {r[0]:.0f} ms | {r[3]:.0f} ms ({(r[0] / r[3] - 1) * 100:+.0f} %) |"
                    f" {r[1] / 1024:.1f} KiB / {r[2] / 1024:.1f} KiB |") if r else " – | – | – |"
        print(row)
    last = max(checkpoints)
    for name in stores:
        r = results[name]
        if 0 in r and last in r:
            print(f"\n{name}: turn {last} vs turn 0 of the session: {(r[last][0] / r[0][0] - 1) * 100:+.0f} %; "
                  f"vs a new session at the same moment: {(r[last][0] / r[last][3] - 1) * 100:+.0f} % "
                  f"(target for after: within 20 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
