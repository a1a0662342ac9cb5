"""The audit trail's online entries as a CSV file, for the audit administrator (the API's
/api/v1/audit/export and the console's page share it). At most MAX_ROWS entries, oldest first;
narrow a longer trail by actor or action. Sealed months are their own files already."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from services.common.workdays import COUNTY_TIMEZONE

MAX_ROWS = 20000
PAGE = 200
COLUMNS = ("id", "at", "actor", "role", "unit", "action", "target", "result", "request_id", "prev_hash", "hash")
HEADINGS = ("编号", "时间（北京时间）", "操作人", "角色", "单位", "操作", "对象", "结果", "请求编号", "前一条哈希", "本条哈希")


def audit_csv(units: Any, actor: str | None, action: str | None) -> tuple[str, bytes]:
    """(filename, body): UTF-8 with a BOM so that spreadsheet programs read the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    after, written = 0, 0
    while written < MAX_ROWS:
        found = units.list_audit(actor, action, after, PAGE)
        for entry in found["items"][:MAX_ROWS - written]:
            at = datetime.fromisoformat(entry["at"]).astimezone(COUNTY_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S")
            writer.writerow([at if column == "at" else entry.get(column) or "" for column in COLUMNS])
            written += 1
        if found["next"] is None:
            break
        after = found["next"]
    return "audit.csv", ("\ufeff" + out.getvalue()).encode("utf-8")
