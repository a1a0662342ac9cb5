from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.records import NAMING, UTCDateTime


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class UnitCopy(Base):
    """disclosure's own copy of the unit registry, kept by UnitRegistered / UnitUpdated."""
    __tablename__ = "unit_copies"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    sector: Mapped[str] = mapped_column(sa.String(16))
    parent_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True, index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    merged_into: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    revision: Mapped[int] = mapped_column(sa.Integer)


class Item(Base):
    """A disclosure (公开事项) and where it stands in its workflow."""
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    audience: Mapped[str] = mapped_column(sa.String(16))
    carriers: Mapped[list[str]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    author: Mapped[str] = mapped_column(sa.String(64))
    obligation_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    trail: Mapped[list["ItemTransition"]] = relationship(order_by="ItemTransition.id",
                                                          cascade="all, delete-orphan")


class ItemTransition(Base):
    """One step of an item's workflow: who moved it, when, and why."""
    __tablename__ = "item_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor: Mapped[str] = mapped_column(sa.String(64))
    role: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
