"""Officials' contacts and deliveries' addresses sealed at rest (services/common/crypto.py).

A delivery's address is sealed too; "once per (event, channel, address)" now holds on its keyed
hash (`recipient_index`, a blind index), and a digest's key names that hash, not the address.

Revision ID: 0006
"""
import sqlalchemy as sa
from alembic import op

from services.common import crypto
from services.common.sealing import seal_plaintext, unseal_all

revision = "0006"
down_revision = "0005"

CONTACTS = {"email": "contacts.email", "phone": "contacts.phone"}
RECIPIENT = {"recipient": "deliveries.recipient"}
WAS = {"email": sa.String(200), "phone": sa.String(32)}


def _index_recipients(conn: sa.Connection) -> None:
    deliveries = sa.table("deliveries", sa.column("id"), sa.column("recipient"), sa.column("recipient_index"),
                          sa.column("delivery_key"))
    for row in conn.execute(sa.select(deliveries.c.id, deliveries.c.recipient, deliveries.c.delivery_key)):
        index = crypto.blind_index(row.recipient, "deliveries.recipient")
        key = row.delivery_key
        if key and key.startswith("digest:") and key.count(":") >= 3:  # digest:<date>:<channel>:<address>
            key = ":".join(key.split(":", 3)[:3] + [index])
        conn.execute(sa.update(deliveries).where(deliveries.c.id == row.id)
                     .values(recipient_index=index, delivery_key=key))


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        for column in CONTACTS:
            batch.alter_column(column, type_=sa.Text, existing_type=WAS[column], existing_nullable=True)
    seal_plaintext(op.get_bind(), "contacts", CONTACTS)
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("recipient_index", sa.String(64)))
    _index_recipients(op.get_bind())
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint("uq_deliveries_once", type_="unique")
        batch.create_unique_constraint("uq_deliveries_once", ["cause_event_id", "channel", "recipient_index"])
        batch.alter_column("recipient", type_=sa.Text, existing_type=sa.String(200), existing_nullable=False)
    seal_plaintext(op.get_bind(), "deliveries", RECIPIENT)


def downgrade() -> None:
    unseal_all(op.get_bind(), "deliveries", RECIPIENT)
    unseal_all(op.get_bind(), "contacts", CONTACTS)
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("recipient", type_=sa.String(200), existing_type=sa.Text, existing_nullable=False)
        batch.drop_constraint("uq_deliveries_once", type_="unique")
        batch.create_unique_constraint("uq_deliveries_once", ["cause_event_id", "channel", "recipient"])
        batch.drop_column("recipient_index")
    with op.batch_alter_table("contacts") as batch:
        for column in CONTACTS:
            batch.alter_column(column, type_=WAS[column], existing_type=sa.Text, existing_nullable=True)
