"""PDFs of a few .docx files at once, for commands that run once: `soffice --convert-to pdf` itself.

The warm pool (docgen.pdf.PdfPool) pays off in a program that keeps running: it starts LibreOffice
once and then converts in a tenth of a second. A command that converts a handful of files and exits
would pay for the pool's start (LibreOffice listening on a socket, a converter process connecting to
it) on top of LibreOffice's own; here LibreOffice converts the files in the process that starts, as
`soffice --convert-to pdf` does, one process per batch, a second one in parallel only when there are
enough files to share between the cores.

The same guards as the pool's worker: a private, throwaway profile in which macros never run and
links are never updated, files read as Word documents only (anything else is refused, not printed as
text), a time limit after which the whole process group is killed, and a PDF checked before it counts.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Sequence

from .pdf import (FAILED_MESSAGE, LIBREOFFICE_MISSING, TIMEOUT_MESSAGE, PdfError, PdfFailed, PdfTimeout,
                  soffice_environment, soffice_path)

FILES_PER_PROCESS = 2       # fewer files per process: a second LibreOffice costs more than it saves
STARTUP_SECONDS = 120.0     # LibreOffice's start with a new profile, on a busy machine
SECONDS_PER_FILE = 60.0     # the pool's timeout for one conversion

# the profile's settings: never run macros, never update links (the pool's worker asks for the same
# when it loads a document: MacroExecutionMode=0, UpdateDocMode=0)
_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
</oor:items>
"""


def processes_for(files: int) -> int:
    return max(1, min(os.cpu_count() or 1, files // FILES_PER_PROCESS))


def convert_files(sources: Sequence[Path], folder: Path, *, processes: int | None = None,
                  timeout: float | None = None) -> list[Path | PdfError]:
    """Each source as a PDF in `folder` (named by its position), or the error that stopped it; in order."""
    office = soffice_path()
    if office is None:
        raise PdfFailed(LIBREOFFICE_MISSING)
    count = processes or processes_for(len(sources))
    batches = [list(range(len(sources)))[number::count] for number in range(count)]
    results: list[Path | PdfError] = [PdfFailed(FAILED_MESSAGE)] * len(sources)
    threads = [threading.Thread(target=_convert_batch, args=(office, sources, batch, folder, results, timeout))
               for batch in batches if batch]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _convert_batch(office: str, sources: Sequence[Path], batch: list[int], folder: Path,
                   results: list[Path | PdfError], timeout: float | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="docgen-soffice-"))
    try:
        (work / "profile" / "user").mkdir(parents=True)
        (work / "profile" / "user" / "registrymodifications.xcu").write_text(_SETTINGS, encoding="utf-8")
        inputs, outputs = work / "in", work / "out"
        inputs.mkdir()
        outputs.mkdir()
        for index in batch:  # by position: two files called plan.docx in different folders stay apart
            (inputs / f"{index:05d}.docx").symlink_to(Path(sources[index]).absolute())
        limit = timeout if timeout is not None else STARTUP_SECONDS + SECONDS_PER_FILE * len(batch)
        timed_out = _run([office, "--headless", "--invisible", "--nocrashreport", "--nodefault", "--nologo",
                          "--nofirststartwizard", "--norestore", "--nolockcheck",
                          f"-env:UserInstallation={(work / 'profile').as_uri()}",
                          "--infilter=MS Word 2007 XML", "--convert-to", "pdf:writer_pdf_Export",
                          "--outdir", str(outputs), *(str(inputs / f"{index:05d}.docx") for index in batch)], limit)
        for index in batch:
            made = outputs / f"{index:05d}.pdf"
            if _is_pdf(made):
                target = folder / made.name
                shutil.move(made, target)
                results[index] = target
            else:
                results[index] = PdfTimeout(TIMEOUT_MESSAGE) if timed_out else PdfFailed(FAILED_MESSAGE)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(command: list[str], limit: float) -> bool:
    """Run LibreOffice in its own process group; True when it had to be killed at `limit` seconds.
    Interrupted (Ctrl+C reaches only this process), it is killed too."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=soffice_environment(), start_new_session=True)
    # a timer kills it at the limit, so the wait can block in waitpid: wait(timeout=…) polls with
    # sleeps of up to 50 ms and noticed LibreOffice's exit some 30 ms late, 3 % of a one-file command
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        _kill_group(process)

    timer = threading.Timer(limit, stop)
    timer.daemon = True
    timer.start()
    try:
        process.wait()
    except BaseException:
        _kill(process)
        raise
    finally:
        timer.cancel()
    return timed_out.is_set()


def _kill(process: subprocess.Popen) -> None:
    _kill_group(process)
    process.wait()


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # gone meanwhile
        os.killpg(process.pid, signal.SIGKILL)  # soffice and the soffice.bin it started


def _is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False
