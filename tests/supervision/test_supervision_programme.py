"""Supervision's rules without a broker, continued: the backfill before answering, the
timers (inspection due and overdue, the month's scores with interviews and reviews), the
annual report's figures, commitments and comments."""
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.contract import names, new_event, to_message
from services.common.errors import Forbidden
from services.common.records import OutboxRecord, ProcessedEvent
from services.common.workdays import add_working_days, county_today
from services.supervision import (
    backfill,
    deadlines,
    facts,
    gauges,
    inspections,
    programme,
    reports,
)
from services.supervision.models import ScoreRun, UnitCopy
from tests.supervision.test_supervision_rules import OFFICE, T0, obligation_event, unit_event


def test_an_empty_database_takes_the_history_before_it_answers(uow_factory):
    uow = uow_factory("supervision")
    history = {"units": [unit_event("T01", "town"), unit_event("V01", parent="T01")],
               "disclosure": [obligation_event(names.OBLIGATION_FULFILLED, "V01", 1, date(2026, 7, 10), T0, True)],
               "feedback": []}
    asked = []

    def fetch(producer, after, types, limit):
        asked.append((producer, after))
        rows = [{"id": n, "event": to_message(e)} for n, e in enumerate(history[producer], 1) if n > after]
        return rows[:limit]

    assert not backfill.ready(uow)
    with pytest.raises(backfill.NotReady):
        backfill.require_ready(uow)
    def units_down(producer, after, types, limit):
        if producer == "units":
            raise TimeoutError("units is not up yet")
        return fetch(producer, after, types, limit)

    assert backfill.run(uow, units_down) == 1  # the others go on without it
    assert not backfill.ready(uow)
    asked.clear()
    assert backfill.run(uow, fetch) == 2
    assert backfill.ready(uow)
    assert asked == [("units", 0)]
    assert uow.session.get(UnitCopy, "V01").town_code == "T01"
    marked = uow.session.scalars(sa.select(ProcessedEvent.consumer)).all()
    assert "gongkai.supervision.ObligationFulfilled" in marked  # the live copy will be skipped
    assert backfill.run(uow, fetch) == 0  # done: not asked again
    assert len(asked) == 1


def _plan(uow, opens, closes, units):
    return inspections.plan(uow, OFFICE, {"title": "例行检查", "kind": "routine", "window_opens": opens.isoformat(),
                                          "window_closes": closes.isoformat(), "unit_codes": units,
                                          "inspectors": [{"username": "insp-a"}]})


def test_timers_send_each_notice_once(uow_factory):
    uow = uow_factory("supervision")
    for event in (unit_event("T01", "town"), unit_event("V01", parent="T01"), unit_event("V02", parent="T01")):
        facts.apply(uow.session, event)
    today = county_today()
    soon = _plan(uow, add_working_days(today, 2), add_working_days(today, 5), ["V01"])
    past = _plan(uow, today - timedelta(days=20), today - timedelta(days=10), ["V01", "V02"])
    uow.commit()
    assert deadlines.check(uow) == {"due": 1, "overdue": 1}
    assert deadlines.check(uow) == {"due": 0, "overdue": 0}
    sent = dict(uow.session.execute(sa.select(OutboxRecord.type, sa.func.count()).group_by(OutboxRecord.type)).all())
    assert sent[names.INSPECTION_DUE] == 1 and sent[names.INSPECTION_OVERDUE] == 1
    assert (soon["id"], past["id"]) == (1, 2)


def test_the_month_is_scored_once_with_interviews_and_reviews(uow_factory):
    uow = uow_factory("supervision")
    for event in (unit_event("V01", at=T0 - timedelta(days=90)), unit_event("V02", at=T0 - timedelta(days=90))):
        facts.apply(uow.session, event)
    uow.session.get(UnitCopy, "V02").demonstration = True
    for n, (unit, month) in enumerate([("V01", 6), ("V01", 7), ("V02", 7)], 1):  # overdue: 0% on time
        at = datetime(2026, month, 11, tzinfo=UTC)
        facts.apply(uow.session, obligation_event(names.OBLIGATION_OVERDUE, unit, n, date(2026, month, 10), at), at)
    uow.commit()
    assert programme.score_ended_month(uow, datetime(2026, 7, 2, tzinfo=UTC)) == "2026-06"
    assert programme.score_ended_month(uow, datetime(2026, 8, 2, tzinfo=UTC)) == "2026-07"
    assert programme.score_ended_month(uow, datetime(2026, 8, 3, tzinfo=UTC)) is None  # once
    run = uow.session.get(ScoreRun, "2026-07")
    assert run.totals == {"V01": 0.0, "V02": 0.0}
    computed = [json.loads(body)["payload"] for body in uow.session.scalars(
        sa.select(OutboxRecord.body).where(OutboxRecord.type == names.SCORES_COMPUTED).order_by(OutboxRecord.id))]
    assert computed[1]["interviews"] == ["V01"]  # below 60 in June and July
    assert computed[1]["reviews"] == ["V02"]  # a designated site below it
    by_name = {family.name: family for family in gauges.gauges(uow.session)}
    assert [(s.labels["sector"], s.labels["band"], s.value) for s in by_name["gongkai_scores"].samples] == \
        [("village", "0-60", 2)]
    assert {s.labels["window"]: s.value for s in by_name["gongkai_inspections_pending"].samples} == \
        {"open": 0, "closed": 0}


def test_annual_report_commitments_and_comments(uow_factory):
    uow = uow_factory("supervision")
    for event in (unit_event("T01", "town", at=T0 - timedelta(days=200)),
                  unit_event("V01", parent="T01", at=T0 - timedelta(days=200))):
        facts.apply(uow.session, event)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_FULFILLED, "V01", 1, date(2026, 3, 10),
                                              datetime(2026, 3, 9, tzinfo=UTC), True))
    facts.apply(uow.session, obligation_event(names.OBLIGATION_OVERDUE, "V01", 2, date(2026, 4, 10),
                                              datetime(2026, 4, 11, tzinfo=UTC)))
    published = new_event(names.ITEM_PUBLISHED, {
        "item_id": 5, "unit_code": "V01", "title": "三月财务公开", "version": 1, "audience": "society",
        "summary": "……", "carriers": ["公开栏"], "obligation_id": 1, "published_by": "op", "published_at": T0})
    facts.apply(uow.session, published)
    uow.commit()
    year = str(county_today().year)
    draft = reports.create(uow, OFFICE, {"kind": "annual", "period": year})
    f = draft["figures"]
    if year == "2026":
        assert (f["items_published"], f["obligations_judged"], f["obligations_on_time"]) == (1, 2, 1)
        assert f["on_time_rate"] == 0.5 and f["items_by_audience"] == {"社会": 1}
        assert "按时公开率 50.0%" in draft["text"]
    edited = reports.update(uow, OFFICE, draft["id"], {"text": draft["text"] + "下一步：加强村级财务公开。"})
    assert edited["text"].endswith("加强村级财务公开。")
    issued = reports.issue(uow, OFFICE, draft["id"], {"publish": False})
    assert issued["status"] == "issued" and issued["text"] == edited["text"]
    with pytest.raises(Forbidden):
        programme.add_commitment(uow, Actor("op-v02", "operator", "V02"), {
            "unit_code": "V01", "year": 2026, "text": "每月5日前公开财务", "due_on": "2026-12-31"})
    made = programme.add_commitment(uow, Actor("op-v01", "operator", "V01"), {
        "unit_code": "V01", "year": 2026, "text": "每月5日前公开财务", "due_on": "2026-12-31"})
    assert programme.list_commitments(uow, "V01", 2026) == [made]
    with pytest.raises(Forbidden):  # a reviewer of the unit itself is not its supervising leader
        programme.add_comment(uow, Actor("rv-v01", "reviewer", "V01"),
                              {"unit_code": "V01", "period": "2026", "grade": "excellent", "text": "好"})
    comment = programme.add_comment(uow, Actor("rv-t01", "reviewer", "T01"),
                                    {"unit_code": "V01", "period": "2026", "grade": "good", "text": "兑现承诺较好"})
    assert comment["grade"] == "good" and programme.list_comments(uow, "V01", None) == [comment]
