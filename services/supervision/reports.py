"""Reports: the monthly 通报 (scores, rankings, red and black lists, interviews, inspections
and rectifications of the month) and the annual 年度党务公开工作报告 (a draft with every figure
filled from the facts, for the office to edit). A draft's figures are recomputed when it is
issued; once issued it is sealed: its figures, text and workbook no longer change."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.common.actor import Actor
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import Conflict, Forbidden, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.supervision import NewReport, ReportChanges, ReportIssue

from . import checklist, marks, rankings, score_inputs, scores
from .models import (
    DesignationFact,
    FeedbackFact,
    Inspection,
    InspectionRecord,
    ItemFact,
    ObligationFact,
    RectificationStep,
    Report,
)
from .periods import Period

LIST_N = 10
# a report's state table: (state, action) → state; issued once, then sealed
TRANSITIONS: dict[tuple[str, str], str] = {("draft", "edit"): "draft", ("draft", "issue"): "issued"}
AUDIENCE_LABELS = {"society": "社会", "party": "党内", "unit": "本单位", "specific": "特定对象"}


def below_threshold(result: dict[str, Any], threshold: float) -> list[str]:
    return [u["unit_code"] for u in result["units"] if u["total"] is not None and u["total"] < threshold]


def monthly_figures(uow: UnitOfWork, period: Period, as_of: datetime) -> dict[str, Any]:
    session = uow.session
    threshold = float(checklist.in_force(session, period.year, as_of).content.get("threshold", 60))
    current, previous = scores.compute_many(session, [period, period.previous()], as_of)
    unit_names = {u["unit_code"]: u["name"] for u in current["units"] + previous["units"]}
    ranked = rankings.build(current, previous, unit_names, LIST_N)
    scored = [u["total"] for u in current["units"] if u["total"] is not None]
    low_now, low_before = below_threshold(current, threshold), set(below_threshold(previous, threshold))
    start, end = period.start, period.end
    starts_at, ends_at = datetime.combine(start, datetime.min.time(), period.ends_at().tzinfo), period.ends_at()
    in_window = sa.and_(RectificationStep.at >= starts_at, RectificationStep.at < ends_at, RectificationStep.at <= as_of)
    states = score_inputs.rectification_states(session, as_of)
    return {
        "period": period.text, "as_of": as_of.isoformat(), "threshold": threshold,
        "units_scored": len(scored), "mean": round(sum(scored) / len(scored), 2) if scored else None,
        "below_threshold": low_now, "interviews": [c for c in low_now if c in low_before],
        "inspections": session.scalar(sa.select(sa.func.count()).select_from(Inspection).where(
            Inspection.window_opens <= end, Inspection.window_closes >= start, Inspection.created_at <= as_of)),
        "units_inspected": session.scalar(sa.select(sa.func.count(sa.distinct(InspectionRecord.unit_code))).where(
            InspectionRecord.submitted_at >= starts_at, InspectionRecord.submitted_at < ends_at,
            InspectionRecord.submitted_at <= as_of)),
        "rectifications_opened": session.scalar(sa.select(sa.func.count()).select_from(RectificationStep).where(
            in_window, RectificationStep.to_status == "open")),
        "rectifications_accepted": session.scalar(sa.select(sa.func.count()).select_from(RectificationStep).where(
            in_window, RectificationStep.to_status == "accepted")),
        "rectifications_unresolved": sum(1 for _, s in states.values() if s not in ("accepted", "withdrawn")),
        "rectifications_overdue": sum(1 for _, s in states.values() if s == "overdue"),
        "units": [{"unit_code": u["unit_code"], "name": u["name"], "sector": u["sector"], "total": u["total"],
                   "rank": u["rank"], "change": u["change"]} for u in ranked["units"]],
        "towns": ranked["towns"], "sectors": ranked["sectors"],
        "red_list": [u["unit_code"] for u in ranked["red_list"]],
        "black_list": [u["unit_code"] for u in ranked["black_list"]]}


def annual_figures(uow: UnitOfWork, period: Period, as_of: datetime) -> dict[str, Any]:
    session = uow.session
    year_start = datetime.combine(period.start, datetime.min.time(), period.ends_at().tzinfo)
    year_end = period.ends_at()

    def count(model, *where):
        return int(session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)
    known_items = sa.and_(ItemFact.day >= period.start, ItemFact.day <= period.end, ItemFact.received_at <= as_of)
    by_audience = dict(session.execute(sa.select(ItemFact.audience, sa.func.count()).where(known_items)
                                       .group_by(ItemFact.audience)).all())
    fulfilled = sa.and_(ObligationFact.kind == "fulfilled", ObligationFact.due_on >= period.start,
                        ObligationFact.due_on <= period.end, ObligationFact.received_at <= as_of)
    by_matter = dict(session.execute(sa.select(ObligationFact.matter, sa.func.count()).where(fulfilled)
                                     .group_by(ObligationFact.matter).order_by(ObligationFact.matter)).all())
    counts = marks.obligation_counts(session, period, as_of)
    judged, on_time = sum(j for j, _ in counts.values()), sum(o for _, o in counts.values())
    feedback = scores.feedback_counts(session, period, as_of)
    fb_year = sa.and_(FeedbackFact.day >= period.start, FeedbackFact.day <= period.end, FeedbackFact.received_at <= as_of)
    inspections = list(session.scalars(sa.select(Inspection).where(
        Inspection.window_opens <= period.end, Inspection.window_closes >= period.start, Inspection.created_at <= as_of)))
    states = score_inputs.rectification_states(session, as_of)
    in_year = [(r, s) for r, s in states.values() if year_start <= r.opened_at < year_end]
    return {
        "period": period.text, "as_of": as_of.isoformat(),
        "items_published": sum(by_audience.values()),
        "items_by_audience": {AUDIENCE_LABELS.get(k, k): v for k, v in sorted(by_audience.items())},
        "obligations_by_matter": by_matter,
        "obligations_judged": judged, "obligations_on_time": on_time,
        "on_time_rate": round(on_time / judged, 4) if judged else None,
        "feedback_received": count(FeedbackFact, fb_year, FeedbackFact.kind == "received"),
        "feedback_answered": session.scalar(sa.select(sa.func.count(sa.distinct(FeedbackFact.feedback_id))).where(
            fb_year, FeedbackFact.kind == "answered")) or 0,
        "feedback_answered_on_time": sum(f["on_time"] for f in feedback.values()),
        "inspections": len(inspections),
        "inspections_by_kind": {k: sum(1 for i in inspections if i.kind == k) for k in ("routine", "special", "random")},
        "units_inspected": len({u for i in inspections for u in i.unit_codes}),
        "rectifications_opened": len(in_year),
        "rectifications_accepted": sum(1 for _, s in in_year if s == "accepted"),
        "rectifications_overdue": sum(1 for _, s in in_year if s == "overdue"),
        "models_designated": count(DesignationFact, DesignationFact.change == "designated",
                                   DesignationFact.starts_on >= period.start, DesignationFact.starts_on <= period.end,
                                   DesignationFact.received_at <= as_of)}


def annual_text(f: dict[str, Any]) -> str:
    rate = "—" if f["on_time_rate"] is None else f"{f['on_time_rate'] * 100:.1f}%"
    audiences = "，".join(f"{k} {v} 项" for k, v in f["items_by_audience"].items()) or "无"
    return (f"{f['period']}年度党务公开工作报告（草稿）\n\n"
            f"一、公开情况。全年共公开党务事项 {f['items_published']} 项（{audiences}）；"
            f"到期应公开任务 {f['obligations_judged']} 项，按时公开 {f['obligations_on_time']} 项，按时公开率 {rate}。\n"
            f"二、意见反馈。全年收到群众意见建议 {f['feedback_received']} 件，答复 {f['feedback_answered']} 件，"
            f"其中按期答复 {f['feedback_answered_on_time']} 件。\n"
            f"三、督促检查。全年开展检查 {f['inspections']} 次，覆盖 {f['units_inspected']} 个单位；"
            f"发现问题并限期整改 {f['rectifications_opened']} 项，已验收 {f['rectifications_accepted']} 项，"
            f"逾期未整改 {f['rectifications_overdue']} 项。\n"
            f"四、典型示范。全年新命名示范点、典型 {f['models_designated']} 个。\n"
            f"五、存在问题和下一步打算。（请县委办补充）\n")


def monthly_text(f: dict[str, Any]) -> str:
    return (f"{f['period']} 党务公开工作月度通报\n\n参加考核单位 {f['units_scored']} 个，平均得分 {f['mean']}；"
            f"低于 {f['threshold']:g} 分的单位 {len(f['below_threshold'])} 个，其中连续两期低于的 "
            f"{len(f['interviews'])} 个单位将被约谈。本月检查 {f['inspections']} 次，新发现问题 "
            f"{f['rectifications_opened']} 项，验收整改 {f['rectifications_accepted']} 项，逾期未整改 "
            f"{f['rectifications_overdue']} 项。\n")


def _figures(uow: UnitOfWork, kind: str, period: Period, as_of: datetime) -> tuple[dict[str, Any], str]:
    if kind == "annual":
        figures = annual_figures(uow, period, as_of)
        return figures, annual_text(figures)
    figures = monthly_figures(uow, period, as_of)
    return figures, monthly_text(figures)


def _require_office(actor: Actor) -> None:
    if actor.role != "inspector":
        raise Forbidden("通报和年度报告由县委办（督查）起草和印发")


def create(uow: UnitOfWork, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    _require_office(actor)
    data = validated(NewReport(), data, "报告")
    period = Period(data["period"])
    if data["kind"] == "annual" and period.kind != "year":
        raise Conflict("年度报告的期间是一个年份，例如 2026")
    if data["kind"] == "monthly" and period.kind != "month":
        raise Conflict("月度通报的期间是一个月份，例如 2026-07")
    if uow.session.scalar(sa.select(Report.id).where(Report.kind == data["kind"], Report.period == period.text)):
        raise Conflict(f"{period.text} 的{'年度报告' if data['kind'] == 'annual' else '月度通报'}已经存在")
    now = utcnow()
    figures, text = _figures(uow, data["kind"], period, now)
    title = f"{period.text} 党务公开工作{'年度报告' if data['kind'] == 'annual' else '月度通报'}"
    report = Report(kind=data["kind"], period=period.text, title=title, status="draft", as_of=now, figures=figures,
                    text=text, published=False, created_by=actor.username, created_at=now)
    uow.session.add(report)
    uow.session.flush()
    return view(report, actor)


def actions(actor: Actor | None, report: Report) -> list[str]:
    """What this reader may do with the report now: the county office edits and issues a draft."""
    if actor is None or actor.role != "inspector":
        return []
    return [a for a in ("edit", "issue") if (report.status, a) in TRANSITIONS]


def _load(uow: UnitOfWork, report_id: int, lock: bool = False) -> Report:
    report = uow.session.get(Report, int(report_id), with_for_update=lock or None)
    if report is None:
        raise NotFound(f"没有编号为 {report_id} 的报告")
    return report


def update(uow: UnitOfWork, actor: Actor, report_id: int, data: dict[str, Any]) -> dict[str, Any]:
    _require_office(actor)
    changes = validated(ReportChanges(), data, "报告修改")
    report = _load(uow, report_id, lock=True)
    if (report.status, "edit") not in TRANSITIONS:
        raise Conflict("报告已印发并封存，不能再修改")
    for key in ("title", "text"):
        if changes.get(key) is not None:
            setattr(report, key, changes[key])
    return view(report, actor)


def issue(uow: UnitOfWork, actor: Actor, report_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Seal it: the figures are taken as of now (the office's edits to the text stay)."""
    _require_office(actor)
    publish = validated(ReportIssue(), data, "印发")["publish"]
    report = _load(uow, report_id, lock=True)
    if (report.status, "issue") not in TRANSITIONS:
        raise Conflict(f"报告已于 {report.issued_at:%Y-%m-%d} 印发，不能重复印发")
    now = utcnow()
    report.figures, _ = _figures(uow, report.kind, Period(report.period), now)
    report.as_of, report.status, report.issued_by, report.issued_at = now, "issued", actor.username, now
    report.published = publish
    headline = {k: v for k, v in report.figures.items() if not isinstance(v, (list, dict))}
    headline.update({k: report.figures[k] for k in ("interviews", "red_list", "black_list") if k in report.figures})
    uow.emit(names.REPORT_ISSUED, {"report_id": report.id, "kind": report.kind, "period": report.period,
                                   "title": report.title, "issued_by": actor.username, "issued_at": now,
                                   "published": publish, "figures": headline})
    return view(report, actor)


def view(report: Report, actor: Actor | None = None) -> dict[str, Any]:
    return {"id": report.id, "actions": actions(actor, report), "kind": report.kind, "period": report.period, "title": report.title,
            "status": report.status, "as_of": report.as_of.isoformat(), "published": report.published,
            "figures": report.figures, "text": report.text, "created_by": report.created_by,
            "issued_by": report.issued_by, "issued_at": report.issued_at.isoformat() if report.issued_at else None}


def get(uow: UnitOfWork, actor: Actor | None, report_id: int) -> dict[str, Any]:
    report = _load(uow, report_id)
    if (actor is None or not actor.county) and not (report.status == "issued" and report.published):
        raise NotFound(f"没有编号为 {report_id} 的已公布报告")
    return view(report, actor)


def list_reports(uow: UnitOfWork, actor: Actor | None) -> list[dict[str, Any]]:
    query = sa.select(Report).order_by(Report.id)
    if actor is None or not actor.county:
        query = query.where(Report.status == "issued", Report.published.is_(True))
    return [{k: v for k, v in view(r, actor).items() if k not in ("figures", "text")} for r in uow.session.scalars(query)]


def published_rankings(uow: UnitOfWork, period: str) -> dict[str, Any]:
    """What the public sees: the rankings of a published monthly report."""
    report = uow.session.scalar(sa.select(Report).where(Report.kind == "monthly", Report.period == Period(period).text,
                                                        Report.status == "issued", Report.published.is_(True)))
    if report is None:
        raise NotFound(f"{period} 的考核排名尚未公布")
    f = report.figures
    return {"period": report.period, "as_of": report.as_of.isoformat(), "report_id": report.id, "units": f["units"],
            "towns": f["towns"], "sectors": f["sectors"], "red_list": f["red_list"], "black_list": f["black_list"]}


def visible_rankings(uow: UnitOfWork, actor: Actor | None, period: str, as_of: datetime,
                     top: int) -> dict[str, Any]:
    """The county office sees live rankings; anyone else those of a published monthly report."""
    if actor is None or not actor.county:
        return published_rankings(uow, period)
    return rankings.rankings(uow.session, Period(period), as_of, top)
