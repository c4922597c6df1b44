"""Storage: SQLAlchemy models, sessions, repositories and Alembic migrations."""
