"""The app's warm LibreOffice pool: started on the first PDF asked for, stopped with the app."""
from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from docgen.pdf import PdfPool, libreoffice_available

_EXTENSION = "docgen_pdf"
_lock = threading.Lock()


def pdf_pool() -> PdfPool | None:
    """The pool of this app, or None where LibreOffice is not installed."""
    app = current_app._get_current_object()
    with _lock:
        if _EXTENSION not in app.extensions:
            if not libreoffice_available():
                return None
            pool = PdfPool(workers=int(app.config.get("PDF_WORKERS", 1)),
                           timeout=float(app.config.get("PDF_TIMEOUT", 60)))
            app.extensions[_EXTENSION] = pool
            atexit.register(pool.close)
        return app.extensions[_EXTENSION]


def close_pdf_pool(app: Flask) -> None:
    pool = app.extensions.pop(_EXTENSION, None)
    if pool is not None:
        pool.close()
