"""Obligations' entry_id is no longer a foreign key the database checks row by row: for each
row it wrote, PostgreSQL looked the entry up and locked it (a SELECT ... FOR KEY SHARE per
row), about a third of its time writing a year's obligations (1.3 million rows for a
10,000-unit county). Every obligation is made from a catalogue entry read in the same
transaction, and catalogue entries are never deleted (a revision is a new version, a
retirement a last day), so there is nothing for the check to catch.

Revision ID: obligations_0002_entry_unchecked
"""
import sqlalchemy as sa
from alembic import op

revision = "obligations_0002_entry_unchecked"
down_revision = "obligations_0001_unit_index"

UNNAMED = {"fk": "fk_%(table_name)s_%(column_0_name)s"}  # SQLite's (0003) has no name: given one to be dropped


def upgrade() -> None:
    name = next(fk["name"] for fk in sa.inspect(op.get_bind()).get_foreign_keys("obligations")
                if fk["referred_table"] == "catalogue_entries")  # PostgreSQL's: obligations_entry_id_fkey
    with op.batch_alter_table("obligations", naming_convention=UNNAMED) as batch:
        batch.drop_constraint(name or "fk_obligations_entry_id", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("obligations") as batch:
        batch.create_foreign_key("obligations_entry_id_fkey", "catalogue_entries", ["entry_id"], ["id"])
