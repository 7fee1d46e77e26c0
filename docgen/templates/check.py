"""check_template: everything an uploaded Word template must pass before it is accepted.

In order, each step only on what the one before let through:
1. the archive (archive.py): size, a real .docx, zip-bomb and part-size limits, no macros, no external
   links, no Word field but the allowed ones (fields.py);
2. per rendered part (source.py): tags not cut apart (structure.py), the Jinja parses, and uses only
   the type's names, fields and the safe filters (jinja.py);
3. the numbered section headings and the required placeholders (structure.py);
4. a trial render of the type's example in the hardened environment; the result must be well-formed
   and hold no Word field but the allowed ones, and what the type's print checks look for (a letter's
   signature, a CV's consent clause).

`check_template` runs all of it in a separate process with limits on time, CPU time and memory
(isolation.py); `check_template_here` is the same check in this process, for that process.
"""
from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict

from docx import Document

from ..definition import DocType
from . import isolation
from .archive import read_package
from .engine import render_context
from .jinja import Usage, check_ast, parse
from .problems import TemplateNotRun, TemplateProblem, TemplateRejected
from .source import document_sources
from .structure import blocks_across, headings, required_placeholders, split_tags
from .vocabulary import example_context, vocabulary

NOT_WORD = "Plik nie jest poprawnym dokumentem Word (.docx): nie da się go otworzyć."
TRIAL = "Próbne wypełnienie szablonu przykładowymi danymi nie powiodło się: {problem}"
PRINTED = "Dokument wypełniony przykładowymi danymi nie przejdzie sprawdzenia: {problem}"


def check_template(data: bytes, doctype: DocType) -> list[TemplateProblem]:
    """Every problem of the template `data` for `doctype`, in Polish; empty: the template is fine.
    Checked in a separate process under limits; a limit it hit, or a busy moment, is its one problem."""
    try:
        return isolation.check(bytes(data), doctype)
    except TemplateNotRun as not_run:
        return list(not_run.problems)


def check_template_here(data: bytes, doctype: DocType) -> list[TemplateProblem]:
    """check_template in this process, without its limits (worker.py runs it under them)."""
    package, problems = read_package(bytes(data))
    if package is None or problems:
        return problems
    try:
        document = Document(io.BytesIO(data))
        sources = document_sources(document)
    except MemoryError:
        raise  # the process's limit, not the template's verdict
    except Exception:  # noqa: BLE001 - python-docx refuses a package in many ways
        return [TemplateProblem(NOT_WORD)]

    names = vocabulary(doctype)
    usage = Usage()
    complete = True
    for source in sources:
        cut = split_tags(source)
        problems += cut
        tree, syntax_error = parse(source)
        if tree is None:
            complete = False
            if not cut:  # a cut tag is the syntax error; say it once
                problems.append(syntax_error)
            continue
        problems += check_ast(tree, source, names, doctype.title, usage)
        problems += blocks_across(source)
    problems += headings(doctype, document)
    if complete:
        problems += required_placeholders(doctype, usage)
    if not any(problem.stops_printing for problem in problems):
        problems += _trial_render(data, doctype)
    return list(dict.fromkeys(problems))


def _trial_render(data: bytes, doctype: DocType) -> list[TemplateProblem]:
    context = example_context(doctype)
    if context is None:
        return []
    try:
        content = render_context(data, context, strict_xml=True)
    except TemplateRejected as rejected:
        if isinstance(rejected.__cause__, MemoryError):
            raise MemoryError from rejected  # the process's limit, not the template's verdict
        return [TemplateProblem(TRIAL.format(problem=problem.message), problem.place, problem.snippet)
                for problem in rejected.problems]
    from ..docxcheck import print_problems  # a template that drops the signature makes unsigned letters

    return [TemplateProblem(PRINTED.format(problem=message)) for message in print_problems(doctype, content)]


_CHECKED: OrderedDict[tuple[str, str, int], tuple[TemplateProblem, ...]] = OrderedDict()
_CHECKED_LOCK = threading.Lock()


def checked_problems(data: bytes, doctype: DocType) -> tuple[TemplateProblem, ...]:
    """check_template, remembered by the file's digest: a stored template is rendered many times.
    Raises TemplateNotRun (a limit hit, every process busy), which is not remembered."""
    key = (hashlib.sha256(data).hexdigest(), doctype.id, id(doctype))
    found = _CHECKED.get(key)
    if found is None:
        found = tuple(isolation.check(bytes(data), doctype))
        with _CHECKED_LOCK:  # the web app renders in several threads
            _CHECKED[key] = found
            while len(_CHECKED) > 64:
                _CHECKED.popitem(last=False)
    return found


def require_valid_template(data: bytes, doctype: DocType) -> None:
    """Raise TemplateRejected with every problem unless the template passes the check (a problem that
    does not stop printing aside: the template was accepted before the check grew stricter)."""
    problems = [problem for problem in checked_problems(data, doctype) if problem.stops_printing]
    if problems:
        raise TemplateRejected(problems)
