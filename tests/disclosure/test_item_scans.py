"""一事一码: scans of an item's own QR code are counted per item and county day, nothing about
the reader; a withdrawn, unknown or undisclosed item's scan counts nothing; the county office
reads the counts per unit over a period (知晓率), and nobody else does."""
from datetime import date

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.errors import Forbidden, InvalidInput
from services.disclosure import scans, workflow
from services.disclosure.models import ItemScan
from tests.disclosure.test_disclosure_workflow import INSPECTOR, draft, publish, reviewer_of, uow  # noqa: F401

DAY, NEXT = date(2026, 12, 1), date(2026, 12, 2)


def scan(uow, item_id, day=DAY):
    counted = scans.record_scan(uow.session, item_id, day)["counted"]
    uow.commit()
    return counted


def test_scans_are_counted_per_item_and_day_and_read_per_unit_by_the_county_office(uow):
    read, unread, other = draft(uow, unit_code="V01"), draft(uow, unit_code="V01"), draft(uow, unit_code="V02")
    for item in (read, unread, other):
        publish(uow, item)
    assert scan(uow, read) and scan(uow, read) and scan(uow, read, NEXT) and scan(uow, other)
    rows = {(s.item_id, s.day): s.count for s in uow.session.scalars(sa.select(ItemScan))}
    assert rows == {(read, DAY): 2, (read, NEXT): 1, (other, DAY): 1}
    assert {c.name for c in ItemScan.__table__.columns} == {"item_id", "day", "unit_code", "count"}  # nothing else

    counts = scans.scan_counts(uow.session, INSPECTOR, DAY, NEXT)
    by_unit = {row["unit_code"]: row for row in counts["units"]}
    assert by_unit["V01"] == {"unit_code": "V01", "in_force": 2, "items_scanned": 1, "scans": 3, "reach": 0.5}
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
