"""What a PDF pool (docgen.pdf.PdfPool) leaves on the machine, and how none of it outlives the pool.

Each pool has a folder of its own, `pool-…` in the pools' folder (DOCGEN_PDF_POOLS_DIR, else
<tmp>/docgen-libreoffice-<uid>, private to the user) holding the pool's pid file `pool.pid` (the
process that owns the pool and when that process started, so a pid the system reused is not taken
for it), a pid file per worker (`worker-N.pid`: its soffice launcher and its converter, each the
leader of a process group; soffice.bin runs in the launcher's), the workers' LibreOffice profiles
and the files being converted.

- At exit a pool closes itself: through atexit, and through SIGTERM and SIGHUP where a handler could
  be installed from the main thread (install_signal_handlers: it closes every pool, then lets the
  signal do what it did before).
- A pool killed with -9 can do nothing; the next pool to start reaps it: in a folder whose owner is
  no longer alive, every process of this user whose pid or process group is in one of the folder's
  pid files AND whose command line names the folder (the profile's path is in soffice's arguments
  and the converter's) is killed, then the folder is removed. Both must hold, so a process that only
  reuses a recorded pid, or only names the folder, is never touched.
"""
from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

POOL_PID = "pool.pid"
FOLDER_PREFIX = "pool-"
UNCLAIMED_SECONDS = 60   # a folder without its pid file yet: a pool starting right now, unless older
GONE_SECONDS = 5         # how long to wait for killed processes to end

_LIVE: weakref.WeakSet = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()
_EXIT_REGISTERED = False


# --- /proc ---------------------------------------------------------------------------------------

def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name: state, ppid, pgrp, …; None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot), or None: with the pid, who it is."""
    fields = _stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else None


def _running(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


# --- the folders -----------------------------------------------------------------------------------

def pools_folder(folder: str | os.PathLike | None = None) -> Path:
    """The folder the pools keep theirs in: `folder`, DOCGEN_PDF_POOLS_DIR, or a private one in <tmp>."""
    configured = folder or os.environ.get("DOCGEN_PDF_POOLS_DIR")
    if configured:
        root = Path(configured).absolute()
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        return root
    root = Path(tempfile.gettempdir()) / f"docgen-libreoffice-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        root.mkdir(mode=0o700)
    found = os.lstat(root)
    if stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o077:
        return root
    # someone else made it (a shared /tmp): ours is not that one, and nothing in it is reaped
    log.warning("%s is not a private folder of this user; LibreOffice profiles go to a fresh one", root)
    return Path(tempfile.mkdtemp(prefix="docgen-libreoffice-"))


def new_pool_folder(folder: str | os.PathLike | None = None) -> Path:
    """A folder for a new pool, with its pid file, after reaping what dead pools left beside it."""
    root = pools_folder(folder)
    reap(root)
    made = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=root))
    _write(made / POOL_PID, [os.getpid(), start_time(os.getpid()) or ""])
    return made


def remove_pool_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _write(path: Path, values: Iterable[object]) -> None:
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_text("".join(f"{value}\n" for value in values), encoding="ascii")
    os.replace(temporary, path)


def write_pids(folder: Path, name: str, pids: Iterable[int]) -> None:
    """Which processes a worker started (each the leader of its process group)."""
    _write(folder / f"{name}.pid", pids)


def remove_pids(folder: Path, name: str) -> None:
    with contextlib.suppress(OSError):
        (folder / f"{name}.pid").unlink()


def _owner(folder: Path) -> tuple[int, str] | None:
    try:
        pid, started = (folder / POOL_PID).read_text(encoding="ascii").split("\n")[:2]
        return int(pid), started
    except (OSError, ValueError):
        return None


def _recorded_pids(folder: Path) -> set[int]:
    pids: set[int] = set()
    for path in folder.glob("worker-*.pid"):
        with contextlib.suppress(OSError, ValueError):
            pids.update(int(line) for line in path.read_text(encoding="ascii").split())
    return pids


# --- reaping -------------------------------------------------------------------------------------

def reap(root: Path) -> list[Path]:
    """Kill what pools that are no longer alive left running under `root`, and remove their folders.
    Returns the folders removed."""
    removed = []
    for folder in sorted(root.glob(FOLDER_PREFIX + "*")):
        if folder.is_symlink() or not folder.is_dir():
            continue
        owner = _owner(folder)
        if owner is None:
            with contextlib.suppress(OSError):
                if time.time() - folder.stat().st_mtime < UNCLAIMED_SECONDS:
                    continue
        elif start_time(owner[0]) == owner[1]:
            continue  # its pool is alive: another program's, or this one's
        killed = kill_leftovers(folder)
        if killed:
            log.warning("killed %d LibreOffice processes left by a stopped PDF pool (%s)", len(killed), folder)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def kill_leftovers(folder: Path) -> list[int]:
    """SIGKILL every process of this user recorded in the folder's pid files (or in their process
    groups) whose command line names the folder; waits a little for them to end. Returns their pids."""
    recorded = _recorded_pids(folder)
    if not recorded:
        return []
    names = {str(folder.absolute()) + os.sep, folder.absolute().as_uri() + "/"}
    victims = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        with contextlib.suppress(OSError):
            if entry.stat().st_uid != os.getuid():
                continue
        fields = _stat_fields(pid)
        if fields is None or len(fields) < 3 or (pid not in recorded and int(fields[2]) not in recorded):
            continue
        command = _command_line(pid)
        if any(name in command for name in names):
            victims.append(pid)
    for pid in victims:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + GONE_SECONDS
    while any(_running(pid) for pid in victims) and time.monotonic() < deadline:
        time.sleep(0.05)
    return victims


# --- at exit -------------------------------------------------------------------------------------

def close_at_exit(pool) -> None:
    """Close `pool` when the program ends (atexit, and SIGTERM/SIGHUP when installed from the main thread)."""
    global _EXIT_REGISTERED
    with _LIVE_LOCK:
        _LIVE.add(pool)
        if not _EXIT_REGISTERED:
            atexit.register(close_all)
            _EXIT_REGISTERED = True
    install_signal_handlers()


def close_all() -> None:
    with _LIVE_LOCK:
        pools = list(_LIVE)
    for pool in pools:
        try:
            pool.close()
        except Exception:  # noqa: BLE001 - the others must close all the same
            log.exception("closing a PDF pool at exit")


def install_signal_handlers() -> None:
    """On SIGTERM and SIGHUP close every pool first, then do what the signal did before (end the program,
    or the handler that was there). Only the main thread may install handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return
    for number in (signal.SIGTERM, signal.SIGHUP):
        previous = signal.getsignal(number)
        if previous in (signal.SIG_IGN, None) or getattr(previous, "closes_pdf_pools", False):
            continue

        def closing(signum, frame, previous=previous):
            close_all()
            if callable(previous):
                previous(signum, frame)
                return
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        closing.closes_pdf_pools = True  # type: ignore[attr-defined]
        signal.signal(number, closing)
