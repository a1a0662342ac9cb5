"""The county's working-day calendar, kept by the disclosure service: the county office enters
a year's State Council arrangement (放假安排: holidays and the weekend days worked in exchange,
调休) with the notice it comes from; each change is a new version, announced as
CalendarArranged so that every service computing deadlines keeps the same calendar.

Entering a year recomputes the open obligations whose due dates it changes: a due date not yet
passed moves (one ObligationDeadlineMoved each); one already passed, or that would move into
the past, stays as it is and is listed for the office to decide."""
from __future__ import annotations

import base64
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

from services.common import calendar_store, passed_deadlines, workdays
from services.common.actor import Actor
from services.common.calendar_store import CalendarArrangement
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.errors import InvalidInput, NotFound, validated
from services.common.records import utcnow
from services.common.shapes.calendar import MAX_DAYS, CalendarArrangementInput
from services.common.workdays import FIRST_YEAR, LAST_YEAR, county_today

from . import calendar_files, periods
from .actors import require_role
from .models import CatalogueEntry, Obligation

_INPUT = CalendarArrangementInput()


def arrangement_data(data: dict[str, Any]) -> dict[str, Any]:
    """The arrangement as entered (over RPC dates are ISO text), validated."""
    wire = {key: [d.isoformat() if isinstance(d, date) else d for d in value] if isinstance(value, list)
            else value.isoformat() if isinstance(value, date) else value
            for key, value in data.items() if key in _INPUT.fields}
    if not wire.get("document") or not wire.get("issued_on"):
        raise InvalidInput("请填写放假安排的文号和发文日期")
    return validated(_INPUT, wire, "the arrangement")


def check(year: int, holidays: list[date], working: list[date], today: date) -> None:
    """Refuse an arrangement that cannot be right, naming the date: nothing is kept."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"年份 {year} 超出范围：只能录入 {FIRST_YEAR}–{LAST_YEAR} 年")
    if year < today.year:
        raise InvalidInput(f"{year} 年已经过去，不能再录入或修改其放假安排")
    if len(holidays) + len(working) > MAX_DAYS:
        raise InvalidInput(f"放假和上班的日期合计超过 {MAX_DAYS} 天，请检查文件")
    for day in (*holidays, *working):
        if day.year != year:
            raise InvalidInput(f"{day.isoformat()} 不在 {year} 年内")
    for day in sorted(set(holidays) & set(working)):
        raise InvalidInput(f"{day.isoformat()} 同时列为放假和上班")
    for day in sorted(working):
        if day.weekday() < 5:
            raise InvalidInput(f"{day.isoformat()} 是工作日，不是周末，不能列为调休上班日")


def _versions(session: Session, year: int) -> list[CalendarArrangement]:
    return list(session.scalars(sa.select(CalendarArrangement).where(CalendarArrangement.year == year)
                                .order_by(CalendarArrangement.version.desc())))


def _version_view(row: CalendarArrangement) -> dict[str, Any]:
    return {"version": row.version, "holidays": row.holidays, "workdays": row.workdays,
            "document": row.document, "issued_on": row.issued_on.isoformat(),
            "entered_by": row.entered_by, "entered_at": row.entered_at.isoformat()}


def get_year(session: Session, year: int) -> dict[str, Any]:
    """A year's calendar: where it comes from, its days off and worked weekends as used, and
    every version the office entered, newest first."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound(f"年份 {year} 超出范围：只能查询 {FIRST_YEAR}–{LAST_YEAR} 年")
    versions = _versions(session, year)
    days = [date(year, 1, 1) + timedelta(days=n) for n in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    source = workdays.year_source(year)
    return {"year": year, "source": source, "provisional": source == workdays.STATUTORY,
            "holidays": [d.isoformat() for d in days if d.weekday() < 5 and not workdays.is_working_day(d)],
            "workdays": [d.isoformat() for d in days if d.weekday() >= 5 and workdays.is_working_day(d)],
            "versions": [_version_view(row) for row in versions]}


def list_years(session: Session, today: date | None = None) -> dict[str, Any]:
    """The years around today, each with its source; next_year_missing from 1 November on."""
    today = today or county_today()
    entered = {row.year: row.version for row in calendar_store.newest(session)}
    years = sorted(set(range(today.year - 1, today.year + 2)) | set(entered))
    return {"today": today.isoformat(), "next_year_missing": workdays.next_year_missing(today),
            "years": [{"year": y, "source": workdays.year_source(y), "version": entered.get(y),
                       "provisional": workdays.year_source(y) == workdays.STATUTORY} for y in years]}


def enter_year(uow: UnitOfWork, actor: Actor, year: int, data: dict[str, Any]) -> dict[str, Any]:
    """Keep a new version of the year's arrangement, announce it and recompute the obligations
    it moves. The answer has the year as now used, the obligations moved, those left for the
    office to decide (passed) and the version as announced (arranged: the gateway hands it to
    feedback and supervision, whose passed deadlines join the answer)."""
    require_role(actor, "inspector")
    today = county_today()
    holidays, working = list(data["holidays"]), list(data["workdays"])
    check(year, holidays, working, today)
    session = uow.session
    previous = _versions(session, year)
    version = (previous[0].version if previous else 0) + 1
    payload = {"year": year, "version": version, "holidays": sorted(set(holidays)), "workdays": sorted(set(working)),
               "document": data["document"], "issued_on": data["issued_on"], "entered_by": actor.username,
               "entered_at": utcnow()}
    calendar_store.store(session, payload)
    uow.emit(names.CALENDAR_ARRANGED, payload)
    moved, passed = recompute_obligations(uow, year, version, today)
    passed_deadlines.keep(session, passed)
    answer = get_year(session, year)
    answer.update(moved=moved, passed=passed_deadlines.listing(session, year, version), arranged=_dated(payload))
    return answer


def enter_file(uow: UnitOfWork, actor: Actor, year: int, filename: str, content_b64: str,
               data: dict[str, Any]) -> dict[str, Any]:
    """enter_year with the days read from a YAML or .xlsx file; document and issued_on from the
    file or from `data`."""
    read = calendar_files.read(filename, base64.b64decode(content_b64))
    if read.get("year") is not None and int(read["year"]) != int(year):
        raise InvalidInput(f"文件是 {read['year']} 年的安排，不是 {year} 年")
    return enter_year(uow, actor, year, arrangement_data({**data, **read}))


def gauges(session: Session):
    """gongkai_calendar_next_year_missing, at scrape time: 1 from 1 November while next year's
    arrangement is neither entered nor published."""
    calendar_store.load(session)
    missing = GaugeMetricFamily("gongkai_calendar_next_year_missing",
                                "1 from 1 November while next year's holiday arrangement (放假安排) is unknown.")
    missing.add_metric([], 1 if workdays.next_year_missing() else 0)
    yield missing


def _new_due(obligation: Obligation, entry: CatalogueEntry) -> date | None:
    """The due date the calendar gives now, for the kinds computed on working days, counted
    again from the start kept with the obligation; None for a prior disclosure (calendar days)
    and an older row whose start could not be found (migration disclosure calendar_0001)."""
    if entry.frequency in ("on_event", "long_term"):
        start = obligation.counted_from or (obligation.event_on if entry.frequency == "on_event" else None)
        if start is None or entry.within_days is None:
            return None
        return periods.working_days_after(start, entry.within_days)
    if obligation.period.startswith("E"):
        return None
    return periods.periodic_due(entry, obligation.period)


def recompute_obligations(uow: UnitOfWork, year: int, version: int,
                          today: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Open obligations due in the year or the first months after whose due date the calendar
    changes: moved when neither date has passed, listed otherwise."""
    session = uow.session
    moved: list[dict[str, Any]] = []
    passed: list[dict[str, Any]] = []
    rows = session.execute(
        sa.select(Obligation, CatalogueEntry).join(CatalogueEntry, CatalogueEntry.id == Obligation.entry_id)
        .where(Obligation.status.in_(("open", "overdue")),
               Obligation.due_on >= date(year, 1, 1), Obligation.due_on < date(year + 1, 4, 1))
        .order_by(Obligation.id))
    for obligation, entry in rows:
        due = _new_due(obligation, entry)
        if due is None or due == obligation.due_on:
            continue
        change = {"kind": "obligation", "id": obligation.id, "unit_code": obligation.unit_code,
                  "from_due_on": obligation.due_on, "to_due_on": due, "calendar_year": year,
                  "calendar_version": version, "provisional": workdays.is_provisional(due)}
        if obligation.due_on < today or due < today or obligation.status != "open":
            passed.append(_dated(change))
            continue
        obligation.due_on = due
        obligation.warned_at = None  # a new yellow warning for the new date
        uow.emit(names.OBLIGATION_DEADLINE_MOVED, change)
        moved.append(_dated(change))
    return moved, passed


def _dated(change: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, date)
            else [d.isoformat() if isinstance(d, date) else d for d in value] if isinstance(value, list)
            else value for key, value in change.items()}
