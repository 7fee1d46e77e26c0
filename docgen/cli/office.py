"""The commands on the office's database and server: init, demo, anonymise, create-admin and serve."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
from typing import Sequence

from sqlalchemy.exc import SQLAlchemyError

from .common import EXIT_OK, EXIT_PROBLEMS, CommandError, err, out, pick_office, sqlite_file_missing

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


# --- database and demo ------------------------------------------------------------------

def cmd_init(args: argparse.Namespace) -> int:
    from ..store import migrate

    migrate.upgrade()
    out(f"Baza danych gotowa: {migrate.display_url()}")
    return EXIT_OK


def _print_logins(rows: Sequence[tuple[str, str, str]]) -> None:
    width = max(len(username) for username, _, _ in rows)
    out("Konta demonstracyjne (użytkownik, rola, hasło):")
    for username, role, secret in rows:
        out(f"  {username.ljust(width)}  {role.ljust(9)}  {secret}")


def cmd_demo(args: argparse.Namespace) -> int:
    from ..store import db, demo, migrate

    migrate.upgrade()
    engine = db.make_engine()
    try:
        with db.make_sessionmaker(engine)() as session:
            if args.if_missing and demo.find_demo_office(session) is not None:
                rows = demo.read_logins()
                out("Dane demonstracyjne już są w bazie; pozostawiono je bez zmian.")
                if rows:
                    _print_logins(rows)
                else:
                    out(f"Plik z hasłami ({demo.logins_path()}) nie istnieje. Aby utworzyć dane "
                         "demonstracyjne od nowa, z nowymi hasłami: docgen demo")
                out(f"Adres: {demo.URL}")
                return EXIT_OK
            try:
                logins = demo.load_demo(session, args.password)
            except ValueError as error:
                raise CommandError(str(error)) from None
    finally:
        engine.dispose()
    roles = {username: role for username, _, role in demo.USERS}
    out(f"Utworzono dane demonstracyjne: {demo.OFFICE['name']}.")
    _print_logins([(username, roles[username], secret) for username, secret in logins.items()])
    out(f"Hasła zapisano też w {demo.logins_path()} (tylko dla właściciela pliku).")
    out(f"Adres: {demo.URL}")
    return EXIT_OK


def cmd_anonymise(args: argparse.Namespace) -> int:
    """Anonymise every family whose retention period has passed: one transaction per family,
    each with its audit entry; only ids are printed, never names."""
    from ..store import audit, db, lifecycle
    from ..store.models import Family

    url = db.database_url()
    if sqlite_file_missing(url):
        raise CommandError(f"Baza danych nie istnieje ({url}). Uruchom najpierw `docgen init`.")
    today = dt.date.today()
    engine = db.make_engine(url)
    done: list[int] = []
    failed: list[int] = []
    try:
        with db.make_sessionmaker(engine)() as session:
            due = [family.id for family in lifecycle.due_for_anonymisation(session, today)]
            if args.dry_run:
                out(f"Rodziny do anonimizacji: {len(due)}" + (f" (id: {_ids(due)})." if due else "."))
                out("Próba (--dry-run): niczego nie zmieniono.")
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
                    err(f"Rodzina id {family_id}: nie zanonimizowano ({reason}).")
                else:
                    done.append(family_id)
        try:
            # VACUUM too: clears free space left before secure_delete was on (older databases)
            purged = lifecycle.purge_sqlite_free_space(engine, vacuum=bool(done))
        except SQLAlchemyError:  # e.g. locked by a writer: the anonymisations are committed anyway
            purged = False
    finally:
        engine.dispose()
    out(f"Zanonimizowano rodziny: {len(done)}" + (f" (id: {_ids(done)})." if done else "."))
    if not purged:
        err("Nie udało się opróżnić dziennika zapisu SQLite (baza zajęta); "
             "uruchom polecenie ponownie później.")
    if failed:
        err(f"Nie zanonimizowano: {len(failed)} (id: {_ids(failed)}).")
    return EXIT_PROBLEMS if failed or not purged else EXIT_OK


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(str(value) for value in ids)


ADMIN_PASSWORD_ENV = "DOCGEN_ADMIN_PASSWORD"
DEFAULT_CASE_PREFIX = "OPS.AR"
_OFFICE_LIMITS = (("office_name", "--office-name", 200), ("city", "--city", 100), ("address", "--address", 300),
                  ("case_prefix", "--case-prefix", 50))


def _admin_password(username: str) -> str:
    """From DOCGEN_ADMIN_PASSWORD (for scripts), else typed twice without echo; checked by the policy."""
    from ..store.users import check_password_strength

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

    from ..store import db, migrate
    from ..store.models import ROLE_ADMIN, Office, User
    from ..store.users import USERNAME_MESSAGE, USERNAME_PATTERN, create_user

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
                office = pick_office(session, args.office)
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
        out(line)
    out("Zaloguj się nim w aplikacji (docgen serve), a w Administracji uzupełnij dane ośrodka i dodaj konta.")
    return EXIT_OK


def cmd_reset_second_factor(args: argparse.Namespace) -> int:
    """Switches an admin's second factor off (a lost phone), on the server only: the web never replaces it."""
    from sqlalchemy import select

    from ..store import audit, db, migrate, second_factor
    from ..store.models import ROLE_ADMIN, User

    migrate.upgrade()
    engine = db.make_engine()
    try:
        with db.make_sessionmaker(engine)() as session:
            user = session.scalars(select(User).where(User.username == args.username.strip())).first()
            if user is None or user.role != ROLE_ADMIN:
                raise CommandError(f"Nie ma administratora o loginie {args.username!r}.")
            if not user.totp_secret:
                out(f"Administrator {user.username} nie ma włączonego drugiego składnika; nic do zrobienia.")
                return EXIT_OK
            second_factor.reset(user)
            audit.record(session, user=None, username=audit.SYSTEM, office_id=user.office_id, action=audit.UPDATE,
                         object_type="user", object_id=user.id, detail="wyłączenie drugiego składnika (polecenie)")
            session.commit()
    finally:
        engine.dispose()
    out(f"Wyłączono drugi składnik administratora {args.username.strip()}. Włączy go ponownie w Administracji "
        "› Drugi składnik, skanując nowy kod QR.")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from webforms import create_app, proxy
        from webforms.serving import ServerUnavailable, serve
    except ImportError as error:
        raise CommandError(f"Nie można wczytać aplikacji webforms: {error}.", EXIT_PROBLEMS) from None
    if args.workers < 1:
        raise CommandError("--workers: podaj liczbę procesów większą od zera.")
    # behind nginx, waitress itself believes the proxy's X-Forwarded-* (and the app does not again);
    # gunicorn does not, so there the app applies them (proxy.install)
    behind = proxy.waitress_options() if args.workers == 1 else {}
    app = create_app({proxy.APPLIED_BY_SERVER: True}) if behind else create_app()
    word = "procesy" if args.workers % 10 in (2, 3, 4) and args.workers % 100 not in (12, 13, 14) else "procesów"
    how = "1 proces (waitress)" if args.workers == 1 else f"{args.workers} {word} (gunicorn)"
    out(f"Serwer działa pod adresem http://{args.host}:{args.port}, {how} (Ctrl+C kończy).")
    trusted = proxy.trusted_proxy()
    if trusted:
        out(f"Za serwerem pośredniczącym: nagłówki X-Forwarded-For i X-Forwarded-Proto są przyjmowane tylko "
            f"od {trusted}.")
    if args.workers == 1:
        from ..pdf_cleanup import install_signal_handlers

        # SIGTERM (systemctl stop) closes the LibreOffice pool the app starts later; gunicorn's workers
        # handle their signals themselves and exit through atexit, which closes it too
        install_signal_handlers()
    try:
        serve(app, args.host, args.port, workers=args.workers, **behind)
    except ServerUnavailable as error:
        raise CommandError(str(error), EXIT_PROBLEMS) from None
    return EXIT_OK
