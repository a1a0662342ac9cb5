"""Sealing the values already stored: the migrations that encrypt existing rows, and the
re-encryption that moves every sealed value to the current key (services/common/rekey.py).

Both work on plain SQL (no model types), one batch per transaction, so a run stopped half-way
is taken up by the next: a migration seals only values not yet sealed, a re-encryption only
values not yet under the current key.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa

from . import crypto

BATCH = 500


def _table(conn: sa.Connection, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=conn)


def _rows(conn: sa.Connection, table: sa.Table, columns: Iterable[str], where=None) -> list[sa.Row]:
    pk = list(table.primary_key.columns)
    query = sa.select(*pk, *(table.c[c] for c in columns)).order_by(*pk)
    return list(conn.execute(query if where is None else query.where(where)))


def _update(conn: sa.Connection, table: sa.Table, row: sa.Row, values: dict[str, str | None]) -> None:
    pk = list(table.primary_key.columns)
    conn.execute(sa.update(table).where(*(c == row._mapping[c.name] for c in pk)).values(**values))


def seal_plaintext(conn: sa.Connection, table_name: str, columns: Mapping[str, str]) -> int:
    """Seal the plaintext values of `columns` ({column: sealing context}); returns how many.
    In a migration: one transaction, the migration's own."""
    sealer, table, done = crypto.sealer(), _table(conn, table_name), 0
    for row in _rows(conn, table, columns):
        values = {c: sealer.seal(row._mapping[c], context) for c, context in columns.items()
                  if row._mapping[c] is not None and not row._mapping[c].startswith(crypto.PREFIX + ":")}
        if values:
            _update(conn, table, row, values)
            done += len(values)
    return done


def unseal_all(conn: sa.Connection, table_name: str, columns: Mapping[str, str]) -> int:
    """The way back (a migration's downgrade): every sealed value to plaintext."""
    sealer, table, done = crypto.sealer(), _table(conn, table_name), 0
    for row in _rows(conn, table, columns):
        values = {c: sealer.unseal(row._mapping[c], context) for c, context in columns.items()
                  if row._mapping[c] is not None and row._mapping[c].startswith(crypto.PREFIX + ":")}
        if values:
            _update(conn, table, row, values)
            done += len(values)
    return done


def _seal_officials(node, contexts: Mapping[str, str]) -> bool:
    """Seal, in place, every official's contact in a decoded event (a dict with a role and a
    name); returns whether anything changed."""
    changed = False
    if isinstance(node, dict):
        if "role" in node and "name" in node:
            for key, context in contexts.items():
                value = node.get(key)
                if isinstance(value, str) and not value.startswith(crypto.PREFIX + ":"):
                    node[key] = crypto.sealer().seal(value, context)
                    changed = True
        for value in node.values():
            changed |= _seal_officials(value, contexts)
    elif isinstance(node, list):
        for value in node:
            changed |= _seal_officials(value, contexts)
    return changed


def seal_outbox_officials(conn: sa.Connection, contexts: Mapping[str, str]) -> int:
    """Seal officials' contacts in the events kept in the outbox (the event feed's history),
    as events are now written; returns how many events changed."""
    outbox = sa.table("outbox", sa.column("id"), sa.column("body"))
    done = 0
    for row in conn.execute(sa.select(outbox.c.id, outbox.c.body).order_by(outbox.c.id)):
        message = json.loads(row.body)
        if _seal_officials(message.get("payload"), contexts):
            conn.execute(sa.update(outbox).where(outbox.c.id == row.id)
                         .values(body=json.dumps(message, ensure_ascii=False)))
            done += 1
    return done


@dataclass
class Rekeyed:
    """What a re-encryption found and did, per key id and in all."""
    found: Counter = field(default_factory=Counter)  # sealed values per key id before the run
    rekeyed: int = 0
    plaintext: int = 0  # values not sealed at all (sealed on the way)
    batches: int = 0


def key_ids_in(engine: sa.Engine, sealed: Mapping[str, Mapping[str, str]]) -> Counter:
    """How many stored values each key id sealed, over every sealed column."""
    sealer, found = crypto.sealer(), Counter()
    with engine.connect() as conn:
        for table_name, columns in sealed.items():
            table = _table(conn, table_name)
            for row in _rows(conn, table, columns):
                for c in columns:
                    value = row._mapping[c]
                    if value is None:
                        continue
                    found[sealer.key_id(value) if value.startswith(crypto.PREFIX + ":") else "(plaintext)"] += 1
    return found


def rekey(engine: sa.Engine, sealed: Mapping[str, Mapping[str, str]], batch: int = BATCH) -> Rekeyed:
    """Move every sealed value to the current key, `batch` rows per transaction. Refuses
    (KeyUnavailable, nothing changed) when a stored value's key is unknown or expired."""
    sealer, result = crypto.sealer(), Rekeyed()
    result.found = key_ids_in(engine, sealed)
    bad = sorted(kid for kid in result.found if kid != "(plaintext)" and not sealer.usable(kid))
    if bad:
        key_ids = "、".join(bad)
        raise crypto.KeyUnavailable(f"有个人信息由不可用的密钥 {key_ids} 加密（不存在或已过期），未做任何改动",
                                    {"key_ids": bad})
    current = f"{crypto.PREFIX}:{sealer.current}:"
    for table_name, columns in sealed.items():
        with engine.connect() as conn:
            table = _table(conn, table_name)
            stale = sa.or_(*(sa.and_(table.c[c].is_not(None), table.c[c].not_like(current + "%")) for c in columns))
            rows = _rows(conn, table, columns, stale)
        for start in range(0, len(rows), batch):
            with engine.begin() as conn:
                for row in rows[start:start + batch]:
                    values = {}
                    for c, context in columns.items():
                        value = row._mapping[c]
                        if value is None or value.startswith(current):
                            continue
                        sealed_value = value.startswith(crypto.PREFIX + ":")
                        plain = sealer.unseal(value, context) if sealed_value else value
                        values[c] = sealer.seal(plain, context)
                        result.rekeyed += sealed_value
                        result.plaintext += not sealed_value
                    if values:
                        _update(conn, table, row, values)
            result.batches += 1
    return result
