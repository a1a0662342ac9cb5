"""Search by catalogue matter (事项), on SQLite and PostgreSQL: each search document keeps the
code of the matter its item's obligation belongs to; `matter=` finds that matter's items only
(a correction keeps its matter), an item outside the catalogue has none, and a code the
catalogue never had is refused in Chinese. Migration matter_0001_search_matter gives the
documents already indexed their items' matter, and takes the column away again."""
import os
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from alembic import command

from services.common.errors import InvalidInput
from services.common.migrate import alembic_config
from services.disclosure import search, workflow
from services.disclosure.models import CatalogueEntry, Item, Obligation, SearchDocument
from tests.conftest import BACKENDS, PG_URL
from tests.disclosure.test_disclosure_workflow import (  # noqa: F401
    draft, obligation, operator_of, publish, uow)

BEFORE = "record_0001_scan_readers"
AT = datetime(2030, 3, 4, 2, tzinfo=timezone.utc)


def found(uow, q, **filters):
    return [row["id"] for row in search.search(uow.session, None, {"q": q, **filters})["items"]]


def code_of(uow, obligation_id):
    return uow.session.get(Obligation, obligation_id).entry_code


def test_the_matter_filter_finds_the_items_of_one_catalogue_matter(uow):
    fees, elections = obligation(uow), obligation(uow)
    fee = draft(uow, title="党费收缴公示", obligation_id=fees)
    election = draft(uow, title="换届选举结果公示", obligation_id=elections)
    loose = draft(uow, title="党费使用情况说明")  # outside the catalogue
    for item in (fee, election, loose):
        publish(uow, item)
    fee_code, election_code = code_of(uow, fees), code_of(uow, elections)
    assert uow.session.get(SearchDocument, fee).matter_code == fee_code
    assert uow.session.get(SearchDocument, loose).matter_code is None
    assert set(found(uow, "公示")) == {fee, election}
    assert found(uow, "公示", matter=fee_code) == [fee]
    assert found(uow, "公示", matter=election_code, sort="newest") == [election]
    assert found(uow, "党费", matter=election_code) == []
    assert found(uow, "公示", matter=fee_code, unit="A002") == [] and found(uow, "公示", matter=fee_code, year=2020) == []
    corrected = workflow.correct(uow, operator_of("A001"), fee, {"title": "党费收缴公示（更正）"})["id"]
    uow.commit()
    publish(uow, corrected)
    assert found(uow, "党费", matter=fee_code) == [corrected]


def test_a_matter_the_catalogue_never_had_is_refused_in_chinese(uow):
    publish(uow, draft(uow, title="党费收缴公示", obligation_id=obligation(uow)))
    with pytest.raises(InvalidInput, match="公开目录中没有代码为 DW-99 的事项"):
        search.search(uow.session, None, {"q": "党费", "matter": "DW-99"})
    with pytest.raises(InvalidInput):
        search.search(uow.session, None, {"q": "党费", "matter": "X" * 33})


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """A disclosure database with no tables yet, on each backend (PostgreSQL: made for the test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/disclosure.db"
        return
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    base = sa.engine.make_url(PG_URL)
    name = f"{base.database}_gk{os.getpid()}_matter"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _item(ident, obligation_id):
    return sa.insert(Item.__table__).values(
        id=ident, unit_code="V1", title=f"公示{ident}", body="正文", audience="society", carriers=["公开栏"],
        status="published", version=1, author="op-v1", obligation_id=obligation_id, created_at=AT, published_at=AT)


def _document(ident):
    return sa.insert(SearchDocument.__table__).values(item_id=ident, unit_code="V1", town_code=None, year=2030,
                                                      published_at=AT, tokens="公示")


def test_the_migration_gives_the_documents_indexed_before_it_their_items_matter(empty_database):
    url, config = empty_database, alembic_config("disclosure", empty_database)
    command.upgrade(config, BEFORE)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.insert(CatalogueEntry.__table__).values(
            id=1, code="DW-08", version=1, matter="党费收缴使用管理", sub_matter="党费收缴、使用和管理情况",
            content_elements="收缴", basis="条例", time_limit="每季度", audience="society", carriers=["公开栏"],
            sectors=["village"], frequency="on_event", within_days=5, valid_from=date(2030, 1, 1),
            changed_by="office", changed_at=AT))
        conn.execute(sa.insert(Obligation.__table__).values(
            id=1, unit_code="V1", entry_id=1, entry_code="DW-08", year=2030, period="E1", due_on=date(2030, 3, 11),
            status="fulfilled", sector="village", created_at=AT))
        for statement in (_item(1, 1), _item(2, None), _document(1), _document(2)):
            conn.execute(statement)
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT item_id, matter_code FROM search_documents ORDER BY item_id")).all()
    assert [tuple(row) for row in rows] == [(1, "DW-08"), (2, None)]
    command.downgrade(config, BEFORE)
    with engine.connect() as conn:
        columns = {column["name"] for column in sa.inspect(conn).get_columns("search_documents")}
    assert "matter_code" not in columns and {"item_id", "town_code", "tokens"} <= columns
    engine.dispose()
