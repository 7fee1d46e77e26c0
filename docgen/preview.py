"""Images of a PDF's first pages, to look at a document before downloading it (poppler's pdftoppm)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .pdf import PdfError

PREVIEW_PAGES = 2
PREVIEW_DPI = 60
TOOL_MISSING = "Podgląd stron wymaga programu pdftoppm (pakiet poppler-utils); plik PDF można pobrać bez niego."


def pdftoppm_path() -> str | None:
    return shutil.which("pdftoppm")


def preview_path(pdf: Path, page: int) -> Path:
    """Where the image of `page` (from 1) of `pdf` is kept: beside it."""
    return pdf.with_name(f"{pdf.stem}.strona-{page}.png")


def page_images(pdf: Path, pages: int = PREVIEW_PAGES, dpi: int = PREVIEW_DPI, timeout: float = 30.0) -> list[Path]:
    """PNG images of the first `pages` pages, made once and kept beside the PDF; each appears whole
    (made in a temp folder, then moved into place). Raises PdfError when they cannot be made."""
    if preview_path(pdf, 1).is_file():  # page 1 is moved into place last: the others are there
        return [path for path in (preview_path(pdf, page) for page in range(1, pages + 1)) if path.is_file()]
    tool = pdftoppm_path()
    if tool is None:
        raise PdfError(TOOL_MISSING)
    with tempfile.TemporaryDirectory(dir=pdf.parent) as folder:
        try:
            subprocess.run([tool, "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), str(pdf),
                            str(Path(folder) / "strona")], check=True, timeout=timeout, capture_output=True)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as failure:
            raise PdfError("Nie udało się przygotować podglądu stron – pobierz plik PDF.") from failure
        made = sorted(Path(folder).glob("strona-*.png"), key=lambda path: int(path.stem.rsplit("-", 1)[1]))
        result = [preview_path(pdf, page) for page in range(1, len(made) + 1)]
        for image, target in reversed(list(zip(made, result))):
            image.replace(target)
    return result
