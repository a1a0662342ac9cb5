"""The month's 通报 drafted from the period's figures, edited and issued once, without a broker:
the actions each reader may take (what the console's buttons come from), and the refusals: issuing
twice, editing an issued one, someone other than the county office; each refused changes nothing."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from services.common.actor import Actor
from services.common.contract import names
from services.common.errors import Conflict, Forbidden
from services.common.records import OutboxRecord
from services.common.workdays import county_date
from services.supervision import facts, reports
from tests.supervision.test_supervision_rules import OFFICE, T0, unit_event


def test_a_report_is_drafted_edited_and_issued_once(uow_factory):
    uow = uow_factory("supervision")
    with time_machine.travel(T0 + timedelta(hours=2), tick=True):
        facts.apply(uow.session, unit_event("T01", "town", at=T0 - timedelta(days=30)))
        facts.apply(uow.session, unit_event("V01", parent="T01", at=T0 - timedelta(days=30)))
        month = county_date(T0).strftime("%Y-%m")
        draft = reports.create(uow, OFFICE, {"kind": "monthly", "period": month})
        uow.commit()
        assert draft["status"] == "draft" and draft["actions"] == ["edit", "issue"]
        assert "units_scored" in draft["figures"] and draft["text"]
        with pytest.raises(Forbidden):
            reports.issue(uow, Actor("op-v01", "operator", "V01"), draft["id"], {"publish": True})
        edited = reports.update(uow, OFFICE, draft["id"], {"title": f"{month} 党务公开工作通报（第一期）"})
        issued = reports.issue(uow, OFFICE, draft["id"], {"publish": True})
        uow.commit()
        assert issued["status"] == "issued" and issued["actions"] == [] and issued["title"] == edited["title"]
        events = uow.session.scalar(sa.select(sa.func.count()).select_from(OutboxRecord)
                                    .where(OutboxRecord.type == names.REPORT_ISSUED))
        with pytest.raises(Conflict) as twice:
            reports.issue(uow, OFFICE, draft["id"], {"publish": False})
        assert "不能重复印发" in twice.value.message
        uow.rollback()
        with pytest.raises(Conflict):
            reports.update(uow, OFFICE, draft["id"], {"text": "改"})
        uow.rollback()
        after = reports.get(uow, None, draft["id"])  # public: issued and published
        assert (after["published"], after["issued_at"], after["text"]) == (True, issued["issued_at"], issued["text"])
        assert after["actions"] == []
        assert uow.session.scalar(sa.select(sa.func.count()).select_from(OutboxRecord)
                                  .where(OutboxRecord.type == names.REPORT_ISSUED)) == events == 1
