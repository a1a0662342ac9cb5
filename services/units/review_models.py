"""units' record of the county office's reviews (复核) of a model whose monthly score fell below
the pass mark: the decision to keep it (保留), with the month reviewed and the reason."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.common.records import UTCDateTime

from .models import Base


class DesignationReview(Base):
    """One review of a designation for one month's score: kept, by whom, when and why."""
    __tablename__ = "designation_reviews"
    __table_args__ = (sa.UniqueConstraint("designation_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    designation_id: Mapped[int] = mapped_column(sa.ForeignKey("designations.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(7))  # the month whose score was reviewed, 2026-07
    decision: Mapped[str] = mapped_column(sa.String(16))  # keep
    reason: Mapped[str] = mapped_column(sa.Text)
    reviewed_by: Mapped[str] = mapped_column(sa.String(64))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
