"""User accounts: password hashing (scrypt, via werkzeug.security) and creating users.

werkzeug is installed with Flask but is not Flask: the engine may use its hashing helpers.
"""
from __future__ import annotations

import functools

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import ROLES, Office, User

MIN_PASSWORD_LENGTH = 10


@functools.cache
def _dummy_hash() -> str:
    # checked when the user does not exist, so a wrong login takes as long as a wrong password
    return generate_password_hash("docgen-no-such-user", method="scrypt")


def check_password_strength(password: str) -> None:
    """Raises ValueError with a Polish message when the password is too weak to set."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Hasło musi mieć co najmniej {MIN_PASSWORD_LENGTH} znaków.")
    if password.strip() == "":
        raise ValueError("Hasło nie może składać się z samych spacji.")


def hash_password(password: str) -> str:
    check_password_strength(password)
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str, password: str) -> bool:
    if not password_hash or not isinstance(password, str):
        return False
    try:
        return check_password_hash(password_hash, password)
    except ValueError:  # a hash in an unknown format
        return False


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def create_user(session: Session, office: Office, username: str, full_name: str, role: str,
                password: str) -> User:
    username = username.strip()
    if not username:
        raise ValueError("Podaj nazwę użytkownika.")
    if role not in ROLES:
        raise ValueError(f"Nieznana rola {role!r}; dozwolone: {', '.join(ROLES)}.")
    taken = session.execute(
        select(User.id).where(func.lower(User.username) == username.lower())
    ).first()
    if taken:
        raise ValueError(f"Nazwa użytkownika {username!r} jest już zajęta.")
    user = User(office=office, username=username, full_name=full_name.strip(), role=role,
                password_hash=hash_password(password), active=True)
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
