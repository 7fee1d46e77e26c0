"""`docgen worker`: a process that runs print jobs and PDF conversions from the queue on Redis
(DOCGEN_REDIS_URL), with its own warm LibreOffice pool; run as many as needed, on any machine that
reaches the database, Redis and the output folder."""
from __future__ import annotations

import argparse
import os

from .common import EXIT_OK, EXIT_PROBLEMS, CommandError, out


def _positive(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise CommandError(f"Ustawienie {name}={value!r}: podaj liczbę całkowitą większą od zera.")
    return int(value)


def cmd_worker(args: argparse.Namespace) -> int:
    from .. import jobqueue
    from ..pdf import LIBREOFFICE_MISSING, libreoffice_available

    url = jobqueue.redis_url()
    if not url:
        raise CommandError(f"Ustaw {jobqueue.REDIS_URL_ENV} (np. redis://127.0.0.1:6379/0): proces roboczy "
                           "pobiera zadania z kolejki w Redisie.")
    if not libreoffice_available():
        raise CommandError(LIBREOFFICE_MISSING, EXIT_PROBLEMS)
    workers = _positive("DOCGEN_PDF_WORKERS", 1)
    timeout = _positive("DOCGEN_PDF_TIMEOUT", 60)
    from redis import RedisError

    out(f"Proces roboczy kolejki ({workers} × LibreOffice) czeka na zadania z {url.split('@')[-1]} (Ctrl+C kończy).")
    try:
        jobqueue.run_worker(url, pdf_workers=workers, timeout=float(timeout), name=args.name, burst=args.burst)
    except RedisError as error:
        raise CommandError(f"Nie można połączyć się z Redisem ({url.split('@')[-1]}): {error}", EXIT_PROBLEMS) from None
    return EXIT_OK
