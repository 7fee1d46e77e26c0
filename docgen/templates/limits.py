"""The limits of the process an office's Word template is checked and rendered in, from the settings.

The sandbox's counts (sandbox.py: value, loop and output sizes) and the archive's (archive.py: file,
part and unpacked sizes) refuse what can be counted; what cannot (a loop of cheap-looking steps, a
large document's XML) is bounded by the process: its CPU time and memory (`resource.setrlimit` in the
child) and the time the app waits for it (the child is killed). Read on every use, so a test or an
office can change them without restarting anything:

    DOCGEN_TEMPLATE_CPU_SECONDS    CPU time of one check or render            (10)
    DOCGEN_TEMPLATE_WALL_SECONDS   time the app waits for one, busy machine   (30)
    DOCGEN_TEMPLATE_MEMORY_MB      memory one may use beyond the process's    (512)
    DOCGEN_TEMPLATE_WORKERS        processes, read when they are first started (2)
"""
from __future__ import annotations

import os
from dataclasses import dataclass

CPU_SECONDS, WALL_SECONDS, MEMORY_MB, WORKERS = 10, 30, 512, 2

CHECKING, RENDERING = "check", "render"
_DOING = {CHECKING: "sprawdzania", RENDERING: "wypełniania"}
_WHILE = {CHECKING: "przy sprawdzaniu", RENDERING: "przy wypełnianiu"}
_ADVICE = ("zwykle to znaczy, że jest za duży albo zapętlony (np. pętle w pętlach powtarzające długi tekst). "
           "Uprość go w Wordzie i wgraj ponownie.")


def _setting(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"Ustawienie {name}={value!r}: podaj liczbę całkowitą większą od zera.")
    return int(value)


@dataclass(frozen=True)
class ProcessLimits:
    cpu_seconds: int
    wall_seconds: int
    memory_mb: int

    def time_message(self, kind: str) -> str:
        return f"Szablon przekroczył limit czasu {_DOING[kind]} ({self.wall_seconds} s): {_ADVICE}"

    def cpu_message(self, kind: str) -> str:
        return f"Szablon przekroczył limit czasu pracy procesora {_WHILE[kind]} ({self.cpu_seconds} s): {_ADVICE}"

    def memory_message(self, kind: str) -> str:
        return f"Szablon przekroczył limit pamięci {_WHILE[kind]} ({self.memory_mb} MB): {_ADVICE}"


def process_limits() -> ProcessLimits:
    """The limits now; ValueError (Polish, naming the setting) for a setting that is not a positive number."""
    return ProcessLimits(cpu_seconds=_setting("DOCGEN_TEMPLATE_CPU_SECONDS", CPU_SECONDS),
                         wall_seconds=_setting("DOCGEN_TEMPLATE_WALL_SECONDS", WALL_SECONDS),
                         memory_mb=_setting("DOCGEN_TEMPLATE_MEMORY_MB", MEMORY_MB))


def worker_count() -> int:
    return _setting("DOCGEN_TEMPLATE_WORKERS", WORKERS)
