"""The year's checklist (考核细则) versioned and edited before the year starts, without a broker: a
new version of next year's over the newest one; this year's (under way) refused, an edit over an
older version refused, another role refused; each refusal changes nothing."""
from datetime import timedelta

import pytest
import time_machine

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden
from services.common.workdays import county_date
from services.supervision import checklist
from tests.supervision.test_supervision_rules import OFFICE, T0


def test_next_years_checklist_is_edited_before_it_starts(uow_factory):
    uow = uow_factory("supervision")
    with time_machine.travel(T0 + timedelta(hours=2), tick=True):
        year = county_date(T0).year
        current = checklist.get(uow, year + 1)
        body = {k: v for k, v in current.items() if k not in ("id", "version", "created_by", "created_at", "maximum")}
        body = {**body, "year": year + 1, "threshold": 65}
        with pytest.raises(Forbidden):
            checklist.publish(uow, Actor("op-v01", "operator", "V01"), body)
        with pytest.raises(Conflict) as started:
            checklist.publish(uow, OFFICE, {**body, "year": year})
        assert f"{year} 年已经开始" in started.value.message
        made = checklist.publish(uow, OFFICE, {**body, "version": current["version"]})
        uow.commit()
        assert (made["version"], made["threshold"]) == (current["version"] + 1, 65)
        with pytest.raises(Conflict) as stale:
            checklist.publish(uow, OFFICE, {**body, "threshold": 70, "version": current["version"]})
        assert f"已有第 {made['version']} 版" in stale.value.message
        uow.rollback()
        assert checklist.get(uow, year + 1)["threshold"] == 65
        assert checklist.get(uow, year + 1, current["version"])["threshold"] == current["threshold"]  # kept
