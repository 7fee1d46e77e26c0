"""The app's print-job runner: the embedded one, started with the first job."""
from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from docgen.jobs import EmbeddedRunner
from docgen.store import printjobs

from .pdf import pdf_pool

_EXTENSION = "docgen_jobs"
_lock = threading.Lock()


def print_runner() -> EmbeddedRunner:
    app = current_app._get_current_object()
    with _lock:
        if _EXTENSION not in app.extensions:
            sessions = app.extensions["docgen_sessionmaker"]
            # jobs left by an earlier run of the app are over: say so before taking new ones
            with sessions() as session:
                printjobs.settle_stale_jobs(session)
                session.commit()

            def converter():
                with app.app_context():
                    return pdf_pool()

            runner = EmbeddedRunner(sessions, converter, parallel=int(app.config.get("PDF_WORKERS", 1)))
            app.extensions[_EXTENSION] = runner
            atexit.register(runner.close)
        return app.extensions[_EXTENSION]


def close_print_runner(app: Flask) -> None:
    runner = app.extensions.pop(_EXTENSION, None)
    if runner is not None:
        runner.close()
