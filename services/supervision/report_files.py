"""A report as an .xlsx workbook (openpyxl) and as a printable HTML page."""
from __future__ import annotations

import base64
import html
import io
from typing import Any

from openpyxl import Workbook

from services.common.i18n import term


def _scalars(figures: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v if not isinstance(v, (list, dict)) else "、".join(map(str, v)) if isinstance(v, list) else
             "；".join(f"{a}: {b}" for a, b in v.items())) for k, v in figures.items()
            if k not in ("units", "towns", "sectors")]


def workbook(report: dict[str, Any]) -> dict[str, Any]:
    """{filename, media_type, content_b64}."""
    book = Workbook()
    summary = book.active
    summary.title = "概况"
    summary.append(["标题", report["title"]])
    summary.append(["状态", "已印发" if report["status"] == "issued" else "草稿"])
    summary.append(["数据截至", report["as_of"]])
    for key, value in _scalars(report["figures"]):
        summary.append([key, value])
    f = report["figures"]
    if "units" in f:
        sheet = book.create_sheet("单位得分")
        sheet.append(["排名", "单位代码", "单位", "行业", "得分", "名次变化"])
        for u in f["units"]:
            sheet.append([u["rank"], u["unit_code"], u["name"], term("sector", u["sector"]),
                          u["total"], u["change"]])
        for title, rows in (("镇街排名", f["towns"]), ("行业排名", f["sectors"])):
            sheet = book.create_sheet(title)
            sheet.append(["排名", "代码", "名称", "单位数", "平均得分", "名次变化"])
            for r in rows:
                sheet.append([r["rank"], r["code"], term("sector", r["name"]), r["units"], r["total"],
                              r["change"]])
    else:
        sheet = book.create_sheet("报告正文")
        for line in report["text"].splitlines():
            sheet.append([line])
    out = io.BytesIO()
    book.save(out)
    return {"filename": f"report-{report['id']}-{report['period']}.xlsx",
            "media_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "content_b64": base64.b64encode(out.getvalue()).decode()}


def page(report: dict[str, Any]) -> str:
    """A page to print (A4, no script)."""
    e = html.escape
    rows = "".join(f"<tr><th>{e(str(k))}</th><td>{e(str(v))}</td></tr>" for k, v in _scalars(report["figures"]))
    units = "".join(f"<tr><td>{u['rank']}</td><td>{e(u['name'])}</td><td>{u['total']}</td>"
                    f"<td>{'' if u['change'] is None else u['change']}</td></tr>"
                    for u in report["figures"].get("units", []))
    table = (f"<h2>单位得分</h2><table><tr><th>排名</th><th>单位</th><th>得分</th><th>名次变化</th></tr>{units}</table>"
             if units else "")
    text = "".join(f"<p>{e(line)}</p>" for line in report["text"].splitlines() if line.strip())
    return ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{e(report['title'])}</title><style>body{{font-family:sans-serif;max-width:48em;margin:auto}}"
            "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.2em .4em;text-align:left}"
            "@page{size:A4;margin:2cm}</style></head><body>"
            f"<h1>{e(report['title'])}</h1><p>{'已印发' if report['status'] == 'issued' else '草稿'}，"
            f"数据截至 {e(report['as_of'])}</p>{text}<h2>主要数据</h2><table>{rows}</table>{table}</body></html>")
