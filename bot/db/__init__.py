"""The case database: SQLAlchemy 2 models, engine/session handling and alembic migrations."""
