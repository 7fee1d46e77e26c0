"""User accounts: the password policy, password hashing (scrypt, via werkzeug.security) and
creating users.

werkzeug is installed with Flask but is not Flask: the engine may use its hashing helpers.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import ROLES, Office, User

MIN_PASSWORD_LENGTH = 10
# a login is typed on every sign-in: plain letters, digits and . _ - @, nothing that looks alike
USERNAME_PATTERN = r"[A-Za-z0-9._@-]+"
USERNAME_MESSAGE = "Login może zawierać tylko litery bez polskich znaków, cyfry oraz znaki . _ - @ (bez spacji)."


@functools.cache
def _dummy_hash() -> str:
    # checked when the user does not exist, so a wrong login takes as long as a wrong password
    return generate_password_hash("docgen-no-such-user", method="scrypt")


def _fold(text: str) -> str:
    """Lower case without Polish diacritics, so "Hasło12345" and "haslo12345" compare equal."""
    text = text.casefold().replace("ł", "l")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the most often used (and first guessed) passwords, folded."""
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(_fold(line.strip()) for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def check_password_strength(password: str, username: str | None = None) -> None:
    """Raises ValueError with a Polish message when the password is too weak to set."""
    if not isinstance(password, str) or password.strip() == "":
        raise ValueError("Podaj hasło; nie może składać się z samych spacji.")
    folded = _fold(password.strip())
    if username and folded == _fold(username.strip()):
        raise ValueError("Hasło nie może być takie samo jak nazwa użytkownika.")
    # before the length, so "haslo123" hears the real reason, not only "too short"
    if folded in common_passwords():
        raise ValueError("To hasło jest na liście najczęściej używanych haseł i łatwo je odgadnąć. "
                         "Wybierz inne, np. kilka niepowiązanych słów.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Hasło musi mieć co najmniej {MIN_PASSWORD_LENGTH} znaków.")


def hash_password(password: str, username: str | None = None) -> str:
    check_password_strength(password, username)
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str, password: str) -> bool:
    if not password_hash or not isinstance(password, str):
        return False
    try:
        return check_password_hash(password_hash, password)
    except ValueError:  # a hash in an unknown format
        return False


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password, user.username)


def create_user(session: Session, office: Office, username: str, full_name: str, role: str,
                password: str) -> User:
    username = username.strip()
    if not username:
        raise ValueError("Podaj nazwę użytkownika.")
    if not re.fullmatch(USERNAME_PATTERN, username) or len(username) > 80:
        raise ValueError(USERNAME_MESSAGE if len(username) <= 80 else "Login może mieć najwyżej 80 znaków.")
    if role not in ROLES:
        raise ValueError(f"Nieznana rola {role!r}; dozwolone: {', '.join(ROLES)}.")
    taken = session.execute(
        select(User.id).where(func.lower(User.username) == username.lower())
    ).first()
    if taken:
        raise ValueError(f"Nazwa użytkownika {username!r} jest już zajęta.")
    user = User(office=office, username=username, full_name=full_name.strip(), role=role,
                password_hash=hash_password(password, username), active=True)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (without telling which was wrong)."""
    user = session.execute(select(User).where(User.username == (username or "").strip())).scalar_one_or_none()
    if user is None or not user.active:
        verify_password(_dummy_hash(), password or "")
        return None
    return user if verify_password(user.password_hash, password or "") else None
