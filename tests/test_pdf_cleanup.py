"""No LibreOffice outlives its pool: a pool killed with -9 is reaped by the next one to start (its
processes killed, its folder removed), a pool ended with SIGTERM closes itself, and nothing that is not
a dead pool's own is touched."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from docgen import pdf_cleanup
from docgen.pdf import PdfPool, libreoffice_available

needs_libreoffice = pytest.mark.skipif(
    not libreoffice_available() and not os.environ.get("CI"),
    reason="LibreOffice with its UNO bridge is not installed (apt-get install libreoffice-writer-nogui python3-uno)")

ROOT = Path(__file__).resolve().parents[1]
# a program with a warm pool of one worker: it says where, then waits to be killed
HOLDER = """
import json, sys, time
from docgen.pdf import PdfPool
pool = PdfPool(workers=1, folder=sys.argv[1]).start()
print(json.dumps({"folder": str(pool.folder), "office": pool.office_pids()}), flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rpartition(b")")[2].split()[0] not in (b"Z", b"X")
    except OSError:
        return False


def _processes_naming(folder: str) -> list[int]:
    """Every running process whose command line names `folder` (soffice.bin included, which no pid file lists)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if folder in command and _running(int(entry)):
                found.append(int(entry))
    return found


def _holder(root: Path) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(root)], stdout=subprocess.PIPE, text=True,
                               cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = process.stdout.readline()
    assert line, "the pool in the child program did not start"
    return process, json.loads(line)


@needs_libreoffice
def test_a_pool_killed_with_sigkill_is_reaped_by_the_next_and_one_ended_with_sigterm_cleans_up(tmp_path):
    killed, killed_pool = _holder(tmp_path)
    living, living_pool = _holder(tmp_path)
    try:
        left = _processes_naming(killed_pool["folder"])
        assert len(left) >= 3  # the launcher, soffice.bin and the converter
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        # the converter ends with its program (its stdin closes); LibreOffice runs on, an orphan
        assert all(_running(pid) for pid in killed_pool["office"]), "LibreOffice ended with its program"

        with PdfPool(workers=1, folder=tmp_path) as pool:  # starting is enough: no worker is started
            assert not any(_running(pid) for pid in left)
            assert not Path(killed_pool["folder"]).exists()
            # the other program's pool is alive: untouched
            assert all(_running(pid) for pid in living_pool["office"]) and Path(living_pool["folder"]).is_dir()
            assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
                [Path(living_pool["folder"]).name, pool.folder.name])

        living_left = _processes_naming(living_pool["folder"])
        living.send_signal(signal.SIGTERM)
        assert living.wait(timeout=60) == -signal.SIGTERM  # it still ends as SIGTERM ends it
        assert not any(_running(pid) for pid in living_left)
        assert list(tmp_path.iterdir()) == []
    finally:
        for process in (killed, living):
            process.kill()
            process.wait()


def _sleeper(*arguments: str, **options) -> subprocess.Popen:
    """A process that waits, with `arguments` in its command line."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", *arguments], **options)


def test_only_a_dead_pools_own_processes_are_killed(tmp_path):
    """In a dead pool's folder, of a process its pid file lists that does not name the folder (its pid
    was reused), one that names the folder but is in no pid file, and one that is both, only the last
    is killed; a living pool's folder is left as it is."""
    dead, alive = tmp_path / "pool-dead", tmp_path / "pool-alive"
    dead.mkdir()
    alive.mkdir()
    ended = subprocess.Popen(["true"])
    ended.wait()
    stranger = _sleeper()
    namesake = _sleeper(f"{dead}/profile-0")
    ours = _sleeper(f"{dead}/profile-1", start_new_session=True)
    kept = _sleeper(f"{alive}/profile-0", start_new_session=True)
    try:
        (dead / "pool.pid").write_text(f"{ended.pid}\n1\n")
        (dead / "worker-0.pid").write_text(f"{stranger.pid}\n{ours.pid}\n")
        (alive / "pool.pid").write_text(f"{os.getpid()}\n{pdf_cleanup.start_time(os.getpid())}\n")
        (alive / "worker-0.pid").write_text(f"{kept.pid}\n")

        assert pdf_cleanup.reap(tmp_path) == [dead]
        assert ours.wait(timeout=10) == -signal.SIGKILL
        assert stranger.poll() is None and namesake.poll() is None and kept.poll() is None
        assert not dead.exists() and (alive / "worker-0.pid").is_file()
    finally:
        for process in (stranger, namesake, ours, kept):
            process.kill()
            process.wait()
