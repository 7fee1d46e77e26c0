"""The `docgen` argument parser and main(), which runs the chosen command."""
from __future__ import annotations

import argparse
from typing import Sequence

from sqlalchemy.exc import SQLAlchemyError

from .common import EXIT_PROBLEMS, EXIT_USAGE, CommandError, Parser, err
from .documents import cmd_example, cmd_render, cmd_schema, cmd_types, cmd_validate
from .office_types import cmd_type_export, cmd_type_infer
from .pdf import cmd_pdf
from .templates import cmd_check_template, cmd_template_guide
from .worker import cmd_worker
from .office import (ADMIN_PASSWORD_ENV, DEFAULT_CASE_PREFIX, DEFAULT_HOST, DEFAULT_PORT, cmd_anonymise,
                     cmd_create_admin, cmd_demo, cmd_init, cmd_reset_second_factor, cmd_serve)


# --- the parser -------------------------------------------------------------------------

def _type_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("type", metavar="TYP", help="typ dokumentu, np. work_plan (lista: docgen types)")


def _office_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--office", metavar="ID", type=int,
                        help="ośrodek, którego typy dokumentów (i własne typy) uwzględnić (domyślnie pierwszy w bazie)")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="docgen", description="Dokumenty asystenta rodziny: typy, schematy, generowanie "
                                                "i sprawdzanie plików Word, baza danych, serwer.")
    commands = parser.add_subparsers(dest="command", metavar="POLECENIE", title="polecenia",
                                     parser_class=Parser)
    commands.required = True

    types = commands.add_parser("types", help="lista typów dokumentów")
    types.add_argument("--json", action="store_true", help="wypisz jako listę JSON {id, title}")
    _office_argument(types)
    types.set_defaults(handler=cmd_types)

    schema = commands.add_parser("schema", help="schemat JSON danych wejściowych typu dokumentu")
    _type_argument(schema)
    _office_argument(schema)
    schema.set_defaults(handler=cmd_schema)

    example = commands.add_parser("example", help="przykładowe dane (JSON) typu dokumentu")
    _type_argument(example)
    _office_argument(example)
    example.set_defaults(handler=cmd_example)

    render = commands.add_parser("render", help="wygeneruj dokument .docx z pliku JSON",
                                 description="Sprawdza dane, zakłada sprawę ze znakiem z licznika ośrodka "
                                             "(albo drukuje znak istniejącej sprawy: --znak) i zapisuje "
                                             "dokument .docx. Pismo i CV członka rodziny nie mają znaku sprawy.")
    _type_argument(render)
    render.add_argument("input", metavar="DANE.json", help="plik JSON z danymi dokumentu ('-' = standardowe wejście)")
    render.add_argument("-o", "--output", metavar="WYNIK.docx", required=True, help="plik wynikowy .docx")
    render.add_argument("--template", metavar="SZABLON.docx",
                        help="inny szablon niż domyślny typu dokumentu (najpierw jest sprawdzany jak "
                             "w check-template)")
    render.add_argument("--office", metavar="ID", type=int,
                        help="identyfikator ośrodka, którego nagłówek i licznik spraw użyć (domyślnie pierwszy)")
    render.add_argument("--znak", dest="case_number", metavar="ZNAK",
                        help="znak istniejącej sprawy ośrodka (np. MOPS.AR.4101.7.2026), gdy dokument należy do "
                             "niej; bez tej opcji dokument zakłada nową sprawę")
    render.add_argument("--pdf", metavar="WYNIK.pdf", help="zapisz też PDF (potrzebny LibreOffice)")
    render.add_argument("--accept-warnings", action="store_true",
                        help="wygeneruj mimo ostrzeżeń (np. termin już minął); każde jest wypisane, "
                             "a błędy nadal zatrzymują")
    render.set_defaults(handler=cmd_render)

    pdf = commands.add_parser("pdf", help="zamień pliki .docx na jeden PDF (potrzebny LibreOffice)",
                              description="Każdy dokument zaczyna się na nowej stronie; plik, którego nie "
                                          "da się zamienić, jest wymieniony, a pozostałe trafiają do PDF.")
    pdf.add_argument("files", metavar="PLIK.docx", nargs="+", help="dokumenty, w kolejności stron")
    pdf.add_argument("-o", "--output", metavar="WYNIK.pdf", required=True, help="plik wynikowy .pdf")
    pdf.set_defaults(handler=cmd_pdf)

    validate = commands.add_parser("validate", help="sprawdź, czy plik .docx ma wszystkie wymagane części")
    validate.add_argument("file", metavar="PLIK.docx", help="plik do sprawdzenia")
    validate.add_argument("--type", metavar="TYP", required=True, help="typ dokumentu, np. work_plan")
    _office_argument(validate)
    validate.set_defaults(handler=cmd_validate)

    check_template = commands.add_parser(
        "check-template", help="sprawdź szablon Word (.docx) przed wgraniem",
        description="Sprawdza, czy szablon Word można bezpiecznie przyjąć dla typu dokumentu: plik .docx bez "
                    "makr i odwołań zewnętrznych, poprawne znaczniki, tylko pola typu, wymagane nagłówki "
                    "i pola. Kod wyjścia 0: „Szablon poprawny.”, 1: lista problemów z miejscem w szablonie.")
    check_template.add_argument("file", metavar="SZABLON.docx", help="plik szablonu")
    check_template.add_argument("--type", metavar="TYP", required=True, help="typ dokumentu, np. work_plan")
    _office_argument(check_template)

    export = commands.add_parser(
        "type-export", help="definicja typu dokumentu (JSON), od której ośrodek może zacząć własny typ",
        description="Wypisuje definicję typu (kroki, pola, etykiety, rodzaje, reguły danych) w formacie typów "
                    "ośrodka. Reguły programu zapisane w kodzie nie przechodzą do definicji.")
    _type_argument(export)
    _office_argument(export)
    export.add_argument("-o", "--output", metavar="PLIK.json", help="zapisz do pliku zamiast wypisywać")
    export.set_defaults(handler=cmd_type_export)

    infer = commands.add_parser(
        "type-infer", help="zaproponuj definicję typu dokumentu z szablonu Word",
        description="Czyta pola szablonu ({{ … }}, pętle, warunki) i wypisuje proponowaną definicję typu (JSON) "
                    "albo listę problemów z miejscem w szablonie (kod 1).")
    infer.add_argument("file", metavar="SZABLON.docx", help="plik szablonu")
    infer.add_argument("--title", metavar="NAZWA", help="nazwa typu (domyślnie nazwa pliku)")
    infer.add_argument("--id", metavar="IDENTYFIKATOR", help="identyfikator typu (domyślnie z nazwy)")
    infer.add_argument("-o", "--output", metavar="PLIK.json", help="zapisz do pliku zamiast wypisywać")
    infer.set_defaults(handler=cmd_type_infer)
    check_template.set_defaults(handler=cmd_check_template)

    guide = commands.add_parser(
        "template-guide", help="przewodnik po szablonie typu dokumentu (Markdown)",
        description="Wypisuje przewodnik po szablonie: dostępne pola, pętle, filtry i to, co musi zostać "
                    "w szablonie. --all: wszystkie typy (treść docs/szablony.md).")
    guide.add_argument("--type", metavar="TYP", help="typ dokumentu, np. work_plan")
    guide.add_argument("--all", action="store_true", help="przewodnik dla wszystkich typów")
    guide.add_argument("-o", "--output", metavar="PLIK.md", help="zapisz do pliku zamiast wypisywać")
    guide.add_argument("--check", metavar="PLIK.md", help="nie zapisuj; kod 1, gdy plik różni się od przewodnika")
    guide.set_defaults(handler=cmd_template_guide)

    init = commands.add_parser("init", help="utwórz lub zaktualizuj bazę danych (migracje)")
    init.set_defaults(handler=cmd_init)

    demo = commands.add_parser("demo", help="załaduj dane demonstracyjne (ośrodek, konta, rodziny)",
                               description="Tworzy od nowa zmyślony ośrodek z kontami i rodzinami. "
                                           "Poprzednie dane demonstracyjne są usuwane.")
    demo.add_argument("--password", metavar="HASŁO",
                      help="jedno hasło dla wszystkich kont (domyślnie losowe, osobne dla każdego)")
    demo.add_argument("--if-missing", action="store_true",
                      help="nie zmieniaj istniejących danych demonstracyjnych, tylko pokaż hasła")
    demo.set_defaults(handler=cmd_demo)

    anonymise = commands.add_parser(
        "anonymise", help="zanonimizuj rodziny, których okres przechowywania danych minął",
        description="Zastępuje dane osobowe rodzin zamkniętych dawniej niż okres przechowywania ośrodka "
                    "(retention_years) i usuwa ich wygenerowane pliki. Każda anonimizacja trafia do "
                    "dziennika zdarzeń. Wypisuje tylko identyfikatory rodzin.")
    anonymise.add_argument("--due", action="store_true", required=True,
                           help="wszystkie rodziny, których okres przechowywania minął")
    anonymise.add_argument("--dry-run", action="store_true", help="tylko pokaż, które rodziny, niczego nie zmieniaj")
    anonymise.set_defaults(handler=cmd_anonymise)

    admin = commands.add_parser(
        "create-admin", help="utwórz konto administratora (i ośrodek, gdy baza jest pusta)",
        description="Zakłada konto administratora ośrodka. Gdy w bazie nie ma jeszcze ośrodka, tworzy go "
                    "(wtedy wymagane są --office-name i --city); gdy jest, wskaż go przez --office ID. "
                    f"Hasło jest pytane dwa razy; w skryptach można je podać w zmiennej {ADMIN_PASSWORD_ENV}.")
    admin.add_argument("username", metavar="LOGIN", help="login administratora")
    admin.add_argument("--full-name", metavar="IMIĘ_I_NAZWISKO", help="imię i nazwisko (domyślnie „Administrator”)")
    admin.add_argument("--office", metavar="ID", type=int, help="identyfikator istniejącego ośrodka")
    admin.add_argument("--office-name", metavar="NAZWA", help="nazwa nowego ośrodka")
    admin.add_argument("--city", metavar="MIEJSCOWOŚĆ", help="miejscowość nowego ośrodka")
    admin.add_argument("--address", metavar="ADRES", help="adres nowego ośrodka (można uzupełnić w aplikacji)")
    admin.add_argument("--case-prefix", metavar="PREFIKS",
                       help=f"prefiks znaku sprawy nowego ośrodka (domyślnie {DEFAULT_CASE_PREFIX})")
    admin.set_defaults(handler=cmd_create_admin)

    reset_factor = commands.add_parser(
        "reset-second-factor", help="wyłącz drugi składnik administratora (np. po utracie telefonu)",
        description="Wyłącza kod z aplikacji uwierzytelniającej administratora; administrator włącza go ponownie "
                    "w Administracji › Drugi składnik. Z poziomu przeglądarki drugiego składnika nie da się wymienić.")
    reset_factor.add_argument("username", metavar="LOGIN", help="login administratora")
    reset_factor.set_defaults(handler=cmd_reset_second_factor)

    serve = commands.add_parser("serve", help="uruchom aplikację WWW (waitress; z --workers N gunicorn)")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"adres nasłuchu (domyślnie {DEFAULT_HOST})")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (domyślnie {DEFAULT_PORT})")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="ile procesów obsługuje żądania (domyślnie 1: waitress; więcej: gunicorn, tylko Linux)")
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="uruchom proces roboczy kolejki (wydruki i PDF; wymaga DOCGEN_REDIS_URL)")
    worker.add_argument("--name", help="nazwa procesu w kolejce (domyślnie losowa)")
    worker.add_argument("--burst", action="store_true", help="zakończ, gdy kolejka będzie pusta")
    worker.set_defaults(handler=cmd_worker)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.handler(args)
    except SystemExit as exit_:  # argparse: --help, usage errors
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)
    except CommandError as error:
        err(str(error))
        return error.code
    except SQLAlchemyError as error:
        from ..store.migrate import display_url

        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        err(f"Błąd bazy danych ({display_url()}): {reason}")
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        err("Przerwano.")
        return 130
