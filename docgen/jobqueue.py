"""The job queue on Redis (RQ), switched on by DOCGEN_REDIS_URL; unset, nothing here is used.

The web processes then start no LibreOffice: a PDF asked for on a page is a conversion job on the
`docgen-pdf` queue, and a print job is a job on `docgen-print` carrying only the job's id (its
state stays in the database: progress, restart semantics and the atomic claim of
`printjobs.run_print_job` are the same as with the embedded runner). `docgen worker` takes both
queues (PDFs first: someone waits at the screen for them) with its own warm LibreOffice pool.

A conversion travels as bytes (the .docx in, the PDF back), so the web and the workers need not
share a disk for it; a print job's stack is written to the output folder, which they share.
The worker that runs a print job converts with its own pool and sends what its pool cannot take at
once to the queue, so one stack spreads over every worker; a conversion no other worker took is
done locally, so one worker alone still finishes it. A worker that dies (kill -9) stops renewing
a short-lived key: whoever waits for its conversion sees that within seconds and does it itself.

RQ rather than Celery: it needs nothing but Redis (already there for the login limits), its
worker is one small process we can give a warm LibreOffice pool, and its jobs are plain function
calls with the job's id.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from .pdf import FAILED_MESSAGE, PdfBusy, PdfCrashed, PdfError, PdfFailed, _publish, _temp_beside, _unlink

log = logging.getLogger(__name__)

REDIS_URL_ENV = "DOCGEN_REDIS_URL"
PDF_QUEUE = "docgen-pdf"
PRINT_QUEUE = "docgen-print"
# a print job of MAX_JOB_DOCUMENTS documents at a few seconds each, with room to spare
PRINT_JOB_TIMEOUT = 4 * 3600
# how long the worker converting a document keeps saying it is alive (renewed every second)
ALIVE_SECONDS = 4
# how long a web request waits for a worker to take its conversion before answering "busy"
PICKUP_SECONDS = 20

UNAVAILABLE_MESSAGE = "Drukarnia jest chwilowo niedostępna – spróbuj ponownie za chwilę."
PRINT_UNAVAILABLE = ("Drukarnia była chwilowo niedostępna i wydruk nie został przyjęty. "
                     "Zleć go ponownie za chwilę.")


class QueueUnavailable(PdfBusy):
    """Redis or the workers cannot be reached: the user tries again shortly (HTTP 503)."""

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE_MESSAGE)


def redis_url() -> str | None:
    return os.environ.get(REDIS_URL_ENV, "").strip() or None


@functools.lru_cache(maxsize=8)
def connection(url: str):
    """One client per URL and process (redis-py's pool is thread-safe); short timeouts, so a Redis
    that is gone is an answer within seconds, not a hung request."""
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10, health_check_interval=10)


def _queue(redis, name: str):
    from rq import Queue

    return Queue(name, connection=redis)


def _alive_key(rq_job_id: str) -> str:
    return f"docgen:alive:{rq_job_id}"


# --- the web's side ----------------------------------------------------------------------

def enqueue_print_job(redis, job_id: int) -> None:
    """Raises redis.RedisError when Redis cannot be reached."""
    _queue(redis, PRINT_QUEUE).enqueue(run_print_job_task, job_id, job_id=f"print-{job_id}",
                                       job_timeout=PRINT_JOB_TIMEOUT, result_ttl=600, failure_ttl=7 * 86400)


class QueuedConverter:
    """A PDF pool's `convert` done by the queue's workers (docgen.pdf.PdfPool's interface)."""

    def __init__(self, redis, timeout: float) -> None:
        self.redis = redis
        self.timeout = timeout

    def convert(self, source: bytes | str | os.PathLike, out_path: str | os.PathLike) -> Path:
        from redis import RedisError

        out_path = Path(out_path).absolute()
        docx = bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
        try:
            job = _enqueue_conversion(self.redis, docx, self.timeout)
            outcome = _wait(self.redis, job, self.timeout, pickup=PICKUP_SECONDS)
        except RedisError:
            log.warning("PDF: the queue cannot be reached", exc_info=True)
            raise QueueUnavailable() from None
        if outcome is None:  # no worker took it: nobody is running, or all are stuck
            with contextlib.suppress(RedisError):
                job.cancel()
            raise QueueUnavailable()
        return _write_outcome(outcome, out_path)


def _enqueue_conversion(redis, docx: bytes, timeout: float):
    return _queue(redis, PDF_QUEUE).enqueue(convert_task, docx, job_timeout=int(timeout) + 30, result_ttl=120,
                                            failure_ttl=3600, ttl=600)


def _wait(redis, job, timeout: float, *, pickup: float | None = None,
          give_up: Callable[[str], bool] | None = None) -> dict[str, Any] | None:
    """The conversion's outcome, or None when it was not picked up within `pickup` seconds, its
    worker died, it ran past `timeout`, or `give_up(status)` says the caller does it itself."""
    from rq.exceptions import InvalidJobOperation
    from rq.results import Result

    started = time.monotonic()
    took = None
    while True:
        result = job.latest_result(timeout=1)
        if result is not None:
            if result.type == Result.Type.SUCCESSFUL:
                return result.return_value
            return {"error": FAILED_MESSAGE}
        try:
            status = getattr(job.get_status(refresh=True), "value", "") or ""
        except InvalidJobOperation:  # gone from Redis (restarted without its data): nobody will do it
            return None
        now = time.monotonic()
        if give_up is not None and give_up(status):
            return None
        if status == "started":
            took = took or now
            if not redis.exists(_alive_key(job.id)) and now - took > ALIVE_SECONDS:
                log.warning("PDF: the worker converting %s stopped", job.id)
                return None
            if now - took > timeout + 10:
                return None
        elif status in ("failed", "stopped", "canceled"):
            return {"error": FAILED_MESSAGE}
        elif pickup is not None and took is None and now - started > pickup:
            return None


def _write_outcome(outcome: dict[str, Any], out_path: Path) -> Path:
    if outcome.get("crashed"):
        raise PdfCrashed()
    if outcome.get("busy"):
        raise PdfBusy(outcome["error"])
    if "pdf" not in outcome:
        raise PdfFailed(outcome.get("error") or FAILED_MESSAGE)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(out_path)
    try:
        temp.write_bytes(outcome["pdf"])
        _publish(temp, out_path)
    finally:
        _unlink(temp)
    return out_path


# --- the worker's side -------------------------------------------------------------------

class _WorkerState:
    pool = None  # docgen.pdf.PdfPool
    sessions = None  # sqlalchemy sessionmaker
    redis = None
    local_workers = 1
    timeout = 60.0
    current_print_job: int | None = None


_state = _WorkerState()


def convert_task(docx: bytes) -> dict[str, Any]:
    """Run by `docgen worker`: the .docx's PDF, or the Polish reason it could not be made."""
    from rq import get_current_job

    job = get_current_job()
    stop = threading.Event()
    if job is not None:
        threading.Thread(target=_say_alive, args=(_state.redis, job.id, stop), daemon=True).start()
    try:
        with tempfile.TemporaryDirectory(prefix="docgen-queue-") as folder:
            out = Path(folder) / "document.pdf"
            try:
                _state.pool.convert(docx, out)
            except PdfCrashed as problem:
                return {"error": str(problem), "crashed": True}
            except PdfBusy as problem:
                return {"error": str(problem), "busy": True}
            except PdfError as problem:
                return {"error": str(problem)}
            return {"pdf": out.read_bytes()}
    finally:
        stop.set()


def _say_alive(redis, rq_job_id: str, stop: threading.Event) -> None:
    while True:
        with contextlib.suppress(Exception):  # Redis away for a moment: the waiter falls back on its own
            redis.set(_alive_key(rq_job_id), "1", ex=ALIVE_SECONDS)
        if stop.wait(1):
            with contextlib.suppress(Exception):
                redis.delete(_alive_key(rq_job_id))
            return


def run_print_job_task(job_id: int) -> None:
    """Run by `docgen worker`: the job, claimed atomically (a job is never printed twice)."""
    from rq import Worker

    from .store import printjobs

    try:  # as many conversions at once as there are LibreOffices on all the workers (at most 8 workers' worth)
        others = max(0, Worker.count(connection=_state.redis) - 1)
    except Exception:  # noqa: BLE001 - Redis away: this worker's own pool does it all
        others = 0
    parallel = _state.local_workers * (1 + min(others, 7))
    converter = SpreadConverter(_state.pool, _state.redis, _state.local_workers, _state.timeout)
    _state.current_print_job = job_id
    try:
        printjobs.run_print_job(job_id, _state.sessions, converter, parallel=parallel)
    finally:
        _state.current_print_job = None


class SpreadConverter:
    """The print job's conversions: on this worker's pool while it has a free LibreOffice, else
    on the queue for the other workers; taken back when this pool frees up before anyone took it."""

    def __init__(self, pool, redis, local_workers: int, timeout: float) -> None:
        self.pool = pool
        self.redis = redis
        self.timeout = timeout
        self._local = threading.BoundedSemaphore(local_workers)

    def convert(self, source: Path, out_path: Path) -> Path:
        from redis import RedisError

        if self._local.acquire(blocking=False):
            return self._here(source, out_path, acquired=True)
        try:
            job = _enqueue_conversion(self.redis, Path(source).read_bytes(), self.timeout)
            outcome = _wait(self.redis, job, self.timeout, give_up=lambda status: status == "queued"
                            and self._local.acquire(blocking=False) and self._took_back(job))
        except RedisError:
            log.warning("print: the queue cannot be reached; converting here", exc_info=True)
            return self._here(source, out_path)
        if outcome is None:
            return self._here(source, out_path, acquired=getattr(job, "taken_back", False))
        return _write_outcome(outcome, out_path)

    def _took_back(self, job) -> bool:
        job.taken_back = True
        with contextlib.suppress(Exception):
            job.cancel()
        return True

    def _here(self, source: Path, out_path: Path, acquired: bool = False) -> Path:
        if not acquired:
            self._local.acquire()
        try:
            if Path(out_path).is_file():
                return Path(out_path)
            return self.pool.convert(source, out_path)
        finally:
            self._local.release()


def _beat_print_jobs(stop: threading.Event) -> None:
    """Keeps the heartbeat of the job this worker runs and of the jobs waiting in the queue fresh,
    so that they are not taken for jobs of a stopped app (printjobs.settle_if_stale)."""
    from .store import printjobs

    while not stop.wait(printjobs.HEARTBEAT_SECONDS):
        current = _state.current_print_job
        try:
            waiting = [int(rq_id.removeprefix("print-")) for rq_id in _queue(_state.redis, PRINT_QUEUE).get_job_ids()
                       if rq_id.startswith("print-")]
        except Exception:  # noqa: BLE001 - Redis away: the job in hand is still beaten
            waiting = []
        try:
            with _state.sessions() as session:
                printjobs.beat(session, waiting + ([current] if current is not None else []))
                session.commit()
        except Exception:  # noqa: BLE001 - the next beat comes well before a job looks stale
            log.warning("print jobs: heartbeat not saved", exc_info=True)


def run_worker(url: str, *, pdf_workers: int, timeout: float, name: str | None = None, burst: bool = False) -> bool:
    """`docgen worker`: one RQ worker process (no fork per job, so its LibreOffice pool stays warm)."""
    from rq import SimpleWorker

    from .pdf import PdfPool
    from .store.db import database_url, make_engine, make_sessionmaker

    _state.redis = connection(url)
    _state.redis.ping()
    _state.sessions = make_sessionmaker(make_engine(database_url()))
    _state.local_workers = pdf_workers
    _state.timeout = timeout
    _state.pool = PdfPool(workers=pdf_workers, timeout=timeout).start()
    stop = threading.Event()
    threading.Thread(target=_beat_print_jobs, args=(stop,), name="print-jobs-heartbeat", daemon=True).start()
    try:
        worker = SimpleWorker([PDF_QUEUE, PRINT_QUEUE], connection=_state.redis, name=name)
        return worker.work(burst=burst, logging_level="WARNING")
    finally:
        stop.set()
        _state.pool.close()
