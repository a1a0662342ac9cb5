"""Officials' phones and emails sealed at rest (services/common/crypto.py): the columns become
text long enough for a sealed value, and every stored value is sealed under the current key;
the events kept in the outbox get their officials' contacts sealed as events now carry them.

Revision ID: 0009
"""
import sqlalchemy as sa
from alembic import op

from services.common.contract.units import OFFICIAL_EMAIL, OFFICIAL_PHONE
from services.common.sealing import seal_outbox_officials, seal_plaintext, unseal_all

revision = "0009"
down_revision = "0008"

SEALED = {"officials": {"phone": "officials.phone", "email": "officials.email"},
          "official_terms": {"phone": "official_terms.phone", "email": "official_terms.email"}}
WAS = {"phone": sa.String(32), "email": sa.String(200)}


def upgrade() -> None:
    for table, columns in SEALED.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, type_=sa.Text, existing_type=WAS[column], existing_nullable=True)
        seal_plaintext(op.get_bind(), table, columns)
    seal_outbox_officials(op.get_bind(), {"phone": OFFICIAL_PHONE, "email": OFFICIAL_EMAIL})


def downgrade() -> None:
    for table, columns in SEALED.items():
        unseal_all(op.get_bind(), table, columns)
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, type_=WAS[column], existing_type=sa.Text, existing_nullable=True)
