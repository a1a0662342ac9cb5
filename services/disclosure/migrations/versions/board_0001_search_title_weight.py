"""Titles weighted above bodies in search: each search document keeps its title's tokens
besides the tokens of its whole text; SQLite's FTS5 table gets a title column (bm25 weighs it
above the rest), PostgreSQL's document the title's lexemes at weight A. The documents already
indexed take their items' titles, segmented as new ones are (search_text.index_tokens), and the
index rows are rebuilt from them, keeping their audience.

Revision ID: board_0001_search_title_weight
"""
import sqlalchemy as sa
from alembic import op

from services.disclosure.search_text import index_tokens

revision = "board_0001_search_title_weight"
down_revision = "examples_0001_marks_and_guidance"

BATCH = 1000
DOCUMENT = "setweight(to_tsvector('simple', d.title_tokens), 'A') || to_tsvector('simple', d.tokens)"


def _fill_titles() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT d.item_id, i.title FROM search_documents d "
                                "JOIN items i ON i.id = d.item_id ORDER BY d.item_id")).all()
    update = sa.text("UPDATE search_documents SET title_tokens = :tokens WHERE item_id = :id")
    for start in range(0, len(rows), BATCH):
        bind.execute(update, [{"id": item_id, "tokens": index_tokens(title)}
                              for item_id, title in rows[start:start + BATCH]])


def upgrade() -> None:
    op.add_column("search_documents", sa.Column("title_tokens", sa.Text, nullable=False, server_default=""))
    _fill_titles()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"UPDATE search_vectors SET document = {DOCUMENT} FROM search_documents d "
                   "WHERE d.item_id = search_vectors.item_id")
        return
    op.execute("CREATE VIRTUAL TABLE search_fts_weighted USING fts5(title, tokens, audience UNINDEXED)")
    op.execute("INSERT INTO search_fts_weighted (rowid, title, tokens, audience) "
               "SELECT d.item_id, d.title_tokens, d.tokens, f.audience FROM search_documents d "
               "JOIN search_fts f ON f.rowid = d.item_id")
    op.execute("DROP TABLE search_fts")
    op.execute("ALTER TABLE search_fts_weighted RENAME TO search_fts")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE search_vectors SET document = to_tsvector('simple', d.tokens) FROM search_documents d "
                   "WHERE d.item_id = search_vectors.item_id")
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts_plain USING fts5(tokens, audience UNINDEXED)")
        op.execute("INSERT INTO search_fts_plain (rowid, tokens, audience) "
                   "SELECT rowid, tokens, audience FROM search_fts")
        op.execute("DROP TABLE search_fts")
        op.execute("ALTER TABLE search_fts_plain RENAME TO search_fts")
    with op.batch_alter_table("search_documents") as batch:
        batch.drop_column("title_tokens")
