"""The deadline timer's set-based pass: it marks exactly the rows due (on the working-day
calendar, holidays included), across batches, emits each event once with the payload the
contract gives it, and a second replica finds nothing left; and the batch encoder of events
(contract.new_events) writes what new_event and to_message write, refusing what breaks the
contract; each outbox row the pass writes is the one emit() writes for the same event id and
time, text for text (on PostgreSQL the database makes it), and a row off the contract puts
nothing in the outbox."""
import json
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.common.contract import (CATALOGUE, ContractError, Event, from_message, names, new_event, new_events,
                                      to_message)
from services.common.db import insert_many
from services.common.records import OutboxRecord
from services.common.workdays import add_working_days
from services.feedback import deadlines, states
from services.feedback.models import Feedback
from services.feedback.settings import Settings

TODAY = date(2026, 9, 28)  # a Monday before 国庆 (1-7 October 2026): three working days run to 8 October


def rows(count):
    """Feedback due from 5 days before TODAY to 14 after, in every state, one row each."""
    received = datetime(2026, 9, 1, 2, 0, tzinfo=timezone.utc)
    statuses = ("received", "accepted", "reviewing", "reopened", "answered", "closed", "rejected", "held")
    return [{"tracking_code": f"T{n:09d}", "target_kind": "unit", "target_id": "A001", "unit_code": f"U{n % 7:03d}",
             "kind": "opinion", "source": "public", "content": f"意见 {n}", "public": False,
             "status": statuses[n % len(statuses)], "received_at": received, "acknowledge_due": date(2026, 9, 4),
             "answer_due": TODAY + timedelta(days=n % 20 - 5), "round": 1, "reopen_count": 0, "reports": 0,
             "answer_hidden": False} for n in range(count)]


def outbox(uow, event_type):
    return [json.loads(row.body) for row in uow.session.scalars(
        sa.select(OutboxRecord).where(OutboxRecord.type == event_type).order_by(OutboxRecord.id))]


def test_the_pass_marks_exactly_the_rows_due_in_batches_and_emits_each_event_once(uow_factory, monkeypatch):
    monkeypatch.setattr(deadlines, "BATCH", 7)  # many batches from a few rows
    uow, replica, settings = uow_factory("feedback"), uow_factory("feedback"), Settings()
    insert_many(uow.session, Feedback.__table__, rows(160))
    uow.commit()
    horizon = add_working_days(TODAY, settings.warning_working_days)
    assert horizon == date(2026, 10, 8)  # the holiday counts no working day: the warning reaches past it

    counts = deadlines.check_deadlines(uow, settings, TODAY)
    assert deadlines.check_deadlines(replica, settings, TODAY) == {
        names.FEEDBACK_OVERDUE: 0, names.FEEDBACK_DUE_SOON: 0, "escalate_1": 0, "escalate_2": 0, "closed": 0}

    every = uow.session.scalars(sa.select(Feedback).order_by(Feedback.id)).all()
    is_open = set(states.OPEN)  # held (待审) is not: its clock has not started
    due_soon = [f.id for f in every if f.status in is_open and TODAY <= f.answer_due <= horizon]
    overdue = [f.id for f in every if f.status in is_open and f.answer_due < TODAY]
    assert due_soon and overdue and counts[names.FEEDBACK_DUE_SOON] == len(due_soon) > deadlines.BATCH
    assert counts[names.FEEDBACK_OVERDUE] == len(overdue)
    assert [f.id for f in every if f.due_soon_at is not None] == due_soon
    assert [f.id for f in every if f.overdue_at is not None] == overdue

    soon = outbox(uow, names.FEEDBACK_DUE_SOON)
    assert [m["payload"]["feedback_id"] for m in soon] == due_soon  # once each, in id order
    assert len({m["event_id"] for m in soon}) == len(soon)
    by_id = {f.id: f for f in every}
    for message in soon + outbox(uow, names.FEEDBACK_OVERDUE):
        event = from_message(message)  # each body is a whole envelope on the contract
        row = by_id[event.payload["feedback_id"]]
        assert event.payload == {"feedback_id": row.id, "unit_code": row.unit_code, "kind": row.kind,
                                 "target_kind": row.target_kind, "target_id": row.target_id,
                                 "answer_due": row.answer_due}
        assert (event.producer, event.version) == ("feedback", 1)


def test_escalations_of_a_pass_carry_their_level(uow_factory):
    uow, settings = uow_factory("feedback"), Settings()
    insert_many(uow.session, Feedback.__table__, [{**row, "status": "accepted", "answer_due": date(2026, 9, 10)}
                                                  for row in rows(3)])
    uow.commit()
    late = add_working_days(date(2026, 9, 10), 2 * settings.escalation_working_days + 1)
    for _ in range(3):  # red, then level 1, then level 2: each pass one step
        deadlines.check_deadlines(uow, settings, late)
    levels = [(m["payload"]["level"], m["payload"]["to"]) for m in outbox(uow, names.FEEDBACK_ESCALATED)]
    assert sorted(levels) == [(1, "secretary")] * 3 + [(2, "county_office")] * 3


PAYLOAD = {"feedback_id": 1, "unit_code": "A001", "kind": "opinion", "target_kind": "unit", "target_id": "A001",
           "answer_due": date(2026, 10, 9)}


def test_a_batch_of_events_is_written_as_new_event_and_to_message_write_one():
    made = new_events(names.FEEDBACK_DUE_SOON, [{**PAYLOAD, "feedback_id": n} for n in range(1, 4)], "c-1")
    for n, (event, body) in enumerate(made, start=1):
        expected = to_message(new_event(names.FEEDBACK_DUE_SOON, {**PAYLOAD, "feedback_id": n}, "c-1"))
        written = json.loads(body)
        assert written["event_id"] == str(event.event_id)
        for volatile in ("event_id", "occurred_at"):
            expected.pop(volatile), written.pop(volatile)
        assert written == expected
        assert from_message(body).payload["feedback_id"] == n
    assert len({event.event_id for event, _ in made}) == 3


@pytest.mark.parametrize("broken, message", [
    ({"feedback_id": "2"}, "feedback_id is not a int"),
    ({"answer_due": datetime(2026, 10, 9, tzinfo=timezone.utc)}, "answer_due is not a date"),
    ({"target_kind": "nowhere"}, "target_kind"),
    ({"unit_code": None}, "unit_code may not be null"),
    ({"extra": 1}, "its fields are"),
])
def test_a_batch_refuses_a_payload_off_the_contract(broken, message):
    with pytest.raises(ContractError, match=message):
        new_events(names.FEEDBACK_DUE_SOON, [PAYLOAD, {**PAYLOAD, **broken}])


AWKWARD = 'A001 "村\\委"\t会'  # quotes, a backslash, a tab and Chinese in the JSON text


def written_as_emit_writes(uow):
    """Each outbox row beside the row emit() would write for its feedback's event with the same
    id and time."""
    feedback = {f.id: f for f in uow.session.scalars(sa.select(Feedback))}
    for record in uow.session.scalars(sa.select(OutboxRecord).order_by(OutboxRecord.id)):
        written = json.loads(record.body)
        row, spec = feedback[written["payload"]["feedback_id"]], CATALOGUE[record.type]
        payload = {"feedback_id": row.id, "unit_code": row.unit_code, "kind": row.kind,
                   "target_kind": row.target_kind, "target_id": row.target_id, "answer_due": row.answer_due,
                   **{key: written["payload"][key] for key in ("level", "to") if key in written["payload"]}}
        event = Event(type=record.type, payload=payload, correlation_id=uow.correlation_id, version=spec.version,
                      producer=spec.producer, event_id=uuid.UUID(record.event_id), occurred_at=record.occurred_at)
        yield record, event


def test_the_pass_writes_each_outbox_row_as_emit_writes_it(uow_factory, monkeypatch):
    monkeypatch.setattr(deadlines, "BATCH", 7)
    uow, settings = uow_factory("feedback"), Settings()
    made = rows(60)
    made[1]["target_id"] = made[2]["unit_code"] = AWKWARD
    insert_many(uow.session, Feedback.__table__, made)
    uow.commit()
    counts = deadlines.check_deadlines(uow, settings, TODAY)
    late = add_working_days(max(row["answer_due"] for row in made), 2 * settings.escalation_working_days + 1)
    for _ in range(2):  # level 1, then level 2
        deadlines.check_deadlines(uow, settings, late)

    checked = list(written_as_emit_writes(uow))
    assert {record.type for record, _ in checked} == {names.FEEDBACK_DUE_SOON, names.FEEDBACK_OVERDUE,
                                                      names.FEEDBACK_ESCALATED}
    assert sum(1 for record, _ in checked if record.type == names.FEEDBACK_DUE_SOON) == counts[names.FEEDBACK_DUE_SOON]
    assert any(AWKWARD in (event.payload["target_id"], event.payload["unit_code"]) for _, event in checked)
    for record, event in checked:
        assert record.body == json.dumps(to_message(event), ensure_ascii=False)  # text for text
        assert (record.type, record.version, record.routing_key, record.correlation_id, record.attempts,
                record.traceparent, record.published_at) == (event.type, 1, f"feedback.{event.type}",
                                                             uow.correlation_id, 0, None, None)
    assert len({record.event_id for record, _ in checked}) == len(checked)


def test_a_row_off_the_contract_puts_nothing_in_the_outbox(uow_factory):
    uow = uow_factory("feedback")
    broken = [{**row, "status": "accepted", "answer_due": TODAY} for row in rows(3)]
    broken[1]["target_kind"] = "nowhere"
    insert_many(uow.session, Feedback.__table__, broken)
    uow.commit()
    with pytest.raises(ContractError, match="target_kind|contract"):
        deadlines.check_deadlines(uow, Settings(), TODAY)
    uow.rollback()
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(OutboxRecord)) == 0
    assert uow.session.scalar(sa.select(sa.func.count()).where(Feedback.due_soon_at.is_not(None))) == 0
