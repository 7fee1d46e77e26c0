"""The command that turns .docx files into one PDF, through the warm LibreOffice pool."""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from .common import EXIT_OK, EXIT_PROBLEMS, CommandError, err, out


def require_libreoffice() -> None:
    from ..pdf import LIBREOFFICE_MISSING, libreoffice_available

    if not libreoffice_available():
        raise CommandError(LIBREOFFICE_MISSING)


def writable_target(path: str, suffix: str) -> Path:
    target = Path(path)
    if target.is_dir():
        raise CommandError(f"{target} jest katalogiem; podaj nazwę pliku {suffix}.")
    if not target.parent.is_dir():
        raise CommandError(f"Katalog {target.parent} nie istnieje.")
    return target


def cmd_pdf(args: argparse.Namespace) -> int:
    """Every .docx converted in order and merged; a file that fails is named, the rest still go in."""
    from ..pdf import PdfError, PdfPool, merge

    require_libreoffice()
    sources = [Path(name) for name in args.files]
    for source in sources:
        if not source.is_file():
            raise CommandError(f"{source}: nie ma takiego pliku.")
    target = writable_target(args.output, ".pdf")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="docgen-pdf-") as folder, PdfPool(workers=1) as pool:
        parts = []
        for number, source in enumerate(sources):
            part = Path(folder) / f"{number:05d}.pdf"
            try:
                parts.append(pool.convert(source, part))
            except PdfError as problem:
                failed += 1
                err(f"{source}: {problem}")
        if not parts:
            return EXIT_PROBLEMS
        merge(parts, target)
    out(f"Zapisano {target} ({len(parts)} z {len(sources)} dokumentów).")
    return EXIT_PROBLEMS if failed else EXIT_OK


def docx_to_pdf(docx: Path, target: Path) -> None:
    """One document to PDF for `render --pdf`; the .docx stays whatever happens here."""
    from ..pdf import PdfError, PdfPool

    try:
        with PdfPool(workers=1) as pool:
            pool.convert(docx, target)
    except PdfError as problem:
        raise CommandError(f"Zapisano {docx}, ale nie udało się utworzyć PDF: {problem}", EXIT_PROBLEMS) from None
