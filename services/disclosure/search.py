"""Full-text search of what is disclosed (the portal's /search): titles, bodies and the text of
attachments, in Chinese, ranked by relevance (bm25 on SQLite FTS5, ts_rank on PostgreSQL; a
match in the title weighs TITLE_WEIGHT times one in the body or an attachment) or
newest first, narrowed by town, unit, year and catalogue matter (事项: the code of the matter
the item's obligation belongs to; an item outside the catalogue has none).

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
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.errors import InvalidInput, validated
from services.common.shapes.disclosure import SEARCH_PAGE_SIZE as PAGE_SIZE, SEARCH_TOO_LONG, SearchFilters
from services.common.workdays import county_date

from . import audience, search_text
from .models import Attachment, Blob, CatalogueEntry, Item, Obligation, SearchDocument, UnitCopy
from .portal import portal_reader

BACKFILL_BATCH = 500
# A match in the title counts this many times a match in the body or an attachment, on both
# databases: FTS5's bm25 weights its title column so, and PostgreSQL's ts_rank weights the
# title's lexemes (setweight 'A') so against the rest (weight 'D'). The title's words are in the
# whole text too, so a title match also counts as a body match.
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
# ts_rank's weights of D, C, B, A: only D (the whole text) and A (the title) are used
TS_RANK_WEIGHTS = f"{{{BODY_WEIGHT / TITLE_WEIGHT}, 0, 0, 1}}"
CANDIDATES = 500  # matches ranked at once (a multiple of PAGE_SIZE): see search()


# search_vectors' document from the title's tokens and all the tokens (SQL expressions)
POSTGRES_DOCUMENT = "setweight(to_tsvector('simple', {title}), 'A') || to_tsvector('simple', {tokens})"


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
    tokens, title_tokens = search_text.index_tokens(item.title, item.body, *texts), search_text.index_tokens(item.title)
    unit = session.get(UnitCopy, item.unit_code)
    matter = (session.scalar(sa.select(Obligation.entry_code).where(Obligation.id == item.obligation_id))
              if item.obligation_id is not None else None)
    session.add(SearchDocument(item_id=item.id, unit_code=item.unit_code, town_code=unit.town_code if unit else None,
                               matter_code=matter, year=county_date(item.published_at).year,
                               published_at=item.published_at, tokens=tokens,
                               title_tokens=title_tokens))
    session.flush()
    if _dialect(session) == "postgresql":
        session.execute(sa.text(f"INSERT INTO search_vectors (item_id, document, audience) "
                                f"VALUES (:id, {POSTGRES_DOCUMENT.format(title=':title', tokens=':tokens')}, :audience)"),
                        {"id": item.id, "title": title_tokens, "tokens": tokens, "audience": item.audience})
    else:
        session.execute(sa.text("INSERT INTO search_fts (rowid, title, tokens, audience) "
                                "VALUES (:id, :title, :tokens, :audience)"),
                        {"id": item.id, "title": title_tokens, "tokens": tokens, "audience": item.audience})


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


class _Index:
    """One query's matches in the dialect's index table (FTS5 search_fts, or search_vectors):
    the public's narrowed to society items inside the index query, the filters by a join with
    search_documents; the relevance score of a match is lower for the better."""

    def __init__(self, session: Session, terms: list[str], public: bool, narrowing: list[Any]) -> None:
        self.session, self.public, self.narrowing = session, public, narrowing
        self.postgres = _dialect(session) == "postgresql"
        if self.postgres:
            self.table = sa.table("search_vectors", sa.column("item_id"), sa.column("document"), sa.column("audience"))
            self.item_id = self.table.c.item_id
        else:
            self.table = sa.table("search_fts", sa.column("rowid"), sa.column("audience"))
            self.item_id = self.table.c.rowid
        self.expression = self._expression(terms, self._common_words(terms))

    def _expression(self, terms: list[str], words_only: frozenset[str] = frozenset()) -> str:
        if self.postgres:
            return search_text.tsquery(terms, words_only)
        return search_text.fts5_match(terms, words_only)

    def _query(self, expression: str | None = None) -> Any:
        return sa.func.to_tsquery("simple", expression or self.expression)

    def _common_words(self, terms: list[str]) -> frozenset[str]:
        """The words with a characters' fallback that match at least CANDIDATES items as words:
        for them the phrase of their characters is left out (a phrase check costs per match)."""
        common = set()
        for term in terms:
            if search_text.fallback(term):
                found = self.matches(self._expression([term]), narrowed=False).limit(CANDIDATES).subquery()
                if self.session.scalar(sa.select(sa.func.count()).select_from(found)) >= CANDIDATES:
                    common.add(term)
        return frozenset(common)

    def matches(self, expression: str | None = None, narrowed: bool = True) -> sa.Select[Any]:
        """The item ids of the rows matching the query (or the expression given)."""
        expression = expression or self.expression
        match = (self.table.c.document.op("@@")(self._query(expression)) if self.postgres
                 else sa.literal_column("search_fts").op("MATCH")(expression))
        query = sa.select(self.item_id.label("item_id")).select_from(self.table).where(match)
        if self.public:
            query = query.where(self.table.c.audience == "society")
        if narrowed and self.narrowing:
            query = query.join(SearchDocument, SearchDocument.item_id == self.item_id).where(*self.narrowing)
        return query

    def window(self, number: int) -> sa.Subquery:
        """The `number`th window of CANDIDATES matches, newest ids first, each with its score."""
        newest = self.matches().order_by(self.item_id.desc()).limit(CANDIDATES).offset(number * CANDIDATES)
        if self.postgres:
            rows = newest.add_columns(self.table.c.document).subquery()
            weights = sa.cast(sa.literal(TS_RANK_WEIGHTS), postgresql.ARRAY(sa.REAL))
            rank = sa.func.ts_rank(weights, rows.c.document, self._query())
            return sa.select(rows.c.item_id, (-rank).label("score")).subquery()
        bm25 = sa.func.bm25(sa.literal_column("search_fts"), TITLE_WEIGHT, BODY_WEIGHT)
        return newest.add_columns(bm25.label("score")).subquery()

    def newest(self, number: int) -> sa.Subquery:
        """The `number`th window of CANDIDATES matches, most recently published first."""
        # item_id + 0: not a key lookup per match (SQLite cannot tell a common word's matches from
        # a rare one's), but the published_at index walked down to the CANDIDATES-th match
        documents = (sa.select(SearchDocument.item_id)
                     .where((SearchDocument.item_id + 0).in_(self.matches(narrowed=False)), *self.narrowing)
                     .order_by(SearchDocument.published_at.desc(), SearchDocument.item_id.desc()))
        return documents.limit(CANDIDATES).offset(number * CANDIDATES).subquery()

    def exists_after(self, number: int) -> bool:
        """Whether a match lies beyond the `number`th window."""
        probe = self.matches().order_by(self.item_id.desc()).limit(1).offset((number + 1) * CANDIDATES)
        return self.session.execute(probe).first() is not None


def _check_filters(session: Session, filters: dict[str, Any]) -> None:
    """An unknown town, unit or matter is refused (a 400), not answered with nothing: an empty
    page would hide the typo. A town is a unit of the town sector in disclosure's copy of the
    registry; a unit any unit of it (merged and dissolved ones keep their items)."""
    town, unit, matter = filters.get("town"), filters.get("unit"), filters.get("matter")
    if town is not None and not session.scalar(sa.select(sa.exists().where(
            UnitCopy.code == town, UnitCopy.sector == "town"))):
        raise InvalidInput(f"没有代码为 {town} 的镇（街道），请核对后再搜索。")
    if unit is not None and session.get(UnitCopy, unit) is None:
        raise InvalidInput(f"没有代码为 {unit} 的党组织，请核对后再搜索。")
    if matter is not None and not session.scalar(sa.select(sa.exists().where(CatalogueEntry.code == matter))):
        raise InvalidInput(f"公开目录中没有代码为 {matter} 的事项，请核对后再搜索。")


def search(session: Session, actor: Actor | None, filters: dict[str, Any]) -> dict[str, Any]:
    """A page of what the reader may see matching the query: {q, terms, page, next_page, items},
    each item {id, title, title_parts, unit_code, published_at, snippet, party}.

    Most relevant first ranks within windows of CANDIDATES matches, newest ids first: pages 1 to
    CANDIDATES / PAGE_SIZE are the first window's matches by relevance, the next pages the next
    window's; so no query ranks more than CANDIDATES rows, and no item shows on two pages."""
    filters = validated(SearchFilters(), filters, "the search")
    q = " ".join(filters["q"].split())
    if len(q) > search_text.LONGEST_QUERY:
        raise InvalidInput(SEARCH_TOO_LONG)
    terms, page = search_text.query_terms(q), filters["page"]
    answer: dict[str, Any] = {"q": q, "terms": terms, "page": page, "next_page": None, "items": []}
    if not terms:
        return answer
    _check_filters(session, filters)
    reader = portal_reader(actor)
    narrowing = [column == filters[name] for name, column in (
        ("town", SearchDocument.town_code), ("unit", SearchDocument.unit_code), ("year", SearchDocument.year),
        ("matter", SearchDocument.matter_code)) if filters.get(name) is not None]
    index = _Index(session, terms, reader is None, narrowing)
    disclosed = sa.or_(Item.status.in_(audience.DISCLOSED),
                       sa.and_(Item.status == "archived", Item.archived_from.in_(audience.DISCLOSED)))
    newest = (SearchDocument.published_at.desc(), SearchDocument.item_id.desc())
    query = (sa.select(Item).join(SearchDocument, SearchDocument.item_id == Item.id)
             .where(disclosed, Item.superseded_by_id.is_(None), audience.visible(session, reader)))
    per_window = CANDIDATES // PAGE_SIZE
    window = (page - 1) // per_window
    offset = ((page - 1) % per_window) * PAGE_SIZE
    if filters["sort"] == "newest":
        found = index.newest(window)
        query = query.join(found, found.c.item_id == Item.id).order_by(*newest)
    else:
        found = index.window(window)
        query = query.join(found, found.c.item_id == Item.id).order_by(found.c.score.asc(), *newest)
    query = query.limit(PAGE_SIZE + 1).offset(offset)
    items = list(session.scalars(query))
    if len(items) > PAGE_SIZE:
        items, answer["next_page"] = items[:PAGE_SIZE], page + 1
    elif page % per_window == 0 and index.exists_after(window):
        answer["next_page"] = page + 1
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
