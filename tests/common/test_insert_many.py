"""Bulk inserts (unnest on PostgreSQL) store exactly what an ORM insert would."""
from datetime import date

import sqlalchemy as sa

from services.common.db import insert_many
from services.common.records import utcnow
from services.disclosure.models import CatalogueEntry

AWKWARD = "制度\t建设\n第二行 \\N 反斜杠\\ 'quoted' \"double\" {braces}, commas"


def test_insert_many_round_trips_every_kind_of_value(uow_factory):
    uow = uow_factory("disclosure")
    now = utcnow()
    rows = [{"code": f"T-{n}", "version": 1, "matter": AWKWARD, "sub_matter": "子项", "content_elements": "",
             "basis": "《条例》", "time_limit": "每月", "audience": "society", "carriers": ["公开栏", "网站"],
             "sectors": ["village"], "frequency": "monthly", "grace_days": 5, "within_days": None,
             "display_days": None, "valid_from": date(2026, 1, 1), "valid_to": None, "changed_by": "office",
             "changed_at": now, "change_note": None} for n in range(3)]
    insert_many(uow.session, CatalogueEntry.__table__, rows)
    uow.commit()
    stored = uow.session.scalars(sa.select(CatalogueEntry).order_by(CatalogueEntry.code)).all()
    assert [e.code for e in stored] == ["T-0", "T-1", "T-2"]
    entry = stored[0]
    assert entry.matter == AWKWARD and entry.content_elements == "" and entry.change_note is None
    assert entry.carriers == ["公开栏", "网站"] and entry.grace_days == 5 and entry.within_days is None
    assert entry.valid_from == date(2026, 1, 1) and entry.changed_at == now
