"""The embedded job runner: print jobs run in a thread of the app's own process.

The runner's whole interface is `submit(job_id)`: the job's data lives in the database and
`docgen.store.printjobs.run_print_job` does the work, so a real queue (RQ or Celery on
Redis, on other machines) can replace this class by enqueuing that function with the id.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from .pdf import LIBREOFFICE_MISSING
from .store import printjobs
from .store.models import JOB_FAILED, JOB_QUEUED, PrintJob

log = logging.getLogger(__name__)


class EmbeddedRunner:
    """One job at a time, in order; the heartbeat of every job it holds is kept fresh by a
    second thread, so that a job of a stopped app is seen as interrupted, not as running."""

    def __init__(self, sessions: sessionmaker[Session], converter: Callable[[], printjobs.Converter | None], *,
                 parallel: int = 1, heartbeat: float = printjobs.HEARTBEAT_SECONDS) -> None:
        self._sessions = sessions
        self._converter = converter
        self._parallel = parallel
        self._heartbeat = heartbeat
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._threads = [threading.Thread(target=self._work, name="print-jobs", daemon=True),
                         threading.Thread(target=self._beat, name="print-jobs-heartbeat", daemon=True)]
        for thread in self._threads:
            thread.start()

    def submit(self, job_id: int) -> None:
        with self._lock:
            self._held.add(job_id)
        self._queue.put(job_id)

    def idle(self) -> bool:
        with self._lock:
            return not self._held

    def close(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)

    def _work(self) -> None:
        while not self._stopped.is_set():
            job_id = self._queue.get()
            if job_id is None:
                return
            try:
                converter = self._converter()
                if converter is None:
                    self._fail(job_id, LIBREOFFICE_MISSING)
                else:
                    printjobs.run_print_job(job_id, self._sessions, converter, parallel=self._parallel)
            except Exception:  # noqa: BLE001 - the runner thread must outlive any one job
                log.exception("print job %s", job_id)
                self._fail(job_id, printjobs.UNEXPECTED)
            finally:
                with self._lock:
                    self._held.discard(job_id)

    def _fail(self, job_id: int, message: str) -> None:
        with self._sessions() as session:
            job = session.get(PrintJob, job_id)
            if job is not None and job.status == JOB_QUEUED:
                job.status, job.message, job.finished_at = JOB_FAILED, message, printjobs.now()
                session.commit()

    def _beat(self) -> None:
        while not self._stopped.wait(self._heartbeat):
            with self._lock:
                held = list(self._held)
            if not held:
                continue
            try:
                with self._sessions() as session:
                    printjobs.beat(session, held)
                    session.commit()
            except Exception:  # noqa: BLE001 - a busy database: the next beat comes well before a job looks stale
                log.warning("print jobs: heartbeat not saved", exc_info=True)
