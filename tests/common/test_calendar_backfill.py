"""The migrations that keep each deadline's start backfill the rows made before them: a
long-term obligation counts from its plan's approval (or its unit's later registration), an
on-event one from its event, a feedback's answer from the day it was received or last
reopened, over the working days that give its deadline back (SQLite, on a fresh database)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import command

from services.common import workdays
from services.common.migrate import alembic_config
from services.disclosure.models import CatalogueEntry, Obligation, Plan
from services.feedback.models import Feedback, Step

APPROVED = datetime(2030, 1, 28, 2, tzinfo=timezone.utc)  # 10:00 in the county


def _insert(url: str, *statements) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)
    engine.dispose()


def _rows(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def _entry(ident: int, code: str, frequency: str, within_days: int) -> sa.Insert:
    return sa.insert(CatalogueEntry.__table__).values(
        id=ident, code=code, version=1, matter="组织建设", sub_matter=code, content_elements="名单", basis="条例",
        time_limit="长期", audience="society", carriers=["公开栏"], sectors=["village"], frequency=frequency,
        within_days=within_days, valid_from=date(2030, 1, 1), changed_by="office", changed_at=APPROVED)


def _obligation(ident: int, entry_id: int, period: str, due_on: date, created_at: datetime,
                event_on: date | None = None) -> sa.Insert:
    return sa.insert(Obligation.__table__).values(
        id=ident, unit_code=f"V{ident}", entry_id=entry_id, entry_code="X", year=2030, period=period, due_on=due_on,
        status="open", sector="village", event_on=event_on, created_at=created_at)


def test_obligations_get_the_day_their_count_runs_from(tmp_path):
    workdays.forget_entered()
    url = f"sqlite:///{tmp_path}/disclosure.db"
    command.upgrade(alembic_config("disclosure", url), "portal_0001_item_scans")
    later = datetime(2030, 3, 4, 2, tzinfo=timezone.utc)  # a unit registered after the approval
    _insert(url, sa.insert(Plan.__table__).values(
        id=1, year=2030, title="2030年实施方案", goals=[], milestones=[], carriers=[], forms=[], status="active",
        consultation_days=7, created_by="office", created_at=APPROVED, approved_at=APPROVED),
        _entry(1, "L01", "long_term", 10), _entry(2, "E01", "on_event", 5),
        _obligation(1, 1, "2030", workdays.add_working_days(date(2030, 1, 28), 10), APPROVED),
        _obligation(2, 1, "2030", workdays.add_working_days(date(2030, 3, 4), 10), later),
        _obligation(3, 2, "E1", workdays.add_working_days(date(2030, 5, 6), 5), later, date(2030, 5, 6)),
        _obligation(4, 1, "2030", date(2030, 7, 1), later))  # a due date no start gives: left alone
    command.upgrade(alembic_config("disclosure", url), "head")
    assert _rows(url, "SELECT id, counted_from FROM obligations ORDER BY id") == [
        (1, "2030-01-28"), (2, "2030-03-04"), (3, "2030-05-06"), (4, None)]


def test_open_feedback_gets_its_answer_start_and_working_days(tmp_path):
    workdays.forget_entered()
    url = f"sqlite:///{tmp_path}/feedback.db"
    command.upgrade(alembic_config("feedback", url), "senders_0001_contact_erasure")
    reopened_at = datetime(2030, 3, 5, 2, tzinfo=timezone.utc)

    def feedback(ident: int, status: str, answer_round: int, answer_due: date) -> sa.Insert:
        return sa.insert(Feedback.__table__).values(
            id=ident, tracking_code=f"T{ident}", target_kind="unit", target_id="A1", unit_code="A1", kind="opinion",
            source="public", content="路灯坏了", public=False, status=status, received_at=APPROVED,
            acknowledge_due=date(2030, 1, 31), answer_due=answer_due, round=answer_round, reopen_count=answer_round - 1,
            reports=0, answer_hidden=False)
    _insert(url, feedback(1, "accepted", 1, workdays.add_working_days(date(2030, 1, 28), 15)),
            feedback(2, "reopened", 2, workdays.add_working_days(date(2030, 3, 5), 15)),
            feedback(3, "closed", 1, date(2030, 2, 20)),
            sa.insert(Step.__table__).values(feedback_id=2, at=reopened_at, action="reopen", actor="sender",
                                             from_status="answered", to_status="reopened"))
    command.upgrade(alembic_config("feedback", url), "head")
    assert _rows(url, "SELECT id, answer_counted_from, answer_working_days FROM feedback ORDER BY id") == [
        (1, "2030-01-28", 15), (2, "2030-03-05", 15), (3, None, None)]
