"""The database dependency: one engine per service, one session per worker, explicit
commit. Written here because nameko-sqlalchemy does not follow SQLAlchemy 2.

A worker gets a `UnitOfWork`: `session` for its queries, `emit()` to add an event to the
outbox in the same transaction. An RPC entrypoint makes both durable at once with one
block, which commits when it ends and rolls back when it raises; an RPC gets that block from
its entrypoint decorator (services.common.entrypoints: command, query). The dependency itself,
which also runs the outbox relay and the inbox retrier, is services.common.database.Database.

Event handlers never commit: the inbox commits their effects together with the
processed-event marker.
"""
from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Sequence

import sqlalchemy as sa
from nameko.extensions import DependencyProvider
from psycogreen.eventlet import patch_psycopg
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from .config import database_url, load_config
from .contract import CATALOGUE, ContractError, Event, new_event, new_events, to_message
from .emitted_in_sql import message_body, on_contract
from .records import OutboxRecord

if TYPE_CHECKING:
    from .inbox import Inbox  # for the annotation only: the inbox imports this module

log = logging.getLogger(__name__)


class TransactionManagedByInbox(RuntimeError):
    """An event handler tried to commit; the inbox commits for it."""


def make_engine(url: str, pool_size: int = 5) -> sa.Engine:
    """An engine that cooperates with eventlet.

    PostgreSQL goes through psycopg2 made green by psycogreen. SQLite's busy wait would
    block the whole hub while another greenthread of the same process holds the write
    lock, so a SQLite engine has one connection and greenthreads queue for it instead.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, pool_size=1, max_overflow=0, pool_timeout=30,
                                  connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
        return engine
    if url.startswith("postgresql"):
        patch_psycopg()
    return sa.create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


class UnitOfWork:
    """One worker's database work: a lazily opened session and the events it emits."""

    def __init__(self, sessions: sessionmaker, correlation_id: str, managed_by_inbox: bool = False,
                 on_outbox_commit: Callable[[], None] | None = None, inbox: "Inbox | None" = None,
                 traceparent: str | None = None):
        self._sessions = sessions
        self.traceparent = traceparent  # W3C trace context, sent with the events it emits
        self._on_outbox_commit = on_outbox_commit
        self._session: Session | None = None
        self._emitted = False
        self.correlation_id = correlation_id
        self.managed_by_inbox = managed_by_inbox
        self.inbox = inbox  # the service's received events, for the dead-letter RPCs

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._sessions()
        return self._session

    def emit(self, event_type: str, payload: dict[str, Any]) -> Event:
        """Add an event to the outbox; it is published only if this transaction commits."""
        event = new_event(event_type, payload, self.correlation_id)
        self.session.add(outbox_record(event, self.traceparent))
        self._emitted = True
        return event

    def emit_many(self, event_type: str, payloads: list[dict[str, Any]]) -> list[Event]:
        """emit() for many events of one type at once (a timer's batch): made and checked as
        contract.new_events makes them, their outbox rows inserted together, in this order, by
        one INSERT; like emit, published only if this transaction commits."""
        made = new_events(event_type, payloads, self.correlation_id)
        insert_many(self.session, OutboxRecord.__table__,
                    [outbox_values(event, self.traceparent, body) for event, body in made])
        self._emitted = self._emitted or bool(made)
        return [event for event, _ in made]

    def emit_from(self, event_type: str, source: Any, payload: dict[str, Any], order_by: Any,
                  *summary: Any) -> tuple[Any, ...]:
        """emit_many for rows that stay in the database (PostgreSQL only): one statement takes
        `source` (a CTE, such as an UPDATE ... RETURNING), inserts one outbox row per row of it, in
        `order_by` order, each as emit_many would write it (services.common.emitted_in_sql), and
        returns how many rows the source gave with `summary` of them (aggregates over `source`).
        A row off the contract is not inserted and raises ContractError; like emit(), what the
        transaction did is then the caller's to roll back."""
        occurred_at, correlation_id = datetime.now(timezone.utc), self.correlation_id or str(uuid.uuid4())
        made = sa.select(source, sa.cast(sa.func.gen_random_uuid(), sa.Text).label("outbox_event_id")).subquery()
        on_made = {key: made.c[value.name] if isinstance(value, sa.ColumnElement) else value
                   for key, value in payload.items()}
        spec, outbox = CATALOGUE[event_type], OutboxRecord.__table__
        rows = sa.select(
            made.c.outbox_event_id, sa.literal(event_type, sa.Text), sa.literal(spec.version),
            sa.literal(f"{spec.producer}.{event_type}", sa.Text), sa.literal(correlation_id, sa.Text),
            sa.literal(occurred_at, outbox.c.occurred_at.type),
            message_body(event_type, on_made, made.c.outbox_event_id, correlation_id, occurred_at),
            sa.literal(0), sa.literal(self.traceparent, outbox.c.traceparent.type),
        ).where(on_contract(event_type, on_made)).order_by(made.c[order_by.name])
        inserted = sa.insert(outbox).from_select(
            ["event_id", "type", "version", "routing_key", "correlation_id", "occurred_at", "body", "attempts",
             "traceparent"], rows).cte("emitted")
        off = sa.func.count().filter(sa.not_(on_contract(event_type, payload)))
        result = self.session.execute(sa.select(sa.func.count(), off, *summary).select_from(source)
                                      .add_cte(inserted)).one()
        if result[1]:
            raise ContractError(f"{event_type}: {result[1]} of {result[0]} rows break the contract")
        self._emitted = self._emitted or bool(result[0])
        return (result[0], *result[2:])

    def __enter__(self) -> "UnitOfWork":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()

    def commit(self) -> None:
        if self.managed_by_inbox:
            raise TransactionManagedByInbox("event handlers must not commit; the inbox does")
        self._commit()

    def _commit(self) -> None:
        self.session.commit()
        if self._emitted:
            self._emitted = False
            if self._on_outbox_commit is not None:
                self._on_outbox_commit()

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        self._emitted = False

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


def standalone_unit_of_work(service: str, config: dict[str, Any] | None = None) -> UnitOfWork:
    """A unit of work for scripts outside nameko (loaders, benchmarks); the running
    service's relay publishes what they commit."""
    config = config or load_config()
    engine = make_engine(database_url(config, service))
    return UnitOfWork(sessionmaker(engine, expire_on_commit=False), str(uuid.uuid4()))


def insert_many(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (all with the same keys) in the session's transaction. On PostgreSQL
    as one INSERT ... SELECT FROM unnest(arrays): a county's year of obligations is hundreds of
    thousands of rows, and this takes them several times faster than batched VALUES.
    (COPY would be faster still, but psycopg2 refuses it under psycogreen's wait callback.)"""
    if not rows:
        return
    session.flush()  # the rows may refer to objects added in this transaction
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    preparer = connection.dialect.identifier_preparer
    arrays = ", ".join(f"CAST(:{name} AS {table.c[name].type.compile(dialect=connection.dialect)}[])"
                       for name in columns)
    statement = sa.text(f"INSERT INTO {preparer.format_table(table)} "
                        f"({', '.join(preparer.quote(name) for name in columns)}) SELECT * FROM unnest({arrays})")
    connection.execute(statement, {name: _array_of(table.c[name], [row[name] for row in rows]) for name in columns})


def upsert_into(session: Session, table: sa.Table) -> Any:
    """An INSERT into `table` that takes ON CONFLICT, in the session's dialect (PostgreSQL's or SQLite's)."""
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


def rows_table(session: Session, name: str, columns: Sequence[sa.ColumnClause],
               rows: Sequence[tuple[Any, ...]]) -> sa.CTE:
    """Rows sent with a statement, as a table (a CTE) its query can join. On PostgreSQL one
    array per column, unnested: a handful of parameters whatever the number of rows, so the
    statement is compiled once and sent as it is for every batch (a VALUES list is compiled
    again for each, parameter by parameter: a third of the time of a 10,000-unit year's
    obligations). Elsewhere (SQLite) a VALUES list."""
    if session.get_bind().dialect.name != "postgresql":
        return sa.values(*columns, name=name).data(list(rows)).cte(name)
    arrays = [sa.bindparam(f"{name}_{column.name}", [row[n] for row in rows], type_=sa.ARRAY(column.type))
              for n, column in enumerate(columns)]
    return sa.select(sa.func.unnest(*arrays).table_valued(*columns).render_derived(name)).cte(name)


def _array_of(column: sa.Column, values: list[Any]) -> list[Any]:
    """The column's values as psycopg2 sends an array: JSON as its text, not as nested arrays."""
    if isinstance(column.type, sa.JSON):
        return [None if value is None else json.dumps(value, ensure_ascii=False) for value in values]
    return values


def outbox_values(event: Event, traceparent: str | None = None, body: str | None = None) -> dict[str, Any]:
    """An outbox row's values; `body` is the event's message as text when it is made already."""
    if body is None:
        body = json.dumps(to_message(event), ensure_ascii=False)
    return {"event_id": str(event.event_id), "type": event.type, "version": event.version,
            "routing_key": event.routing_key, "correlation_id": event.correlation_id,
            "occurred_at": event.occurred_at, "body": body, "attempts": 0, "traceparent": traceparent}


def outbox_record(event: Event, traceparent: str | None = None) -> OutboxRecord:
    return OutboxRecord(**outbox_values(event, traceparent))


class UnitOfWorkProvider(DependencyProvider):
    """What gives a worker its unit of work (services.common.database.Database, whose
    `unit_of_work(worker_ctx)` returns it): the inbox finds it by this type, without importing
    the provider (which runs the inbox), and commits an event handler's work with the processed
    marker."""
