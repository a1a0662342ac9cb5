"""Periods scored together (a ranking's two, a programme's months: their obligation and feedback
counts read in one statement, sorted into periods in SQL, each record's inspection side worked
out once) give what each period scored on its own gives, with and without detail, as of many
instants, for a county with late facts, feedback whose facts fall in two months, inspections
with findings put right, accepted or overdue, and leaders' comments; and an inspection record
keeps its scores' sums per dimension, also for the records kept before it did."""
from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from services.common.migrate import alembic_config
from services.supervision import checklist, facts, rankings, scores
from services.supervision.models import (
    Comment,
    FeedbackFact,
    Finding,
    Inspection,
    InspectionRecord,
    Rectification,
    RectificationStep,
)
from services.supervision.periods import Period
from services.supervision.record_sums import dimension_sums
from tests.supervision.test_supervision_marks import UNITS, _county, _random_facts

SCORES = [(c["code"], d["code"], float(c["max"])) for d in checklist.default_content()["dimensions"]
          for c in d["criteria"]]


def _feedback(session, rng):
    for feedback_id in range(1, 41):
        unit, day = rng.choice(UNITS), date(2026, 6, 1) + timedelta(days=rng.randrange(110))
        answered = day + timedelta(days=rng.choice((0, 3, 25)))  # may fall in the next month
        for kind, on, on_time, rating in (("answered", answered, rng.random() < 0.7, None),
                                          ("rated", answered, None, rng.choice(("satisfied", "unsatisfied"))),
                                          ("overdue", day, None, None)):
            if kind != "overdue" or rng.random() < 0.3:
                moment = datetime.combine(on, datetime.min.time(), UTC)
                session.add(FeedbackFact(event_id=str(uuid.UUID(int=rng.getrandbits(128))), feedback_id=feedback_id,
                                         kind=kind, unit_code=unit, day=on, on_time=on_time, rating=rating,
                                         occurred_at=moment, received_at=moment + timedelta(hours=rng.choice((0, 40)))))


def _inspections(session, rng):
    rules = checklist.ensure(session, 2026)
    for n in range(6):
        opens = date(2026, 6, 5) + timedelta(days=18 * n)
        inspected = rng.sample(UNITS, 3)
        inspection = Inspection(title=f"检查{n}", kind="random", window_opens=opens,
                                window_closes=opens + timedelta(days=10), unit_codes=inspected, inspectors=["a"],
                                assignments={c: ["a"] for c in inspected}, checklist_id=rules.id, created_by="office",
                                created_at=datetime(2026, 6, 1, tzinfo=UTC))
        session.add(inspection)
        session.flush()
        at = datetime.combine(opens, datetime.min.time(), UTC) + timedelta(days=2)
        for code in inspected:
            record = InspectionRecord(inspection_id=inspection.id, unit_code=code, revision=1, status="submitted",
                                      inspector="a", inspected_on=opens if rng.random() < 0.7 else None, created_at=at,
                                      submitted_at=at, scores=[{"criterion": c, "dimension": d, "max": m,
                                                                "score": round(rng.uniform(m / 3, m), 3)}
                                                               for c, d, m in SCORES])
            session.add(record)
            session.flush()
            for dimension in rng.sample(("content", "form", "on_time"), 2):
                finding = Finding(record_id=record.id, dimension=dimension, text="问题", deduction=rng.choice((1.5, 4)),
                                  deadline_days=5)
                session.add(finding)
                session.flush()
                rect = Rectification(inspection_id=inspection.id, finding_id=finding.id, unit_code=code,
                                     dimension=dimension, finding="问题", deduction=finding.deduction,
                                     deadline=opens + timedelta(days=12), status="open", opened_at=at)
                session.add(rect)
                session.flush()
                finding.rectification_id = rect.id
                steps = [("open", at)]
                ending = rng.choice(("accepted", "overdue", None))
                if ending == "accepted":
                    steps += [("submitted", at + timedelta(days=3)), ("accepted", at + timedelta(days=5))]
                elif ending == "overdue":
                    steps += [("overdue", at + timedelta(days=13))]
                for to, moment in steps:
                    session.add(RectificationStep(rectification_id=rect.id, to_status=to, actor="a", at=moment))
    for code in rng.sample(UNITS, 4):
        for month in ("2026-07", "2026-08"):
            session.add(Comment(unit_code=code, period=month, grade=rng.choice(("excellent", "poor", "good")),
                                text="点评", author="leader", role="leader",
                                created_at=Period(month).ends_at() + timedelta(days=rng.choice((-3, 2)))))


def test_periods_scored_together_give_what_each_gives_alone(uow_factory):
    uow = uow_factory("supervision")
    _county(uow)
    rng = random.Random(7)
    for event, arrived in _random_facts(rng):
        facts.apply(uow.session, event, arrived)
    _feedback(uow.session, rng)
    _inspections(uow.session, rng)
    uow.commit()
    session = uow.session
    groups = (["2026-07", "2026-06"], ["2026-09", "2026-08", "2026-07"], ["2026-Q3", "2026-Q2"], ["2026", "2026-08"],
              ["2026-08"])
    totals = 0
    for as_of in [datetime(2026, 6, 20, tzinfo=UTC) + timedelta(days=9 * i, hours=5 * i) for i in range(13)]:
        for texts in groups:
            periods = [Period(t) for t in texts]
            for detail in (True, False):
                together = scores.compute_many(session, periods, as_of, detail=detail)
                assert together == [scores.compute(session, p, as_of, detail=detail) for p in periods], (texts, as_of)
                totals += sum(u["total"] is not None for r in together for u in r["units"])
        period = Period("2026-08")
        alone = [scores.compute(session, p, as_of) for p in (period, period.previous())]
        names = {u["unit_code"]: u["name"] for u in alone[0]["units"] + alone[1]["units"]}
        assert rankings.rankings(session, period, as_of, n=3) == rankings.build(alone[0], alone[1], names, 3)
    assert totals > 500  # scores were compared, not only empty ones
    latest = scores.compute(session, Period("2026-08"), datetime(2026, 10, 1, tzinfo=UTC))["units"]
    assert any(u["inspection"] for u in latest) and any(u["feedback"]["judged"] for u in latest)
    assert any(u["rectifications"]["accepted"] for u in latest) and any(u["comment"] for u in latest)
    uow.rollback()


def test_a_record_keeps_its_sums_and_the_migration_fills_them_in(tmp_path):
    scored = [{"criterion": c, "dimension": d, "max": m, "score": m * 0.37} for c, d, m in SCORES]
    record = InspectionRecord(scores=scored)
    assert record.dimension_sums == dimension_sums(scored)
    record.scores = scored[:2]
    assert record.dimension_sums == {"content": scored[0]["score"] + scored[1]["score"]}
    url = f"sqlite:///{tmp_path}/supervision.db"
    command.upgrade(alembic_config("supervision", url), "console4_0001_kept_facts")
    engine = sa.create_engine(url)
    records = sa.table("inspection_records", sa.column("scores", sa.JSON), *(sa.column(c) for c in (
        "id", "inspection_id", "unit_code", "revision", "status", "inspector", "created_at")))
    with engine.begin() as conn:
        conn.execute(records.insert(), [
            {"id": n, "inspection_id": 1, "unit_code": f"V0{n}", "revision": 1, "status": "draft", "inspector": "a",
             "scores": scored[:n], "created_at": "2026-07-01 00:00:00"}
            for n in (1, 2)])
    command.upgrade(alembic_config("supervision", url), "head")
    with engine.connect() as conn:
        kept = dict(conn.execute(sa.select(InspectionRecord.id, InspectionRecord.dimension_sums)).all())
    engine.dispose()
    assert kept == {1: dimension_sums(scored[:1]), 2: dimension_sums(scored[:2])}
