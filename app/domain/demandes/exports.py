"""« Exporter » the back office's list of demandes: CSV for spreadsheets
set up the French way (UTF-8 with BOM, « ; » between fields, decimal
comma), streamed a few hundred rows at a time, and XLSX (openpyxl's
write-only workbook, which keeps its rows in a temporary file).

Text typed by applicants may begin with « = », « + », « - » or « @ »: a
spreadsheet would run it as a formula, so the CSV prefixes such a value with
an apostrophe and the XLSX stores it as text.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from app.domain.demandes.backoffice_list import PARIS, ListRow

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BATCH = 500

HEADERS = (
    "Référence",
    "Code du téléservice",
    "Téléservice",
    "Structure ou demandeur",
    "SIRET",
    "Famille de tiers",
    "Intitulé",
    "Montant demandé (€)",
    "Statut",
    "Agent attribué",
    "Date de transmission",
)


def _values(row: ListRow, titles: dict[str, str]) -> list:
    """One row's values, typed (amount as Decimal, date as Paris time)."""
    transmitted = row.transmitted_at.astimezone(PARIS).replace(tzinfo=None) if row.transmitted_at else None
    return [
        row.reference,
        row.teleservice_code,
        titles.get(row.teleservice_code, row.teleservice_code),
        row.demandeur,
        row.siret or "",
        row.famille_label,
        row.intitule or "",
        row.montant_demande,
        row.status_label,
        row.agent_name,
        transmitted,
    ]


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(rows: Iterable[ListRow], titles: dict[str, str]) -> Iterator[str]:
    """The CSV file in pieces: the BOM and the headers, then batches of rows
    (the ``csv`` module quotes fields holding « ; », quotes or line breaks)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([_csv_text(v) for v in _values(row, titles)])
        pending += 1
        if pending == CSV_BATCH:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, Decimal):
        cell.number_format = "#,##0.00"
    return cell


def xlsx_file(rows: Iterable[ListRow], titles: dict[str, str]):
    """The workbook in a temporary file (rewound), for ``send_file``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Demandes")
    sheet.freeze_panes = "A2"
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in _values(row, titles)])
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output
