"""Storage: SQLAlchemy models and sessions, the same code on SQLite and PostgreSQL."""
