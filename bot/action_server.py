"""Entry point of the action server: production check, masking log filter + rasa_sdk's endpoint.

`python -m bot.action_server --port 5055` (binds SANIC_HOST, default 127.0.0.1 via the runner). In the production
profile it refuses to start with unsafe settings (``Settings.check_production``), as every production unit does.
"""

from __future__ import annotations

import argparse
import logging
import os

from rasa_sdk import endpoint

from bot.errors import ConfigurationError
from bot.logging_setup import configure_logging
from bot.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="略阳县社会救助助手 action server")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        settings.check_production()
    except ConfigurationError as exc:
        raise SystemExit(f"error: {exc}") from None
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")  # read by endpoint.run
    configure_logging(settings.log_level)
    logging.getLogger(__name__).info("starting the action server on port %s", args.port)
    endpoint.run("actions", port=args.port, cors_origins=None)


if __name__ == "__main__":
    main()
