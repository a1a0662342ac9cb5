"""A year's holiday arrangement read from a file the county office uploads: YAML

    year: 2027
    document: 国办发明电〔2026〕7号
    issued_on: 2026-11-20
    holidays: [2027-01-01, 2027-02-05, ...]
    workdays: [2027-02-07, ...]

or an .xlsx workbook whose first sheet has a header row 日期 | 类别 (放假 or 上班) and one day a
row. A file that cannot be read is refused naming the row or the date."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import yaml
from openpyxl import load_workbook

from services.common.errors import InvalidInput

KINDS = {"放假": "holidays", "休": "holidays", "holiday": "holidays",
         "上班": "workdays", "班": "workdays", "workday": "workdays"}
MAX_BYTES = 1024 * 1024


def read(filename: str, content: bytes) -> dict[str, Any]:
    """The arrangement in the file: holidays and workdays as dates, with year, document and
    issued_on when the file gives them."""
    if len(content) > MAX_BYTES:
        raise InvalidInput("文件超过 1 MB，无法读取")
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        return _read_xlsx(content)
    return _read_yaml(content)


def _day(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{where}：“{value}”不是日期（应为 2027-01-01 这样的日期）") from None


def _read_yaml(content: bytes) -> dict[str, Any]:
    try:
        data = yaml.load(content.decode("utf-8"), Loader=yaml.BaseLoader)  # text only: each date checked below
    except (UnicodeDecodeError, yaml.YAMLError):
        raise InvalidInput("文件无法读取：应为 UTF-8 编码的 YAML 或 .xlsx 工作簿") from None
    if not isinstance(data, dict):
        raise InvalidInput("文件无法读取：YAML 应有 holidays 和 workdays 两个列表")
    result: dict[str, Any] = {}
    for key in ("holidays", "workdays"):
        values = data.get(key) or []
        if not isinstance(values, list):
            raise InvalidInput(f"文件中的 {key} 应为日期列表")
        result[key] = [_day(value, f"{key} 第 {number} 项") for number, value in enumerate(values, 1)]
    if data.get("year") is not None:
        if not str(data["year"]).isdigit():
            raise InvalidInput(f"文件中的年份“{data['year']}”不是数字")
        result["year"] = int(data["year"])
    if data.get("document") is not None:
        result["document"] = str(data["document"])
    if data.get("issued_on") is not None:
        result["issued_on"] = _day(data["issued_on"], "issued_on")
    return result


def _read_xlsx(content: bytes) -> dict[str, Any]:
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError):
        raise InvalidInput("文件无法读取：应为 UTF-8 编码的 YAML 或 .xlsx 工作簿") from None
    result: dict[str, Any] = {"holidays": [], "workdays": []}
    for number, row in enumerate(rows[1:], 2):
        cells = [cell for cell in (row or ()) if cell not in (None, "")]
        if not cells:
            continue
        if len(cells) < 2:
            raise InvalidInput(f"第 {number} 行：应有日期和类别（放假或上班）两列")
        kind = KINDS.get(str(cells[1]).strip())
        if kind is None:
            raise InvalidInput(f"第 {number} 行：类别“{cells[1]}”应为放假或上班")
        result[kind].append(_day(cells[0], f"第 {number} 行"))
    return result
