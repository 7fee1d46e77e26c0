"""The child process an office's Word template is checked and rendered in: `python -m docgen.templates.worker`.

Started by isolation.py, never imported by the app. It imports the engine once (warm), then answers
jobs one at a time, each under the limits the job carries: `resource.setrlimit` caps its CPU time (the
kernel ends the process with SIGXCPU past it) and its address space (a MemoryError, answered as the
memory limit, after which the process exits so the app starts a clean one). The app kills it when a
job takes longer than the time limit. It runs at a lower priority than the app, writes no files
(RLIMIT_FSIZE 0) and leaves no core dump.

Protocol on stdin/stdout, each frame an 8-byte big-endian length and the bytes:
- the child first sends {"ready": true} (JSON);
- a job is a pickle (from the app, which the child trusts): {"kind": "check" | "render",
  "template": bytes, "doctype": id or pickled DocType, "context": dict (render), "cpu_seconds": int,
  "memory_bytes": int};
- the answer is JSON: {"ok": true} (a render: followed by one frame with the .docx), {"ok": true,
  "problems": [[message, place, snippet, stops_printing], ...]} (a check), {"ok": false, "problems": [...]} (a render
  refused), or {"ok": false, "limit": "memory"}.
The answer from the child is JSON, never a pickle: the app does not trust what a template touched.
"""
from __future__ import annotations

import json
import math
import os
import pickle
import resource
import sys
from typing import Any, BinaryIO

from .protocol import MEMORY_EXIT, read_frame, write_frame

NICENESS = 5           # the app's own requests (a login, a page) go first
MAX_JOB_BYTES = 64 * 2 ** 20


def _send(stream: BinaryIO, answer: dict[str, Any], payload: bytes | None = None) -> None:
    write_frame(stream, json.dumps(answer, ensure_ascii=False).encode("utf-8"))
    if payload is not None:
        write_frame(stream, payload)
    stream.flush()


def _problems(problems) -> list[list[str]]:
    return [[problem.message, problem.place, problem.snippet, problem.stops_printing] for problem in problems]


_STARTING_LIMITS = {which: resource.getrlimit(which) for which in (resource.RLIMIT_CPU, resource.RLIMIT_AS)}
NEAR_THE_LIMIT = 0.8   # a job that used this much of its memory allowance: the process is not reused


def _within(hard: int, value: int) -> int:
    return value if hard == resource.RLIM_INFINITY else min(value, hard)


def _limit(cpu_seconds: int, memory_bytes: int) -> int:
    """The job's limits, counted from what the process has used so far; returns the address space allowed."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, cpu_hard = _STARTING_LIMITS[resource.RLIMIT_CPU]
    resource.setrlimit(resource.RLIMIT_CPU,
                       (_within(cpu_hard, math.ceil(usage.ru_utime + usage.ru_stime) + cpu_seconds), cpu_hard))
    _, memory_hard = _STARTING_LIMITS[resource.RLIMIT_AS]
    allowed = _within(memory_hard, _status("VmSize") + memory_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (allowed, memory_hard))
    return allowed


def _unlimit() -> None:
    for which, limits in _STARTING_LIMITS.items():
        resource.setrlimit(which, limits)


def _status(field: str) -> int:
    """A size from /proc/self/status in bytes: VmSize (what RLIMIT_AS counts), VmPeak (its highest)."""
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(field.encode() + b":"):
                return int(line.split()[1]) * 1024
    raise LookupError(field)


def _doctype(reference: Any):
    from ..doctypes import get_doctype

    return pickle.loads(reference) if isinstance(reference, bytes) else get_doctype(reference)


def run_job(job: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    """Do one job here, in this process: the check (check.check_template_here) or a render."""
    from .check import check_template_here
    from .problems import TemplateRejected
    from .sandbox import explain_failure

    if job["kind"] == "check":
        return {"ok": True, "problems": _problems(check_template_here(job["template"], _doctype(job["doctype"])))}, None
    from .engine import render_context

    try:
        return {"ok": True}, render_context(job["template"], job["context"])
    except TemplateRejected as refused:
        if isinstance(refused.__cause__, MemoryError):
            raise MemoryError from refused
        return {"ok": False, "problems": _problems(refused.problems)}, None
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - render_context says everything in Polish already; never die
        return {"ok": False, "problems": _problems([explain_failure(error)])}, None


def _warm_up() -> None:
    """Import the engine and check a built-in template once: the first real job starts warm."""
    from ..doctypes import get_doctype
    from .check import check_template_here
    from .engine import template_bytes, template_path

    work_plan = get_doctype("work_plan")
    try:
        check_template_here(template_bytes(template_path(work_plan)), work_plan)
    except Exception as error:  # noqa: BLE001 - only a warm-up: the jobs still run, colder
        print(f"template worker: warm-up failed: {error!r}", file=sys.stderr)


def main() -> int:
    jobs = sys.stdin.buffer
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # only the protocol goes to the app; anything printed goes to stderr
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(NICENESS)
    _warm_up()
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    _send(answers, {"ready": True})
    while True:
        frame = read_frame(jobs, MAX_JOB_BYTES)
        if frame is None:
            return 0
        job = pickle.loads(frame)
        base = allowed = _status("VmSize")
        peak = _status("VmPeak")
        try:
            allowed = _limit(job["cpu_seconds"], job["memory_bytes"])
            answer, payload = run_job(job)
        except MemoryError:
            answer, payload = {"ok": False, "limit": "memory"}, None
        finally:
            _unlimit()
        # an allocation refused inside lxml or libxml2 may surface as a broken file instead of a
        # MemoryError: a job that came near its limit without succeeding hit it
        near = peak < _status("VmPeak") >= base + NEAR_THE_LIMIT * (allowed - base)
        if near and (not answer.get("ok") or answer.get("problems")):
            answer, payload = {"ok": False, "limit": "memory"}, None
        try:
            _send(answers, answer, payload)
        except MemoryError:
            os._exit(MEMORY_EXIT)
        if near:
            return 0  # a fresh process for the next job: VmPeak stays, and so may the memory


if __name__ == "__main__":
    sys.exit(main())
