"""The app's print-job runner: the embedded one, started with the first job, or the queue on Redis
(DOCGEN_REDIS_URL), whose `docgen worker` processes run the jobs."""
from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from docgen import jobqueue
from docgen.jobs import EmbeddedRunner
from docgen.store import printjobs
from docgen.store.models import JOB_FAILED, JOB_QUEUED, PrintJob

from .pdf import pdf_pool

_EXTENSION = "docgen_jobs"
_lock = threading.Lock()


class QueueRunner:
    """Print jobs go to the RQ queue; when Redis cannot be reached the job ends failed at once, saying so."""

    def __init__(self, sessions, url: str) -> None:
        self._sessions = sessions
        self._redis = jobqueue.connection(url)

    def submit(self, job_id: int) -> None:
        from redis import RedisError

        try:
            jobqueue.enqueue_print_job(self._redis, job_id)
        except RedisError:
            with self._sessions() as session:
                job = session.get(PrintJob, job_id)
                if job is not None and job.status == JOB_QUEUED:
                    job.status, job.message, job.finished_at = JOB_FAILED, jobqueue.PRINT_UNAVAILABLE, printjobs.now()
                    session.commit()

    def close(self) -> None:
        self._redis.close()  # its connections; the queue and the workers stay


def print_runner() -> EmbeddedRunner | QueueRunner:
    app = current_app._get_current_object()
    with _lock:
        if _EXTENSION not in app.extensions:
            sessions = app.extensions["docgen_sessionmaker"]
            # jobs left by an earlier run of the app are over: say so before taking new ones
            with sessions() as session:
                printjobs.settle_stale_jobs(session)
                session.commit()
            url = jobqueue.redis_url()
            if url:
                app.extensions[_EXTENSION] = QueueRunner(sessions, url)
                return app.extensions[_EXTENSION]

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
