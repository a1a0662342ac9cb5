"""Each service's migrations build exactly the tables its models describe, on SQLite and
PostgreSQL: a model changed without a migration (or the reverse) fails here, not in
production."""
import importlib

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.common import records
from services.common.migrate import SERVICES_WITH_DATABASE


def _unique_column_sets(inspector, table: str) -> set[tuple[str, ...]]:
    found = {tuple(c["column_names"]) for c in inspector.get_unique_constraints(table)}
    return found | {tuple(i["column_names"]) for i in inspector.get_indexes(table) if i["unique"]}


def _differences(url: str, metadata: sa.MetaData) -> list:
    """What autogenerate would change, but for the name of a column's unique constraint
    (SQLite leaves it unnamed, PostgreSQL names it <table>_<column>_key): the same columns
    being unique is what matters."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    tables = set(metadata.tables)

    def ours(obj, name, type_, reflected, compare_to):
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return table is None or table.name in tables

    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": ours, "compare_type": True})
            inspector = sa.inspect(conn)
            differences = []
            for diff in compare_metadata(context, metadata):
                if diff[0] in ("add_constraint", "remove_constraint") and isinstance(diff[1], sa.UniqueConstraint):
                    constraint = diff[1]
                    if tuple(c.name for c in constraint.columns) in _unique_column_sets(inspector,
                                                                                          constraint.table.name):
                        continue
                differences.append(diff)
            return differences
    finally:
        engine.dispose()


@pytest.mark.parametrize("service", SERVICES_WITH_DATABASE)
def test_migrations_match_the_models(database_urls, service):
    models = importlib.import_module(f"services.{service}.models")
    for metadata in (models.Base.metadata, records.Base.metadata):
        assert _differences(database_urls[service], metadata) == []
