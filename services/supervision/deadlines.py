"""The inspection timers: InspectionDue 3 working days before the window opens, to the
inspectors and the units; InspectionOverdue when the window closed with units not scored.
Each is sent once: the inspection row is claimed with a conditional update first."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.common.contract import names
from services.common.contract.supervision import DIMENSIONS
from services.common.db import UnitOfWork
from services.common.records import utcnow
from services.common.workdays import add_working_days, county_today

from .models import Inspection, InspectionRecord

WARNING_WORKING_DAYS = 3


def _ref(i: Inspection) -> dict[str, Any]:
    return {"inspection_id": i.id, "title": i.title, "kind": i.kind, "window_opens": i.window_opens,
            "window_closes": i.window_closes, "unit_codes": i.unit_codes, "inspectors": i.inspectors}


def _claim(uow: UnitOfWork, inspection_id: int, column: Any) -> bool:
    return uow.session.execute(sa.update(Inspection).where(Inspection.id == inspection_id, column.is_(None))
                               .values({column.key: utcnow()}).execution_options(synchronize_session=False)
                               ).rowcount == 1


def check(uow: UnitOfWork) -> dict[str, int]:
    """Runs from a timer, so it commits."""
    today = county_today()
    horizon = add_working_days(today, WARNING_WORKING_DAYS)
    counts = {"due": 0, "overdue": 0}
    for inspection in list(uow.session.scalars(sa.select(Inspection).where(
            Inspection.due_notified_at.is_(None), Inspection.window_opens <= horizon,
            Inspection.window_closes >= today))):
        if inspection.unit_codes and _claim(uow, inspection.id, Inspection.due_notified_at):  # none: not drawn yet
            uow.emit(names.INSPECTION_DUE, {**_ref(inspection), "dimensions": list(DIMENSIONS)})
            counts["due"] += 1
    for inspection in list(uow.session.scalars(sa.select(Inspection).where(
            Inspection.overdue_notified_at.is_(None), Inspection.window_closes < today))):
        scored = set(uow.session.scalars(sa.select(InspectionRecord.unit_code).where(
            InspectionRecord.inspection_id == inspection.id, InspectionRecord.submitted_at.is_not(None))))
        unscored = [code for code in inspection.unit_codes if code not in scored]
        if unscored and _claim(uow, inspection.id, Inspection.overdue_notified_at):
            uow.emit(names.INSPECTION_OVERDUE, {**_ref(inspection), "unscored_unit_codes": unscored})
            counts["overdue"] += 1
        elif not unscored:
            _claim(uow, inspection.id, Inspection.overdue_notified_at)  # nothing to say, ever
    uow.commit()
    return counts
