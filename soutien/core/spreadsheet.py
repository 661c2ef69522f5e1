"""Cells of the CSV and XLSX files the platform writes, safe to open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab, or a carriage return)
is read by spreadsheet software as a formula: a name or a label typed in the platform
could then run one on the computer of whoever opens the export (formula injection,
OWASP « CSV Injection »). Such a text is written with a leading apostrophe in CSV (the
spreadsheet shows the text, without computing it) and as a plain text cell, marked as
such (``quotePrefix``), in XLSX. Numbers stay numbers.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value):
    """The value as a CSV cell: a text that would be read as a formula gets a leading
    apostrophe."""
    if is_formula_like(value):
        return f"'{value}"
    return value


def csv_row(values) -> list:
    return [csv_cell(value) for value in values]


def xlsx_append(sheet, values) -> None:
    """Append a row to an openpyxl sheet, texts kept as texts (openpyxl would store a text
    starting with « = » as a formula)."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if is_formula_like(cell.value) or cell.data_type == "f":
            cell.data_type = "s"
            cell.quotePrefix = True
