"""A unit's public commitment (公开承诺) with milestones in its year and their progress, without a
broker: recorded by the unit, a milestone outside the year refused, progress recorded once by the
unit's own operator (the actions each reader may take come from the milestone's state table);
each refusal changes nothing."""
from datetime import timedelta

import pytest
import time_machine

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.common.workdays import county_date
from services.supervision import facts, programme
from tests.supervision.test_supervision_rules import OFFICE, T0, unit_event

OPERATOR = Actor("op-v01", "operator", "V01")


def test_a_commitment_keeps_its_milestones_in_its_year_and_their_progress(uow_factory):
    uow = uow_factory("supervision")
    with time_machine.travel(T0 + timedelta(hours=2), tick=True):
        facts.apply(uow.session, unit_event("T01", "town", at=T0 - timedelta(days=30)))
        facts.apply(uow.session, unit_event("V01", parent="T01", at=T0 - timedelta(days=30)))
        uow.commit()
        today = county_date(T0)
        year = today.year
        body = {"unit_code": "V01", "year": year, "text": "每月5日前公开财务收支", "due_on": f"{year}-12-31",
                "milestones": [{"title": "制定公开清单", "due_on": f"{year}-03-31"},
                               {"title": "年底全面自查", "due_on": f"{year + 1}-01-15"}]}
        with pytest.raises(InvalidInput) as outside:
            programme.add_commitment(uow, OPERATOR, body)
        assert "年底全面自查" in outside.value.message and f"不在承诺的 {year} 年内" in outside.value.message
        uow.rollback()
        assert programme.list_commitments(uow, "V01", year) == []
        made = programme.add_commitment(uow, OPERATOR, {**body, "milestones": [
            {"title": "年底全面自查", "due_on": f"{year}-12-15"}, {"title": "制定公开清单", "due_on": f"{year}-03-31"}]})
        uow.commit()
        assert [m["title"] for m in made["milestones"]] == ["制定公开清单", "年底全面自查"]  # by date
        assert [m["actions"] for m in made["milestones"]] == [["complete"], ["complete"]] and made["milestones_done"] == 0
        (seen,) = programme.list_commitments(uow, "V01", year, OFFICE)
        assert [m["actions"] for m in seen["milestones"]] == [[], []]  # the office reads, the unit reports
        with pytest.raises(Forbidden):
            programme.record_progress(uow, OFFICE, made["id"], 0, {"done_on": today.isoformat()})
        with pytest.raises(InvalidInput):
            programme.record_progress(uow, OPERATOR, made["id"], 0, {"done_on": (today + timedelta(days=1)).isoformat()})
        uow.rollback()
        done = programme.record_progress(uow, OPERATOR, made["id"], 0, {"done_on": today.isoformat(), "note": "已张贴"})
        uow.commit()
        first = done["milestones"][0]
        assert (first["status"], first["done_on"], first["by"], first["actions"]) == ("done", today.isoformat(),
                                                                                      "op-v01", [])
        assert done["milestones_done"] == 1
        with pytest.raises(Conflict) as twice:
            programme.record_progress(uow, OPERATOR, made["id"], 0, {"done_on": today.isoformat()})
        assert "已于" in twice.value.message
        uow.rollback()
        assert programme.list_commitments(uow, "V01", year)[0]["milestones"][0]["note"] == "已张贴"
