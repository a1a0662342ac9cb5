"""Feedback's business gauges, read from its database at each scrape (a restart loses nothing):
feedback by status, town and kind; answers on time by town; satisfaction; moderation; senders' contacts erased."""
from __future__ import annotations

from collections import Counter
from typing import Iterator

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy.orm import Session

from services.common.workdays import county_today

from . import routing
from .models import Answer, Feedback, Step
from .states import OPEN


def on_time_ratio(on_time: int, late: int, overdue_open: int) -> float | None:
    """Answers given on time out of all answers given plus open ones already past due."""
    judged = on_time + late + overdue_open
    return round(on_time / judged, 4) if judged else None


def gauges(session: Session) -> Iterator[GaugeMetricFamily]:
    towns = routing.towns(session)
    town = lambda unit: towns.get(unit, routing.COUNTY_LEVEL)  # noqa: E731

    by_status = GaugeMetricFamily("gongkai_feedback", "Feedback by status, town (镇街) and kind.",
                                  labels=["status", "town", "kind"])
    counts: Counter = Counter()
    for unit, status, kind, n in session.execute(sa.select(Feedback.unit_code, Feedback.status, Feedback.kind,
                                                           sa.func.count()).group_by(Feedback.unit_code,
                                                                                     Feedback.status, Feedback.kind)):
        counts[(status, town(unit), kind)] += n
    for labels, n in sorted(counts.items()):
        by_status.add_metric(list(labels), n)
    yield by_status

    answered: Counter = Counter()
    for unit, on_time, n in session.execute(
            sa.select(Feedback.unit_code, Answer.on_time, sa.func.count()).join(Answer, Answer.feedback_id == Feedback.id)
            .where(Answer.status == "approved").group_by(Feedback.unit_code, Answer.on_time)):
        answered[(town(unit), bool(on_time))] += n
    overdue: Counter = Counter()
    for unit, n in session.execute(sa.select(Feedback.unit_code, sa.func.count()).where(
            Feedback.status.in_(OPEN), Feedback.answer_due < county_today()).group_by(Feedback.unit_code)):
        overdue[town(unit)] += n
    ratio = GaugeMetricFamily("gongkai_feedback_answered_on_time_ratio",
                              "Answers approved by their deadline over answers approved plus open feedback past due, "
                              "by town.", labels=["town"])
    overdue_gauge = GaugeMetricFamily("gongkai_feedback_overdue", "Open feedback past its answer deadline, by town.",
                                      labels=["town"])
    for name in sorted({t for t, _ in answered} | set(overdue)):
        value = on_time_ratio(answered[(name, True)], answered[(name, False)], overdue[name])
        if value is not None:
            ratio.add_metric([name], value)
        overdue_gauge.add_metric([name], overdue[name])
    yield ratio
    yield overdue_gauge

    ratings = GaugeMetricFamily("gongkai_feedback_ratings", "Senders' latest ratings (满意度), by rating and town.",
                                labels=["rating", "town"])
    rated: Counter = Counter()
    for unit, rating, n in session.execute(sa.select(Feedback.unit_code, Feedback.rating, sa.func.count())
                                           .where(Feedback.rating.is_not(None))
                                           .group_by(Feedback.unit_code, Feedback.rating)):
        rated[(rating, town(unit))] += n
    for labels, n in sorted(rated.items()):
        ratings.add_metric(list(labels), n)
    yield ratings

    moderation = GaugeMetricFamily("gongkai_feedback_moderation",
                                   "Moderation so far: held by the word screen, released, rejected from the queue, "
                                   "public answers reported and hidden.", labels=["outcome"])
    steps = dict(session.execute(sa.select(Step.action, sa.func.count()).where(
        sa.or_(Step.action.in_(("hold", "release")), sa.and_(Step.action == "reject", Step.from_status == "held")))
        .group_by(Step.action)).all())
    reported = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Feedback.reports), 0)))
    hidden = session.scalar(sa.select(sa.func.count()).where(Feedback.answer_hidden.is_(True)))
    for outcome, n in (("held", steps.get("hold", 0)), ("released", steps.get("release", 0)),
                       ("rejected", steps.get("reject", 0)), ("reported", reported), ("hidden", hidden)):
        moderation.add_metric([outcome], n)
    yield moderation

    erased = CounterMetricFamily("gongkai_feedback_contacts_erased",
                                 "Senders' contacts erased (个人信息保护法 第四十七条), by reason: sender (on the "
                                 "tracking page) or retention (the period after the case ended).", labels=["reason"])
    by_reason = dict(session.execute(sa.select(Step.note, sa.func.count()).where(Step.action == "erase_contact")
                                     .group_by(Step.note)).all())
    for reason in ("sender", "retention"):
        erased.add_metric([reason], by_reason.get(reason, 0))
    yield erased
