"""How `docgen serve` runs the app: one process under waitress (the office PC, any system), or
several processes under gunicorn (Linux), which is what uses more than one core: a Python
process runs one request's Python code at a time however many threads it has.

Several processes share nothing but the database and the output folder, which is all the app
keeps its state in (login sessions and print jobs are rows). Each worker starts its
own LibreOffice for PDFs when first asked for one (about 200 MB each, DOCGEN_PDF_WORKERS per
process), and its own print-job runner; with DOCGEN_REDIS_URL none of them does: `docgen worker`
processes take PDFs and print jobs from the queue (docgen/jobqueue.py), and the login limits count in Redis.
"""
from __future__ import annotations

from typing import Any

from flask import Flask

WAITRESS_THREADS = 8
# per gunicorn worker: requests waiting for the database or a PDF do not hold up the others
GUNICORN_THREADS = 4


class ServerUnavailable(RuntimeError):
    """The server asked for cannot run here (no waitress; several processes without gunicorn); the message is Polish."""


def serve(app: Flask, host: str, port: int, workers: int = 1, **waitress_options: Any) -> None:
    """waitress_options: proxy.waitress_options() when waitress applies a proxy's headers itself;
    under gunicorn the app applies them (proxy.install), so there are none."""
    if workers <= 1:
        try:
            import waitress
        except ImportError:
            raise ServerUnavailable("Brak pakietu waitress; zainstaluj go: pip install waitress.") from None
        waitress.serve(app, host=host, port=port, threads=WAITRESS_THREADS, **waitress_options)
        return
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # Windows: gunicorn needs fork()
        raise ServerUnavailable("Kilka procesów (--workers) działa tylko w Linuksie, z pakietem gunicorn. "
                                 "Uruchom jeden proces: docgen serve (bez --workers).") from None

    class Gunicorn(BaseApplication):
        """The app made once in the master and shared by the forked workers."""

        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread",
                "threads": GUNICORN_THREADS, "preload_app": True, "post_fork": _post_fork,
                # gthread workers keep beating while a long request (a PDF) runs; this only
                # bounds a worker that hangs as a whole
                "timeout": 120, "graceful_timeout": 30, "keepalive": 5,
                "accesslog": None, "errorlog": "-", "proc_name": "docgen",
            }
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn ≥ 25 would open a control socket in the home folder, shared by every server
                options["control_socket_disable"] = True
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Flask:
            return app

    Gunicorn().run()


def _post_fork(_server: Any, worker: Any) -> None:
    """A forked worker must not use the master's database connections (it should have none, but
    the pool is emptied without closing them, so the master's stay usable): SQLAlchemy's advice."""
    app = worker.app.wsgi()
    factory = app.extensions.get("docgen_sessionmaker")
    if factory is not None:
        factory.kw["bind"].dispose(close=False)
