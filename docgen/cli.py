"""The `docgen` command: document types, schemas, rendering from JSON, checking .docx files,
the database and the demo data, and serving the web app.

Every command uses DATABASE_URL (default: SQLite in instance/). Nothing here imports Flask
at module level: `serve` imports the web app when it runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy.exc import SQLAlchemyError

from .doctypes import DOCTYPES, UnknownDocType, get_doctype
from .schema import json_schema

EXIT_OK = 0
EXIT_PROBLEMS = 1  # the command ran and found problems (e.g. an incomplete document)
EXIT_USAGE = 2     # wrong input: unknown type, invalid data, missing file, no office

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000

# argparse's own messages are English; the ones a user meets most often, in Polish
_ARGPARSE_PL = (
    ("the following arguments are required", "brakuje wymaganych argumentów"),
    ("unrecognized arguments", "nieznane argumenty"),
    ("invalid choice", "nieprawidłowy wybór"),
    ("choose from", "wybierz spośród"),
    ("expected one argument", "oczekiwano jednej wartości"),
    ("invalid int value", "nieprawidłowa liczba całkowita"),
)


class CommandError(Exception):
    """A problem reported to the user as one message, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="użycie: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenty"
        self._optionals.title = "opcje"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="pokaż tę pomoc i zakończ")

    def error(self, message: str):
        for english, polish in _ARGPARSE_PL:
            message = message.replace(english, polish)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: błąd: {message}\n")


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _doctype(type_id: str):
    try:
        return get_doctype(type_id)
    except UnknownDocType as error:
        raise CommandError(error.args[0]) from None


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


# --- document types ---------------------------------------------------------------------

def cmd_types(args: argparse.Namespace) -> int:
    types = [{"id": doctype.id, "title": doctype.title} for doctype in DOCTYPES.values()]
    if args.json:
        _out(_dump(types))
    else:
        for item in types:
            _out(f"{item['id']}\t{item['title']}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    _out(_dump(json_schema(_doctype(args.type))))
    return EXIT_OK


def cmd_example(args: argparse.Namespace) -> int:
    _out(_dump(_doctype(args.type).example()))
    return EXIT_OK


# --- render -----------------------------------------------------------------------------

def _read_json(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{path}: nie ma takiego pliku.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: plik nie jest tekstem w kodowaniu UTF-8.") from None
    except OSError as error:
        raise CommandError(f"{path}: nie można odczytać pliku ({error.strerror}).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}: nieprawidłowy JSON (wiersz {error.lineno}, kolumna {error.colno}): "
                           f"{error.msg}.") from None


_NO_OFFICE = ("W bazie danych nie ma żadnego ośrodka, więc nie ma z czego wziąć nagłówka dokumentu. "
              "Uruchom najpierw `docgen demo` (dane przykładowe) albo dodaj ośrodek w aplikacji.")


def _pick_office(session, office_id: int | None):
    from sqlalchemy import inspect, select

    from .store.models import Office

    if not inspect(session.get_bind()).has_table(Office.__tablename__):
        raise CommandError(_NO_OFFICE)
    if office_id is not None:
        office = session.get(Office, office_id)
        if office is None:
            known = session.execute(select(Office.id, Office.name).order_by(Office.id)).all()
            listing = "; ".join(f"{row.id} – {row.name}" for row in known) or "brak"
            raise CommandError(f"Nie ma ośrodka o identyfikatorze {office_id}. Dostępne: {listing}.")
        return office
    office = session.execute(select(Office).order_by(Office.id).limit(1)).scalar_one_or_none()
    if office is None:
        raise CommandError(_NO_OFFICE)
    return office


def _sqlite_file_missing(url: str) -> bool:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return False
    return not Path(parsed.database).exists()


def _render(render, doctype, data, office, case_number: str, template: Path) -> bytes:
    from zipfile import BadZipFile

    from jinja2 import TemplateError

    try:
        return render(doctype, data, letterhead=office.letterhead(), case_number=case_number, template=template)
    except BadZipFile:
        raise CommandError(f"{template}: to nie jest plik .docx.") from None
    except TemplateError as error:
        raise CommandError(f"{template}: błąd w szablonie: {error}", EXIT_PROBLEMS) from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def cmd_render(args: argparse.Namespace) -> int:
    from .render import render, template_path
    from .store import db
    from .store.documents import allocate_case_number
    from .validate import validate

    doctype = _doctype(args.type)
    data = _read_json(args.input)
    issues = validate(doctype, data)
    if issues:
        for issue in issues:
            _err(str(issue))  # one line per problem, "path: message"; nothing else on stderr
        return EXIT_USAGE

    template = Path(args.template) if args.template else template_path(doctype)
    if not template.is_file():
        raise CommandError(f"Nie ma szablonu {template}.")
    output = Path(args.output)
    if output.is_dir():
        raise CommandError(f"{output} jest katalogiem; podaj nazwę pliku .docx.")
    if not output.parent.is_dir():
        raise CommandError(f"Katalog {output.parent} nie istnieje.")

    url = db.database_url()
    if _sqlite_file_missing(url):
        raise CommandError(_NO_OFFICE)
    engine = db.make_engine(url)
    try:
        with db.make_sessionmaker(engine)() as session:
            office = _pick_office(session, args.office)
            case_number = allocate_case_number(session, office, dt.date.today().year)
            content = _render(render, doctype, data, office, case_number, template)
            # the number is spent only once the document exists: write aside, commit, then rename
            handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(content)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
                session.commit()
                os.replace(temporary, output)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
    finally:
        engine.dispose()
    _out(f"Zapisano {output} (znak sprawy {case_number}, ośrodek: {office.name}).")
    return EXIT_OK


# --- validate a .docx -------------------------------------------------------------------

def cmd_validate(args: argparse.Namespace) -> int:
    doctype = _doctype(args.type)
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{path}: nie ma takiego pliku.")
    from .docxcheck import check_docx

    problems = check_docx(doctype, path)
    if not problems:
        _out("Dokument kompletny.")
        return EXIT_OK
    _out(f"Dokument niekompletny ({doctype.title}):")
    for problem in problems:
        _out(f"- {problem}")
    return EXIT_PROBLEMS


# --- database and demo ------------------------------------------------------------------

def cmd_init(args: argparse.Namespace) -> int:
    from .store import migrate

    migrate.upgrade()
    _out(f"Baza danych gotowa: {migrate.display_url()}")
    return EXIT_OK


def _print_logins(rows: Sequence[tuple[str, str, str]]) -> None:
    width = max(len(username) for username, _, _ in rows)
    _out("Konta demonstracyjne (użytkownik, rola, hasło):")
    for username, role, secret in rows:
        _out(f"  {username.ljust(width)}  {role.ljust(9)}  {secret}")


def cmd_demo(args: argparse.Namespace) -> int:
    from .store import db, demo, migrate

    migrate.upgrade()
    engine = db.make_engine()
    try:
        with db.make_sessionmaker(engine)() as session:
            if args.if_missing and demo.find_demo_office(session) is not None:
                rows = demo.read_logins()
                _out("Dane demonstracyjne już są w bazie; pozostawiono je bez zmian.")
                if rows:
                    _print_logins(rows)
                else:
                    _out(f"Plik z hasłami ({demo.logins_path()}) nie istnieje. Aby utworzyć dane "
                         "demonstracyjne od nowa, z nowymi hasłami: docgen demo")
                _out(f"Adres: {demo.URL}")
                return EXIT_OK
            try:
                logins = demo.load_demo(session, args.password)
            except ValueError as error:
                raise CommandError(str(error)) from None
    finally:
        engine.dispose()
    roles = {username: role for username, _, role in demo.USERS}
    _out(f"Utworzono dane demonstracyjne: {demo.OFFICE['name']}.")
    _print_logins([(username, roles[username], secret) for username, secret in logins.items()])
    _out(f"Hasła zapisano też w {demo.logins_path()} (tylko dla właściciela pliku).")
    _out(f"Adres: {demo.URL}")
    return EXIT_OK


def cmd_anonymise(args: argparse.Namespace) -> int:
    """Anonymise every family whose retention period has passed: one transaction per family,
    each with its audit entry; only ids are printed, never names."""
    from .store import audit, db, lifecycle
    from .store.models import Family

    url = db.database_url()
    if _sqlite_file_missing(url):
        raise CommandError(f"Baza danych nie istnieje ({url}). Uruchom najpierw `docgen init`.")
    today = dt.date.today()
    engine = db.make_engine(url)
    done: list[int] = []
    failed: list[int] = []
    try:
        with db.make_sessionmaker(engine)() as session:
            due = [family.id for family in lifecycle.due_for_anonymisation(session, today)]
            if args.dry_run:
                _out(f"Rodziny do anonimizacji: {len(due)}" + (f" (id: {_ids(due)})." if due else "."))
                _out("Próba (--dry-run): niczego nie zmieniono.")
                return EXIT_OK
            for family_id in due:
                family = session.get(Family, family_id)
                try:
                    lifecycle.anonymise_family(session, family, today=today)
                    audit.record(session, user=None, username=audit.SYSTEM, action=audit.ANONYMISE,
                                 object_type="family", object_id=family_id, family_id=family_id,
                                 office_id=family.office_id, detail="docgen anonymise --due")
                    session.commit()
                except (ValueError, OSError, SQLAlchemyError) as error:
                    session.rollback()
                    failed.append(family_id)
                    # a file path or an SQL parameter in the message could carry a name
                    reason = str(error) if isinstance(error, ValueError) else type(error).__name__
                    _err(f"Rodzina id {family_id}: nie zanonimizowano ({reason}).")
                else:
                    done.append(family_id)
        try:
            # VACUUM too: clears free space left before secure_delete was on (older databases)
            purged = lifecycle.purge_sqlite_free_space(engine, vacuum=bool(done))
        except SQLAlchemyError:  # e.g. locked by a writer: the anonymisations are committed anyway
            purged = False
    finally:
        engine.dispose()
    _out(f"Zanonimizowano rodziny: {len(done)}" + (f" (id: {_ids(done)})." if done else "."))
    if not purged:
        _err("Nie udało się opróżnić dziennika zapisu SQLite (baza zajęta); "
             "uruchom polecenie ponownie później.")
    if failed:
        _err(f"Nie zanonimizowano: {len(failed)} (id: {_ids(failed)}).")
    return EXIT_PROBLEMS if failed or not purged else EXIT_OK


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(str(value) for value in ids)


ADMIN_PASSWORD_ENV = "DOCGEN_ADMIN_PASSWORD"
DEFAULT_CASE_PREFIX = "OPS.AR"
_OFFICE_LIMITS = (("office_name", "--office-name", 200), ("city", "--city", 100), ("address", "--address", 300),
                  ("case_prefix", "--case-prefix", 50))


def _admin_password(username: str) -> str:
    """From DOCGEN_ADMIN_PASSWORD (for scripts), else typed twice without echo; checked by the policy."""
    from .store.users import check_password_strength

    password = os.environ.get(ADMIN_PASSWORD_ENV)
    if not password:
        import getpass

        try:
            password = getpass.getpass("Hasło administratora: ")
            repeated = getpass.getpass("Powtórz hasło: ")
        except EOFError:
            raise CommandError(f"Nie podano hasła. Wpisz je po zapytaniu albo ustaw zmienną {ADMIN_PASSWORD_ENV}.") \
                from None
        if password != repeated:
            raise CommandError("Hasła się różnią. Uruchom polecenie jeszcze raz.")
    try:
        check_password_strength(password, username)
    except ValueError as error:
        raise CommandError(str(error)) from None
    return password


def cmd_create_admin(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from .store import db, migrate
    from .store.models import ROLE_ADMIN, Office, User
    from .store.users import USERNAME_MESSAGE, USERNAME_PATTERN, create_user

    username = args.username.strip()
    if not username:
        raise CommandError("Podaj login administratora.")
    if not re.fullmatch(USERNAME_PATTERN, username) or len(username) > 80:
        raise CommandError(USERNAME_MESSAGE if len(username) <= 80 else "Login może mieć najwyżej 80 znaków.")
    office_options = [flag for attribute, flag, _ in _OFFICE_LIMITS if getattr(args, attribute) is not None]
    if args.office is not None and office_options:
        raise CommandError(f"Z --office (istniejący ośrodek) nie podaje się {', '.join(office_options)}: "
                           "dane ośrodka zmienia administrator w aplikacji (Administracja → Ustawienia ośrodka).")
    for attribute, flag, limit in _OFFICE_LIMITS:
        value = (getattr(args, attribute) or "").strip()
        if len(value) > limit:
            raise CommandError(f"{flag}: najwyżej {limit} znaków.")

    migrate.upgrade()
    engine = db.make_engine()
    try:
        with db.make_sessionmaker(engine)() as session:
            if session.execute(select(User.id).where(func.lower(User.username) == username.lower())).first():
                raise CommandError(f"Login {username!r} jest już zajęty; wybierz inny.")
            created_office = False
            if args.office is not None:
                office = _pick_office(session, args.office)
            else:
                known = session.execute(select(Office.id, Office.name).order_by(Office.id)).all()
                if known:
                    listing = "; ".join(f"{row.id} – {row.name}" for row in known)
                    raise CommandError(f"W bazie jest już ośrodek. Wskaż, do którego dodać administratora: "
                                       f"--office ID (dostępne: {listing}).")
                missing = [flag for attribute, flag in (("office_name", "--office-name"), ("city", "--city"))
                           if not (getattr(args, attribute) or "").strip()]
                if missing:
                    raise CommandError(f"W bazie nie ma jeszcze ośrodka, więc zostanie utworzony. Podaj "
                                       f"{' i '.join(missing)} (np. --office-name \"Gminny Ośrodek Pomocy Społecznej "
                                       f"w Lipowcu\" --city Lipowiec).")
                prefix = (args.case_prefix or DEFAULT_CASE_PREFIX).strip()
                if not re.fullmatch(r"[A-Za-z0-9]+([.-][A-Za-z0-9]+)*", prefix):
                    raise CommandError("--case-prefix: litery bez polskich znaków i cyfry, rozdzielone kropką lub "
                                       "łącznikiem, np. GOPS.AR.")
                office = Office(name=args.office_name.strip(), city=args.city.strip(),
                                address=(args.address or "").strip(), case_prefix=prefix)
                session.add(office)
                created_office = True
            password = _admin_password(username)
            full_name = (args.full_name or "").strip() or "Administrator"
            try:
                user = create_user(session, office, username, full_name, ROLE_ADMIN, password)
            except ValueError as error:
                raise CommandError(str(error)) from None
            session.commit()
            lines = [f"Utworzono ośrodek {office.name} (identyfikator {office.id})." if created_office
                     else f"Ośrodek: {office.name} (identyfikator {office.id}).",
                     f"Utworzono administratora {user.username} ({user.full_name})."]
    finally:
        engine.dispose()
    for line in lines:
        _out(line)
    _out("Zaloguj się nim w aplikacji (docgen serve), a w Administracji uzupełnij dane ośrodka i dodaj konta.")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from webforms import create_app
    except ImportError as error:
        raise CommandError(f"Nie można wczytać aplikacji webforms: {error}.", EXIT_PROBLEMS) from None
    try:
        import waitress
    except ImportError:
        raise CommandError("Brak pakietu waitress; zainstaluj go: pip install waitress.", EXIT_PROBLEMS) from None
    app = create_app()
    _out(f"Serwer działa pod adresem http://{args.host}:{args.port} (Ctrl+C kończy).")
    waitress.serve(app, host=args.host, port=args.port, threads=8)
    return EXIT_OK


# --- the parser -------------------------------------------------------------------------

def _type_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("type", metavar="TYP", help="typ dokumentu, np. work_plan (lista: docgen types)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="docgen", description="Dokumenty asystenta rodziny: typy, schematy, generowanie "
                                                "i sprawdzanie plików Word, baza danych, serwer.")
    commands = parser.add_subparsers(dest="command", metavar="POLECENIE", title="polecenia",
                                     parser_class=_Parser)
    commands.required = True

    types = commands.add_parser("types", help="lista typów dokumentów")
    types.add_argument("--json", action="store_true", help="wypisz jako listę JSON {id, title}")
    types.set_defaults(handler=cmd_types)

    schema = commands.add_parser("schema", help="schemat JSON danych wejściowych typu dokumentu")
    _type_argument(schema)
    schema.set_defaults(handler=cmd_schema)

    example = commands.add_parser("example", help="przykładowe dane (JSON) typu dokumentu")
    _type_argument(example)
    example.set_defaults(handler=cmd_example)

    render = commands.add_parser("render", help="wygeneruj dokument .docx z pliku JSON",
                                 description="Sprawdza dane, nadaje znak sprawy z licznika ośrodka "
                                             "i zapisuje dokument .docx.")
    _type_argument(render)
    render.add_argument("input", metavar="DANE.json", help="plik JSON z danymi dokumentu ('-' = standardowe wejście)")
    render.add_argument("-o", "--output", metavar="WYNIK.docx", required=True, help="plik wynikowy .docx")
    render.add_argument("--template", metavar="SZABLON.docx", help="inny szablon niż domyślny typu dokumentu")
    render.add_argument("--office", metavar="ID", type=int,
                        help="identyfikator ośrodka, którego nagłówek i licznik spraw użyć (domyślnie pierwszy)")
    render.set_defaults(handler=cmd_render)

    validate = commands.add_parser("validate", help="sprawdź, czy plik .docx ma wszystkie wymagane części")
    validate.add_argument("file", metavar="PLIK.docx", help="plik do sprawdzenia")
    validate.add_argument("--type", metavar="TYP", required=True, help="typ dokumentu, np. work_plan")
    validate.set_defaults(handler=cmd_validate)

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

    serve = commands.add_parser("serve", help="uruchom aplikację WWW (waitress)")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"adres nasłuchu (domyślnie {DEFAULT_HOST})")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (domyślnie {DEFAULT_PORT})")
    serve.set_defaults(handler=cmd_serve)
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
        _err(str(error))
        return error.code
    except SQLAlchemyError as error:
        from .store.migrate import display_url

        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        _err(f"Błąd bazy danych ({display_url()}): {reason}")
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        _err("Przerwano.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
