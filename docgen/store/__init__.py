"""Storage: SQLAlchemy models and sessions, the same code on SQLite and PostgreSQL."""

# the audit trail's append-only guards are ORM events: registered by importing the module,
# here, so that every user of the store has them
from . import audit as _audit  # noqa: F401
