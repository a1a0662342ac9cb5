"""Deadlines a new version of the county's calendar did not move because they had passed, kept
by the service that owns each (table `calendar_passed_deadlines`), per calendar version, for the
county office to decide. disclosure keeps its obligations', feedback its acknowledgement and
answer deadlines', supervision its rectifications'; each answers them by year through a
`calendar_passed` query, and the office's calendar page lists all three. The office marks one
as decided with a note (`decide`: who, when, what was decided); a later version listing the
same record again asks again.

Kept once per (calendar year, version, kind, record): a redelivered CalendarArranged adds nothing.
A service's migration calls `create_table(op)`."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .actor import Actor
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .records import NAMING, UTCDateTime, utcnow
from .shapes.calendar import NOTE_MAX


class PassedBase(DeclarativeBase):
    """Apart from the other tables' metadata, so that its own migration creates it alone."""
    metadata = sa.MetaData(naming_convention=NAMING)


class PassedDeadline(PassedBase):
    __tablename__ = "calendar_passed_deadlines"

    calendar_year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    calendar_version: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # obligation, feedback_ack, ...
    record_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    unit_code: Mapped[str | None] = mapped_column(sa.String(64))
    from_due_on: Mapped[date] = mapped_column(sa.Date)  # the deadline as it stays
    to_due_on: Mapped[date] = mapped_column(sa.Date)  # what the new calendar would give
    provisional: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))


def create_table(op) -> None:
    """Create the table from an Alembic migration (`op` is alembic.op)."""
    PassedBase.metadata.create_all(op.get_bind(), checkfirst=False)


def drop_table(op) -> None:
    op.drop_table(PassedDeadline.__tablename__)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def keep(session: Session, changes: list[dict[str, Any]]) -> int:
    """Keep the passed deadlines of one recompute (as calendar_store.deadline_change gives
    them); how many were new."""
    added = 0
    for change in changes:
        key = (int(change["calendar_year"]), int(change["calendar_version"]), change["kind"], int(change["id"]))
        if session.get(PassedDeadline, key) is not None:
            continue
        session.add(PassedDeadline(calendar_year=key[0], calendar_version=key[1], kind=key[2], record_id=key[3],
                                   unit_code=change.get("unit_code"), from_due_on=_day(change["from_due_on"]),
                                   to_due_on=_day(change["to_due_on"]), provisional=bool(change.get("provisional")),
                                   listed_at=utcnow()))
        added += 1
    session.flush()
    return added


def listing(session: Session, year: int, version: int | None = None) -> list[dict[str, Any]]:
    """The deadlines left for the office by every version of the year (or by that version),
    newest version first; one record listed again by a later version is shown once, as that
    version left it."""
    query = sa.select(PassedDeadline).where(PassedDeadline.calendar_year == int(year))
    if version is not None:
        query = query.where(PassedDeadline.calendar_version == int(version))
    rows = session.scalars(query.order_by(PassedDeadline.calendar_version.desc(), PassedDeadline.kind,
                                     PassedDeadline.record_id))
    seen: set[tuple[str, int]] = set()
    answer = []
    for row in rows:
        if (row.kind, row.record_id) in seen:
            continue
        seen.add((row.kind, row.record_id))
        answer.append({"kind": row.kind, "id": row.record_id, "unit_code": row.unit_code,
                       "from_due_on": row.from_due_on.isoformat(), "to_due_on": row.to_due_on.isoformat(),
                       "provisional": row.provisional, "calendar_year": row.calendar_year,
                       "calendar_version": row.calendar_version, "listed_at": row.listed_at.isoformat(),
                       "decided_by": row.decided_by, "decision": row.decision,
                       "decided_at": row.decided_at.isoformat() if row.decided_at else None})
    return answer


def decide(session: Session, actor: Actor, year: int, kind: str, record_id: int, note: str) -> dict[str, Any]:
    """The county office's decision on a passed deadline, as the newest version of the year
    left it: kept once, with who and when. The deadline itself stays as it is."""
    if actor.role != "inspector":
        raise Forbidden("只有县委办公室可以处理已过的期限")
    if not note.strip():
        raise InvalidInput("请写明处理决定")
    row = session.scalars(sa.select(PassedDeadline).where(
        PassedDeadline.calendar_year == int(year), PassedDeadline.kind == kind,
        PassedDeadline.record_id == int(record_id)).order_by(PassedDeadline.calendar_version.desc())).first()
    if row is None:
        raise NotFound(f"{year} 年没有列出这项已过的期限（{kind} {record_id}）")
    if row.decided_at is not None:
        raise Conflict(f"这项期限已由 {row.decided_by} 处理过")
    row.decided_by, row.decided_at, row.decision = actor.username, utcnow(), note.strip()[:NOTE_MAX]
    session.flush()
    return next(item for item in listing(session, year) if (item["kind"], item["id"]) == (kind, int(record_id)))
