"""The web channel: a resident chat page and a staff console on one Starlette application.

- ``app``: the ASGI application (routes, lifespan: the web channel's deliverer and the outbox worker);
- ``sessions``: signed session cookies, CSRF tokens, staff console logins;
- ``transcript``: what each page session shows, and the deliverer proactive messages are stored by;
- ``accounts``: staff console passwords (Argon2id) and the login with its lockout;
- ``console``: the staff console's operations (ticket queue, take/reply/close, case lookup, hotline scripts),
  each audited;
- ``server``: ``run_web`` (uvicorn) for `lueyang web` and `make run`;
- ``texts``: the Chinese texts of the pages.
"""
