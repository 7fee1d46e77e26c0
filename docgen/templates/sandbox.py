"""The Jinja environment every Word template renders in: sandboxed, and bounded even for a hostile one.

The check (docgen.templates.check) refuses a hostile template before it is accepted; this is the
second line, for a template rendered without the check or one that got past it:
- no globals (range, lipsum, cycler, joiner, namespace, dict): nothing to start an escape from;
- attributes: a record's (dict's) fields by key, a short list of harmless ones elsewhere, never a
  private one and never str.format / format_map (both routes of CVE-2024-56326 and CVE-2025-27516);
- a short list of filters (no attr, format, map, select…); those that can grow a value are checked
  before they do;
- `*`, `**`, `+`, `%` and `~` are checked, so no value outgrows MAX_VALUE_CHARS;
- the loops of one render share MAX_LOOP_ITERATIONS, the output of one render MAX_OUTPUT_CHARS;
- macros, recursive loops, include/import/extends, blocks, `self`, `{% autoescape %}` and the like
  are refused when the template is compiled;
- whatever goes wrong is TemplateRejected, in Polish (render.py turns other errors into it too).
"""
from __future__ import annotations

import datetime as dt
import functools
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.environment import Template
from jinja2.filters import FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..formatting import date_long, date_short
from ..polish import bind_short_words
from .problems import TemplateProblem, TemplateRejected

MAX_VALUE_CHARS = 1_000_000        # one string or list made while rendering (a textarea holds 8 000)
MAX_OUTPUT_CHARS = 64 * 2 ** 20    # all parts of one document together
MAX_LOOP_ITERATIONS = 100_000      # all loops of one render together (a type has at most 100 rows)
MAX_INT_BITS = 4096                # numbers a template computes
MAX_BATCH = 1000                   # `batch(n)`: n

LOOP_GUARD = "docgen_loop_guard"   # the filter every `for` iterates through (added at compile time)

# attributes of non-record values a template may read: the loop's, a date's and a few str methods
LOOP_ATTRIBUTES = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length",
                             "previtem", "nextitem", "cycle", "changed", "depth", "depth0"})
SAFE_ATTRIBUTES = LOOP_ATTRIBUTES | {"year", "month", "day", "upper", "lower", "strip", "title",
                                     "capitalize", "startswith", "endswith"}

# names a template may not use even as a variable: Jinja's globals and the template object itself
FORBIDDEN_NAMES = frozenset({"range", "lipsum", "cycler", "joiner", "namespace", "dict", "self",
                             "caller", "varargs", "kwargs", "config", "request", "os", "__builtins__"})


def _reject(message: str) -> TemplateRejected:
    return TemplateRejected([TemplateProblem(message)])


def spaced_number(value: int) -> str:
    return f"{value:_}".replace("_", " ")  # 1 000 000


TOO_LONG = (f"Szablon tworzy zbyt długi tekst lub listę (ponad {spaced_number(MAX_VALUE_CHARS)} znaków), "
            "np. mnożąc napis; taki szablon nie może być użyty.")
TOO_MANY_LOOPS = (f"Pętle szablonu wykonałyby się zbyt wiele razy (ponad {spaced_number(MAX_LOOP_ITERATIONS)}"
                  "); szablon jest zapętlony albo złośliwy.")
TOO_MUCH_OUTPUT = (f"Wypełniony szablon byłby zbyt duży (ponad {MAX_OUTPUT_CHARS // 2 ** 20} MB tekstu); "
                   "szablon jest zapętlony albo złośliwy.")
TOO_BIG_NUMBER = "Szablon liczy zbyt duże liczby (np. potęgowaniem); taki szablon nie może być użyty."
PERCENT_FORMAT = "Formatowanie napisów operatorem % nie jest dozwolone w szablonie."


# --- budgets ------------------------------------------------------------------------------

@dataclass
class Budget:
    """What one render may still spend; docxtpl renders each part of a document separately."""

    iterations: int = MAX_LOOP_ITERATIONS
    output: int = MAX_OUTPUT_CHARS


_BUDGET: ContextVar[Budget | None] = ContextVar("docgen_template_budget", default=None)


class render_budget:
    """`with render_budget():` — every template rendered inside shares one Budget."""

    def __enter__(self) -> Budget:
        budget = Budget()
        self._token = _BUDGET.set(budget)
        return budget

    def __exit__(self, *exc: Any) -> None:
        _BUDGET.reset(self._token)


def _loop_guard(iterable: Iterable[Any]) -> Iterator[Any]:
    budget = _BUDGET.get() or Budget()
    for item in iterable:
        budget.iterations -= 1
        if budget.iterations < 0:
            raise _reject(TOO_MANY_LOOPS)
        yield item


# --- sizes --------------------------------------------------------------------------------

def _weight(value: Any, limit: int = MAX_VALUE_CHARS) -> int:
    """Characters a value amounts to when printed; stops counting past `limit`."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple)):
        total = len(value)
        for item in value:
            total += _weight(item, limit)
            if total > limit:
                break
        return total
    return 1


def bounded(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and _weight(value) > MAX_VALUE_CHARS:
        raise _reject(TOO_LONG)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise _reject(TOO_BIG_NUMBER)
    return value


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps jinja_pass_arg (pass_eval_context, pass_environment)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return bounded(function(*args, **kwargs))
    return wrapper


def _replace(eval_ctx: Any, value: Any, old: Any, new: Any, count: int | None = None) -> Any:
    text, before, after = str(value), str(old), str(new)
    hits = text.count(before) if before else len(text) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    if len(text) + hits * max(len(after) - len(before), 0) > MAX_VALUE_CHARS:  # before it is built
        raise _reject(TOO_LONG)
    return FILTERS["replace"](eval_ctx, value, old, new, count)


def _join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> Any:
    items = list(value)
    if _weight([str(item) for item in items]) + len(str(d)) * len(items) > MAX_VALUE_CHARS:
        raise _reject(TOO_LONG)
    return FILTERS["join"](eval_ctx, items, d, attribute)


def _batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Iterator[list[Any]]:
    if not isinstance(linecount, int) or not 1 <= linecount <= MAX_BATCH:  # 0 would never end
        raise _reject(f"Filtr batch przyjmuje liczbę od 1 do {MAX_BATCH}.")
    return FILTERS["batch"](value, linecount, fill_with)


def _remembered(function: Callable[[Any], str]) -> Callable[..., str]:
    """A date formatted once per date: Babel takes as long as the rest of a table row. Only a plain
    date or text is remembered; anything else goes to `function` as it is (and fails there as before)."""
    remembered = functools.lru_cache(maxsize=4096)(function)

    @functools.wraps(function)
    def wrapper(value: Any, *args: Any, **kwargs: Any) -> str:
        if type(value) in (dt.date, str) and not args and not kwargs:
            return remembered(value)
        return function(value, *args, **kwargs)
    return wrapper


for _function in (_replace, _join):
    _function.jinja_pass_arg = FILTERS[_function.__name__[1:]].jinja_pass_arg  # type: ignore[attr-defined]

# Jinja's filters a template may use: none of them reaches attributes by name given as text
# (attr, map, select…), formats (format) or marks text safe (safe).
BUILTIN_FILTERS = ("upper", "lower", "capitalize", "title", "trim", "length", "count", "first", "last",
                   "default", "d", "truncate", "escape", "e", "string", "int", "round", "abs", "reverse",
                   "list", "sort", "unique", "wordcount")
SAFE_FILTERS: dict[str, Callable[..., Any]] = {
    **{name: _bounded_filter(FILTERS[name]) for name in BUILTIN_FILTERS},
    "replace": _bounded_filter(_replace),
    "join": _bounded_filter(_join),
    "batch": _batch,
    # the project's own: dates in words and in figures; no one-letter word left at a line's end
    "data": _bounded_filter(_remembered(date_long)),
    "data_krotka": _bounded_filter(_remembered(date_short)),
    "bez_sierotek": _bounded_filter(bind_short_words),
}


# --- what a template may not contain -----------------------------------------------------

_STATEMENTS = (nodes.Template, nodes.Output, nodes.If, nodes.For, nodes.Assign)
_EXPRESSIONS = (nodes.TemplateData, nodes.Name, nodes.Const, nodes.Getattr, nodes.Getitem, nodes.Slice,
                nodes.Filter, nodes.Test, nodes.CondExpr, nodes.Compare, nodes.Operand, nodes.And, nodes.Or,
                nodes.Not, nodes.Neg, nodes.Pos, nodes.Concat, nodes.Add, nodes.Sub, nodes.Mul, nodes.Div,
                nodes.FloorDiv, nodes.Mod, nodes.Pow, nodes.List, nodes.Tuple, nodes.Dict, nodes.Pair,
                nodes.Keyword, nodes.Call)

_REFUSED = {
    nodes.Macro: "Makra ({% macro %}) nie są dozwolone w szablonie.",
    nodes.CallBlock: "Wywołania makr ({% call %}) nie są dozwolone w szablonie.",
    nodes.Include: "Szablon nie może dołączać innych plików ({% include %}).",
    nodes.Import: "Szablon nie może importować innych plików ({% import %}).",
    nodes.FromImport: "Szablon nie może importować innych plików ({% from … import %}).",
    nodes.Extends: "Szablon nie może rozszerzać innych plików ({% extends %}).",
    nodes.Block: "Bloki ({% block %}) nie są dozwolone w szablonie dokumentu.",
    nodes.EvalContextModifier: "Nie wolno wyłączać zabezpieczania znaków ({% autoescape %}).",
    nodes.Scope: "Nie wolno wyłączać zabezpieczania znaków ({% autoescape %}).",  # the parser wraps it so
    nodes.FilterBlock: "Bloki filtrów ({% filter %}) nie są dozwolone w szablonie.",
    nodes.AssignBlock: "Przypisanie bloku tekstu ({% set … %}…{% endset %}) nie jest dozwolone w szablonie.",
    nodes.With: "Instrukcja {% with %} nie jest dozwolona w szablonie.",
    nodes.NSRef: "Przestrzenie nazw (namespace) nie są dozwolone w szablonie.",
}


def refusal(node: nodes.Node) -> str | None:
    """Why this node may not be in a template (Polish), or None."""
    for kind, message in _REFUSED.items():
        if isinstance(node, kind):  # ScopedEvalContextModifier is an EvalContextModifier
            return message
    if isinstance(node, nodes.For) and node.recursive:
        return "Pętle rekurencyjne ({% for … recursive %}) nie są dozwolone w szablonie."
    if isinstance(node, nodes.Name) and node.name in FORBIDDEN_NAMES:
        return f"Nazwa „{node.name}” jest niedozwolona w szablonie."
    if not isinstance(node, _STATEMENTS + _EXPRESSIONS):
        return f"Konstrukcja „{type(node).__name__}” nie jest dozwolona w szablonie."
    return None


class GuardedCodeGenerator(CodeGenerator):
    """Refuses what `refusal` names before any code exists; routes every loop through the loop
    budget and every `~` through the size check."""

    def visit_Template(self, node: nodes.Template, frame: Any = None) -> None:
        refused = [message for item in (node, *node.find_all(nodes.Node)) if (message := refusal(item))]
        if refused:
            raise TemplateRejected(dict.fromkeys(refused))
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, LOOP_GUARD, [], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedTemplate(Template):
    """Counts the output as it is made, so a loop cannot fill the memory before the check."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        token = _BUDGET.set(Budget()) if _BUDGET.get() is None else None
        try:
            budget = _BUDGET.get()
            assert budget is not None
            ctx = self.new_context(dict(*args, **kwargs))
            parts: list[str] = []
            try:
                for chunk in self.root_render_func(ctx):
                    budget.output -= len(chunk)
                    if budget.output < 0:
                        raise _reject(TOO_MUCH_OUTPUT)
                    parts.append(chunk)
                return self.environment.concat(parts)  # type: ignore[attr-defined]
            except Exception:
                self.environment.handle_exception()
        finally:
            if token is not None:
                _BUDGET.reset(token)


class HardenedEnvironment(ImmutableSandboxedEnvironment):
    code_generator_class = GuardedCodeGenerator
    template_class = BoundedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("optimized", False)  # no filter is run while compiling
        super().__init__(*args, **kwargs)
        self.globals.clear()
        self.filters = dict(SAFE_FILTERS)
        self.filters[LOOP_GUARD] = _loop_guard

    bounded = staticmethod(bounded)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise _reject(PERCENT_FORMAT)
        if operator == "*":
            times, sequence = (right, left) if isinstance(right, int) else (left, right)
            if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) \
                    and _weight(sequence) * max(times, 0) > MAX_VALUE_CHARS:
                raise _reject(TOO_LONG)
        if operator == "**" and isinstance(left, int) and isinstance(right, int) \
                and abs(left) > 1 and right > 0 and abs(left).bit_length() * right > MAX_INT_BITS:
            raise _reject(TOO_BIG_NUMBER)
        return bounded(self.binop_table[operator](left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:  # a record of the context (a row, the office): its fields, not dict's methods
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if type(obj) is dict:
            try:
                return obj[argument]
            except (KeyError, TypeError):
                return self.undefined(obj=obj, name=argument)
        return super().getitem(obj, argument)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return attr in SAFE_ATTRIBUTES and super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format is never handed out, sandboxed or not: is_safe_attribute refuses it


# --- any failure, in Polish ------------------------------------------------------------------

def explain_failure(error: BaseException) -> TemplateProblem:
    """What went wrong while rendering a template, for a person; the error itself stays chained."""
    from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
    if isinstance(error, SecurityError):
        return TemplateProblem(f"Szablon próbuje sięgnąć do niedozwolonych atrybutów lub funkcji ({detail}).")
    if isinstance(error, UndefinedError):
        return TemplateProblem(f"Szablon używa nazwy albo pola, którego ten dokument nie ma ({detail}).")
    if isinstance(error, TemplateSyntaxError):
        line = f", wiersz źródła {error.lineno}" if error.lineno else ""
        return TemplateProblem(f"Błąd składni w znacznikach szablonu ({detail}{line}).")
    if isinstance(error, TemplateError):
        return TemplateProblem(f"Błąd w szablonie ({detail}).")
    if isinstance(error, RecursionError):
        return TemplateProblem("Szablon wywołuje sam siebie bez końca (rekurencja).")
    if isinstance(error, MemoryError):
        return TemplateProblem("Wypełnienie szablonu wymagałoby zbyt dużo pamięci.")
    if isinstance(error, (OverflowError, ArithmeticError)):
        return TemplateProblem(TOO_BIG_NUMBER)
    return TemplateProblem(f"Nie udało się wypełnić szablonu ({type(error).__name__}: {detail}).")
