"""Scores and rankings at county scale, at two sizes: a generated county of the sample
county's 121 units and one of 3,000 (a town per 30 units), each with a year of facts in the
same proportions — 133 obligation events a unit (about 400,000 at 3,000 units), 20,000
feedback events and 500 inspections at 3,000 (scaled down with the units) — inserted into
supervision's tables on PostgreSQL, their obligation marks built from them; then the year's
scores and rankings computed as of the year's end (time and peak memory), and the p99 of the
monthly and of the yearly ranking query against a plain `SELECT unit_code, count(*) ... GROUP
BY unit_code` over all the year's obligation facts in the same run.

    python -m benchmarks.supervision [--units N ...]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from services.common.db import insert_many, make_engine
from services.common.migrate import upgrade
from services.supervision import checklist, marks, rankings
from services.supervision.models import (
    FeedbackFact,
    Inspection,
    InspectionRecord,
    ObligationFact,
    UnitCopy,
)
from services.supervision.periods import Period

PG_ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
YEAR = 2025
SCORES = [(c["code"], d["code"], float(c["max"])) for d in checklist.default_content()["dimensions"]
          for c in d["criteria"]]


def _database() -> tuple[str, sa.Engine]:
    name = f"bench_supervision_{os.getpid()}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade("supervision", url)
    return name, admin


def populate(session, units: int, rng: random.Random) -> dict[str, int]:
    start = datetime(YEAR - 1, 12, 1, tzinfo=UTC)
    codes = [f"U{i:05d}" for i in range(units)]
    towns = [c for i, c in enumerate(codes) if i % 30 == 0]
    sectors = ("village", "agency", "school", "enterprise", "hospital")
    insert_many(session, UnitCopy.__table__, [
        {"code": c, "name": f"{c}党支部", "sector": "town" if c in towns else sectors[i % 5],
         "parent_code": None if c in towns else towns[i // 30], "town_code": towns[i // 30], "status": "active",
         "demonstration": i % 97 == 0, "revision": 1, "first_seen_at": start, "ended_at": None}
        for i, c in enumerate(codes)])
    obligation_rows, obligation_id = [], 0
    for code in codes:
        for _ in range(133):  # ~400,000 for 3,000 units
            obligation_id += 1
            due = date(YEAR, 1, 10) + timedelta(days=rng.randrange(355))
            at = datetime.combine(due, datetime.min.time(), UTC) + timedelta(days=rng.randrange(-5, 6))
            late = at.date() > due
            kind = "waived" if rng.random() < 0.02 else ("overdue" if late and rng.random() < 0.3 else "fulfilled")
            obligation_rows.append({"event_id": str(uuid.UUID(int=rng.getrandbits(128))), "obligation_id": obligation_id,
                                    "kind": kind, "unit_code": code, "entry_code": "E01", "matter": "村务：财务收支",
                                    "period": f"{YEAR}-{due.month:02d}", "due_on": due,
                                    "on_time": None if kind != "fulfilled" else not late,
                                    "occurred_at": at, "received_at": at + timedelta(seconds=1)})
    for i in range(0, len(obligation_rows), 20000):
        insert_many(session, ObligationFact.__table__, obligation_rows[i:i + 20000])
    marks.rebuild(session)  # the facts went in directly, not through facts.apply
    feedback_rows = []
    for n in range(max(1, 20000 * units // 3000) // 2):
        code, day = rng.choice(codes), date(YEAR, 1, 1) + timedelta(days=rng.randrange(360))
        at = datetime.combine(day, datetime.min.time(), UTC)
        feedback_rows.append({"event_id": str(uuid.uuid4()), "feedback_id": n, "kind": "answered", "unit_code": code,
                              "day": day, "on_time": rng.random() < 0.9, "rating": None, "occurred_at": at,
                              "received_at": at})
        feedback_rows.append({"event_id": str(uuid.uuid4()), "feedback_id": n, "kind": "rated", "unit_code": code,
                              "day": day, "on_time": None, "occurred_at": at, "received_at": at,
                              "rating": rng.choice(("satisfied", "basically_satisfied", "unsatisfied"))})
    insert_many(session, FeedbackFact.__table__, feedback_rows)
    rules = checklist.ensure(session, YEAR)
    inspections = max(1, 500 * units // 3000)
    for n in range(inspections):
        opens = date(YEAR, 1, 5) + timedelta(days=rng.randrange(340))
        inspected = rng.sample(codes, 6)
        inspection = Inspection(title=f"检查{n}", kind="random", window_opens=opens, window_closes=opens + timedelta(10),
                                unit_codes=inspected, inspectors=["a", "b"], assignments={c: ["a", "b"] for c in inspected},
                                checklist_id=rules.id, created_by="office", created_at=start)
        session.add(inspection)
        session.flush()
        at = datetime.combine(opens, datetime.min.time(), UTC) + timedelta(days=2)
        for code in inspected:
            session.add(InspectionRecord(inspection_id=inspection.id, unit_code=code, revision=1, status="submitted",
                                         inspector="a", inspected_on=opens, created_at=at, submitted_at=at, scores=[
                                             {"criterion": c, "dimension": d, "score": rng.uniform(m / 2, m), "max": m}
                                             for c, d, m in SCORES]))
    session.commit()
    return {"units": units, "obligation_events": len(obligation_rows), "feedback_events": len(feedback_rows),
            "inspections": inspections}


def _p99s(runs: dict[str, Callable[[], Any]], rounds: int = 10) -> dict[str, tuple[float, float]]:
    """(p99, median) of each run over `rounds` rounds, one of each a round (after one round to warm)."""
    timings: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(rounds + 1):
        for name, run in runs.items():
            began = time.perf_counter()
            run()
            if round_:
                timings[name].append(time.perf_counter() - began)
    return {name: (statistics.quantiles(times, n=100)[98], statistics.median(times)) for name, times in timings.items()}


SIZES = (121, 3000)


def report(sizes: tuple[int, ...] = SIZES) -> None:
    for units in sizes:
        report_one(units)


def report_one(units: int) -> None:
    try:
        name, admin = _database()
    except Exception as exc:  # no PostgreSQL here
        print(f"supervision scores: skipped, PostgreSQL at {PG_ADMIN_URL} not reachable ({type(exc).__name__})")
        return
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        session = sessionmaker(engine, expire_on_commit=False)()
        made = populate(session, units, random.Random(11))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
        as_of = datetime(YEAR + 1, 1, 10, tzinfo=UTC)
        tracemalloc.start()
        began = time.perf_counter()
        ranked = rankings.rankings(session, Period(str(YEAR)), as_of)
        took = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"supervision scores+rankings for {YEAR} ({made['units']} units, {made['obligation_events']} obligation "
              f"events, {made['feedback_events']} feedback events, {made['inspections']} inspections): "
              f"{took:.2f} s, peak {peak / 2**20:.0f} MiB, {len(ranked['units'])} ranked")
        runs = {"baseline": lambda: session.execute(sa.select(ObligationFact.unit_code, sa.func.count())
                                                    .group_by(ObligationFact.unit_code)).all(),
                "monthly": lambda: rankings.rankings(session, Period(f"{YEAR}-06"), as_of),
                "yearly": lambda: rankings.rankings(session, Period(str(YEAR)), as_of)}
        took = _p99s(runs)
        (base99, base50) = took["baseline"]
        for label in ("monthly", "yearly"):
            p99, p50 = took[label]
            print(f"{label} ranking query on PostgreSQL ({made['units']} units): p99 {p99 * 1000:.0f} ms (median "
                  f"{p50 * 1000:.0f} ms) vs plain GROUP BY count over the year's obligation facts p99 "
                  f"{base99 * 1000:.0f} ms (median {base50 * 1000:.0f} ms): ratio {p99 / base99:.2f} at p99, "
                  f"{p50 / base50:.2f} at the median; 10 runs each, interleaved")
        session.close()
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, nargs="+", default=list(SIZES))
    report(tuple(parser.parse_args().units))


if __name__ == "__main__":
    main()
