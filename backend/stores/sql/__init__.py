"""SQL store (SQLite and PostgreSQL) built on SQLAlchemy Core, with Alembic migrations."""
