"""一事一码: scans of an item's own QR code are counted per item and county day, nothing about
the reader; a withdrawn, unknown or undisclosed item's scan counts nothing; the county office
reads the counts per unit over a period (知晓率), and nobody else does. A script cannot inflate
them: one scan per reader (a salted key of the day) per item and day, and past the day's
ceiling scans are counted apart as suspicious."""
from datetime import date

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.errors import Forbidden, InvalidInput
from services.disclosure import scans, workflow
from services.disclosure.models import ItemScan, ItemScanReader
from tests.disclosure.test_disclosure_workflow import INSPECTOR, draft, publish, reviewer_of, uow  # noqa: F401

DAY, NEXT = date(2026, 12, 1), date(2026, 12, 2)


def scan(uow, item_id, day=DAY, reader=None, ceiling=scans.DEFAULT_CEILING):
    counted = scans.record_scan(uow.session, item_id, day, reader, ceiling)["counted"]
    uow.commit()
    return counted


def test_scans_are_counted_per_item_and_day_and_read_per_unit_by_the_county_office(uow):
    read, unread, other = draft(uow, unit_code="V01"), draft(uow, unit_code="V01"), draft(uow, unit_code="V02")
    for item in (read, unread, other):
        publish(uow, item)
    assert scan(uow, read) and scan(uow, read) and scan(uow, read, NEXT) and scan(uow, other)
    rows = {(s.item_id, s.day): s.count for s in uow.session.scalars(sa.select(ItemScan))}
    assert rows == {(read, DAY): 2, (read, NEXT): 1, (other, DAY): 1}
    assert {c.name for c in ItemScan.__table__.columns} == {"item_id", "day", "unit_code", "count", "suspicious"}

    counts = scans.scan_counts(uow.session, INSPECTOR, DAY, NEXT)
    by_unit = {row["unit_code"]: row for row in counts["units"]}
    assert by_unit["V01"] == {"unit_code": "V01", "in_force": 2, "items_scanned": 1, "scans": 3, "suspicious": 0,
                              "reach": 0.5}
    assert by_unit["V02"]["reach"] == 1.0 and counts["scans"] == 4
    assert [row["unit_code"] for row in counts["units"]][:2] == ["V01", "V02"]  # most scanned first
    assert scans.scan_counts(uow.session, INSPECTOR, NEXT, NEXT)["scans"] == 1


def test_a_withdrawn_unknown_or_unpublished_item_counts_nothing(uow):
    withdrawn, unpublished = draft(uow, unit_code="V01"), draft(uow, unit_code="V01")
    publish(uow, withdrawn)
    workflow.withdraw(uow, reviewer_of("V01"), withdrawn, "有误")
    uow.commit()
    assert not scan(uow, withdrawn) and not scan(uow, unpublished) and not scan(uow, 99999)
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(ItemScan)) == 0


def test_only_the_county_office_reads_the_counts_and_for_a_year_at_most(uow):
    with pytest.raises(Forbidden):
        scans.scan_counts(uow.session, Actor("op-v01", "operator", "V01"), DAY, DAY)
    with pytest.raises(InvalidInput):
        scans.scan_counts(uow.session, INSPECTOR, NEXT, DAY)
    with pytest.raises(InvalidInput):
        scans.scan_counts(uow.session, INSPECTOR, date(2025, 1, 1), DAY)


def test_a_reader_counts_once_a_day_and_scans_past_the_ceiling_are_suspicious_not_reach(uow):
    item, other = draft(uow, unit_code="V01"), draft(uow, unit_code="V01")
    for each in (item, other):
        publish(uow, each)
    assert scan(uow, item, reader="a" * 32)
    assert not scan(uow, item, reader="a" * 32)  # the same reader again today: not counted
    assert scan(uow, other, reader="a" * 32)  # another item: counted
    assert scan(uow, item, NEXT, reader="a" * 32)  # the next day: counted once more
    # only the current day's keys are kept: nothing links a reader across days
    assert {r.day for r in uow.session.scalars(sa.select(ItemScanReader))} == {NEXT}
    assert {c.name for c in ItemScanReader.__table__.columns} == {"item_id", "day", "reader"}
    # a script with fresh addresses: counted up to the ceiling, then apart
    results = [scans.record_scan(uow.session, other, NEXT, f"r{n}", ceiling=5) for n in range(8)]
    uow.commit()
    assert [r["counted"] for r in results] == [True] * 5 + [False] * 3
    assert all(r.get("suspicious") for r in results[5:])
    row = uow.session.get(ItemScan, (other, NEXT))
    assert (row.count, row.suspicious) == (5, 3)
    counts = scans.scan_counts(uow.session, INSPECTOR, DAY, NEXT)
    v01 = next(r for r in counts["units"] if r["unit_code"] == "V01")
    assert v01["scans"] == 1 + 1 + 1 + 5 and v01["suspicious"] == 3 and counts["suspicious"] == 3
    assert v01["reach"] == 1.0  # both items were read: the suspicious scans add nothing
