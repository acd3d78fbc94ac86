"""The running assistant's case database, opened from the test process (conversation tests check what a turn
saved): ``with CaseDb(url) as session: ...`` points the process-wide engine at ``url`` for the block."""

from __future__ import annotations

from bot.db.session import make_engine, session_scope, set_engine


class CaseDb:
    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self):
        set_engine(make_engine(self.url))
        self._scope = session_scope()
        return self._scope.__enter__()

    def __exit__(self, *exc):
        try:
            return self._scope.__exit__(*exc)
        finally:
            set_engine(None)
