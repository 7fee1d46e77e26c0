"""What a template check reports: one problem, with the place in the template, in Polish."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong with a template. `place` names where ("akapit 12", "tabela 2, wiersz 3, komórka 1",
    "nagłówek"); empty when the problem concerns the whole template. `snippet` is the text around it.
    `stops_printing` False: a template with it is refused when uploaded or put in use, but one already in
    use still prints (the check grew stricter after the office's head accepted it; the office's work must
    not stop until the head replaces it)."""

    message: str
    place: str = ""
    snippet: str = ""
    stops_printing: bool = True

    def __str__(self) -> str:
        where = self.place
        if self.snippet:
            where = f"{where} („{self.snippet}”)" if where else f"„{self.snippet}”"
        return f"{where}: {self.message}" if where else self.message


class TemplateRejected(Exception):
    """A template that may not be rendered: it failed the check, or it did something forbidden
    while rendering. `problems` lists why, in Polish."""

    def __init__(self, problems: Iterable[TemplateProblem | str]):
        self.problems = [p if isinstance(p, TemplateProblem) else TemplateProblem(p) for p in problems]
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [str(problem) for problem in self.problems]
        if len(lines) == 1:
            return f"Szablon odrzucony: {lines[0]}"
        return "Szablon odrzucony:\n" + "\n".join(f"- {line}" for line in lines)


class TemplateNotRun(TemplateRejected):
    """The template was not checked or rendered to the end, and that is not its verdict: the process it
    runs in hit a limit (the limit is named) or ended otherwise, or every such process was busy. Never
    remembered as the template's result; the same file may pass on a quieter machine or a moment later."""

    def __str__(self) -> str:
        return " ".join(str(problem) for problem in self.problems)


class TemplateLimitExceeded(TemplateNotRun):
    """The process checking or rendering the template hit a limit on time, CPU time or memory."""


class TemplateBusy(TemplateNotRun):
    """Every process that checks and renders templates is busy, or none could be started: try again."""
