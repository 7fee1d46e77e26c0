"""The commands on Word templates: check-template, template-guide, and the check `render --template` runs."""
from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

from ..templates import MAX_TEMPLATE_BYTES, TemplateProblem, check_template, template_guide, templates_guide
from .common import EXIT_OK, EXIT_PROBLEMS, CommandError, err, find_doctype, out


def read_template(path: Path) -> bytes:
    """The file's bytes, at most one byte over the limit (the check reports the size)."""
    if not path.is_file():
        raise CommandError(f"Nie ma szablonu {path}.")
    try:
        with path.open("rb") as stream:
            return stream.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as error:
        raise CommandError(f"{path}: nie można odczytać pliku ({error.strerror}).") from None


def problem_lines(problems: list[TemplateProblem]) -> list[str]:
    return [f"- {problem}" for problem in problems]


def checked_template(path: Path, doctype) -> bytes:
    """For `render --template`: the template's bytes once it passes the check; its problems otherwise."""
    data = read_template(path)
    if len(data) <= MAX_TEMPLATE_BYTES and not zipfile.is_zipfile(io.BytesIO(data)):
        raise CommandError(f"{path}: to nie jest plik .docx.")  # a wrong file, like a missing one
    problems = check_template(data, doctype)
    if problems:
        for line in [f"Szablon {path} nie przeszedł sprawdzenia ({doctype.title}):", *problem_lines(problems)]:
            err(line)
        raise CommandError(f"Nie wygenerowano dokumentu: popraw szablon ({len(problems)} "
                           f"{_problems_word(len(problems))}).", EXIT_PROBLEMS)
    return data


def _problems_word(count: int) -> str:
    if count == 1:
        return "problem"
    return "problemy" if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14) else "problemów"


def cmd_check_template(args: argparse.Namespace) -> int:
    from .office_types import find_type

    doctype = find_type(args.type, args.office)[0]
    path = Path(args.file)
    problems = check_template(read_template(path), doctype)
    if not problems:
        out("Szablon poprawny.")
        return EXIT_OK
    out(f"Szablon ma {len(problems)} {_problems_word(len(problems))} ({doctype.title}):")
    for line in problem_lines(problems):
        out(line)
    return EXIT_PROBLEMS


def cmd_template_guide(args: argparse.Namespace) -> int:
    if bool(args.type) == bool(args.all):
        raise CommandError("Podaj --type TYP (przewodnik jednego typu) albo --all (wszystkie typy).")
    text = templates_guide() if args.all else template_guide(find_doctype(args.type))
    if args.check:
        target = Path(args.check)
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            err(f"{target} jest nieaktualny; uruchom: docgen template-guide --all -o {target}")
            return EXIT_PROBLEMS
        out(f"{target} jest aktualny.")
        return EXIT_OK
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        out(f"Zapisano {args.output}.")
    else:
        out(text.rstrip("\n"))
    return EXIT_OK
