"""Between PostgreSQL tests, every service's database is emptied: only the tables that hold rows
are truncated (the rest need nothing), and every sequence used starts again, as TRUNCATE ...
RESTART IDENTITY of every table would leave them, in three statements per database instead of
a TRUNCATE of every table, which costs a new file for each."""
from __future__ import annotations

import sqlalchemy as sa


def empty(url: str) -> None:
    """Every table of the database emptied and every sequence back at its start."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("SET lock_timeout = '10s'"))  # a leaked session fails fast, not hangs
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        filled = conn.execute(sa.text(" UNION ALL ".join(
            f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables))).scalars().all() if tables else []
        if filled:
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in filled) + " CASCADE"))
        conn.execute(sa.text("SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false) "
                             "FROM pg_sequences WHERE last_value IS NOT NULL"))
    engine.dispose()
