"""The sheet of accounts handed out by bulk provisioning (the API's and the console's download)."""
from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from .labels import PROVISIONED_ROLE_NAMES, PROVISIONING_STATUS_NAMES



def provisioning_sheet(rows: list[dict[str, Any]], town: str | None) -> bytes:
    """The accounts to hand out, one row each: unit, role, username, one-time password."""
    book = Workbook()
    sheet = book.active
    sheet.title = "账号"
    sheet.append(["单位代码", "单位名称", "角色", "用户名", "姓名/称呼", "一次性密码", "状态"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row["unit_code"], row["unit_name"], PROVISIONED_ROLE_NAMES.get(row["role"], row["role"]), row["username"],
                      row["display_name"], row["password"] or "", PROVISIONING_STATUS_NAMES.get(row["status"], row["status"])])
    for column, width in zip("ABCDEFG", (12, 30, 18, 16, 30, 16, 28)):
        sheet.column_dimensions[column].width = width
    sheet.append([])
    sheet.append(["说明：一次性密码只在这份表中出现一次，首次登录时必须改为自己的密码。"
                  f"{'范围：' + town + ' 及其下属单位。' if town else '范围：全县在册单位。'}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
