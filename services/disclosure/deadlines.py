"""The deadline timer: yellow (due within WARNING_WORKING_DAYS working days) and red (overdue) once per obligation; each row is claimed with a conditional update, so two replicas never send one twice."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.records import utcnow
from services.common.workdays import county_today

from . import periods
from .models import CatalogueEntry, Obligation
from .scheduling import batches, notice
DEADLINE_BATCH = 500  # rows claimed per timer tick and kind
WARNING_WORKING_DAYS = 3  # yellow: due within 3 working days


# --- deadlines (the timer) ------------------------------------------------------------------------


def _claim(uow: UnitOfWork, event_type: str, candidates: Any, claim: Any, values: dict[str, Any]) -> int:
    """Claim each candidate row with a conditional UPDATE and emit only for rows this caller
    changed (rowcount 1): another replica running the same query at the same time either
    waits for our commit and then matches nothing, or got there first."""
    session = uow.session
    ids = list(session.scalars(sa.select(Obligation.id).where(candidates).order_by(Obligation.id)
                               .limit(DEADLINE_BATCH)))
    claimed = []
    for obligation_id in ids:
        result = session.execute(sa.update(Obligation).where(Obligation.id == obligation_id, claim)
                                 .values(**values).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            claimed.append(obligation_id)
    for batch in batches(claimed, 500):
        for obligation, entry in session.execute(
                sa.select(Obligation, CatalogueEntry).join(CatalogueEntry, CatalogueEntry.id == Obligation.entry_id)
                .where(Obligation.id.in_(batch)).order_by(Obligation.id)
                .execution_options(populate_existing=True)):
            uow.emit(event_type, notice(obligation, entry))
    uow.commit()
    return len(claimed)


def check_deadlines(uow: UnitOfWork) -> dict[str, int]:
    """Red (ObligationOverdue: past its due date, now `overdue`) and yellow (ObligationDueSoon:
    due within 3 working days) once per obligation, at most DEADLINE_BATCH of each per call.

    This runs from a timer, which has no commit of its own, so it COMMITS (uow.commit()) after
    each batch: the claims and their outbox events become durable together."""
    today = county_today()
    horizon = periods.working_days_after(today, WARNING_WORKING_DAYS)
    now = utcnow()
    overdue = _claim(uow, names.OBLIGATION_OVERDUE,
                     sa.and_(Obligation.status == "open", Obligation.due_on < today),
                     sa.and_(Obligation.status == "open", Obligation.due_on < today),
                     {"status": "overdue", "overdue_at": now})
    due_soon_rows = sa.and_(Obligation.status == "open", Obligation.warned_at.is_(None),
                            Obligation.due_on >= today, Obligation.due_on <= horizon)
    due_soon = _claim(uow, names.OBLIGATION_DUE_SOON, due_soon_rows, due_soon_rows, {"warned_at": now})
    return {"overdue": overdue, "due_soon": due_soon}
