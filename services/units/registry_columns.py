"""What every part of the registry file handling shares: its columns, the Chinese labels a
clerk may write in its cells, and how a problem with a row is reported (importer reads
the file, registry_checks checks its rows, registry_export writes it)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .schemas import ORG_TYPE_LABELS, SECTOR_LABELS

COLUMNS: tuple[str, ...] = (
    "code", "name", "sector", "org_type", "parent_code", "secretary", "secretary_phone",
    "liaison", "liaison_phone", "liaison_email", "demonstration",
)
"""The registry file's columns, in the sample county's order (data/county_units.csv)."""

REQUIRED_COLUMNS: tuple[str, ...] = ("code", "name", "sector", "org_type")
"""Without these a row is not a unit; the other columns may be left out of the file."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel evaluates when a CSV cell starts with it
UTF8_BOM = b"\xef\xbb\xbf"

# Cell values a clerk may write in Chinese, per column, translated to the registry's codes.
_SECTOR_LABELS = {**{label: code for code, label in SECTOR_LABELS.items()},
                  "乡镇": "town", "街道": "town", "村": "village", "社区": "village"}
_ORG_TYPE_LABELS = {label: code for code, label in ORG_TYPE_LABELS.items()}
_DEMONSTRATION_LABELS = {"是": "1", "否": "0"}
VALUE_LABELS = {"sector": _SECTOR_LABELS, "org_type": _ORG_TYPE_LABELS, "demonstration": _DEMONSTRATION_LABELS}


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


def translate_label(column: str, value: str) -> str:
    """Chinese labels (党支部, 村居, 是 ...) and English in any case → the registry's codes."""
    labels = VALUE_LABELS.get(column)
    if labels is None or not value:
        return value
    return labels.get(value, value.lower())  # Excel writes booleans into CSV as TRUE/FALSE


COLUMN_LABELS = {"code": "代码", "name": "名称", "sector": "领域", "org_type": "组织类型", "parent_code": "上级代码",
                 "secretary": "书记", "secretary_phone": "书记电话", "liaison": "联络员",
                 "liaison_phone": "联络员电话", "liaison_email": "联络员邮箱", "demonstration": "示范点"}


def column_label(column: str | None) -> str:
    """A column as the clerk's Chinese header names it, with its code: 领域（sector）."""
    if column is None:
        return "这一行"
    return f"{COLUMN_LABELS[column]}（{column}）" if column in COLUMN_LABELS else column


def short(value: str, limit: int = 40) -> str:
    """A value as quoted back to the clerk: on one line, and not the whole of a runaway cell."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "↵")
    return value if len(value) <= limit else value[: limit - 1] + "…"
