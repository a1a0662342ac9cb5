"""Reading the county registry as the office's clerks keep it: CSV or Excel.

A clerk keeps the registry in Excel or WPS and uploads it; what comes back must say, row by
row and column by column, what is wrong, in words a clerk understands, with the bad value,
so they can fix the file and upload it again. This module does only that: no broker, no
database. The service layer passes in the current registry's parents (for the tree checks,
in registry_checks) and hands the cleaned rows to ``registry.register_rows``; writing the
registry back out is registry_export. The names callers use are all importable from here.

Row numbers are those the clerk sees in Excel/WPS: the header is row 1, blank rows count,
and a quoted CSV cell that spans lines is one row.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, time
from typing import Any, Iterable, Iterator

from services.common.errors import InvalidInput

from .registry_checks import check_rows  # noqa: F401  (the importer's API: read, then check)
from .registry_columns import (COLUMNS, FORMULA_START, REQUIRED_COLUMNS, UTF8_BOM, ParsedFile,  # noqa: F401
                               RowProblem, column_label, short, translate_label)
from .registry_export import export_csv, export_xlsx  # noqa: F401

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
"""A county has hundreds to a few thousand units, a few hundred KB as CSV; anything much
larger is the wrong file, and refusing it early keeps a bad upload from tying up a worker."""

_MAX_ROWS = 50_000
"""Far above any county (a big one has a few thousand units); bounds memory for a
spreadsheet that decompresses to something enormous."""

_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""An .xlsx is a zip of XML; a registry of 50,000 units unpacks to well under this."""

_XLSX_MAGIC = b"PK\x03\x04"                       # a zip archive: .xlsx (and .docx, .ods ...)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office: .xls, .et, password-protected .xlsx
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

_NOT_A_WORKBOOK = ("无法把文件作为 Excel 工作簿（.xlsx）打开："
                   "请用 Excel 或 WPS 打开，另存为 .xlsx 或“CSV UTF-8”后再上传。")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # Chinese characters and punctuation
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"       # BOMs and zero-width marks pasted in from web pages


# --- reading -------------------------------------------------------------------------

def parse_upload(filename: str, content: bytes) -> ParsedFile:
    """Read an uploaded registry file (CSV in UTF-8 or GBK, or .xlsx) into rows of strings.

    Everything a clerk can get wrong about the file itself (its format, encoding or header)
    raises InvalidInput with what to do about it; what is wrong inside the rows is left to
    ``check_rows``, which reports every row at once instead of stopping at the first.
    """
    if not content or not content.strip() or content.strip() == UTF8_BOM:
        raise InvalidInput("文件是空的：请选择组织名册文件（CSV 或 .xlsx）重新上传。")
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"文件有 {len(content) / 1024 / 1024:.1f} MB，上限是 "
                           f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB：请确认这是组织名册文件。")
    name = (filename or "").strip().lower()
    if content.startswith(_OLE_MAGIC):
        raise InvalidInput("这是旧版 Excel 文件（.xls），或是设了密码的工作簿：请用 Excel 或 WPS 打开，"
                           "另存为 .xlsx（不设密码）或“CSV UTF-8”后再上传。")
    if content.startswith(_XLSX_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        table, notes = _read_xlsx(content)
        return _to_parsed(table, "xlsx", notes)
    if content.startswith(b"%PDF"):
        raise InvalidInput("这是 PDF 文档，不是表格：请上传 CSV 或 .xlsx 格式的组织名册。")
    if content.startswith(_UTF16_BOMS):
        raise InvalidInput("文件被保存成了“Unicode 文本”（UTF-16）：请在 Excel 中选择“另存为”，"
                           "保存类型选“CSV UTF-8（逗号分隔）”，再上传那个文件。")
    if b"\x00" in content:
        raise InvalidInput("这不是 CSV 或 .xlsx 文件（内容是二进制数据）：请把名册另存为“CSV UTF-8”或 .xlsx 后上传。")
    text, encoding, notes = _decode(content)
    if text.lstrip().startswith("<"):
        raise InvalidInput("这个文件是网页或 XML 文档（虽然文件名像表格）：请用 Excel 或 WPS 打开，"
                           "另存为 .xlsx 或“CSV UTF-8”后再上传。")
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
        raise InvalidInput(f"文件是 UTF-8 编码，但第 {row} 行混有其他编码的文字（可能是从别的文件粘贴来的）："
                           "请重新输入这一行，或在 Excel 中重新另存为“CSV UTF-8”。")
    try:
        text = content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InvalidInput("无法读取文件中的文字：它既不是 UTF-8 也不是 GBK 编码"
                           f"（第 {exc.start} 字节附近无法识别）。请在 Excel 中选择“另存为”，"
                           "保存类型选“CSV UTF-8（逗号分隔）”，再上传那个文件。") from exc
    return text, "gbk", ["文件是 GBK 编码（中文 Excel 默认保存的“CSV”），已按 GBK 读取。"]


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
            yield number, [c[1:] if c[:1] == "'" and c[1:2] in FORMULA_START else c for c in cells]
    except csv.Error as exc:
        raise InvalidInput(f"文件在第 {number + 1} 行附近不是规范的 CSV（{exc}）：请检查这一行是否有多余的"
                           "英文双引号（\"），或用 Excel 重新保存文件。") from exc


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
        raise InvalidInput(_NOT_A_WORKBOOK) from exc
    if unpacked > _MAX_UNPACKED_BYTES:
        raise InvalidInput(f"这个工作簿解压后有 {unpacked // (1024 * 1024)} MB，远超一份组织名册："
                           "请确认这是名册文件，或把它另存为“CSV UTF-8”。")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a corrupt zip, a .docx or .ods renamed: openpyxl raises many kinds
        raise InvalidInput(_NOT_A_WORKBOOK) from exc
    notes = []
    sheets = workbook.worksheets
    if not sheets:
        workbook.close()
        raise InvalidInput("这个工作簿里没有工作表：请在第一个工作表中填写名册后再上传。")
    if len(sheets) > 1:
        notes.append(f"工作簿有 {len(sheets)} 个工作表，只读取了第一个“{sheets[0].title}”。")

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            # read-only mode yields an empty row for each row missing from the sheet, so
            # counting from 1 gives Excel's row numbers
            for number, values in enumerate(sheets[0].iter_rows(values_only=True), start=1):
                yield number, list(values)
        except Exception as exc:
            raise InvalidInput("工作簿已损坏，无法读到末尾：请用 Excel 或 WPS 打开后重新另存为 .xlsx。") from exc
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
                raise InvalidInput(_no_header(number, index, cells[index]))
        row = {}
        for index, column in enumerate(header):
            value = cells[index] if index < len(cells) else ""
            if column is None:
                if value:
                    raise InvalidInput(_no_header(number, index, value))
                continue
            row[column] = value
        rows.append(row)
        numbers.append(number)
        if len(rows) > _MAX_ROWS:
            raise InvalidInput(f"文件中的组织超过 {_MAX_ROWS} 个：请确认这是本县的组织名册。")
    if header is None:
        raise InvalidInput("文件是空的：请选择组织名册文件（CSV 或 .xlsx）重新上传。")
    if not rows:
        raise InvalidInput(f"文件中没有组织：只有表头（第 {header_row} 行），下面没有数据行。")
    absent = [c for c in COLUMNS if c not in header]
    if absent:
        notes.append("文件中没有这些列：" + "、".join(column_label(c) for c in absent) + "；这些字段按空白处理。")
    return ParsedFile(rows=rows, row_numbers=numbers, encoding=encoding, notes=notes)


def _read_header(cells: list[str]) -> list[str | None]:
    """The column of each header cell (None for a blank one); InvalidInput naming the
    missing required columns and the unknown ones when the header is not the registry's."""
    columns: list[str | None] = [_header_key(c) if c else None for c in cells]
    unknown = [f"“{short(cells[i])}”（第 {i + 1} 列）"
               for i, c in enumerate(columns) if c is not None and c not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    seen: dict[str, int] = {}
    twice = []
    for i, column in enumerate(columns):
        if column in COLUMNS:
            if column in seen:
                twice.append(f"{column_label(column)}（第 {seen[column] + 1} 列和第 {i + 1} 列）")
            seen.setdefault(column, i)
    if not (unknown or missing or twice):
        return columns
    parts = ["文件的第一行必须是组织名册的表头。"]
    if missing:
        parts.append("缺少必填的列：" + "、".join(column_label(c) for c in missing) + "。")
    if unknown:
        more = f"等 {len(unknown)} 列" if len(unknown) > 10 else ""
        parts.append("无法识别的列：" + "、".join(unknown[:10]) + more + "。")
    if twice:
        parts.append("重复的列：" + "；".join(twice) + "。")
    filled = [c for c in cells if c]
    if len(filled) == 1:
        if "，" in filled[0]:
            parts.append("各列之间请用英文逗号（,）分隔，不要用中文逗号（，）。")
        else:
            parts.append("如果表头上方有标题行，请删除那一行。")
    parts.append("表头的列是：" + ", ".join(COLUMNS)
                 + "（也可以用中文表头，如 代码、名称、领域、组织类型、上级代码）。")
    raise InvalidInput("".join(parts))


def _no_header(number: int, index: int, value: str) -> str:
    return (f"第 {number} 行第 {index + 1} 列有内容（“{short(value)}”），"
            "但这一列没有表头：请给这一列加上表头，或清空它。")
