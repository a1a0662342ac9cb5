"""Full-text search of what is disclosed (the portal's /search): titles, bodies and the text of
attachments, in Chinese, ranked by relevance (bm25 on SQLite FTS5, ts_rank on PostgreSQL) or
newest first, narrowed by town, unit and year.

An item is indexed when it is published (workflow.py; items published before the index
existed are caught up by a timer, index_missing) and leaves the index when it is withdrawn
or a correction replaces it (the correction is indexed in its place, with its own audience).
Archived items stay: archiving a year keeps its disclosures readable (audience.py), and the
year filter reaches back to them. Whatever the index holds, a query returns only what the
reader may see, by the one audience rule (audience.visible): the public never finds a withdrawn
or Party-scope item; a member finds the Party items of their own chain."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import InvalidInput, validated
from services.common.shapes.disclosure import SEARCH_PAGE_SIZE as PAGE_SIZE, SEARCH_TOO_LONG, SearchFilters
from services.common.workdays import county_date

from . import audience, search_text
from .models import Attachment, Blob, Item, SearchDocument, UnitCopy
from .portal import portal_reader

BACKFILL_BATCH = 500


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def remove(session: Session, item_id: int) -> None:
    """Take the item out of the index (withdrawn, or replaced by its correction)."""
    if _dialect(session) == "postgresql":
        session.execute(sa.text("DELETE FROM search_vectors WHERE item_id = :id"), {"id": item_id})
    else:
        session.execute(sa.text("DELETE FROM search_fts WHERE rowid = :id"), {"id": item_id})
    session.execute(sa.delete(SearchDocument).where(SearchDocument.item_id == item_id))


def index(session: Session, item: Item) -> None:
    """Put a published item in the index (again, if it was): its title, body and attachments' text."""
    remove(session, item.id)
    texts = session.scalars(sa.select(Blob.text).join(Attachment, Attachment.sha256 == Blob.sha256)
                            .where(Attachment.item_id == item.id).order_by(Attachment.id)).all()
    tokens = search_text.index_tokens(item.title, item.body, *texts)
    unit = session.get(UnitCopy, item.unit_code)
    session.add(SearchDocument(item_id=item.id, unit_code=item.unit_code, town_code=unit.town_code if unit else None,
                               year=county_date(item.published_at).year, published_at=item.published_at,
                               tokens=tokens))
    session.flush()
    if _dialect(session) == "postgresql":
        session.execute(sa.text("INSERT INTO search_vectors (item_id, document) "
                                "VALUES (:id, to_tsvector('simple', :tokens))"), {"id": item.id, "tokens": tokens})
    else:
        session.execute(sa.text("INSERT INTO search_fts (rowid, tokens) VALUES (:id, :tokens)"),
                        {"id": item.id, "tokens": tokens})


def index_missing(uow: UnitOfWork, batch: int = BACKFILL_BATCH) -> int:
    """The timer's catch-up: disclosed items in force that the index lacks (published before it
    existed), `batch` at a time; commits itself, and a replica that lost a race lets it be."""
    disclosed = sa.or_(Item.status.in_(audience.DISCLOSED),
                       sa.and_(Item.status == "archived", Item.archived_from.in_(audience.DISCLOSED)))
    missing = list(uow.session.scalars(
        sa.select(Item).where(disclosed, Item.superseded_by_id.is_(None), Item.published_at.is_not(None),
                              ~sa.exists().where(SearchDocument.item_id == Item.id))
        .order_by(Item.id).limit(batch)))
    try:
        for item in missing:
            index(uow.session, item)
        uow.commit()
    except IntegrityError:
        uow.rollback()
        return 0
    return len(missing)


def _matching(session: Session, terms: list[str]) -> tuple[Any, Any, Any, Any]:
    """(index table, its item id, the match condition, the relevance order) for the dialect."""
    if _dialect(session) == "postgresql":
        vectors = sa.table("search_vectors", sa.column("item_id"), sa.column("document"))
        query = sa.func.to_tsquery("simple", search_text.tsquery(terms))
        return (vectors, vectors.c.item_id, vectors.c.document.op("@@")(query),
                sa.func.ts_rank(vectors.c.document, query).desc())
    fts = sa.table("search_fts", sa.column("rowid"))
    whole = sa.literal_column("search_fts")
    return fts, fts.c.rowid, whole.op("MATCH")(search_text.fts5_match(terms)), sa.func.bm25(whole).asc()


def search(session: Session, actor: Actor | None, filters: dict[str, Any]) -> dict[str, Any]:
    """A page of what the reader may see matching the query: {q, terms, page, next_page, items},
    each item {id, title, title_parts, unit_code, published_at, snippet, party}."""
    filters = validated(SearchFilters(), filters, "the search")
    q = " ".join(filters["q"].split())
    if len(q) > search_text.LONGEST_QUERY:
        raise InvalidInput(SEARCH_TOO_LONG)
    terms, page = search_text.query_terms(q), filters["page"]
    answer: dict[str, Any] = {"q": q, "terms": terms, "page": page, "next_page": None, "items": []}
    if not terms:
        return answer
    table, item_id, match, relevance = _matching(session, terms)
    disclosed = sa.or_(Item.status.in_(audience.DISCLOSED),
                       sa.and_(Item.status == "archived", Item.archived_from.in_(audience.DISCLOSED)))
    newest = (SearchDocument.published_at.desc(), Item.id.desc())
    query = (sa.select(Item).join(table, item_id == Item.id).join(SearchDocument, SearchDocument.item_id == Item.id)
             .where(match, disclosed, Item.superseded_by_id.is_(None),
                    audience.visible(session, portal_reader(actor)))
             .order_by(*(newest if filters["sort"] == "newest" else (relevance, *newest)))
             .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE))
    for name, column in (("town", SearchDocument.town_code), ("unit", SearchDocument.unit_code),
                         ("year", SearchDocument.year)):
        if filters.get(name) is not None:
            query = query.where(column == filters[name])
    items = list(session.scalars(query))
    if len(items) > PAGE_SIZE:
        items, answer["next_page"] = items[:PAGE_SIZE], page + 1
    texts: dict[int, list[str]] = {}
    for owner, text in session.execute(sa.select(Attachment.item_id, Blob.text)
                                       .join(Blob, Blob.sha256 == Attachment.sha256)
                                       .where(Attachment.item_id.in_([i.id for i in items]), Blob.text.is_not(None))
                                       .order_by(Attachment.id)):
        texts.setdefault(owner, []).append(text)
    answer["items"] = [{"id": item.id, "title": item.title, "title_parts": search_text.marked(item.title, terms),
                        "unit_code": item.unit_code, "published_at": item.published_at.isoformat(),
                        "snippet": search_text.snippet(terms, item.body, *texts.get(item.id, [])),
                        "party": item.audience != "society"} for item in items]
    return answer
