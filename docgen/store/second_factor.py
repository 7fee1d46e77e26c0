"""The administrator's second factor: a time-based one-time code (TOTP, RFC 6238) from an
authenticator app on the admin's phone (Aegis, FreeOTP, Google or Microsoft Authenticator).

TOTP needs no network on either side, only clocks within a minute of each other, so it works
on an office PC without internet; no SMS gateway or e-mail is involved. A code is accepted
once: the time step it was made for is stored, and an earlier or equal step is refused, in
one conditional UPDATE, so two requests racing with the same code cannot both pass.
Enrolment needs a code from the new secret; once enrolled, the secret cannot be replaced from
the web (`docgen reset-second-factor LOGIN` on the server does it), so a stolen password alone
cannot enrol a new phone.
"""
from __future__ import annotations

import datetime as dt
import hmac
import re

import pyotp
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from .models import User

ISSUER = "Dokumenty asystenta rodziny"
# a code of the step before or after is accepted too: the phone's clock may be off by up to 30 s
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: User) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret as it is typed into an app by hand: groups of four."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        moment = now + dt.timedelta(seconds=offset * totp.interval)
        if hmac.compare_digest(totp.at(moment), code):
            return totp.timecode(moment)
    return None


def _use_step(session: Session, user: User, step: int) -> bool:
    """Records the step as used; False when it (or a later one) was used already."""
    used = session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
    if used:
        user.totp_last_step = step
    return bool(used)


def enrol(session: Session, user: User, secret: str, code: str, now: dt.datetime) -> None:
    """Turns the second factor on with `secret`, proven by a code from the app. ValueError (Polish) otherwise."""
    if user.totp_secret:
        raise ValueError("Drugi składnik jest już włączony. Nowy telefon można przypisać dopiero po wyłączeniu go "
                         "na serwerze poleceniem docgen reset-second-factor.")
    step = _matching_step(secret, code, now)
    if step is None:
        raise ValueError("Kod się nie zgadza. Wpisz 6 cyfr, które aplikacja pokazuje teraz dla tego konta; "
                         "sprawdź też, czy zegar telefonu i komputera wskazuje właściwą godzinę.")
    user.totp_secret = secret
    session.flush()
    _use_step(session, user, step)


def verify(session: Session, user: User, code: str, now: dt.datetime) -> None:
    """Accepts a current code once. ValueError (Polish) when it is wrong, used or the factor is off."""
    if not user.totp_secret:
        raise ValueError("Najpierw włącz drugi składnik logowania (Administracja › Drugi składnik).")
    step = _matching_step(user.totp_secret, code, now)
    if step is None:
        raise ValueError("Kod z aplikacji się nie zgadza. Wpisz 6 cyfr, które aplikacja pokazuje teraz.")
    if not _use_step(session, user, step):
        raise ValueError("Ten kod został już użyty. Poczekaj na następny kod w aplikacji i wpisz go.")


def reset(user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
