"""Parse messages with a trained model and print intent, confidence, runner-up and entities.

Usage (Rasa venv): PYTHONPATH=. .venvs/rasa/bin/python scripts/nlu_probe.py [--model models/X.tar.gz] "text" ...
Reads messages from stdin (one per line) when none are given.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")  # before Rasa is imported

from rasa.core.agent import Agent  # noqa: E402 - Rasa venv only; after the telemetry default above


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    parser.add_argument("texts", nargs="*")
    args = parser.parse_args()
    model = args.model or str(max(Path("models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime))
    agent = Agent.load(model)
    texts = args.texts or [line.rstrip("\n") for line in sys.stdin if line.strip()]
    for text in texts:
        result = await agent.parse_message(text)
        ranking = result.get("intent_ranking") or []
        second = ranking[1] if len(ranking) > 1 else {}
        ents = ", ".join(f"{e['entity']}={e['value']}" for e in result.get("entities") or [])
        print(f"{result['intent']['name']:<22} {result['intent']['confidence']:.2f}  "
              f"({second.get('name')} {second.get('confidence', 0):.2f})  {text}  [{ents}]")


if __name__ == "__main__":
    asyncio.run(main())
