"""Pieces of the office-format Word templates, written with python-docx (see tools/build_templates.py)."""
