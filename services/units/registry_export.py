"""Writing the registry as the files a clerk edits: CSV in UTF-8 with a BOM, and an .xlsx
with text columns and drop-down lists; both read back by the importer unchanged."""
from __future__ import annotations

import csv
import io
from typing import Any

from services.common.contract import ORG_TYPES, SECTORS

from .registry_columns import COLUMNS, FORMULA_START, UTF8_BOM


def _export_cells(unit: dict[str, Any], empty: Any = "") -> list[Any]:
    """A unit's cells in COLUMNS order: None → `empty`, demonstration → 1/0."""
    cells = []
    for column in COLUMNS:
        value = unit.get(column)
        if column == "demonstration":
            cells.append(1 if value in (True, "1", "true", "是") else 0)
        else:
            cells.append(empty if value is None or value == "" else str(value))
    return cells


def export_csv(units: list[dict[str, Any]]) -> bytes:
    """The registry as CSV, in UTF-8 with a BOM: without the BOM, Excel on Chinese Windows
    reads the file as GBK and shows garbled names. A cell that Excel would run as a
    formula (=, +, -, @) gets a leading apostrophe, which parse_upload removes again."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for unit in units:
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in FORMULA_START else c
                         for c in _export_cells(unit)])
    return UTF8_BOM + out.getvalue().encode("utf-8")


def export_xlsx(units: list[dict[str, Any]]) -> bytes:
    """The registry as an Excel workbook a clerk can edit and upload again: one sheet
    'units', a bold header, and every column but demonstration formatted as text, so a
    phone number or code typed into it keeps its leading zeros instead of becoming a
    number; sector, org_type and demonstration offer drop-down lists of the codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "units"
    bold = Font(bold=True)
    text_columns = [i for i, c in enumerate(COLUMNS, start=1) if c != "demonstration"]
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index, value=column).font = bold
    for number, unit in enumerate(units, start=2):
        for index, value in enumerate(_export_cells(unit, empty=None), start=1):
            cell = sheet.cell(row=number, column=index, value=value)
            if index in text_columns:
                cell.number_format = "@"
                if value is not None:
                    cell.data_type = "s"  # a value starting with '=' stays text, never a formula
    widths = {"name": 40, "liaison_email": 28, "secretary_phone": 16, "liaison_phone": 16, "parent_code": 12}
    for index, column in enumerate(COLUMNS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = widths.get(column, 12)
        if index in text_columns:
            dimension.number_format = "@"  # and so are the rows a clerk adds later
    last, spare = len(units) + 1, len(units) + 1001
    for column, choices in (("sector", SECTORS), ("org_type", ORG_TYPES), ("demonstration", ("1", "0"))):
        letter = get_column_letter(COLUMNS.index(column) + 1)
        # a list to pick from, not a lock: the Chinese labels (村居, 党支部, 是) are accepted too
        check = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                               showErrorMessage=False)
        check.add(f"{letter}2:{letter}{spare}")
        sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
