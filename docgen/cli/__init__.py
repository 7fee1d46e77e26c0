"""The `docgen` command: document types, schemas, rendering from JSON, checking .docx files,
checking Word templates and their guide, the database and the demo data, and serving the web app.

Every command uses DATABASE_URL (default: SQLite in instance/). Nothing here imports Flask
at module level: `serve` imports the web app when it runs.
"""
from __future__ import annotations

from .parser import build_parser, main

__all__ = ["build_parser", "main"]
