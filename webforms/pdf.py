"""The app's warm LibreOffice pool: started on the first PDF asked for, stopped with the app.
With DOCGEN_REDIS_URL the app starts no LibreOffice: the queue's workers convert (docgen.jobqueue)."""
from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from docgen import jobqueue
from docgen.pdf import PdfPool, libreoffice_available

_EXTENSION = "docgen_pdf"
_lock = threading.Lock()


def pdf_pool() -> PdfPool | jobqueue.QueuedConverter | None:
    """The pool of this app (or the queue's workers), or None where LibreOffice is not installed."""
    app = current_app._get_current_object()
    with _lock:
        if _EXTENSION not in app.extensions:
            url = jobqueue.redis_url()
            if url:
                app.extensions[_EXTENSION] = jobqueue.QueuedConverter(jobqueue.connection(url),
                                                                      timeout=float(app.config.get("PDF_TIMEOUT", 60)))
                return app.extensions[_EXTENSION]
            if not libreoffice_available():
                return None
            pool = PdfPool(workers=int(app.config.get("PDF_WORKERS", 1)),
                           timeout=float(app.config.get("PDF_TIMEOUT", 60)))
            app.extensions[_EXTENSION] = pool
            atexit.register(pool.close)
        return app.extensions[_EXTENSION]


def close_pdf_pool(app: Flask) -> None:
    pool = app.extensions.pop(_EXTENSION, None)
    if isinstance(pool, PdfPool):
        pool.close()
