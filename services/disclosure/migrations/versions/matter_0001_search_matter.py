"""Search by matter (事项): each search document keeps the catalogue code of the matter its item
discloses (the code of the obligation it fulfils; none for an item outside the catalogue),
indexed for the filter; the documents already there take it from their items.

Revision ID: matter_0001_search_matter
"""
import sqlalchemy as sa
from alembic import op

revision = "matter_0001_search_matter"
down_revision = "record_0001_scan_readers"


def upgrade() -> None:
    op.add_column("search_documents", sa.Column("matter_code", sa.String(32), nullable=True))
    op.create_index("ix_search_documents_matter_code", "search_documents", ["matter_code"])
    op.execute("UPDATE search_documents SET matter_code = (SELECT obligations.entry_code FROM items "
               "JOIN obligations ON obligations.id = items.obligation_id "
               "WHERE items.id = search_documents.item_id)")


def downgrade() -> None:
    op.drop_index("ix_search_documents_matter_code", "search_documents")
    with op.batch_alter_table("search_documents") as batch:
        batch.drop_column("matter_code")
