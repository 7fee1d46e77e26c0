"""An office's Word templates are checked and rendered in separate processes, under limits.

The check of an uploaded template and every render of an office's template (not the built-in ones,
which stay in the app's process: the fast path) go to a small pool of warm child processes
(worker.py), each used by one caller at a time. A child runs with limits on CPU time and memory that
the kernel enforces (limits.py); the app waits for its answer at most the time limit, then kills it.
Whatever the template does, the app's own threads only wait on a pipe, so other users are answered,
and the limit that was hit is named in Polish (TemplateLimitExceeded). A child that was killed or hit a
limit is replaced in the background.

At most `workers - 1` checks run at once (one, with the two workers of an office PC), so uploads
never take every process from the renders of documents; a check beyond that, or a caller when
`max_waiting` callers already wait, is answered at once with TemplateBusy rather than holding one of
the web server's threads.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .limits import CHECKING, RENDERING, ProcessLimits, process_limits, worker_count
from .problems import TemplateBusy, TemplateLimitExceeded, TemplateNotRun, TemplateProblem, TemplateRejected
from .protocol import MEMORY_EXIT, read_frame, write_frame

log = logging.getLogger(__name__)

STARTUP_SECONDS = 60.0   # a child imports the engine and checks a built-in template before it is ready
MAX_JOBS = 500           # then it is replaced: caches and memory do not grow for ever
MAX_ANSWER_BYTES = 256 * 2 ** 20

BUSY = "Sprawdzanie i wypełnianie szablonów ośrodka jest teraz zajęte – spróbuj ponownie za chwilę."
CHECK_BUSY = "Właśnie trwa sprawdzanie innego szablonu – spróbuj ponownie za chwilę."
NOT_STARTED = ("Nie udało się uruchomić procesu, który sprawdza i wypełnia szablony ośrodka. Spróbuj ponownie; "
               "jeśli się powtórzy, zgłoś to administratorowi.")
DIED = ("{what} szablonu zostało przerwane: proces zakończył się nieoczekiwanie ({how}). Szablon może być "
        "uszkodzony albo złośliwy; spróbuj ponownie, a jeśli się powtórzy, popraw szablon w Wordzie.")
_WHAT = {CHECKING: "Sprawdzanie", RENDERING: "Wypełnianie"}
_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding the docgen package


class _Died(Exception):
    def __init__(self, returncode: int | None) -> None:
        super().__init__(returncode)
        self.returncode = returncode


class _TimedOut(Exception):
    pass


class _Child:
    """One worker.py process and the thread reading its answers."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.process: subprocess.Popen | None = None
        self.frames: queue.Queue[bytes | None] = queue.Queue()
        self.jobs = 0

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        self.stop()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (_ROOT, env.get("PYTHONPATH"))))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "docgen.templates.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                env=env, start_new_session=True)  # Ctrl+C in the app's terminal reaches the app, not here
        except OSError as error:
            raise TemplateBusy([NOT_STARTED]) from error
        self.frames = queue.Queue()
        threading.Thread(target=self._read, args=(self.process.stdout, self.frames),
                         name=f"template-worker-{self.number}-reader", daemon=True).start()
        self.jobs = 0
        try:
            ready = self.frames.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            ready = None
        if not ready or not json.loads(ready).get("ready"):
            self.stop()
            raise TemplateBusy([NOT_STARTED])

    @staticmethod
    def _read(stream, frames: queue.Queue) -> None:
        with contextlib.suppress(OSError, ValueError):  # the pipe closed under us: the child is gone
            while (frame := read_frame(stream, MAX_ANSWER_BYTES)) is not None:
                frames.put(frame)
        frames.put(None)

    def ask(self, job: bytes, timeout: float, with_payload: bool) -> tuple[dict[str, Any], bytes | None]:
        """Send a job and wait for its answer; _TimedOut after `timeout` seconds, _Died when the child ends."""
        try:
            write_frame(self.process.stdin, job)
            self.process.stdin.flush()
        except (AttributeError, OSError, ValueError):
            raise _Died(self._returncode()) from None
        deadline = time.monotonic() + timeout
        header = json.loads(self._frame(deadline))
        payload = self._frame(deadline) if with_payload and header.get("ok") else None
        return header, payload

    def _frame(self, deadline: float) -> bytes:
        try:
            frame = self.frames.get(timeout=max(deadline - time.monotonic(), 0))
        except queue.Empty:
            raise _TimedOut() from None
        if frame is None:
            raise _Died(self._returncode())
        return frame

    def _returncode(self) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired, AttributeError):
            return self.process.wait(timeout=5)
        return None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


class TemplateProcesses:
    """The pool of child processes; `run` is all a caller needs."""

    def __init__(self, workers: int = 2, *, max_waiting: int | None = None) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._children = [_Child(number) for number in range(workers)]
        self._idle = list(self._children)
        self.max_waiting = 2 * workers if max_waiting is None else max_waiting
        self._waiting = 0
        self._closed = False
        self._changed = threading.Condition()
        self._check_slots = threading.BoundedSemaphore(max(1, workers - 1))

    def start(self, *, wait: bool = True) -> TemplateProcesses:
        """Start every child now, in parallel, rather than on first use; each joins the pool when ready."""
        with self._changed:
            taken = [child for child in self._idle if not child.alive()]
            self._idle = [child for child in self._idle if child not in taken]
        threads = [self._restart_in_background(child) for child in taken]
        for thread in threads if wait else ():
            thread.join()
        return self

    def run(self, kind: str, job: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
        """Do `job` ("check" or "render") in a child under the limits of now; its answer (JSON) and, for a
        render, the document. TemplateLimitExceeded names the limit hit, TemplateBusy says try again."""
        limits = process_limits()
        frame = pickle.dumps({**job, "kind": kind, "cpu_seconds": limits.cpu_seconds,
                              "memory_bytes": limits.memory_mb * 2 ** 20}, protocol=pickle.HIGHEST_PROTOCOL)
        if kind == CHECKING and not self._check_slots.acquire(blocking=False):
            raise TemplateBusy([CHECK_BUSY])
        try:
            child = self._acquire()
            restart = True  # unless the child answers as it should
            try:
                if not child.alive():
                    try:
                        child.start()
                    except TemplateBusy:
                        log.error("a template worker did not start", exc_info=True)
                        raise
                try:
                    header, payload = child.ask(frame, limits.wall_seconds, with_payload=kind == RENDERING)
                except _TimedOut:
                    child.stop()
                    raise TemplateLimitExceeded([limits.time_message(kind)]) from None
                except _Died as died:
                    raise _death(died.returncode, limits, kind) from None
                child.jobs += 1
                if header.get("limit") == "memory":  # the child ends itself after such a job
                    raise TemplateLimitExceeded([limits.memory_message(kind)])
                restart = child.jobs >= MAX_JOBS
                return header, payload
            finally:
                if restart and not self._closed:
                    self._restart_in_background(child)
                else:
                    self._release(child)
        finally:
            if kind == CHECKING:
                self._check_slots.release()

    def _acquire(self) -> _Child:
        with self._changed:
            if self._closed:
                raise TemplateBusy([BUSY])
            if not self._idle:
                if self._waiting >= self.max_waiting:
                    raise TemplateBusy([BUSY])
                self._waiting += 1
                try:
                    while not self._idle and not self._closed:
                        self._changed.wait()
                finally:
                    self._waiting -= 1
                if self._closed:
                    raise TemplateBusy([BUSY])
            return self._idle.pop()

    def _release(self, child: _Child) -> None:
        with self._changed:
            self._idle.append(child)
            self._changed.notify()

    def _restart_in_background(self, child: _Child) -> threading.Thread:
        def restart() -> None:
            try:
                child.stop()
                if not self._closed:
                    with contextlib.suppress(TemplateBusy):  # left stopped: the next caller starts it, or hears why
                        child.start()
            finally:
                if self._closed:
                    child.stop()
                self._release(child)

        thread = threading.Thread(target=restart, name=f"template-worker-{child.number}-restart", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        for child in self._children:
            child.stop()


def _death(returncode: int | None, limits: ProcessLimits, kind: str) -> TemplateNotRun:
    if returncode == -signal.SIGXCPU:
        return TemplateLimitExceeded([limits.cpu_message(kind)])
    if returncode == MEMORY_EXIT:
        return TemplateLimitExceeded([limits.memory_message(kind)])
    how = f"sygnał {-returncode}" if returncode is not None and returncode < 0 else f"kod {returncode}"
    log.error("template worker died while %s a template: %s", kind, how)
    return TemplateNotRun([DIED.format(what=_WHAT[kind], how=how)])


# --- the app's pool ---------------------------------------------------------------------------

_POOL: TemplateProcesses | None = None
_POOL_LOCK = threading.Lock()


def processes() -> TemplateProcesses:
    """The process's pool, made on first use with DOCGEN_TEMPLATE_WORKERS children, closed at exit."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = TemplateProcesses(worker_count()).start(wait=False)
            atexit.register(_POOL.close)
        return _POOL


def _forget_after_fork() -> None:
    """A forked process (a server's worker) makes its own pool: the children and threads are the parent's."""
    global _POOL, _POOL_LOCK
    _POOL, _POOL_LOCK = None, threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX; the limits themselves need Linux (setrlimit, /proc)
    os.register_at_fork(after_in_child=_forget_after_fork)


def _doctype_reference(doctype) -> str | bytes:
    """How the child finds the type: its id when it is a registered one, else the type itself, pickled."""
    from ..doctypes import DOCTYPES

    if DOCTYPES.get(doctype.id) is doctype:
        return doctype.id
    try:
        return pickle.dumps(doctype)
    except Exception as error:  # noqa: BLE001 - pickling says why in many ways
        raise TypeError(f"document type {doctype.id!r} is neither registered nor picklable: {error}") from error


def check(data: bytes, doctype) -> list[TemplateProblem]:
    """check.check_template_here in a child; TemplateLimitExceeded or TemplateBusy when it did not finish."""
    header, _ = processes().run(CHECKING, {"template": bytes(data), "doctype": _doctype_reference(doctype)})
    return [TemplateProblem(*problem) for problem in header["problems"]]


def render(data: bytes, context: dict[str, Any]) -> bytes:
    """engine.render_context in a child: the .docx, or TemplateRejected (a limit hit: TemplateLimitExceeded)."""
    header, payload = processes().run(RENDERING, {"template": bytes(data), "context": context})
    if not header.get("ok"):
        raise TemplateRejected([TemplateProblem(*problem) for problem in header["problems"]])
    return payload
