"""Helpers shared by every test area (as python-telegram-bot's ``tests/auxil``): import them as ``tests.auxil.X``.

- ``trackers.make_tracker``: the one rasa_sdk ``Tracker`` factory for action tests (Tracker + CollectingDispatcher
  built inline, as rasa-sdk's own tests do);
- ``telegram``: the fake Bot API (``FakeBotApi``), its ``BaseRequest`` (``RecordingRequest``), a ``Bot`` on it
  (``fake_bot``), the API over real HTTP (``FakeTelegramServer``) and Telegram update builders;
- ``rasa``: a fake Rasa REST channel (``FakeRasa``) over real HTTP;
- ``http``: the tiny asyncio HTTP/1.1 server both fakes use;
- ``casedb.CaseDb``: the running assistant's case database, opened from a conversation test.
"""
