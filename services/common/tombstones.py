"""Records deleted for good, remembered (table `deleted_records`, in the service that owned
them) so that a link to one — in an email, a bookmark, the console's history — answers what
happened to it: a 410 naming what it was, when it was deleted and by whom, never a bare 404.
A service's migration calls `create_table(op)`; its delete calls `bury`; its lookup raises
`gone(...)` when the row is not there and was deleted, its own NotFound otherwise."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .errors import Gone
from .records import NAMING, UTCDateTime, utcnow
from .workdays import COUNTY_TIMEZONE


class TombstoneBase(DeclarativeBase):
    """Apart from the other tables' metadata, so that its own migration creates it alone."""
    metadata = sa.MetaData(naming_convention=NAMING)


class Tombstone(TombstoneBase):
    __tablename__ = "deleted_records"

    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # webhook, ...
    record_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    what: Mapped[str] = mapped_column(sa.String(300))  # as a person names it: 推送订阅 3（https://…）
    owner: Mapped[str | None] = mapped_column(sa.String(100))  # who may read about it besides administrators
    deleted_by: Mapped[str] = mapped_column(sa.String(100))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime)


def create_table(op) -> None:
    """Create the table from an Alembic migration (`op` is alembic.op)."""
    TombstoneBase.metadata.create_all(op.get_bind(), checkfirst=False)


def drop_table(op) -> None:
    op.drop_table(Tombstone.__tablename__)


def bury(session: Session, kind: str, record_id: int, what: str, deleted_by: str, owner: str | None = None) -> None:
    """Remember a record deleted now (in the transaction that deletes it)."""
    session.add(Tombstone(kind=kind, record_id=int(record_id), what=what[:300], owner=owner,
                          deleted_by=deleted_by, deleted_at=utcnow()))


def gone(session: Session, kind: str, record_id: int, reader: str | None = None) -> Gone | None:
    """The error for a record that is not there because it was deleted (and `reader`, when
    given, is its owner); None when it never was, for the caller's own NotFound."""
    stone = session.get(Tombstone, (kind, int(record_id)))
    if stone is None or (reader is not None and stone.owner != reader):
        return None
    what, by = stone.what, stone.deleted_by
    at = f"{stone.deleted_at.astimezone(COUNTY_TIMEZONE):%Y年%m月%d日 %H:%M}"
    return Gone(f"{what}已于 {at} 由 {by} 删除，不再提供。",
                {"kind": kind, "id": stone.record_id, "what": what, "deleted_by": by,
                 "deleted_at": stone.deleted_at.isoformat()})
