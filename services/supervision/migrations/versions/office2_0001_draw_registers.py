"""The 双随机 draw's standing registers (inspectors, units) and the draws planned for a later time.

Revision ID: office2_0001_draw_registers
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "office2_0001_draw_registers"
down_revision = "office1_0001_supervision"


def _entry_columns() -> list[sa.Column]:
    return [sa.Column("effective_from", sa.Date(), nullable=False),
            sa.Column("effective_until", sa.Date(), nullable=True),
            sa.Column("added_by", sa.String(64), nullable=False),
            sa.Column("added_at", UTCDateTime(), nullable=False),
            sa.Column("ended_by", sa.String(64), nullable=True),
            sa.Column("ended_at", UTCDateTime(), nullable=True)]


def upgrade() -> None:
    op.create_table(
        "register_inspectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=True),
        *_entry_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_inspectors")))
    op.create_index(op.f("ix_register_inspectors_username"), "register_inspectors", ["username"])
    op.create_table(
        "register_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        *_entry_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_units")))
    op.create_index(op.f("ix_register_units_unit_code"), "register_units", ["unit_code"])
    op.create_table(
        "draw_schedules",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("draw_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("commitment", sa.String(64), nullable=False),
        sa.Column("committed_at", UTCDateTime(), nullable=False),
        sa.Column("sample", sa.JSON(), nullable=False),
        sa.Column("inspectors_per_unit", sa.Integer(), nullable=False),
        sa.Column("drawn_at", UTCDateTime(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.id"],
                                name=op.f("fk_draw_schedules_inspection_id_inspections")),
        sa.PrimaryKeyConstraint("inspection_id", name=op.f("pk_draw_schedules")))
    op.create_index(op.f("ix_draw_schedules_draw_at"), "draw_schedules", ["draw_at"])
    op.create_index(op.f("ix_draw_schedules_status"), "draw_schedules", ["status"])


def downgrade() -> None:
    op.drop_table("draw_schedules")
    op.drop_table("register_units")
    op.drop_table("register_inspectors")
