"""Titles weighted above bodies and attachments in search, on SQLite (bm25's column weights) and
PostgreSQL (ts_rank's weights of the title's lexemes): an item whose title holds the word ranks
above items that hold it only in their body, however often, or only in an attachment's text.
Migration board_0001_search_title_weight gives the documents indexed before it their titles'
tokens, and takes them away again."""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import command

from services.common.migrate import alembic_config
from services.disclosure import attachments, search
from services.disclosure.search_text import index_tokens
from services.disclosure.models import Item, SearchDocument
from tests.disclosure.documents import chinese_pdf
from tests.disclosure.test_disclosure_attachments import b64
from tests.disclosure.test_disclosure_workflow import draft, operator_of, publish, uow  # noqa: F401
from tests.disclosure.test_search_matter import empty_database  # noqa: F401

BEFORE = "matter_0001_search_matter"
AT = datetime(2030, 3, 4, 2, tzinfo=timezone.utc)


def found(uow, q, **filters):  # noqa: F811
    return [row["id"] for row in search.search(uow.session, None, {"q": q, **filters})["items"]]


def test_a_title_match_ranks_above_body_and_attachment_matches(uow):  # noqa: F811
    titled = draft(uow, title="低保评议结果公示", body="经村民代表会议评议，结果如下。")
    in_body = draft(uow, title="村务公开", body="低保户名单。低保金发放。低保复核。本月低保情况说明。")
    attached = draft(uow, title="第三季度村务情况", body="详见附件。")
    attachments.add(uow, operator_of("A001"), attached, "名单.pdf", "application/pdf",
                    b64(chinese_pdf("低保对象名单低保金额")), {})
    uow.commit()
    for item in (titled, in_body, attached):  # the titled item oldest: newest first cannot lift it
        publish(uow, item)
    ranked = found(uow, "低保")
    assert ranked[0] == titled and set(ranked[1:]) == {in_body, attached}
    assert found(uow, "低保", sort="newest") == [attached, in_body, titled]
    document = uow.session.get(SearchDocument, titled)
    assert "低保" in document.title_tokens.split() and "低保" in document.tokens.split()


def _rows(ident, title, tokens, postgres):
    index = ("INSERT INTO search_vectors (item_id, document, audience) "
             f"VALUES ({ident}, to_tsvector('simple', '{tokens}'), 'society')" if postgres else
             f"INSERT INTO search_fts (rowid, tokens, audience) VALUES ({ident}, '{tokens}', 'society')")
    return [sa.insert(Item.__table__).values(
                id=ident, unit_code="V1", title=title, body="正文", audience="society", carriers=["公开栏"],
                status="published", version=1, author="op-v1", obligation_id=None, created_at=AT, published_at=AT),
            sa.text("INSERT INTO search_documents (item_id, unit_code, town_code, year, published_at, tokens) "
                    f"VALUES ({ident}, 'V1', NULL, 2030, :at, '{tokens}')").bindparams(at=AT),
            sa.text(index)]


def test_the_migration_weights_the_titles_of_documents_indexed_before_it(empty_database):  # noqa: F811
    url, config = empty_database, alembic_config("disclosure", empty_database)
    command.upgrade(config, BEFORE)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        # item 1 says 党费 in its body three times, item 2 once, in its title
        for statement in (_rows(1, "村务公开", "村务 公开 党费 党费 党费 村 务 公 开 党 费 党 费 党 费", postgres)
                          + _rows(2, "党费收缴公示", "党费 收缴 公示 党 费 收 缴 公 示", postgres)):
            conn.execute(statement)
    command.upgrade(config, "head")
    with engine.connect() as conn:
        titles = conn.execute(sa.text("SELECT item_id, title_tokens FROM search_documents ORDER BY item_id")).all()
        session = sa.orm.Session(bind=conn)
        ranked = [row["id"] for row in search.search(session, None, {"q": "党费"})["items"]]
        session.close()
    assert [tuple(row) for row in titles] == [(1, index_tokens("村务公开")), (2, index_tokens("党费收缴公示"))]
    assert "党费" in titles[1][1].split()
    assert ranked == [2, 1]
    command.downgrade(config, BEFORE)
    with engine.connect() as conn:
        columns = {column["name"] for column in sa.inspect(conn).get_columns("search_documents")}
        assert "title_tokens" not in columns
        index = "search_vectors" if postgres else "search_fts"
        assert conn.execute(sa.text(f"SELECT count(*) FROM {index}")).scalar() == 2
    engine.dispose()
