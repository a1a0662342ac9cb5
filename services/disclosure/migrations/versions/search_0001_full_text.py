"""Full-text search of published items: the extracted text of attachments, the search
documents, and the index over their jieba-segmented tokens: an FTS5 table on SQLite, a
tsvector ('simple' configuration) with a GIN index on PostgreSQL (search_vectors); each
index row carries the item's audience, so the public's filter happens inside the index query. Neither
is in the models: the search's queries name them (services/disclosure/search.py).

Revision ID: search_0001_full_text
"""
import sqlalchemy as sa
from alembic import op

from services.common.records import UTCDateTime

revision = "search_0001_full_text"
down_revision = "portal_0001_item_scans"


def upgrade() -> None:
    op.add_column("blobs", sa.Column("text", sa.Text, nullable=True))
    op.create_table(
        "search_documents",
        sa.Column("item_id", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("town_code", sa.String(32), nullable=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=False),
        sa.Column("tokens", sa.Text, nullable=False),
    )
    for column in ("unit_code", "town_code", "year", "published_at"):
        op.create_index(f"ix_search_documents_{column}", "search_documents", [column])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TABLE search_vectors (item_id integer PRIMARY KEY "
                   "REFERENCES search_documents (item_id) ON DELETE CASCADE, document tsvector NOT NULL, "
                   "audience varchar(16) NOT NULL)")
        op.execute("CREATE INDEX ix_search_vectors_document ON search_vectors USING GIN (document)")
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(tokens, audience UNINDEXED)")


def downgrade() -> None:
    op.execute("DROP TABLE search_vectors" if op.get_bind().dialect.name == "postgresql" else "DROP TABLE search_fts")
    op.drop_table("search_documents")
    with op.batch_alter_table("blobs") as blobs:
        blobs.drop_column("text")
