"""The answer deadline's start and length kept with each feedback (answer_counted_from: the day
its round began; answer_working_days: the working days to answer, an extension's included),
so that a new calendar counts a reopened round's deadline again as well as a first one's.

Backfill, for feedback still open: the start is the county day it was received (first round)
or the day of its latest reopening (from the trail); the length is the working days from that
start to its answer deadline on the calendar as it stands (the county's entered years
included), kept only when counting them again gives the deadline back. Feedback answered or
closed gets them when it is reopened.

Revision ID: calendar_0001_answer_start
"""
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from services.common import calendar_store
from services.common.records import UTCDateTime
from services.common.workdays import add_working_days, county_date, is_working_day

revision = "calendar_0001_answer_start"
down_revision = "senders_0001_contact_erasure"


def working_days_between(start: date, due: date) -> int | None:
    """n such that add_working_days(start, n) == due, or None when there is none."""
    count, day = 0, start
    while day < due:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count if due > start and add_working_days(start, count) == due else None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("answer_counted_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("answer_working_days", sa.Integer(), nullable=True))
    bind = op.get_bind()
    calendar_store.load(Session(bind=bind))
    reopened = dict(bind.execute(sa.text(
        "SELECT feedback_id, MAX(at) AS at FROM feedback_steps WHERE action = 'reopen' GROUP BY feedback_id")
        .columns(feedback_id=sa.Integer(), at=UTCDateTime())).all())
    rows = bind.execute(sa.text("SELECT id, round, received_at, answer_due FROM feedback WHERE status IN "
                                "('received', 'held', 'accepted', 'reviewing', 'reopened')")
                        .columns(received_at=UTCDateTime(), answer_due=sa.Date())).all()
    for ident, answer_round, received_at, answer_due in rows:
        began = reopened.get(ident) if answer_round > 1 else received_at
        if began is None:
            continue
        start = county_date(began)
        days = working_days_between(start, answer_due)
        if days is not None:
            bind.execute(sa.text("UPDATE feedback SET answer_counted_from = :start, answer_working_days = :days "
                                 "WHERE id = :id"), {"start": start, "days": days, "id": ident})


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("answer_working_days")
        batch.drop_column("answer_counted_from")
