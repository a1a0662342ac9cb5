from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.records import NAMING, UTCDateTime


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Unit(Base):
    """A grassroots Party organisation (党组织) in the county tree."""
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    sector: Mapped[str] = mapped_column(sa.String(16), index=True)
    org_type: Mapped[str] = mapped_column(sa.String(16))  # committee 党委 / general_branch 党总支 / branch 党支部
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("units.code"), nullable=True, index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="active")
    demonstration: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # 示范点
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    officials: Mapped[list["Official"]] = relationship(
        back_populates="unit", order_by="Official.role", cascade="all, delete-orphan")


class Official(Base):
    """Who holds a role (书记 secretary, 联络员 liaison, 审核人 reviewer) in a unit."""
    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.ForeignKey("units.code"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    email: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)

    unit: Mapped[Unit] = relationship(back_populates="officials")

    __table_args__ = (sa.UniqueConstraint("unit_code", "role", name="uq_officials_unit_role"),)
