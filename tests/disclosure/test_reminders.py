"""Reminders (催办) without a broker: the county office reminds a unit of an open or overdue
obligation once a day at most, the reminder is kept and announced as ObligationReminded, and
notify's rules mail the unit's liaison (联络员) with the office's note."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.contract import names, new_event
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.records import OutboxRecord
from services.disclosure import reminders
from services.disclosure.models import CatalogueEntry, Obligation, ObligationReminder
from services.notify import directory, planner
from services.notify.models import InboxMessage
from services.notify.rules import Rules
from services.notify.outcomes import report_unreachable

OFFICE = Actor("office", "inspector")
OTHER_CLERK = Actor("office-2", "inspector")
NOON = datetime(2026, 11, 30, 4, tzinfo=timezone.utc)  # 12:00 in the county
UNIT = {"code": "A005", "revision": 1, "name": "县委政法委机关支部", "sector": "agency", "org_type": "branch",
        "parent_code": "C000", "status": "active", "merged_into": None, "demonstration": False,
        "officials": [{"role": "liaison", "name": "曹伟", "phone": "18289078666", "email": "a005@example.gov.cn"},
                      {"role": "secretary", "name": "徐磊", "phone": "19924402685", "email": "xu@example.gov.cn"}]}


@pytest.fixture
def uow(uow_factory):
    uow = uow_factory("disclosure")
    uow.session.add(CatalogueEntry(
        code="DW-04", version=1, matter="组织建设", sub_matter="党组织换届选举结果", content_elements="选举结果",
        basis="条例", time_limit="批复后5个工作日内", audience="party", carriers=["公开栏"], sectors=["agency"],
        frequency="on_event", within_days=5, valid_from=date(2026, 1, 1), changed_by="office", changed_at=NOON))
    uow.session.flush()
    entry_id = uow.session.scalar(sa.select(CatalogueEntry.id))
    for period, status in (("E1", "overdue"), ("E2", "open"), ("E3", "fulfilled"), ("E4", "waived")):
        uow.session.add(Obligation(unit_code="A005", entry_id=entry_id, entry_code="DW-04", year=2026, period=period,
                                   due_on=date(2026, 10, 16), status=status, sector="agency", town_code=None,
                                   created_at=NOON))
    uow.commit()
    return uow


def obligation(uow, period):
    return uow.session.scalar(sa.select(Obligation.id).where(Obligation.period == period))


def reminded_events(uow):
    rows = uow.session.execute(sa.select(OutboxRecord.type, OutboxRecord.body).order_by(OutboxRecord.id))
    return [json.loads(body)["payload"] for kind, body in rows if kind == names.OBLIGATION_REMINDED]


def test_the_office_reminds_an_overdue_unit_and_the_reminder_is_kept_and_announced(uow):
    overdue = obligation(uow, "E1")
    answer = reminders.remind(uow, OFFICE, overdue, "  请本周内补充公开  ", now=NOON)
    uow.commit()
    assert answer["reminder"]["reminded_by"] == "office" and answer["reminder"]["reminder_no"] == 1
    assert answer["reminder"]["note"] == "请本周内补充公开" and answer["obligation"]["status"] == "overdue"
    kept = uow.session.scalar(sa.select(ObligationReminder))
    assert (kept.obligation_id, kept.unit_code, kept.status, kept.reminded_at) == (overdue, "A005", "overdue", NOON)
    (event,) = reminded_events(uow)
    assert event["obligation_id"] == overdue and event["unit_code"] == "A005" and event["status"] == "overdue"
    assert event["matter"] == "组织建设：党组织换届选举结果" and event["due_on"] == "2026-10-16"
    assert event["note"] == "请本周内补充公开" and event["reminder_no"] == 1 and event["reminded_by"] == "office"


def test_an_open_obligation_may_be_reminded_too_without_a_note(uow):
    answer = reminders.remind(uow, OFFICE, obligation(uow, "E2"), "", now=NOON)
    uow.commit()
    assert answer["reminder"]["note"] is None and reminded_events(uow)[0]["status"] == "open"


def test_a_second_reminder_within_a_day_is_refused_in_words_and_sends_nothing(uow):
    overdue = obligation(uow, "E1")
    reminders.remind(uow, OFFICE, overdue, None, now=NOON)
    uow.commit()
    with pytest.raises(Conflict) as refused:
        reminders.remind(uow, OTHER_CLERK, overdue, "再催一次", now=NOON + timedelta(hours=23, minutes=59))
    uow.rollback()
    assert refused.value.message == "office 已于 2026年11月30日 12:00 催办过这项任务，24 小时内不再重复催办"
    assert len(reminded_events(uow)) == 1
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(ObligationReminder)) == 1
    again = reminders.remind(uow, OTHER_CLERK, overdue, "再催一次", now=NOON + timedelta(hours=24))
    uow.commit()
    assert again["reminder"]["reminder_no"] == 2 and [e["reminder_no"] for e in reminded_events(uow)] == [1, 2]
    latest = reminders.last_reminders(uow.session, OFFICE, [overdue, obligation(uow, "E2")])
    assert list(latest) == [str(overdue)]
    assert latest[str(overdue)]["reminded_by"] == "office-2" and latest[str(overdue)]["reminder_no"] == 2


@pytest.mark.parametrize("period, words", [("E3", "已按时完成"), ("E4", "已免除")])
def test_what_is_done_or_waived_needs_no_reminder(uow, period, words):
    with pytest.raises(Conflict, match=f"这项公开任务{words}，不需要催办"):
        reminders.remind(uow, OFFICE, obligation(uow, period), None, now=NOON)
    assert reminded_events(uow) == []


def test_only_the_county_office_reminds_and_a_note_is_short(uow):
    with pytest.raises(Forbidden, match="只有县委办"):
        reminders.remind(uow, Actor("op-a005", "operator", "A005"), obligation(uow, "E1"), None, now=NOON)
    with pytest.raises(Forbidden):
        reminders.last_reminders(uow.session, Actor("op-a005", "operator", "A005"), [1])
    with pytest.raises(InvalidInput, match="附言最多 500 字，现在有 501 字"):
        reminders.remind(uow, OFFICE, obligation(uow, "E1"), "催" * 501, now=NOON)
    with pytest.raises(NotFound, match="没有编号为 999 的公开任务"):
        reminders.remind(uow, OFFICE, 999, None, now=NOON)
    assert reminded_events(uow) == []


def reminded(note="请本周内补充公开", status="overdue"):
    return new_event(names.OBLIGATION_REMINDED, {
        "obligation_id": 11, "unit_code": "A005", "entry_code": "DW-04", "matter": "组织建设：党组织换届选举结果",
        "period": "E1", "due_on": date(2026, 10, 16), "year": 2026, "status": status, "reminded_by": "office",
        "reminded_at": NOON, "note": note, "reminder_no": 1})


def test_notify_mails_the_liaison_with_the_note_and_writes_the_operators_inbox(uow_factory):
    uow = uow_factory("notify")
    directory.apply_unit_state(uow.session, UNIT)
    directory.apply_account_state(uow.session, {"username": "op-a005", "revision": 1, "display_name": "曹伟",
                                                "role": "operator", "unit_code": "A005", "enabled": True})
    deliveries = planner.plan(uow.session, reminded(), Rules(), {"SMS": {"URL": "http://sms.invalid"}}, NOON)
    uow.commit()
    by_channel = {d.channel: d for d in deliveries}
    assert set(by_channel) == {"email", "sms"}  # the liaison only: not the secretary
    mail = by_channel["email"]
    assert mail.recipient == "a005@example.gov.cn" and mail.status == "pending"
    assert mail.subject == "【党务公开·催办】组织建设：党组织换届选举结果（E1）已逾期"
    assert "县委政法委机关支部联络员" in mail.body and "办公室附言：请本周内补充公开" in mail.body
    assert "应于 2026-10-16 前公开" in mail.body and "2026-11-30 12:00" in mail.body
    assert mail.link.endswith("/console/obligations/11")
    assert by_channel["sms"].recipient == "18289078666" and "县委办催办" in by_channel["sms"].body
    inbox = uow.session.scalar(sa.select(InboxMessage))
    assert inbox.username == "op-a005" and inbox.subject == mail.subject


def test_a_unit_without_a_liaison_email_gets_a_visible_failure(uow_factory):
    uow = uow_factory("notify")
    directory.apply_unit_state(uow.session, {**UNIT, "officials": [{**UNIT["officials"][0], "email": None}]})
    deliveries = planner.plan(uow.session, reminded(note=None, status="open"), Rules(), {}, NOON)
    report_unreachable(uow, deliveries)
    uow.commit()
    (mail,) = [d for d in deliveries if d.channel == "email"]
    assert mail.status == "failed" and "联络员" in mail.last_error and "邮箱" in mail.last_error
    assert "办公室附言" not in mail.body and "请抓紧公开" in mail.subject
