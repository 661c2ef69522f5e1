"""Spreadsheet output: no cell is ever run as a formula, in CSV as in XLSX."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from soutien.core.spreadsheets import csv_lines, neutralise, xlsx_bytes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://exemple.test")', '\'=HYPERLINK("http://exemple.test")'),
        ("+33 4 91 00 00 00", "'+33 4 91 00 00 00"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Centre social = lien", "Centre social = lien"),
        ("MSTR-2026-0001", "MSTR-2026-0001"),
        ("", ""),
        (-5, -5),
        (None, None),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
    ],
)
def test_neutralise_prefixes_what_a_spreadsheet_would_compute(value, expected):
    assert neutralise(value) == expected


def test_csv_is_semicolon_separated_with_a_byte_order_mark_and_no_formula():
    text = "".join(
        csv_lines(
            ["Dossier", "Centre social", "Échéance"],
            [("MSTR-2026-0001", "=1+1", dt.date(2026, 3, 1)), ("Brouillon", "Le Relais", None)],
        )
    )
    assert text.startswith("\ufeffDossier;Centre social;Échéance\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [
        ["Dossier", "Centre social", "Échéance"],
        ["MSTR-2026-0001", "'=1+1", "01/03/2026"],
        ["Brouillon", "Le Relais", ""],
    ]


def test_xlsx_holds_text_dates_and_no_formula():
    content = xlsx_bytes(
        "Dossiers",
        ["Dossier", "Centre social", "Échéance"],
        [("MSTR-2026-0001", '=HYPERLINK("x")', dt.date(2026, 3, 1)), ("B", "@A1", None)],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Dossiers"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [
        ["Dossier", "Centre social", "Échéance"],
        ["MSTR-2026-0001", '\'=HYPERLINK("x")', dt.datetime(2026, 3, 1)],  # noqa: DTZ001 - spreadsheets hold naive dates
        ["B", "'@A1", None],
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["C2"].number_format == "DD/MM/YYYY"
    assert sheet["A1"].font.bold
