"""Each service's copy of the county's working-day calendar: every version of every year the
county office entered, in the service's own database (table `calendar_arrangements`). The
owner (services/disclosure) writes it when the office enters a year; the others write it from
the CalendarArranged event, or from the gateway's call when the office enters it (`follow`:
whichever comes first keeps it and moves the deadlines, once). The newest version of each year
is installed into services/common/workdays.py: at once by the worker that stored it, and by
every other replica of the service before its next worker runs, once the database has it
(`CalendarCopy.worker_setup` compares the versions at most every FRESH_SECONDS), so no replica
computes a deadline on a calendar older than that; a reload every minute besides.

A service declares `calendar = CalendarCopy()`; its migration calls `create_table(op)`.
"""
from __future__ import annotations

import logging
import time
from datetime import date, datetime
from typing import Any, Callable

import eventlet
import sqlalchemy as sa
from nameko.extensions import DependencyProvider
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from . import passed_deadlines, workdays
from .config import database_url
from .db import make_engine
from .records import NAMING, UTCDateTime

log = logging.getLogger(__name__)
RELOAD_SECONDS = 60
FRESH_SECONDS = 1.0  # a worker's calendar is at most this much behind its service's database
CALENDAR_LOCK = 0x67636C0000  # + the year: one advisory lock per year (PostgreSQL)


class CalendarBase(DeclarativeBase):
    """Apart from the messaging tables' metadata: their first migrations create all of theirs."""
    metadata = sa.MetaData(naming_convention=NAMING)


class CalendarArrangement(CalendarBase):
    __tablename__ = "calendar_arrangements"

    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    holidays: Mapped[list[str]] = mapped_column(sa.JSON)  # ISO dates
    workdays: Mapped[list[str]] = mapped_column(sa.JSON)
    document: Mapped[str] = mapped_column(sa.String(200))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    entered_by: Mapped[str] = mapped_column(sa.String(64))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)


def create_table(op) -> None:
    """Create the copy's table from an Alembic migration (`op` is alembic.op)."""
    CalendarBase.metadata.create_all(op.get_bind(), checkfirst=False)


def drop_table(op) -> None:
    op.drop_table(CalendarArrangement.__tablename__)


def arrangement(row: CalendarArrangement) -> workdays.Arrangement:
    return workdays.Arrangement(row.year, row.version,
                                frozenset(date.fromisoformat(d) for d in row.holidays),
                                frozenset(date.fromisoformat(d) for d in row.workdays))


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def store(session: Session, payload: dict[str, Any]) -> bool:
    """Keep one version (a CalendarArranged payload, or the owner's row as it is entered) and
    install it. False when that version was kept already (a redelivered event)."""
    year, version = int(payload["year"]), int(payload["version"])
    if session.get(CalendarArrangement, (year, version)) is not None:
        return False
    entered_at = payload["entered_at"]
    row = CalendarArrangement(
        year=year, version=version, holidays=sorted(_iso(d) for d in payload["holidays"]),
        workdays=sorted(_iso(d) for d in payload["workdays"]), document=payload["document"],
        issued_on=date.fromisoformat(_iso(payload["issued_on"])), entered_by=payload["entered_by"],
        entered_at=datetime.fromisoformat(entered_at) if isinstance(entered_at, str) else entered_at)
    session.add(row)
    session.flush()
    workdays.install(arrangement(row))
    return True


def newest(session: Session) -> list[CalendarArrangement]:
    """The newest version of every year entered."""
    top = (sa.select(CalendarArrangement.year, sa.func.max(CalendarArrangement.version).label("version"))
           .group_by(CalendarArrangement.year).subquery())
    return list(session.scalars(sa.select(CalendarArrangement).join(
        top, sa.and_(CalendarArrangement.year == top.c.year, CalendarArrangement.version == top.c.version))))


def versions(session: Session) -> dict[int, int]:
    """The newest version of every year this copy holds, as {year: version}."""
    return dict(session.execute(sa.select(CalendarArrangement.year, sa.func.max(CalendarArrangement.version))
                                .group_by(CalendarArrangement.year)).all())


def serialise(session: Session, year: int) -> None:
    """Hold the year until this transaction ends, so that the event and the gateway's call
    keeping the same version one after the other find it kept (PostgreSQL; SQLite writes one
    transaction at a time)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CALENDAR_LOCK + int(year)})


def follow(session: Session, payload: dict[str, Any], recompute: Callable[[], Any]) -> list[dict[str, Any]]:
    """Keep a version and move the deadlines it moves (`recompute`), once, whichever asks
    first: the CalendarArranged event or the gateway's call as the office enters the year.
    The answer: this service's deadlines that version left for the office (passed)."""
    year, version = int(payload["year"]), int(payload["version"])
    serialise(session, year)
    if store(session, payload):
        recompute()
    return passed_deadlines.listing(session, year, version)


def load(session: Session) -> int:
    """Install the newest version of every year this copy holds; how many changed the calendar."""
    return sum(workdays.install(arrangement(row)) for row in newest(session))


class CalendarCopy(DependencyProvider):
    """Installs the service's copy of the calendar at start and reloads it every minute."""

    def setup(self) -> None:
        config = self.container.config
        self.engine = make_engine(database_url(config, self.container.service_name), 1)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._running = False
        self._checked = 0.0

    def start(self) -> None:
        self._running = True
        self.reload()
        self.container.spawn_managed_thread(self._keep_loading, identifier="calendar-copy")

    def reload(self) -> None:
        try:
            with self.sessions() as session:
                load(session)
        except sa.exc.SQLAlchemyError as exc:  # the database restarting: the next round tries again
            log.warning("could not load the calendar copy: %s", exc)

    def worker_setup(self, worker_ctx) -> None:
        """Before a worker runs: install what another replica kept since the last look (one
        small query at most every FRESH_SECONDS)."""
        now = time.monotonic()
        if now - self._checked < FRESH_SECONDS:
            return
        self._checked = now
        try:
            with self.sessions() as session:
                held = versions(session)
                if any(workdays.installed_versions().get(year, 0) < version for year, version in held.items()):
                    load(session)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("could not compare the calendar copy: %s", exc)

    def _keep_loading(self) -> None:
        while self._running:
            eventlet.sleep(RELOAD_SECONDS)
            if self._running:
                self.reload()

    def stop(self) -> None:
        self._running = False
        self.engine.dispose()

    kill = stop


def deadline_change(kind: str, ident: int, unit_code: str | None, old: date, new: date,
                    year: int, version: int) -> dict[str, Any]:
    """A deadline moved by an arrangement, as the DeadlineMoved events carry it."""
    return {"kind": kind, "id": ident, "unit_code": unit_code, "from_due_on": old, "to_due_on": new,
            "calendar_year": year, "calendar_version": version, "provisional": workdays.is_provisional(new)}


def may_move(old: date, new: date, today: date) -> bool:
    """A deadline moves only while neither its date nor the new one has passed; otherwise it
    stays as it is and is listed for the county office to decide."""
    return old >= today and new >= today
