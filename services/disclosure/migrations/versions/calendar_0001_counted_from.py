"""The day each obligation's working-day count runs from (counted_from), so that a new
calendar can count long-term and on-event deadlines again; backfilled.

Backfill: an on-event obligation counts from its event; a long-term one from the day it was
scheduled from, the later of its plan's approval and the day the row was made (a unit
registered after the approval), or else the approval: the first of these that gives its due
date again on the calendar as it stands (the county's entered years included). A row neither
gives stays NULL: a new calendar lists it for nobody and leaves it as it is.

Revision ID: calendar_0001_counted_from
"""
from datetime import date, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from services.common import calendar_store
from services.common.records import UTCDateTime
from services.common.workdays import add_working_days, county_date

revision = "calendar_0001_counted_from"
down_revision = "search_0001_full_text"


def _day(value: date | datetime | None) -> date | None:
    return county_date(value) if isinstance(value, datetime) else value


def upgrade() -> None:
    with op.batch_alter_table("obligations") as batch:
        batch.add_column(sa.Column("counted_from", sa.Date(), nullable=True))
    bind = op.get_bind()
    calendar_store.load(Session(bind=bind))
    approvals = {year: _day(at) for year, at in bind.execute(
        sa.text("SELECT year, approved_at FROM plans").columns(year=sa.Integer(), approved_at=UTCDateTime()))}
    rows = bind.execute(sa.text(
        "SELECT o.id, o.year, o.due_on, o.event_on, o.created_at, e.frequency, e.within_days "
        "FROM obligations o JOIN catalogue_entries e ON e.id = o.entry_id "
        "WHERE e.frequency IN ('long_term', 'on_event')").columns(
        due_on=sa.Date(), event_on=sa.Date(), created_at=UTCDateTime())).all()
    for ident, year, due_on, event_on, created_at, frequency, within_days in rows:
        if frequency == "on_event":
            start = event_on
        else:
            approved, made = approvals.get(year), _day(created_at)
            later = max(approved, made) if approved and made else approved or made
            candidates = [day for day in (later, approved) if day is not None]
            start = next((day for day in candidates
                          if within_days is not None and add_working_days(day, within_days) == due_on), None)
        if start is not None:
            bind.execute(sa.text("UPDATE obligations SET counted_from = :start WHERE id = :id"),
                         {"start": start, "id": ident})


def downgrade() -> None:
    with op.batch_alter_table("obligations") as batch:
        batch.drop_column("counted_from")
