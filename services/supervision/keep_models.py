"""supervision's copy of the office's review decisions that units records: a model kept (保留)
after its score for a month fell below the pass mark (DesignationKept), which takes that month's
review off the list."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.common.records import UTCDateTime

from .models import Base


class KeptFact(Base):
    """A designation kept on review for one month's score (units' DesignationKept)."""
    __tablename__ = "kept_facts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    designation_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32))
    period: Mapped[str] = mapped_column(sa.String(7))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
