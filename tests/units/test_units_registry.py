"""Registering the county's units, without a broker, on every database backend."""
import sqlalchemy as sa
import pytest

from services.common.errors import InvalidInput
from services.common.records import OutboxRecord
from services.units import directory, registry
from tests.units.units_fixtures import sample_rows
from services.units.models import Unit




def outbox_types(uow):
    return [t for t in uow.session.scalars(sa.select(OutboxRecord.type).order_by(OutboxRecord.id))]


def test_the_sample_county_registers_once_and_only_once(uow_factory):
    uow = uow_factory("units")
    assert registry.register_rows(uow, sample_rows()) == {"registered": 121, "updated": 0, "unchanged": 0}
    uow.commit()
    again = uow_factory("units")
    assert registry.register_rows(again, sample_rows()) == {"registered": 0, "updated": 0, "unchanged": 121}
    again.commit()
    types = outbox_types(again)
    assert types.count("UnitRegistered") == 121 and types.count("DemonstrationDesignated") == 7
    assert len(types) == 128  # the second import added nothing


def test_parents_are_registered_before_their_children(uow_factory):
    uow = uow_factory("units")
    rows = list(reversed(sample_rows()))
    registry.register_rows(uow, rows)
    uow.commit()
    codes = [r["code"] for r in rows]
    first = uow.session.scalars(sa.select(OutboxRecord.body).order_by(OutboxRecord.id)).first()
    assert '"code": "C000"' in first and codes[-1] == "C000"


def test_a_changed_row_updates_the_unit_and_says_so(uow_factory):
    uow = uow_factory("units")
    registry.register_rows(uow, sample_rows())
    uow.commit()
    rows = sample_rows()
    rows[1]["liaison_email"] = "new-liaison@example.gov.cn"
    uow = uow_factory("units")
    assert registry.register_rows(uow, rows)["updated"] == 1
    uow.commit()
    assert outbox_types(uow)[-1] == "UnitUpdated"
    unit = uow.session.get(Unit, rows[1]["code"])
    assert {o.email for o in unit.officials} >= {"new-liaison@example.gov.cn"}


def test_an_unknown_parent_or_a_cycle_changes_nothing(uow_factory):
    uow = uow_factory("units")
    rows = sample_rows()[:3]
    rows[2]["parent_code"] = "NOPE"
    with pytest.raises(InvalidInput, match="unknown parent NOPE"):
        registry.register_rows(uow, rows)
    uow.rollback()
    cycle = [dict(sample_rows()[1], parent_code="A002"), dict(sample_rows()[2], parent_code="A001")]
    with pytest.raises(InvalidInput, match="cycle"):
        registry.register_rows(uow, cycle)
    uow.rollback()
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0
    assert outbox_types(uow) == []


def test_the_directory_pages_by_cursor_and_filters(uow_factory):
    uow = uow_factory("units")
    registry.register_rows(uow, sample_rows())
    uow.commit()
    first = directory.list_units(uow.session, sector="village", limit=50)
    second = directory.list_units(uow.session, sector="village", limit=50, after=first["next"])
    assert len(first["items"]) == 50 and len(second["items"]) == 10 and second["next"] is None
    assert {u["sector"] for u in first["items"] + second["items"]} == {"village"}
    assert "officials" not in first["items"][0]
    town = directory.list_units(uow.session, q="镇", limit=200)["items"]
    assert town and all("镇" in u["name"] or "镇" in u["code"] for u in town)
