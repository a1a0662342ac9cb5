"""The obligation marks (services/supervision/marks.py) answer what the facts answered: the
counts of the office's scores and of 公开榜, as of any instant, for a county whose facts come
late, twice, out of order and in every sequence disclosure emits; and rankings scored with the
period-free inputs shared give what scoring each period on its own gives, ties and filters
included."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from services.common.contract import names
from services.supervision import facts, marks, rankings, scores
from services.supervision.mark_models import ObligationMark, ObligationTally
from services.supervision.models import ObligationFact
from services.supervision.periods import Period
from tests.supervision.test_supervision_rules import OFFICE, T0, obligation_event, unit_event

FULFILLED, OVERDUE, WAIVED = names.OBLIGATION_FULFILLED, names.OBLIGATION_OVERDUE, names.OBLIGATION_WAIVED
# what disclosure emits for one obligation, in order (the on_time flag of a fulfilment)
SEQUENCES = ([(FULFILLED, True)], [(FULFILLED, False)], [(OVERDUE, None)], [(OVERDUE, None), (FULFILLED, False)],
             [(OVERDUE, None), (WAIVED, None)], [(WAIVED, None)])
UNITS = ("T01", "V01", "V02", "V03", "T02", "V04", "A01")


def _flag(condition):
    return sa.func.max(sa.case((condition, 1), else_=0))


def old_obligation_counts(session, period, as_of):
    """The rule as it was: per (unit, obligation) over the facts known then, then per unit."""
    f = ObligationFact
    per = (sa.select(f.unit_code.label("unit"), _flag(f.kind == "waived").label("waived"),
                     _flag(sa.and_(f.kind == "fulfilled", f.on_time.is_(True))).label("ok"),
                     _flag(f.kind.in_(("fulfilled", "overdue"))).label("judged"))
           .where(f.due_on >= period.start, f.due_on <= period.end, f.occurred_at <= as_of, f.received_at <= as_of)
           .group_by(f.unit_code, f.obligation_id).subquery())
    live = per.c.waived == 0
    rows = session.execute(sa.select(per.c.unit, sa.func.sum(sa.case((sa.and_(live, per.c.judged == 1), 1), else_=0)),
                                     sa.func.sum(sa.case((sa.and_(live, per.c.ok == 1), 1), else_=0)))
                           .group_by(per.c.unit))
    return {unit: (int(j or 0), int(ok or 0)) for unit, j, ok in rows}


def old_missing_counts(session, period, as_of):
    f = ObligationFact
    per = (sa.select(f.unit_code.label("unit"), _flag(f.kind == "overdue").label("overdue"),
                     _flag(f.kind.in_(("fulfilled", "waived"))).label("settled"))
           .where(f.due_on >= period.start, f.due_on <= period.end, f.occurred_at <= as_of, f.received_at <= as_of)
           .group_by(f.unit_code, f.obligation_id).subquery())
    rows = session.execute(sa.select(per.c.unit, sa.func.count()).where(per.c.overdue == 1, per.c.settled == 0)
                           .group_by(per.c.unit))
    return {unit: int(n) for unit, n in rows}


def _nonzero(counts):
    return {unit: n for unit, n in counts.items() if n not in (0, (0, 0))}


def _county(uow):
    towns = {"T01": None, "T02": None, "A01": None, "V01": "T01", "V02": "T01", "V03": "T01", "V04": "T02"}
    for code in UNITS:
        sector = "town" if code.startswith("T") else "agency" if code.startswith("A") else "village"
        facts.apply(uow.session, unit_event(code, sector, parent=towns[code], at=T0 - timedelta(days=30)))


def _random_facts(rng):
    """About 250 obligations due from June to September, each with one of SEQUENCES, its facts
    occurring a few days apart and arriving up to three weeks late, in shuffled order."""
    events = []
    for obligation_id in range(1, 251):
        unit, due = rng.choice(UNITS), date(2026, 6, 1) + timedelta(days=rng.randrange(120))
        at = datetime.combine(due, datetime.min.time(), UTC) + timedelta(hours=rng.randrange(-96, 240))
        for kind, on_time in rng.choice(SEQUENCES):
            at += timedelta(hours=rng.randrange(1, 200))
            arrived = at + timedelta(hours=rng.choice((0, 0, 1, 30, 500)))
            events.append((obligation_event(kind, unit, obligation_id, due, at, on_time=on_time), arrived))
    rng.shuffle(events)
    return events


def test_the_marks_give_the_old_counts_as_of_every_instant(uow_factory):
    uow = uow_factory("supervision")
    _county(uow)
    rng = random.Random(25)
    events = _random_facts(rng)
    for event, arrived in events:
        assert facts.apply(uow.session, event, arrived)
    for event, arrived in rng.sample(events, 20):  # redelivered: no change
        assert not facts.apply(uow.session, event, arrived + timedelta(days=1))
    uow.commit()
    instants = sorted({arrived for _, arrived in events} | {e.occurred_at for e, _ in events})
    checked = 0
    for as_of in [*rng.sample(instants, 40), datetime(2026, 12, 31, tzinfo=UTC)]:
        for text in ("2026-06", "2026-07", "2026-08", "2026-Q3", "2026-H2", "2026"):
            period = Period(text)
            assert _nonzero(marks.obligation_counts(uow.session, period, as_of)) == \
                _nonzero(old_obligation_counts(uow.session, period, as_of)), (text, as_of)
            assert marks.missing_counts(uow.session, period, as_of) == \
                old_missing_counts(uow.session, period, as_of), (text, as_of)
            checked += 1
    assert checked == 41 * 6
    # the year's counts as of the end are not all zero: the comparison compared something
    assert sum(j for j, _ in marks.obligation_counts(uow.session, Period("2026"), instants[-1]).values()) > 50

    def kept():
        return sorted(tuple(r) for r in uow.session.execute(sa.select(
            ObligationMark.obligation_id, ObligationMark.unit_code, ObligationMark.due_on, ObligationMark.fulfilled_at,
            ObligationMark.on_time_at, ObligationMark.overdue_at, ObligationMark.waived_at)))
    def tallied():
        return sorted(tuple(r) for r in uow.session.execute(sa.select(
            ObligationTally.month, ObligationTally.unit_code, ObligationTally.judged, ObligationTally.on_time,
            ObligationTally.settled_at)))
    live, tallies = kept(), tallied()
    assert len(live) == 250 and len(tallies) == len({(due.replace(day=1), unit) for _, unit, due, *_ in live})
    marks.rebuild(uow.session)  # from the facts in one statement, as the migration fills them
    assert (kept(), tallied()) == (live, tallies)
    marks.rebuild(uow.session, list(range(1, 251, 7)))  # some obligations' marks, and their tallies
    assert (kept(), tallied()) == (live, tallies)
    uow.rollback()


def test_rankings_with_ties_and_filters_are_those_of_each_period_scored_alone(uow_factory):
    uow = uow_factory("supervision")
    _county(uow)
    due, at = date(2026, 7, 10), datetime(2026, 7, 8, tzinfo=UTC)
    outcomes = {"V01": (True, True), "V03": (True, True),  # V01 and V03 tie, first
                "V02": (True, False), "V04": (True, False), "A01": (True, False),  # a three-way tie
                "T01": (False, False), "T02": (True, True)}
    n = 0
    for unit, flags in outcomes.items():
        for on_time in flags:
            n += 1
            facts.apply(uow.session, obligation_event(FULFILLED, unit, n, due, at, on_time=on_time), at)
    for unit in ("V01", "V02"):  # June: V02 ahead of V01
        n += 1
        facts.apply(uow.session, obligation_event(FULFILLED, unit, n, date(2026, 6, 10), at - timedelta(days=30),
                                                  on_time=unit == "V02"), at - timedelta(days=30))
    uow.commit()
    as_of = datetime(2026, 8, 1, tzinfo=UTC)
    period = Period("2026-07")
    ranked = rankings.rankings(uow.session, period, as_of, n=3)
    alone = [scores.compute(uow.session, p, as_of) for p in (period, period.previous())]
    names_ = {u["unit_code"]: u["name"] for u in alone[0]["units"] + alone[1]["units"]}
    assert ranked == rankings.build(alone[0], alone[1], names_, 3)
    by = {u["unit_code"]: u for u in ranked["units"]}
    assert by["V01"]["rank"] == by["V03"]["rank"] == by["T02"]["rank"] == 1
    assert by["V02"]["rank"] == by["V04"]["rank"] == by["A01"]["rank"] == 4 and by["T01"]["rank"] == 7
    assert by["V01"]["previous_rank"] == 2 and by["V02"]["previous_rank"] == 1 and by["V01"]["change"] == 1
    assert by["V04"]["sector_rank"] == 3 and by["V03"]["sector_rank"] == 1  # villages: 100, 100, 50, 50
    assert [r["code"] for r in ranked["towns"]] == ["T02", "T01"]  # T02 (100, 50) ahead of T01 (0, 100, 50, 100)
    for filters, codes in (({"sector": "village"}, {"V01", "V02", "V03", "V04"}), ({"town": "T02"}, {"T02", "V04"}),
                           ({"sector": "village", "town": "T01"}, {"V01", "V02", "V03"})):
        visible = scores.visible_scores(uow.session, OFFICE, period, as_of, filters)
        assert {u["unit_code"] for u in visible["units"]} == codes
        assert visible["units"] == [u for u in alone[0]["units"] if u["unit_code"] in codes]
