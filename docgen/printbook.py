"""The cover sheet of a print batch: what the stack holds, in order, and what is missing.
(The documents themselves are joined by `docgen.pdf.merge`.)"""
from __future__ import annotations

import copy
import datetime as dt
import io
from dataclasses import dataclass
from typing import Sequence

from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .formatting import date_long

FONT = "Calibri"  # as the templates: Carlito, with the same metrics, where Word's fonts are missing


@dataclass(frozen=True)
class Entry:
    """One document of the batch, as the cover sheet lists it."""

    title: str        # "Ocena okresowa sytuacji rodziny"
    family: str       # "Wieczorek"
    case_number: str  # "MOPS.AR.4101.7.2026"
    pages: int = 0


def cover_sheet(*, office: str, title: str, printed: Sequence[Entry], failed: Sequence[tuple[str, str]],
                made_by: str, day: dt.date) -> bytes:
    """The cover sheet as .docx: what the stack holds, in order, and what could not be printed."""
    document = WordDocument()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(11)

    def line(text: str, *, size: float = 11, bold: bool = False, space_after: float = 4) -> None:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(space_after)
        run = paragraph.add_run(text)
        run.font.name, run.font.size, run.bold = FONT, Pt(size), bold

    line(office, size=10)
    line(f"Wydruk z dnia {date_long(day)}, przygotowany przez: {made_by}", size=10, space_after=18)
    line(title, size=16, bold=True, space_after=12)
    line(f"Dokumentów w zestawie: {len(printed)}, stron dokumentów: {sum(e.pages for e in printed)}.",
         space_after=10)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Cm(1.1), Cm(6.4), Cm(3.6), Cm(4.8), Cm(1.1))
    for column, width in zip(table.columns, widths):  # the grid, which LibreOffice reads; cells for Word
        column.width = width
    for cell, text, width in zip(table.rows[0].cells, ("Lp.", "Dokument", "Rodzina", "Znak sprawy", "Str."),
                                 widths):
        cell.width = width
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.name, run.font.size = True, FONT, Pt(10)
    # one row styled through python-docx, then copied for each document: styling every cell through it
    # took 0.1 s for 100 documents, at the end of a print job, where the user waits for it
    styled = table.add_row()
    for cell, width in zip(styled.cells, widths):
        cell.width = width
        run = cell.paragraphs[0].add_run("x")
        run.font.name, run.font.size = FONT, Pt(10)
    for number, entry in enumerate(printed, 1):
        row = copy.deepcopy(styled._tr)
        for text_element, text in zip(row.iter(qn("w:t")), (f"{number}.", entry.title, entry.family,
                                                             entry.case_number, str(entry.pages))):
            text_element.text = text
        styled._tr.addprevious(row)
    table._tbl.remove(styled._tr)
    if failed:
        line("", space_after=6)
        line("Nie wydrukowano (spróbuj ponownie albo pobierz te dokumenty osobno):", bold=True)
        for name, message in failed:
            line(f"– {name}: {message}", size=10, space_after=2)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

