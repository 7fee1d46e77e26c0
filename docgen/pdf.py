"""PDF from .docx with a small pool of warm LibreOffice processes, and merging PDFs.

Approach: each worker is a headless `soffice` with its own private user profile (a temp
dir), listening on a UNO socket on 127.0.0.1, plus a tiny converter process
(`docgen/pdf_worker.py`, stdlib + uno) that talks UNO to it and to us over JSON lines on
stdin/stdout - the unoserver approach. The app never imports `uno`: Debian's `python3-uno`
is built for Debian's own /usr/bin/python3, not for whatever Python runs the app's venv, so
the converter runs under a Python that has it (`DOCGEN_UNO_PYTHON`, else /usr/bin/python3,
else the Python bundled with LibreOffice).

What a conversion can do to the app is bounded:
- each conversion has a timeout: the worker is killed and restarted, the call raises
  `PdfTimeout`;
- a worker that dies is restarted, the call raises `PdfFailed`; nothing waits forever;
- a worker is restarted after `max_conversions` conversions (LibreOffice grows);
- restarts happen in the background, so the caller that hit the failure gets its answer at once;
- when every worker is busy and `max_waiting` callers already wait, `PdfBusy` answers at once;
- outputs are written to a temp file in the target folder and renamed into place, so a
  file at `out_path` is always a whole PDF, and no partial file is left behind.

Nothing is left running when the app ends (pdf_cleanup.py): each pool keeps its profiles in a folder of
its own with pid files; the pool stops its processes at exit (atexit, and SIGTERM/SIGHUP where it can
handle them), and a new pool kills what a pool killed with -9 left behind and removes its folder.
"""
from __future__ import annotations

import contextlib
import ctypes.util
import functools
import itertools
import json
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterable, Sequence

from pypdf import PdfReader, PdfWriter

from . import pdf_cleanup

LIBREOFFICE_MISSING = ("Do tworzenia plików PDF potrzebny jest LibreOffice (pakiety libreoffice-writer-nogui "
                       "i python3-uno). Dokumenty Word (.docx) można pobierać bez niego.")

WORKER_SCRIPT = Path(__file__).resolve().with_name("pdf_worker.py")


class PdfError(Exception):
    """A PDF could not be made; the message is fit to show to a user."""


class PdfFailed(PdfError):
    """LibreOffice could not convert the document, or its worker died."""


class PdfTimeout(PdfFailed):
    """The conversion took longer than its timeout; the worker was restarted."""


class PdfCrashed(PdfFailed):
    """LibreOffice's worker died during the conversion (and is being restarted): the document itself
    may be fine, and is worth one more try on a worker that did not just crash."""

    def __init__(self) -> None:
        super().__init__(FAILED_MESSAGE)


class PdfBusy(PdfError):
    """Every worker is busy and the waiting queue is full: try again shortly."""


BUSY_MESSAGE = "Drukarnia jest zajęta – spróbuj ponownie za chwilę."
FAILED_MESSAGE = "Nie udało się utworzyć pliku PDF – spróbuj ponownie."
TIMEOUT_MESSAGE = "Tworzenie pliku PDF trwało zbyt długo i zostało przerwane – spróbuj ponownie."


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _candidate_pythons() -> list[str]:
    found = [os.environ.get("DOCGEN_UNO_PYTHON", ""), "/usr/bin/python3"]
    office = soffice_path()
    if office:
        found.append(str(Path(os.path.realpath(office)).with_name("python")))
    return [python for python in found if python and os.access(python, os.X_OK)]


@functools.lru_cache(maxsize=1)
def uno_python() -> str | None:
    """A Python that can `import uno`, to run the worker with; None when there is none."""
    for python in _candidate_pythons():
        try:
            subprocess.run([python, "-I", "-c", "import uno"], check=True, timeout=30,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError):
            continue
        return python
    return None


def libreoffice_available() -> bool:
    """Whether PDFs can be made here: LibreOffice and a Python with its UNO bridge."""
    return soffice_path() is not None and uno_python() is not None


@functools.lru_cache(maxsize=1)
def jemalloc() -> str | None:
    """The system's jemalloc library, when installed (Debian: libjemalloc2)."""
    return ctypes.util.find_library("jemalloc")


def soffice_environment() -> dict[str, str]:
    """The environment LibreOffice runs in: with jemalloc preloaded where there is one. LibreOffice
    allocates and frees heavily while it opens a .docx; under jemalloc a 3-page plan costs about a fifth
    less CPU than under glibc's malloc, and its process stays smaller. DOCGEN_PDF_JEMALLOC=0 turns it off."""
    environment = dict(os.environ)
    library = jemalloc()
    if library and environment.get("DOCGEN_PDF_JEMALLOC", "1") != "0":
        environment["LD_PRELOAD"] = " ".join(filter(None, (library, environment.get("LD_PRELOAD", ""))))
    return environment


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _temp_beside(out_path: Path) -> Path:
    """A new empty file next to `out_path`, with the permissions a plain new file gets (umask)."""
    while True:
        temp = out_path.with_name(f".{out_path.name}.{secrets.token_hex(6)}.part")
        try:
            os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return temp


def _publish(temp: Path, out_path: Path) -> None:
    with open(temp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, out_path)


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


class _Worker:
    """One soffice process and the converter talking to it. Used by one caller at a time."""

    def __init__(self, number: int, startup_timeout: float, folder: Path) -> None:
        self.number = number
        self.startup_timeout = startup_timeout
        self.folder = folder
        self.office: subprocess.Popen | None = None
        self.converter: subprocess.Popen | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.profile: str | None = None
        self.conversions = 0
        self.jobs = itertools.count(1)

    def alive(self) -> bool:
        return (self.office is not None and self.office.poll() is None
                and self.converter is not None and self.converter.poll() is None)

    def start(self) -> None:
        try:
            self._start()
        except OSError as exc:  # could not run soffice or the converter at all
            self.stop()
            raise PdfFailed(FAILED_MESSAGE) from exc

    def _start(self) -> None:
        self.stop()
        python, office = uno_python(), soffice_path()
        if python is None or office is None:
            raise PdfFailed(LIBREOFFICE_MISSING)
        self.profile = tempfile.mkdtemp(prefix=f"profile-{self.number}-", dir=self.folder)
        port = _free_port()
        self.office = subprocess.Popen(
            [office, "--headless", "--invisible", "--nocrashreport", "--nodefault", "--nologo",
             "--nofirststartwizard", "--norestore", "--nolockcheck",
             f"-env:UserInstallation={Path(self.profile).as_uri()}",
             f"--accept=socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=soffice_environment(),
            start_new_session=True)  # its own process group: killed whole, never by the app's signals
        self.converter = subprocess.Popen(
            [python, "-I", str(WORKER_SCRIPT), str(port), str(self.startup_timeout), self.profile],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8", start_new_session=True)
        # each leads a process group (soffice's launcher and soffice.bin share one): a new pool that finds
        # this pool dead kills them by these ids, once their command lines name this pool's folder
        pdf_cleanup.write_pids(self.folder, f"worker-{self.number}", [self.office.pid, self.converter.pid])
        self.lines = queue.Queue()
        threading.Thread(target=self._read, args=(self.converter.stdout, self.lines),
                         name=f"pdf-worker-{self.number}-reader", daemon=True).start()
        self.conversions = 0
        try:
            ready = self.lines.get(timeout=self.startup_timeout + 5)
        except queue.Empty:
            ready = None
        if not ready or not json.loads(ready).get("ready"):
            self.stop()
            raise PdfFailed(FAILED_MESSAGE)

    @staticmethod
    def _read(stream, lines: queue.Queue) -> None:
        with contextlib.suppress(OSError, ValueError):  # the pipe closed under us: the worker is gone
            for line in stream:
                lines.put(line)
        lines.put(None)

    def convert(self, source: Path, target: Path, timeout: float, stall: float) -> None:
        """Convert or raise; on any raise the caller restarts this worker unless told otherwise."""
        job, converter, lines = next(self.jobs), self.converter, self.lines
        try:
            converter.stdin.write(json.dumps({"id": job, "in": str(source), "out": str(target),
                                              "stall": stall}) + "\n")
            converter.stdin.flush()
        except (AttributeError, OSError, ValueError):  # stopped meanwhile (close) or dead
            raise _Dead() from None
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                raise PdfTimeout(TIMEOUT_MESSAGE) from None
            if line is None:
                raise _Dead()
            answer = json.loads(line)
            if answer.get("id") == job:
                break
        self.conversions += 1
        if not answer["ok"]:
            raise _Dead() if answer.get("fatal") else _Refused(answer.get("error", ""))

    def stop(self) -> None:
        for process in (self.converter, self.office):
            if process is None:
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):  # a zombie the init process will reap
                process.wait(timeout=10)
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):  # a broken pipe to a dead process
                        stream.close()
        self.office = self.converter = None
        pdf_cleanup.remove_pids(self.folder, f"worker-{self.number}")
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None


_Dead = PdfCrashed


class _Refused(PdfFailed):
    """LibreOffice is fine but could not convert this document."""

    def __init__(self, detail: str) -> None:
        super().__init__(FAILED_MESSAGE)
        self.detail = detail


class PdfPool:
    """A few warm LibreOffice workers shared by the app's threads.

    Workers start on first use (or all at once with `start()`). `close()` stops them; the
    pool is also a context manager, and closed at the program's exit. Its profiles live in
    a folder of its own under `folder` (the pools' folder, pdf_cleanup.pools_folder()), where
    what dead pools left is reaped first.
    """

    def __init__(self, workers: int = 2, *, timeout: float = 60.0, max_conversions: int = 200,
                 max_waiting: int = 4, startup_timeout: float = 60.0, folder: str | os.PathLike | None = None) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.timeout = timeout
        self.max_conversions = max_conversions
        self.max_waiting = max_waiting
        self.folder = pdf_cleanup.new_pool_folder(folder)  # after reaping the folders of dead pools
        self._workers = [_Worker(number, startup_timeout, self.folder) for number in range(workers)]
        self._idle = list(self._workers)
        self._waiting = 0
        self._closed = False
        self._changed = threading.Condition()
        self._restarts: list[threading.Thread] = []
        self._scratch = tempfile.mkdtemp(prefix="in-", dir=self.folder)
        pdf_cleanup.close_at_exit(self)

    # -- the pool -----------------------------------------------------------------------

    def start(self) -> PdfPool:
        """Start every idle worker that is not running now, in parallel, rather than on first use."""
        with self._changed:
            taken = [worker for worker in self._idle if not worker.alive()]
            self._idle = [worker for worker in self._idle if worker not in taken]
        for worker in taken:
            self._restart_in_background(worker)
        for thread in list(self._restarts):
            thread.join()
        return self

    def stats(self) -> dict[str, int]:
        with self._changed:
            return {"workers": len(self._workers), "busy": len(self._workers) - len(self._idle),
                    "waiting": self._waiting,
                    "running": sum(1 for worker in self._workers if worker.alive())}

    def office_pids(self) -> list[int]:
        """The soffice processes' ids (for monitoring and tests)."""
        return [worker.office.pid for worker in self._workers if worker.office is not None]

    def _acquire(self) -> _Worker:
        with self._changed:
            if self._closed:
                raise PdfFailed(FAILED_MESSAGE)
            if not self._idle:
                if self._waiting >= self.max_waiting:
                    raise PdfBusy(BUSY_MESSAGE)
                self._waiting += 1
                try:
                    while not self._idle and not self._closed:
                        self._changed.wait()
                finally:
                    self._waiting -= 1
                if self._closed:
                    raise PdfFailed(FAILED_MESSAGE)
            return self._idle.pop()

    def _release(self, worker: _Worker) -> None:
        with self._changed:
            self._idle.append(worker)
            self._changed.notify()

    def _restart_in_background(self, worker: _Worker) -> None:
        """Stop the worker and start it again off the caller's thread; it rejoins the pool after."""
        def restart() -> None:
            # a worker that cannot start is left stopped: the next caller starts it and hears why
            try:
                with contextlib.suppress(PdfError):
                    worker.stop()
                    if not self._closed:
                        worker.start()
            finally:
                if self._closed:
                    worker.stop()
                self._release(worker)

        thread = threading.Thread(target=restart, name=f"pdf-worker-{worker.number}-restart", daemon=True)
        with self._changed:
            self._restarts = [t for t in self._restarts if t.is_alive()] + [thread]
        thread.start()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        for worker in self._workers:
            worker.stop()  # a busy worker's caller gets PdfFailed
        for thread in list(self._restarts):
            thread.join(timeout=30)
        for worker in self._workers:
            worker.stop()
        pdf_cleanup.remove_pool_folder(self.folder)

    def __enter__(self) -> PdfPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- conversions --------------------------------------------------------------------

    def convert(self, source: bytes | str | os.PathLike, out_path: str | os.PathLike, *,
                timeout: float | None = None, stall: float = 0.0) -> Path:
        """The .docx (its bytes or its path) as a PDF at `out_path`, written atomically.

        Raises PdfBusy, PdfTimeout or PdfFailed; `out_path` is then untouched. `stall` is
        fault injection for tests: the worker waits that long before converting.
        """
        out_path = Path(out_path).absolute()
        out_path.parent.mkdir(parents=True, exist_ok=True)
        worker = self._acquire()
        restart = False
        scratch_dir: str | None = None
        temp: Path | None = None
        try:
            if isinstance(source, (bytes, bytearray)):
                scratch_dir = tempfile.mkdtemp(dir=self._scratch)
                source_path = Path(scratch_dir) / "document.docx"
                source_path.write_bytes(source)
            else:
                source_path = Path(source).absolute()
                if not source_path.is_file():
                    raise FileNotFoundError(source_path)
            if not worker.alive():
                restart = True
                worker.start()
                restart = False
            temp = _temp_beside(out_path)
            try:
                worker.convert(source_path, temp, self.timeout if timeout is None else timeout, stall)
            except _Refused:
                raise
            except PdfFailed:
                restart = True
                worker.stop()  # now, before the temp file goes: a LibreOffice left running could write it again
                raise
            if worker.conversions >= self.max_conversions:
                restart = True
            with open(temp, "rb") as handle:
                if handle.read(5) != b"%PDF-":
                    raise PdfFailed(FAILED_MESSAGE)
            _publish(temp, out_path)
            temp = None
            return out_path
        finally:
            if temp is not None:
                _unlink(temp)
            if scratch_dir is not None:
                shutil.rmtree(scratch_dir, ignore_errors=True)
            if restart and not self._closed:
                self._restart_in_background(worker)
            else:
                self._release(worker)


def merge(pdf_paths: Iterable[str | os.PathLike], out_path: str | os.PathLike, *, duplex: bool = False,
          titles: Sequence[str] | None = None) -> Path:
    """The PDFs one after another in one file at `out_path`, written atomically. With `duplex`,
    a blank page closes a part that ends on an odd page, so each part starts on a sheet's front.
    The parts' own bookmarks stay out (a stack of a hundred documents would list every heading of
    each, and copying them was half of the merge); with `titles`, one bookmark leads to each part."""
    writer, starts = stack(pdf_paths, duplex=duplex)
    if titles is not None:
        bookmark(writer, titles, starts)
    return write(writer, out_path)


class Stack:
    """PDFs put one after another as they come, not written yet (see `write`): a print job stacks each
    document as soon as it and every one before it are converted, beside the conversions still running."""

    def __init__(self, *, duplex: bool = False) -> None:
        self.writer = PdfWriter()
        self.duplex = duplex
        self.starts: list[int | None] = []  # each part's first page; None for a part without pages

    def add(self, pdf: str | os.PathLike | PdfReader) -> int:
        """Put one more part at the end; returns its pages (without a blank put before it)."""
        writer = self.writer
        if self.duplex and len(writer.pages) % 2:
            last = writer.pages[-1].mediabox
            writer.add_blank_page(width=last.width, height=last.height)
        first_page = len(writer.pages)
        writer.append(pdf if isinstance(pdf, PdfReader) else PdfReader(pdf), import_outline=False)
        added = len(writer.pages) - first_page
        self.starts.append(first_page if added else None)
        return added


def stack(pdf_paths: Iterable[str | os.PathLike | PdfReader], *,
          duplex: bool = False) -> tuple[PdfWriter, list[int | None]]:
    """The PDFs one after another, not written yet (see `merge`), and each part's first page (None for
    a part without pages)."""
    stacked = Stack(duplex=duplex)
    for pdf in pdf_paths:
        stacked.add(pdf)
    return stacked.writer, stacked.starts


def put_first(writer: PdfWriter, pdf_path: str | os.PathLike, *, duplex: bool = False) -> int:
    """One more part before the stack's others, as `stack` would have put it (a print job's cover
    sheet, converted while the documents were being stacked). Returns the pages it put in front."""
    count = len(writer.pages)
    writer.merge(0, PdfReader(pdf_path), import_outline=False)
    added = len(writer.pages) - count
    if duplex and added % 2 and count:
        last = writer.pages[added - 1].mediabox
        writer.insert_blank_page(width=last.width, height=last.height, index=added)
        added += 1
    return added


def bookmark(writer: PdfWriter, titles: Sequence[str], starts: Sequence[int | None]) -> None:
    """One bookmark for each part, at its first page."""
    for title, start in zip(titles, starts):
        if start is not None:
            writer.add_outline_item(title=title, page_number=start)


def write(writer: PdfWriter, out_path: str | os.PathLike) -> Path:
    """The stack as one file at `out_path`, written atomically."""
    out_path = Path(out_path).absolute()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(out_path)
    try:
        with open(temp, "wb") as handle:
            writer.write(handle)
        _publish(temp, out_path)
    except BaseException:
        _unlink(temp)
        raise
    return out_path


__all__ = ["BUSY_MESSAGE", "LIBREOFFICE_MISSING", "PdfBusy", "PdfCrashed", "PdfError", "PdfFailed", "PdfPool",
           "PdfTimeout", "Stack", "bookmark", "libreoffice_available", "merge", "put_first", "soffice_path", "stack",
           "uno_python", "write"]
