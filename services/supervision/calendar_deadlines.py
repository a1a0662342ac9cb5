"""Rectification deadlines (限期整改) when the county office enters or changes a year's holiday
arrangement: an open rectification's deadline is counted again, its finding's working days from
the day the unit was inspected; one not yet passed moves, announced once
(RectificationDeadlineMoved); a passed one stays and is kept for the office to decide
(services/common/passed_deadlines.py)."""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

import sqlalchemy as sa

from services.common import calendar_store, passed_deadlines
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.workdays import add_working_days, county_date, county_today

from .models import Finding, InspectionRecord, Rectification

log = logging.getLogger(__name__)
OPEN = ("open", "returned", "overdue")  # an overdue one has passed: listed, never moved


def recompute(uow: UnitOfWork, payload: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    year, version = int(payload["year"]), int(payload["version"])
    today = county_today()
    moved: list[dict[str, Any]] = []
    passed: list[dict[str, Any]] = []
    rows = uow.session.execute(
        sa.select(Rectification, Finding, InspectionRecord)
        .join(Finding, Finding.id == Rectification.finding_id)
        .join(InspectionRecord, InspectionRecord.id == Finding.record_id)
        .where(Rectification.status.in_(OPEN), Rectification.deadline >= date(year, 1, 1),
               Rectification.deadline < date(year + 1, 4, 1))
        .order_by(Rectification.id))
    for rectification, finding, record in rows:
        start = record.inspected_on or county_date(record.submitted_at or rectification.opened_at)
        new = add_working_days(start, finding.deadline_days)
        old = rectification.deadline
        if new == old:
            continue
        change = calendar_store.deadline_change("rectification", rectification.id, rectification.unit_code,
                                                old, new, year, version)
        if not calendar_store.may_move(old, new, today):
            passed.append(change)
            log.warning("rectification %s: deadline %s passed; the new arrangement gives %s: left for the office",
                        rectification.id, old, new)
            continue
        rectification.deadline, rectification.warned_at = new, None
        uow.emit(names.RECTIFICATION_DEADLINE_MOVED, change)
        moved.append(change)
    passed_deadlines.keep(uow.session, passed)
    return {"moved": moved, "passed": passed}
