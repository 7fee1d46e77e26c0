"""The command that turns .docx files into one PDF, and the PDF of `render --pdf`: LibreOffice run once
for the files (docgen.pdfbatch), not the warm pool a long-running app keeps."""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from .common import EXIT_OK, EXIT_PROBLEMS, CommandError, err, out


def require_libreoffice() -> None:
    from ..pdf import LIBREOFFICE_MISSING, soffice_path

    if soffice_path() is None:
        raise CommandError(LIBREOFFICE_MISSING)


def writable_target(path: str, suffix: str) -> Path:
    target = Path(path)
    if target.is_dir():
        raise CommandError(f"{target} jest katalogiem; podaj nazwę pliku {suffix}.")
    if not target.parent.is_dir():
        raise CommandError(f"Katalog {target.parent} nie istnieje.")
    return target


def cmd_pdf(args: argparse.Namespace) -> int:
    """Every .docx converted and merged in order; a file that fails is named, the rest still go in."""
    from ..pdf import PdfError, merge
    from ..pdfbatch import convert_files

    require_libreoffice()
    sources = [Path(name) for name in args.files]
    for source in sources:
        if not source.is_file():
            raise CommandError(f"{source}: nie ma takiego pliku.")
    target = writable_target(args.output, ".pdf")
    with tempfile.TemporaryDirectory(prefix="docgen-pdf-") as folder:
        parts, titles = [], []
        for source, made in zip(sources, convert_files(sources, Path(folder))):
            if isinstance(made, PdfError):
                err(f"{source}: {made}")
            else:
                parts.append(made)
                titles.append(source.stem)
        if not parts:
            return EXIT_PROBLEMS
        merge(parts, target, titles=titles)
    out(f"Zapisano {target} ({len(parts)} z {len(sources)} dokumentów).")
    return EXIT_PROBLEMS if len(parts) < len(sources) else EXIT_OK


def docx_to_pdf(docx: Path, target: Path) -> None:
    """One document to PDF for `render --pdf`; the .docx stays whatever happens here."""
    from ..pdf import PdfError
    from ..pdfbatch import convert_files

    try:
        with tempfile.TemporaryDirectory(prefix=".docgen-pdf-", dir=target.parent) as folder:
            made = convert_files([docx], Path(folder))[0]
            if isinstance(made, PdfError):
                raise made
            os.replace(made, target)  # the same folder: a file at `target` is always a whole PDF
    except PdfError as problem:
        raise CommandError(f"Zapisano {docx}, ale nie udało się utworzyć PDF: {problem}", EXIT_PROBLEMS) from None
