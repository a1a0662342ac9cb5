"""Reading and writing the county registry as the office's clerks handle it: CSV or Excel.

A clerk keeps the registry in Excel or WPS and uploads it; what comes back must say, row by
row and column by column, what is wrong, in words a clerk understands, with the bad value,
so they can fix the file and upload it again. This module does only that: no broker, no
database. The service layer passes in the current registry's parents (for the tree checks)
and hands the cleaned rows to ``registry.register_rows``.

Row numbers are those the clerk sees in Excel/WPS: the header is row 1, blank rows count,
and a quoted CSV cell that spans lines is one row.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import Any, Iterable, Iterator

from marshmallow import ValidationError

from services.common.contract import ORG_TYPES, SECTORS
from services.common.errors import InvalidInput

from .schemas import ORG_TYPE_LABELS, SECTOR_LABELS, RegistryRow

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
"""A county has hundreds to a few thousand units, a few hundred KB as CSV; anything much
larger is the wrong file, and refusing it early keeps a bad upload from tying up a worker."""

COLUMNS: tuple[str, ...] = (
    "code", "name", "sector", "org_type", "parent_code", "secretary", "secretary_phone",
    "liaison", "liaison_phone", "liaison_email", "demonstration",
)
"""The registry file's columns, in the sample county's order (data/county_units.csv)."""

REQUIRED_COLUMNS: tuple[str, ...] = ("code", "name", "sector", "org_type")
"""Without these a row is not a unit; the other columns may be left out of the file."""

_MAX_ROWS = 50_000
"""Far above any county (a big one has a few thousand units); bounds memory for a
spreadsheet that decompresses to something enormous."""

_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""An .xlsx is a zip of XML; a registry of 50,000 units unpacks to well under this."""

_XLSX_MAGIC = b"PK\x03\x04"                       # a zip archive: .xlsx (and .docx, .ods ...)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office: .xls, .et, password-protected .xlsx
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")          # Excel's "Unicode Text" export

# Header labels a clerk may use instead of the column codes (the office's printed forms).
_HEADER_LABELS: dict[str, str] = {
    "代码": "code", "编码": "code",
    "名称": "name",
    "领域": "sector", "类别": "sector",
    "组织类型": "org_type",
    "上级代码": "parent_code", "上级组织代码": "parent_code",
    "书记": "secretary",
    "书记电话": "secretary_phone",
    "联络员": "liaison",
    "联络员电话": "liaison_phone",
    "联络员邮箱": "liaison_email",
    "示范点": "demonstration",
}

# Cell values a clerk may write in Chinese, per column, translated to the registry's codes.
_SECTOR_LABELS = {**{label: code for code, label in SECTOR_LABELS.items()},
                  "乡镇": "town", "街道": "town", "村": "village", "社区": "village"}
_ORG_TYPE_LABELS = {label: code for code, label in ORG_TYPE_LABELS.items()}
_DEMONSTRATION_LABELS = {"是": "1", "否": "0"}
_VALUE_LABELS = {"sector": _SECTOR_LABELS, "org_type": _ORG_TYPE_LABELS, "demonstration": _DEMONSTRATION_LABELS}

_SECTOR_HELP = "agency (机关), town (镇街), village (村居), school (学校), enterprise (企业), hospital (医院), other (其他)"
_ORG_TYPE_HELP = "committee (党委), general_branch (党总支), branch (党支部)"
_PHONE_COLUMNS = ("secretary_phone", "liaison_phone")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel evaluates when a CSV cell starts with it
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # Chinese characters and punctuation
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"       # BOMs and zero-width marks pasted in from web pages


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with one row, located the way the clerk finds it in Excel."""
    row: int              # the row number in the file as Excel/WPS shows it (header is row 1)
    column: str | None    # the registry column (code, name, ...), or None for the whole row
    problem: str          # a sentence for the clerk, quoting the bad value

    def as_dict(self) -> dict[str, Any]:
        """For the JSON report the gateway returns with the upload."""
        return asdict(self)


@dataclass
class ParsedFile:
    """The upload's data rows, before any check of their meaning."""
    rows: list[dict[str, str]]          # cells as stripped strings keyed by the file's columns; "" if empty
    row_numbers: list[int]              # for rows[i], its row number in the file
    encoding: str                       # "xlsx", "utf-8" or "gbk"
    notes: list[str] = field(default_factory=list)  # things the clerk should know that are not errors


# --- reading -------------------------------------------------------------------------

def parse_upload(filename: str, content: bytes) -> ParsedFile:
    """Read an uploaded registry file (CSV in UTF-8 or GBK, or .xlsx) into rows of strings.

    Everything a clerk can get wrong about the file itself (its format, encoding or header)
    raises InvalidInput with what to do about it; what is wrong inside the rows is left to
    ``check_rows``, which reports every row at once instead of stopping at the first.
    """
    if not content or not content.strip() or content.strip() == _UTF8_BOM:
        raise InvalidInput("The file is empty. Choose the registry file (CSV or .xlsx) and upload it again.")
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"The file is {len(content) / 1024 / 1024:.1f} MB; the limit is "
                           f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Check that this is the registry file.")
    name = (filename or "").strip().lower()
    if content.startswith(_OLE_MAGIC):
        raise InvalidInput("This is an old-format Excel file (.xls), or a workbook with a password. "
                           "Open it in Excel or WPS and save it as .xlsx (without a password) or as CSV UTF-8.")
    if content.startswith(_XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        table, notes = _read_xlsx(content)
        return _to_parsed(table, "xlsx", notes)
    if content.startswith(b"%PDF"):
        raise InvalidInput("This is a PDF document, not a spreadsheet. Upload the registry as CSV or .xlsx.")
    if content.startswith(_UTF16_BOMS):
        raise InvalidInput("The file was saved as Unicode Text (UTF-16). "
                           "In Excel choose Save As, 'CSV UTF-8 (Comma delimited)', and upload that file.")
    if b"\x00" in content:
        raise InvalidInput("This is not a CSV or .xlsx file (it holds binary data). "
                           "Save the registry as CSV UTF-8 or .xlsx and upload that file.")
    text, encoding, notes = _decode(content)
    if text.lstrip().startswith("<"):
        raise InvalidInput("This file is a web page or XML document, though it may be named like a spreadsheet. "
                           "Open it in Excel or WPS and save it as .xlsx or CSV UTF-8.")
    return _to_parsed(_read_csv(text), encoding, notes)


def _decode(content: bytes) -> tuple[str, str, list[str]]:
    """UTF-8 (with or without the BOM Excel writes for 'CSV UTF-8'), else GB18030, which
    is what Chinese Windows Excel writes for plain 'CSV' (GBK, of which GB18030 is a superset)."""
    try:
        return content.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    # GB18030 decodes almost any bytes, UTF-8 Chinese included, into plausible-looking
    # nonsense; a file that is mostly good UTF-8 with a few bad bytes (a row pasted from a
    # GBK file) must be refused, not read as GBK into garbled names.
    as_utf8 = content.decode("utf-8", errors="replace")
    if len(_CJK.findall(as_utf8)) > 2 * as_utf8.count("\ufffd"):
        row = content[:first_bad].count(b"\n") + 1
        raise InvalidInput(f"The file is in UTF-8, but row {row} holds text in another encoding (perhaps pasted "
                           "from another file). Retype that row, or save the file again from Excel as CSV UTF-8.")
    try:
        text = content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The file's text could not be read: it is neither UTF-8 nor GBK "
                           f"(unreadable bytes near byte {exc.start}). In Excel choose Save As, "
                           "'CSV UTF-8 (Comma delimited)', and upload that file.") from exc
    return text, "gbk", ["The file was saved in GBK (Excel's default for Chinese); it was read as GBK."]


def _read_csv(text: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) for every record; the delimiter is the header line's comma,
    semicolon (European Excel) or tab (copied from a sheet), whichever it uses most."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count) if any(d in first for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            # export_csv guards cells Excel would run as formulas with a leading apostrophe.
            yield number, [c[1:] if c[:1] == "'" and c[1:2] in _FORMULA_START else c for c in cells]
    except csv.Error as exc:
        raise InvalidInput(f"The file is not a well-formed CSV near row {number + 1} ({exc}). "
                           "Check that row for a stray double quote (\"), or save the file again from Excel.") from exc


def _read_xlsx(content: bytes) -> tuple[Iterator[tuple[int, list[Any]]], list[str]]:
    """The first worksheet's rows. Read-only mode streams the sheet instead of building it
    in memory; data_only gives the values formulas last showed, not the formulas."""
    import openpyxl  # only uploads in Excel format pay for the import

    try:
        # the sizes in the zip's directory bound what its members can expand to: a small
        # upload that would unpack into gigabytes of XML is refused before it is parsed
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput("The file could not be opened as an Excel workbook (.xlsx). "
                           "Open it in Excel or WPS and save it as .xlsx or as CSV UTF-8.") from exc
    if unpacked > _MAX_UNPACKED_BYTES:
        raise InvalidInput(f"The workbook unpacks to {unpacked // (1024 * 1024)} MB, far more than a registry; "
                           "check that this is the registry file, or save it as CSV UTF-8.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a corrupt zip, a .docx or .ods renamed: openpyxl raises many kinds
        raise InvalidInput("The file could not be opened as an Excel workbook (.xlsx). "
                           "Open it in Excel or WPS and save it as .xlsx or as CSV UTF-8.") from exc
    notes = []
    sheets = workbook.worksheets
    if not sheets:
        workbook.close()
        raise InvalidInput("The workbook has no worksheet.")
    if len(sheets) > 1:
        notes.append(f"The workbook has {len(sheets)} sheets; only the first, '{sheets[0].title}', was read.")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            # read-only mode yields an empty row for each row missing from the sheet, so
            # counting from 1 gives Excel's row numbers
            for number, values in enumerate(sheets[0].iter_rows(values_only=True), start=1):
                yield number, list(values)
        except Exception as exc:
            raise InvalidInput("The workbook is damaged and could not be read to the end. "
                               "Open it in Excel or WPS and save it again as .xlsx.") from exc
        finally:
            workbook.close()

    return rows(), notes


def _cell_text(value: Any) -> str:
    """A cell as the text the clerk sees: phone numbers stored as numbers come out as their
    digits (13800000000, not 13800000000.0), TRUE/FALSE as 1/0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"  # Excel shows 15 digits
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip().strip(_INVISIBLE).strip()


def _header_key(label: str) -> str:
    """'Code', 'Parent Code', ' 代码 *' → the column they name; anything else, normalised."""
    chinese = re.sub(r"[\s*＊]+", "", label)
    if chinese in _HEADER_LABELS:
        return _HEADER_LABELS[chinese]
    return re.sub(r"[\s\-]+", "_", label.strip().strip("*＊").strip().lower())


def _to_parsed(table: Iterable[tuple[int, list[Any]]], encoding: str, notes: list[str]) -> ParsedFile:
    """Find the header (the first non-blank row), map it to columns, and collect the
    non-blank data rows with their row numbers."""
    try:
        return _collect(table, encoding, notes)
    finally:
        close = getattr(table, "close", None)
        if close is not None:
            close()  # a generator over an open workbook releases it now, not at garbage collection


def _collect(table: Iterable[tuple[int, list[Any]]], encoding: str, notes: list[str]) -> ParsedFile:
    header: list[str | None] | None = None
    header_row = 0
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    for number, raw in table:
        cells = [_cell_text(v) for v in raw]
        if not any(cells):
            continue  # blank rows (between blocks, or trailing formatting) are not units
        if header is None:
            header, header_row = _read_header(cells), number
            continue
        for index in range(len(header), len(cells)):
            if cells[index]:
                raise InvalidInput(f"Row {number} has a value in column {index + 1} ('{_short(cells[index])}'), "
                                   "which has no header. Give that column a header or clear it.")
        row = {}
        for index, column in enumerate(header):
            value = cells[index] if index < len(cells) else ""
            if column is None:
                if value:
                    raise InvalidInput(f"Row {number} has a value in column {index + 1} ('{_short(value)}'), "
                                       "which has no header. Give that column a header or clear it.")
                continue
            row[column] = value
        rows.append(row)
        numbers.append(number)
        if len(rows) > _MAX_ROWS:
            raise InvalidInput(f"The file has more than {_MAX_ROWS} units; check that this is the county registry.")
    if header is None:
        raise InvalidInput("The file is empty. Choose the registry file (CSV or .xlsx) and upload it again.")
    if not rows:
        raise InvalidInput(f"The file has no units: it has a header (row {header_row}) but no rows below it.")
    absent = [c for c in COLUMNS if c not in header]
    if absent:
        notes.append("The file has no column " + ", ".join(absent) + "; those fields are taken as empty.")
    return ParsedFile(rows=rows, row_numbers=numbers, encoding=encoding, notes=notes)


def _read_header(cells: list[str]) -> list[str | None]:
    """The column of each header cell (None for a blank one); InvalidInput naming the
    missing required columns and the unknown ones when the header is not the registry's."""
    columns: list[str | None] = [_header_key(c) if c else None for c in cells]
    unknown = [f"'{_short(cells[i])}' (column {i + 1})"
               for i, c in enumerate(columns) if c is not None and c not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    seen: dict[str, int] = {}
    twice = []
    for i, column in enumerate(columns):
        if column in COLUMNS:
            if column in seen:
                twice.append(f"{column} (columns {seen[column] + 1} and {i + 1})")
            seen.setdefault(column, i)
    if not (unknown or missing or twice):
        return columns
    parts = ["The first row of the file must be the header of the registry."]
    if missing:
        parts.append("Missing required columns: " + ", ".join(missing) + ".")
    if unknown:
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        parts.append("Unknown columns: " + ", ".join(unknown[:10]) + more + ".")
    if twice:
        parts.append("Columns given twice: " + "; ".join(twice) + ".")
    filled = [c for c in cells if c]
    if len(filled) == 1:
        if "，" in filled[0]:
            parts.append("Separate the columns with an English comma (,), not a Chinese one (，).")
        else:
            parts.append("If the file has a title above the header, delete that row.")
    parts.append("The columns are: " + ", ".join(COLUMNS) + " (Chinese headers such as 代码, 名称, 领域, "
                 "组织类型, 上级代码 are accepted too).")
    raise InvalidInput(" ".join(parts))


def _short(value: str, limit: int = 40) -> str:
    """A value as quoted back to the clerk: on one line, and not the whole of a runaway cell."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "↵")
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- checking ------------------------------------------------------------------------

def check_rows(parsed: ParsedFile,
               existing_parents: dict[str, str | None]) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Check every row's values and the tree they make with the current registry.

    ``existing_parents`` is the registry as it stands (code → parent_code); a row for a
    code already there replaces that unit's parent. Returns (rows as RegistryRow loads
    them, []) when the file is clean, else ([], every problem sorted by row then column),
    so nothing is registered from a file that is partly wrong.
    """
    problems: list[RowProblem] = []
    loaded: list[dict[str, Any]] = []
    codes: list[str] = []
    parents: list[str] = []
    schema = RegistryRow()
    for number, raw in zip(parsed.row_numbers, parsed.rows):
        values = {column: translate_label(column, value) for column, value in raw.items() if column in COLUMNS}
        codes.append(values.get("code", ""))
        parents.append(values.get("parent_code", ""))
        for column, value in values.items():
            if "\n" in value or "\r" in value:
                problems.append(RowProblem(number, column, (
                    f"The {column} cell holds a line break ('{_short(value)}'). Remove it; if the file has a stray "
                    "double quote (\"), the following rows may have been read into this cell.")))
        data = {column: value for column, value in values.items() if value != ""}  # empty → load_default
        try:
            loaded.append(schema.load(data))
        except ValidationError as exc:
            messages = exc.messages if isinstance(exc.messages, dict) else {None: exc.messages}
            for column, msgs in messages.items():
                problems.append(RowProblem(number, column, _explain(column, raw.get(column) or None, msgs)))
    problems += _tree_problems(parsed.row_numbers, codes, parents, existing_parents)
    if problems:
        order = {c: i for i, c in enumerate(COLUMNS)}
        problems.sort(key=lambda p: (p.row, -1 if p.column is None else order.get(p.column, len(order)), p.problem))
        return [], problems
    return loaded, []


def translate_label(column: str, value: str) -> str:
    """Chinese labels (党支部, 村居, 是 ...) and English in any case → the registry's codes."""
    labels = _VALUE_LABELS.get(column)
    if labels is None or not value:
        return value
    return labels.get(value, value.lower())  # Excel writes booleans into CSV as TRUE/FALSE


def _explain(column: str | None, value: Any, messages: list[str]) -> str:
    """marshmallow's message for one field, as a sentence a clerk can act on."""
    if value is None:
        if column in REQUIRED_COLUMNS:
            return f"The {column} is empty; every unit needs one."
        return f"The {column} is empty."
    shown = _short(str(value))
    if column == "code":
        return (f"The code '{shown}' is not valid: use only letters, digits, '-' and '_', "
                "at most 32 characters, no spaces.")
    if column == "name":
        return f"The name '{shown}' is too long (at most 200 characters)."
    if column == "sector":
        return f"The sector '{shown}' is not known. Use one of: {_SECTOR_HELP}."
    if column == "org_type":
        return f"The organisation type '{shown}' is not known. Use one of: {_ORG_TYPE_HELP}."
    if column in _PHONE_COLUMNS:
        text = (f"The phone number '{shown}' is not a mainland mobile (11 digits starting with 1) "
                "or landline (such as 0592-1234567) number.")
        if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", str(value)):
            text += " Excel turned it into scientific notation: format the column as text and type it again."
        elif re.fullmatch(r"[2-9]\d{8,10}", str(value)):
            text += " If it is a landline, Excel dropped its leading 0: format the column as text and type it again."
        return text
    if column == "liaison_email":
        return f"The e-mail address '{shown}' is not valid (it should look like name@example.gov.cn)."
    if column == "demonstration":
        return f"The demonstration value '{shown}' is not understood: write 1 or 0 (or 是 / 否)."
    return f"The {column or 'row'} value '{shown}' is not valid: " + " ".join(map(str, messages))


def _tree_problems(numbers: list[int], codes: list[str], parents: list[str],
                   existing_parents: dict[str, str | None]) -> list[RowProblem]:
    """Codes used twice, parents that do not exist, units under themselves, and parent
    chains that go round in a circle once the file is laid over the registry."""
    problems = []
    rows_of: dict[str, list[int]] = {}
    for number, code in zip(numbers, codes):
        if code:
            rows_of.setdefault(code, []).append(number)
    for code, rows in rows_of.items():
        if len(rows) > 1:
            listed = ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
            for number in rows:
                problems.append(RowProblem(number, "code", f"The code '{code}' is used on rows {listed}; "
                                                           "each unit needs its own code."))
    known_lower = None
    for number, code, parent in zip(numbers, codes, parents):
        if not parent:
            continue
        if parent == code:
            problems.append(RowProblem(number, "parent_code", f"The unit '{code}' names itself as its parent."))
        elif parent not in rows_of and parent not in existing_parents:
            if known_lower is None:
                known_lower = {c.lower(): c for c in (*existing_parents, *rows_of)}
            hint = f" Did you mean '{known_lower[parent.lower()]}'?" if parent.lower() in known_lower else ""
            problems.append(RowProblem(number, "parent_code", f"The parent code '{parent}' is neither in this file "
                                                              f"nor in the registry.{hint}"))

    # The tree after the import: the registry, with each unit in the file under its new parent.
    tree: dict[str, str | None] = dict(existing_parents)
    first_row: dict[str, int] = {}
    for number, code, parent in zip(numbers, codes, parents):
        if code and code not in first_row:
            first_row[code] = number
            tree[code] = parent or None
    state: dict[str, int] = {}  # 1: on the chain being walked, 2: known to reach a root
    for start in first_row:
        chain: list[str] = []
        node: str | None = start
        while node is not None and node in tree and state.get(node) is None:
            state[node] = 1
            chain.append(node)
            node = tree[node] or None
        if node is not None and state.get(node) == 1 and tree.get(node) != node:  # self-parent reported above
            cycle = chain[chain.index(node):]
            for member in cycle:
                if member in first_row:
                    at = cycle.index(member)
                    path = cycle[at:] + cycle[:at] + [member]
                    shown = " → ".join(c if c in first_row else f"{c} (registry)" for c in path)
                    problems.append(RowProblem(first_row[member], "parent_code", (
                        f"The parent chain goes round in a circle: {shown}. "
                        "A unit cannot be placed under one of its own sub-units.")))
        for member in chain:
            state[member] = 2
    return problems


# --- writing -------------------------------------------------------------------------

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
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in _FORMULA_START else c
                         for c in _export_cells(unit)])
    return _UTF8_BOM + out.getvalue().encode("utf-8")


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
