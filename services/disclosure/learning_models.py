"""disclosure's tables for units learning from each other (组织相互学习借鉴, 分类指导): the county
office's 范例 marks on published items, per catalogue matter and sector, and its guidance notes
per matter and sector. Kept beside models.py (on its Base, so one metadata and one migration
history); learning.py holds the rules."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.common.records import UTCDateTime

from .models import Base


class ExampleMark(Base):
    """A published item marked by the county office as a 范例 of a catalogue matter for a sector.
    The mark is current while `ended_at` is empty; it ends when the office unmarks it (with a
    reason) or the item is withdrawn, and moves to the new version when a correction is published."""
    __tablename__ = "example_marks"
    __table_args__ = (sa.Index("ix_example_marks_matter_sector", "entry_code", "sector", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.Integer, index=True)  # the version in force
    unit_code: Mapped[str] = mapped_column(sa.String(32))
    entry_code: Mapped[str] = mapped_column(sa.String(32))  # the catalogue matter (事项)
    sector: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text)  # why it is a good example, for the operators
    marked_by: Mapped[str] = mapped_column(sa.String(64))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class GuidanceNote(Base):
    """The county office's guidance (分类指导) on one catalogue matter, for one sector or (sector
    None) for every sector. Revised in place with its revision counted, so a form shown before a
    revision is refused; retired with a reason, never deleted."""
    __tablename__ = "guidance_notes"
    __table_args__ = (sa.Index("ix_guidance_notes_matter", "entry_code", "retired_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_code: Mapped[str] = mapped_column(sa.String(32))
    sector: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    revision: Mapped[int] = mapped_column(sa.Integer)
    written_by: Mapped[str] = mapped_column(sa.String(64))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revised_by: Mapped[str] = mapped_column(sa.String(64))
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
