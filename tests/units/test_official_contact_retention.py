"""A past official's phone and email are erased the configured time after their term ended;
the term itself (who, which role, when) stays, the officials in office keep theirs, and each
erasure is counted and in the audit trail."""
from datetime import date

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY

from services.units import audit, contact_retention
from services.units.models import OfficialTerm

TODAY = date(2026, 12, 7)


def term(uow, name, started, ended, phone="13900000000", email="x@example.gov.cn"):
    row = OfficialTerm(unit_code="A001", role="secretary", name=name, phone=phone, email=email,
                       started_on=started, ended_on=ended)
    uow.session.add(row)
    uow.session.flush()
    return row.id


def erased_total():
    return REGISTRY.get_sample_value("gongkai_official_contacts_erased_total") or 0


def test_contacts_of_terms_past_the_retention_are_erased_and_audited(uow_factory):
    uow = uow_factory("units")
    old = term(uow, "张旧", date(2020, 1, 1), date(2025, 12, 6))  # ended 366 days ago
    edge = term(uow, "李边", date(2021, 1, 1), date(2025, 12, 7))  # exactly 365 days ago
    recent = term(uow, "王近", date(2022, 1, 1), date(2025, 12, 8))  # 364 days ago: kept
    current = term(uow, "赵现", date(2025, 12, 8), None)
    uow.commit()
    before = erased_total()

    assert contact_retention.erase_expired(uow.session, TODAY, 365) == 2
    uow.commit()
    rows = {t.id: t for t in uow.session.scalars(sa.select(OfficialTerm))}
    assert (rows[old].phone, rows[old].email, rows[edge].phone) == (None, None, None)
    assert rows[old].name == "张旧" and rows[old].ended_on == date(2025, 12, 6)  # the record stays
    assert rows[recent].phone == "13900000000" and rows[current].email == "x@example.gov.cn"
    assert erased_total() - before == 2

    entries = audit.query(uow.session, actor="system")["items"]
    assert [e["target"] for e in entries] == [f"/units/A001/officials/secretary/terms/{old}",
                                               f"/units/A001/officials/secretary/terms/{edge}"]
    assert entries[0]["action"] == "ERASE official contact" and entries[0]["request_id"] == "retention-2026-12-07"
    assert audit.verify(uow.session)["ok"]
    assert contact_retention.erase_expired(uow.session, TODAY, 365) == 0  # once


def test_the_retention_is_configurable():
    assert contact_retention.retention_days({}) == 365
    assert contact_retention.retention_days({"UNITS": {"OFFICIAL_CONTACT_RETENTION_DAYS": "30"}}) == 30
    with pytest.raises(ValueError):
        contact_retention.retention_days({"UNITS": {"OFFICIAL_CONTACT_RETENTION_DAYS": -1}})
