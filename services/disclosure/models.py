"""disclosure's tables: the catalogue (公开目录) and the yearly plan (实施方案), each unit's
obligations (公开任务) and the office's reminders (催办) of them, the items (公开事项) with their trail and attachments, sealed years,
and its copy of the unit registry."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.records import NAMING, UTCDateTime
from services.common.shapes.disclosure import (  # noqa: F401  the vocabularies, shared with the gateway
    FREQUENCIES, ITEM_STATUSES, OBLIGATION_STATUSES, PERIODIC)

PLAN_STATUSES = ("draft", "consultation", "approved", "active", "closed")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class UnitCopy(Base):
    """disclosure's own copy of the unit registry, kept by the units service's events."""
    __tablename__ = "unit_copies"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    sector: Mapped[str] = mapped_column(sa.String(16))
    parent_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True, index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    merged_into: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    revision: Mapped[int] = mapped_column(sa.Integer)
    # the town (镇街) the unit belongs to: itself for a town, None for county agencies;
    # kept with the tree so progress per town needs no walk up the tree
    town_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True, index=True)


class CatalogueEntry(Base):
    """One version of a catalogue matter (目录事项), in the columns of the national
    catalogue standard. A change makes a new version from a date on; obligations keep
    the version they were scheduled from, so a mid-year change rewrites no history."""
    __tablename__ = "catalogue_entries"
    __table_args__ = (sa.UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), index=True)  # stable across versions
    version: Mapped[int] = mapped_column(sa.Integer)
    matter: Mapped[str] = mapped_column(sa.String(100))  # 一级事项
    sub_matter: Mapped[str] = mapped_column(sa.String(200))  # 二级事项
    content_elements: Mapped[str] = mapped_column(sa.Text)  # 公开内容（要素）
    basis: Mapped[str] = mapped_column(sa.Text)  # 公开依据
    time_limit: Mapped[str] = mapped_column(sa.Text)  # 公开时限, as worded for readers
    audience: Mapped[str] = mapped_column(sa.String(16))  # 公开对象: society/party/unit/specific
    carriers: Mapped[list[str]] = mapped_column(sa.JSON)  # 公开载体
    sectors: Mapped[list[str]] = mapped_column(sa.JSON)  # the sectors it applies to
    frequency: Mapped[str] = mapped_column(sa.String(16))
    grace_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)  # periodic: working days after the period
    within_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)  # on_event / long_term: working days
    display_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)  # prior: days shown before the decision
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date, nullable=True)  # last day in force; None: current
    changed_by: Mapped[str] = mapped_column(sa.String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    change_note: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # set on the last version only, when the matter is retired (valid_to is then its last day)
    retired_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class TransitionColumns:
    """Who moved a thing from one status to another, when, and why."""
    id: Mapped[int] = mapped_column(primary_key=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor: Mapped[str] = mapped_column(sa.String(64))
    role: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Plan(Base):
    """The county's yearly implementation plan (实施方案)."""
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    goals: Mapped[list[str]] = mapped_column(sa.JSON)
    milestones: Mapped[list[dict]] = mapped_column(sa.JSON)  # [{"title", "due_on"}]
    carriers: Mapped[list[str]] = mapped_column(sa.JSON)
    forms: Mapped[list[str]] = mapped_column(sa.JSON)  # 公开形式
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    consultation_days: Mapped[int] = mapped_column(sa.Integer)
    consultation_opens_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    consultation_closes_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    trail: Mapped[list["PlanTransition"]] = relationship(order_by="PlanTransition.id",
                                                          cascade="all, delete-orphan")


class PlanTransition(TransitionColumns, Base):
    __tablename__ = "plan_transitions"

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)


class Obligation(Base):
    """What one unit must disclose for one catalogue matter and period (公开任务), by when."""
    __tablename__ = "obligations"
    __table_args__ = (
        # per version: a revised entry's open period is waived and scheduled again from the
        # new version (upkeep.reschedule_entry), so the same code and period may recur; also
        # the index by unit (it leads with unit_code: no index on unit_code alone to write)
        sa.UniqueConstraint("unit_code", "entry_id", "period"),
        sa.Index("ix_obligations_progress", "year", "town_code", "sector", "status"),
        sa.Index("ix_obligations_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_entries.id"))
    entry_code: Mapped[str] = mapped_column(sa.String(32))
    year: Mapped[int] = mapped_column(sa.Integer)
    # "2026" (yearly, long_term), "2026-H1", "2026-Q3", "2026-07"; "E<n>" for an event's
    period: Mapped[str] = mapped_column(sa.String(32))
    due_on: Mapped[date] = mapped_column(sa.Date)
    # the day the working-day count runs from (long-term: the plan's approval or the unit's
    # registration; on-event: the event), so a new calendar can count again; None: periodic
    # (counted from the period's end) and prior (calendar days)
    counted_from: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    sector: Mapped[str] = mapped_column(sa.String(16))  # the unit's, when scheduled
    town_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    event_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)  # on_event: the event; prior: the decision
    event_note: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    item_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)  # the item that fulfilled it
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    waived_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    waived_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # ObligationDueSoon sent
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # ObligationOverdue sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ObligationReminder(Base):
    """A reminder (催办) the county office sent a unit for one of its open or overdue obligations."""
    __tablename__ = "obligation_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(sa.ForeignKey("obligations.id"), index=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32))
    reminded_by: Mapped[str] = mapped_column(sa.String(64))
    reminded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(16))  # the obligation's, when reminded
    note: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class Item(Base):
    """A disclosure (公开事项), one version of it, and where it stands in its workflow."""
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
    # a correction is a new version: it names the version it corrects, which on publication
    # becomes `corrected` and names its successor
    previous_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True, index=True)
    superseded_by_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    # 预公开: the item may not be withdrawn before this date
    display_until: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    # 归档: the status the item had when its year was sealed (a withdrawn item stays unreadable)
    archived_from: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)

    trail: Mapped[list["ItemTransition"]] = relationship(order_by="ItemTransition.id",
                                                          cascade="all, delete-orphan")
    attachments: Mapped[list["Attachment"]] = relationship(order_by="Attachment.id",
                                                           cascade="all, delete-orphan")


class ItemTransition(TransitionColumns, Base):
    __tablename__ = "item_transitions"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)


class Blob(Base):
    """An attachment's content, stored once by its SHA-256 whatever item it belongs to."""
    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(sa.Integer)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the text of a PDF, .docx or text file, extracted once when stored (extract.py); None: none or unreadable
    text: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (sa.UniqueConstraint("item_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("blobs.sha256"))
    filename: Mapped[str] = mapped_column(sa.String(200))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    added_by: Mapped[str] = mapped_column(sa.String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SealedYear(Base):
    """A year closed for the archive (登记归档): its items are archived and no longer change."""
    __tablename__ = "sealed_years"

    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    sealed_by: Mapped[str] = mapped_column(sa.String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    items_archived: Mapped[int] = mapped_column(sa.Integer)


class ItemScan(Base):
    """How many times an item's own QR code was scanned on a county day (一事一码): a count
    and nothing else, no reader, no address, no cookie (ItemScanReader holds the day's salted keys)."""
    __tablename__ = "item_scans"

    item_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    count: Mapped[int] = mapped_column(sa.Integer, default=0)
    # scans past the day's ceiling for the item (a script, not readers): kept apart, not in 知晓率
    suspicious: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")


class ItemScanReader(Base):
    """Who has already been counted for an item today, as a key the gateway made from the reader's
    address with a secret salt of the day (never the address): one scan per reader, item and
    day. Only the current day's keys are kept (scans.py deletes the others)."""
    __tablename__ = "item_scan_readers"

    item_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True, index=True)
    reader: Mapped[str] = mapped_column(sa.String(64), primary_key=True)


class SearchDocument(Base):
    """A published item as the search finds it (search.py): its index tokens (search_text.py)
    and what the filters need. Beside it the index proper: on SQLite the FTS5 table search_fts
    (rowid = item_id; title, tokens, audience unindexed), on PostgreSQL search_vectors (item_id, a
    'simple' tsvector of the title's tokens weighted A and of all the tokens, GIN-indexed, audience),
    made by migrations search_0001_full_text and board_0001_search_title_weight; not mapped,
    search.py names them."""
    __tablename__ = "search_documents"

    item_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    town_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True, index=True)
    # the catalogue code of the matter (事项) the item discloses, from the obligation it fulfils;
    # None for an item outside the catalogue (migration matter_0001_search_matter)
    matter_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True, index=True)
    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    tokens: Mapped[str] = mapped_column(sa.Text)  # of the title, body and attachments' text
    # the title's alone, ranked above the rest (search.TITLE_WEIGHT; board_0001_search_title_weight)
    title_tokens: Mapped[str] = mapped_column(sa.Text, server_default="")
