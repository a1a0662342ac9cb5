"""Feedback senders' contacts sealed at rest (services/common/crypto.py): the column becomes
text long enough for a sealed value, and every stored contact is sealed under the current key.

Revision ID: 0007
"""
import sqlalchemy as sa
from alembic import op

from services.common.sealing import seal_plaintext, unseal_all

revision = "0007"
down_revision = "calendar_copy"

SEALED = {"contact": "feedback.contact"}


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.alter_column("contact", type_=sa.Text, existing_type=sa.String(200), existing_nullable=True)
    seal_plaintext(op.get_bind(), "feedback", SEALED)


def downgrade() -> None:
    unseal_all(op.get_bind(), "feedback", SEALED)
    with op.batch_alter_table("feedback") as batch:
        batch.alter_column("contact", type_=sa.String(200), existing_type=sa.Text, existing_nullable=True)
