"""Spreadsheet output shared by the exports: CSV streamed row by row, XLSX written in
openpyxl's write-only mode, and no cell a spreadsheet would run as a formula.

A text cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which some spreadsheets skip before reading one of those) is a formula for Excel and
LibreOffice: a centre named ``=HYPERLINK(…)`` would become a link, or worse, in the
coordinator's spreadsheet (CSV injection, OWASP). Such a cell is prefixed with an
apostrophe, which the spreadsheet shows as text.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralise(value):
    """The value, with an apostrophe before a text that a spreadsheet would read as a
    formula. Numbers, dates and None are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(neutralise(value))


class _Line:
    """A file-like object whose write() hands back the line (csv.writer needs one)."""

    def write(self, text):
        return text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV file, one line at a time, for a streaming response: a byte order mark
    first (Excel then reads the accents as UTF-8), semicolons between cells (what a
    French spreadsheet expects), dates as dd/mm/yyyy."""
    writer = csv.writer(_Line(), delimiter=";")
    yield "\ufeff" + writer.writerow([_csv_text(cell) for cell in header])
    for row in rows:
        yield writer.writerow([_csv_text(cell) for cell in row])


def xlsx_bytes(title: str, header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """One sheet: a bold header, then the rows written as they come (write-only mode keeps
    memory flat); dates shown as dd/mm/yyyy; no formula cell."""

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)

    def heading(text):
        cell = WriteOnlyCell(sheet, value=neutralise(text))
        cell.font = bold
        return cell

    def value(item):
        if isinstance(item, dt.datetime):
            item = item.replace(tzinfo=None)
        if isinstance(item, dt.date):
            cell = WriteOnlyCell(sheet, value=item)
            cell.number_format = "DD/MM/YYYY"
            return cell
        cell = WriteOnlyCell(sheet, value=neutralise(item))
        if isinstance(item, str):
            cell.data_type = "s"  # never a formula, whatever openpyxl guesses
        return cell

    sheet.append([heading(text) for text in header])
    for row in rows:
        sheet.append([value(item) for item in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_row(values) -> list:
    """A row for ``csv.writer``: each text a spreadsheet would read as a formula gets its
    apostrophe (for writers that build their file themselves)."""
    return [neutralise(value) for value in values]


def xlsx_append(sheet, values) -> None:
    """Append a row to an ordinary (not write-only) openpyxl sheet, texts kept as texts:
    openpyxl would store a text starting with « = » as a formula."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)) or (
            cell.data_type == "f"
        ):
            cell.data_type = "s"
            cell.quotePrefix = True
