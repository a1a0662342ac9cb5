"""Each official's own quiet hours and digest choice, the county's as the default, without a
broker: an SMS waits for the end of the recipient's own quiet hours (and its retry too), one who
chose none gets it at night, one who chose no digest gets yellow warnings as they come; the
county office's defaults apply to everyone who has not chosen; bad quiet hours are refused in
Chinese."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.contract import new_event
from services.common.errors import Forbidden, InvalidInput
from services.common.workdays import COUNTY_TIMEZONE
from services.notify import console, directory, planner
from services.notify.models import Delivery
from services.notify.rules import Rules
from services.notify.sender import Sender
from tests.common.test_asyncapi import SAMPLES

RULES = Rules()
SETTINGS = {"QUIET_HOURS": "22:00-07:30", "DIGEST_AT": "08:30",
            "SMS": {"URL": "http://127.0.0.1:9/sms", "TEMPLATES": {"default": "SMS_1"}}}
LIAISON = Actor("op-a001", "operator", "A001")
OFFICE = Actor("office", "inspector")
UNIT = {"code": "A001", "revision": 1, "name": "县委办支部", "sector": "agency", "org_type": "branch",
        "parent_code": None, "status": "active", "merged_into": None, "demonstration": False,
        "officials": [{"role": "liaison", "name": "杨超", "phone": "15518190937", "email": "a001@example.gov.cn"}]}


def county_time(day, hour, minute=0):
    return datetime(2027, 3, day, hour, minute, tzinfo=COUNTY_TIMEZONE).astimezone(timezone.utc)


def local(at):
    return at.astimezone(COUNTY_TIMEZONE).replace(tzinfo=None)


@pytest.fixture
def notify(uow_factory):
    uow = uow_factory("notify")
    directory.apply_unit_state(uow.session, UNIT)
    directory.apply_account_state(uow.session, {"username": "op-a001", "revision": 1, "display_name": "杨超",
                                                "role": "operator", "unit_code": "A001", "enabled": True})
    uow.commit()
    return uow


def reminded(obligation_id=3):
    return new_event("ObligationReminded", {**SAMPLES["ObligationReminded"], "obligation_id": obligation_id,
                                            "unit_code": "A001"})


def due_soon(obligation_id=3):
    return new_event("ObligationDueSoon", {**SAMPLES["ObligationDueSoon"], "obligation_id": obligation_id,
                                           "unit_code": "A001"})


def sms_of(uow, event, now):
    planned = planner.plan(uow.session, event, RULES, SETTINGS, now)
    uow.commit()
    return [d for d in planned if d.channel == "sms"]


def test_the_county_default_then_the_persons_own_quiet_hours(notify):
    (county,) = sms_of(notify, reminded(1), county_time(10, 23))
    assert local(county.next_attempt_at) == datetime(2027, 3, 11, 7, 30)  # the county's 22:00-07:30

    console.set_preferences(notify.session, LIAISON, {}, quiet_hours="21:00-09:00")
    (own,) = sms_of(notify, reminded(2), county_time(10, 23))
    assert local(own.next_attempt_at) == datetime(2027, 3, 11, 9, 0) and own.quiet_hours == "21:00-09:00"

    console.set_preferences(notify.session, LIAISON, {}, quiet_hours="")  # none: at night too
    (none,) = sms_of(notify, reminded(3), county_time(10, 23))
    assert none.next_attempt_at == county_time(10, 23)

    console.set_preferences(notify.session, LIAISON, {}, quiet_hours="default")
    console.set_preferences(notify.session, OFFICE, {}, True, quiet_hours="23:30-06:00")  # the county's default
    (default,) = sms_of(notify, reminded(4), county_time(11, 23, 45))
    assert local(default.next_attempt_at) == datetime(2027, 3, 12, 6, 0)
    prefs = console.preferences(notify.session, "op-a001", SETTINGS)
    assert (prefs["quiet_hours"], prefs["own_quiet_hours"], prefs["default_quiet_hours"]) == \
        ("23:30-06:00", None, "23:30-06:00")


def test_a_retry_keeps_the_persons_quiet_hours(notify):
    console.set_preferences(notify.session, LIAISON, {}, quiet_hours="20:00-08:00")
    notify.commit()
    (sms,) = sms_of(notify, reminded(), county_time(10, 19, 59))
    at = county_time(10, 19, 59, ) + timedelta(seconds=58)
    sender = Sender(notify._sessions, {"NOTIFY": {**SETTINGS, "RETRY_BASE_SECONDS": 5}}, clock=lambda: at)
    notify.session.execute(sa.update(Delivery).where(Delivery.channel != "sms").values(status="failed"))
    notify.commit()
    assert sender.pass_once(wait=True) == 1  # refused for now (nothing listens): retried after 20:00
    notify.session.expire_all()
    retry = notify.session.get(Delivery, sms.id)
    assert retry.status == "pending" and local(retry.next_attempt_at) == datetime(2027, 3, 11, 8, 0)


def test_no_digest_means_yellow_warnings_as_they_come(notify):
    held = sms_of(notify, due_soon(1), county_time(10, 15))
    assert [d.status for d in held] == ["held"]
    console.set_preferences(notify.session, LIAISON, {}, digest=False)
    now = sms_of(notify, due_soon(2), county_time(10, 15))
    assert [(d.status, d.next_attempt_at) for d in now] == [("pending", county_time(10, 15))]
    assert console.preferences(notify.session, "op-a001", SETTINGS)["digest"] is False


def test_bad_quiet_hours_and_others_defaults_are_refused(notify):
    for bad in ("22-7", "25:00-07:00", "22:00-22:00", "晚上十点"):
        with pytest.raises(InvalidInput, match="免打扰时段"):
            console.set_preferences(notify.session, LIAISON, {}, quiet_hours=bad)
    with pytest.raises(Forbidden):
        console.set_preferences(notify.session, LIAISON, {}, True, quiet_hours="22:00-07:00")
    assert console.set_preferences(notify.session, LIAISON, {}, quiet_hours="9:05-7:00")["quiet_hours"] == "09:05-07:00"
