"""The dashboard's further figures: the trend by month (obligations by the month they fall due,
from disclosure's progress_by_month), feedback answered on time by town, rectifications still
open by town (both from supervision's scores of the year, as of now) and the towns' ranking
(supervision's rankings of the year). Each figure is a table (its first column names the row;
every cell may link to the list behind it) drawn as a pygal chart and exported as .xlsx from
the same rows, so the chart, the table and the workbook never disagree."""
from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlencode

import pygal
from openpyxl import Workbook
from openpyxl.styles import Font
from pygal.etree import etree
from pygal.style import Style

from services.common.shapes.disclosure import OBLIGATION_STATUSES

COUNTY_LEVEL = "县直"
TITLES = {"month": "按月公开进度（按截止月份）", "feedback": "各镇街意见建议按时答复率", "rectifications": "各镇街未完成的整改",
          "ranking": "各镇街考核排名（平均得分）"}
STATUS_COLUMNS = (("fulfilled", "按时完成"), ("fulfilled_late", "逾期后完成"), ("overdue", "逾期未完成"), ("open", "未到期"))
STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#1a1a1a", foreground_strong="#1a1a1a",
              foreground_subtle="#555555", colors=("#a4161a", "#0b4f9c", "#1d7a33"), font_family="sans-serif",
              label_font_size=14, major_label_font_size=14, value_font_size=14, title_font_size=18,
              legend_font_size=14)


@dataclass
class Cell:
    value: Any  # what the workbook holds
    text: str  # what the page shows
    href: str | None = None
    percent: bool = False


@dataclass
class Figure:
    kind: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    href: str | None = None  # the list behind the whole figure
    empty: str = "还没有数据。"
    series: list[tuple[str, int]] = field(default_factory=list)  # (name, column) the chart draws
    percent: bool = False  # the chart's values are rates (0-100 %)


def _link(path: str, **query: Any) -> str:
    return f"{path}?{urlencode({k: v for k, v in query.items() if v not in (None, '')})}"


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _rate_cell(rate: float | None) -> Cell:
    return Cell(rate, "—" if rate is None else f"{rate * 100:.1f}%", percent=True)


def month_label(month: str, year: int) -> str:
    y, m = (int(p) for p in month.split("-"))
    return f"{m}月" if y == year else f"{y}年{m}月"


def month_figure(monthly: dict[str, Any]) -> Figure:
    year = monthly["year"]
    figure = Figure("month", TITLES["month"], ["截止月份", "到期任务", *(n for _, n in STATUS_COLUMNS), "按时公开率"],
                    href=_link("/console/obligations", year=year), series=[("按时公开率", 6)], percent=True)
    for row in monthly["months"]:
        behind = {"year": year, "due_month": row["month"]}
        cells = [Cell(row["month"], month_label(row["month"], year)),
                 Cell(row["total"], str(row["total"]), _link("/console/obligations", **behind))]
        cells += [Cell(row[s], str(row[s]), _link("/console/obligations", **behind, status=s)) for s, _ in STATUS_COLUMNS]
        figure.rows.append(cells + [_rate_cell(row["on_time_rate"])])
    return figure


def _by_town(units: list[dict[str, Any]]) -> dict[str | None, list[dict[str, Any]]]:
    towns: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for unit in units:
        towns[unit.get("town_code")].append(unit)
    return towns


def _town_order(names: dict[str, str]) -> Callable[[str | None], tuple]:
    return lambda code: (code is None, names.get(code or "", code or ""))


def _town_cell(code: str | None, names: dict[str, str], href: str | None) -> Cell:
    return Cell(names.get(code, code) if code else COUNTY_LEVEL, names.get(code, code) if code else COUNTY_LEVEL,
                href if code else None)


def feedback_figure(scores: dict[str, Any], year: int) -> Figure:
    names = {u["unit_code"]: u["name"] for u in scores["units"]}
    figure = Figure("feedback", TITLES["feedback"], ["镇街", "到期应答复", "按时答复", "按时答复率"],
                    href=_link("/console/scores", year=year), series=[("按时答复率", 3)], percent=True,
                    empty="今年还没有到期应答复的意见建议。")
    towns = _by_town(scores["units"])
    for code in sorted(towns, key=_town_order(names)):
        judged = sum(u["feedback"]["judged"] for u in towns[code])
        on_time = sum(u["feedback"]["on_time"] for u in towns[code])
        if not judged:
            continue
        behind = _link("/console/scores", year=year, town=code)
        figure.rows.append([_town_cell(code, names, behind), Cell(judged, str(judged), behind if code else None),
                            Cell(on_time, str(on_time), behind if code else None), _rate_cell(_rate(on_time, judged))])
    return figure


def rectification_figure(scores: dict[str, Any]) -> Figure:
    names = {u["unit_code"]: u["name"] for u in scores["units"]}
    figure = Figure("rectifications", TITLES["rectifications"], ["镇街", "未完成整改", "其中已逾期", "已验收"],
                    href=_link("/console/rectifications", status="unresolved"),
                    series=[("未完成整改", 1), ("其中已逾期", 2)], empty="没有未完成的整改。")
    towns = _by_town(scores["units"])
    for code in sorted(towns, key=_town_order(names)):
        counts = {k: sum(u["rectifications"][k] for u in towns[code]) for k in ("open", "overdue", "accepted")}
        if not counts["open"]:
            continue
        cells = [_town_cell(code, names, _link("/console/rectifications", town=code, status="unresolved"))]
        for key, status in (("open", "unresolved"), ("overdue", "overdue"), ("accepted", "accepted")):
            cells.append(Cell(counts[key], str(counts[key]),
                              _link("/console/rectifications", town=code, status=status) if code else None))
        figure.rows.append(cells)
    return figure


def ranking_figure(rankings: dict[str, Any], year: int) -> Figure:
    figure = Figure("ranking", TITLES["ranking"], ["镇街", "名次", "参评单位", "平均得分", "较上期名次"],
                    href=_link("/console/scores", year=year), series=[("平均得分", 3)],
                    empty="今年还没有考核得分。")
    for town in rankings["towns"]:
        behind = _link("/console/scores", year=year, town=town["code"])
        change = town["change"]
        moved = "—" if change is None else "持平" if change == 0 else f"上升 {change}" if change > 0 else f"下降 {-change}"
        figure.rows.append([Cell(town["name"], town["name"], behind), Cell(town["rank"], str(town["rank"])),
                            Cell(town["units"], str(town["units"]), behind), Cell(town["total"], f"{town['total']:.1f}"),
                            Cell(moved, moved)])
    return figure


def short_name(name: str) -> str:
    """A town's name as a chart's label has room for: 中共集美街道工作委员会 → 集美街道."""
    name = name.removeprefix("中共")
    for ending in ("工作委员会", "委员会", "党委"):
        if name.endswith(ending) and len(name) > len(ending):
            return name.removesuffix(ending)
    return name


def chart_svg(figure: Figure, year: int) -> bytes:
    """The figure as an SVG image, without pygal's tooltip script (an image runs none)."""
    labels = [row[0].text if figure.kind == "month" else short_name(row[0].text) for row in figure.rows]
    options = dict(style=STYLE, width=900, explicit_size=True, title=f"{year}年 {figure.title}", js=[],
                   print_values=True, show_legend=len(figure.series) > 1, legend_at_bottom=True,
                   no_data_text="暂无数据")
    if figure.kind == "month":
        chart = pygal.Line(height=420, range=(0, 100), x_label_rotation=0, **options)
    else:
        chart = pygal.HorizontalBar(height=max(260, 40 * len(labels) * len(figure.series) + 140),
                                    range=(0, 100) if figure.percent or figure.kind == "ranking" else None,
                                    **options)
    chart.x_labels = labels
    for name, column in figure.series:
        values = [row[column].value for row in figure.rows]
        chart.add(name, [None if v is None else round(v * 100, 1) if figure.percent else v for v in values])
    if not figure.percent and figure.kind != "ranking":  # counts: whole numbers on the axis
        top = max([row[c].value or 0 for row in figure.rows for _, c in figure.series], default=0)
        step = max(1, -(-top // 10))
        chart.y_labels = list(range(0, max(top, 1) + step, step))
    chart.value_formatter = (lambda v: f"{v:.1f}%") if figure.percent else (
        (lambda v: f"{v:.1f}") if figure.kind == "ranking" else (lambda v: f"{v:.0f}"))
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.endswith("script"):
                parent.remove(child)
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + etree.tostring(tree, encoding="utf-8")


def table_xlsx(figure: Figure, year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = figure.title[:31]
    sheet.append([f"{year}年 {figure.title}"])
    sheet.append(figure.columns)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in figure.rows:
        sheet.append([row[0].text, *(c.text if c.value is None and not c.percent else c.value for c in row[1:])])
        for index, cell in enumerate(row, 1):
            if cell.percent:
                sheet.cell(sheet.max_row, index).number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


assert {s for s, _ in STATUS_COLUMNS} <= set(OBLIGATION_STATUSES)
