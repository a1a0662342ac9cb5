"""A county's year of obligations at scale: generating them from the approved plan for
generated counties of 1,000 and 10,000 units and a 40-entry catalogue (time, peak memory,
count) on SQLite and, when reachable, on PostgreSQL, each beside its floor measured in the same
run: the same rows copied by one INSERT ... SELECT into an empty table with the same indexes;
then the progress query (per town and sector) over the larger year on PostgreSQL, against a
plain `SELECT count(*)` of the same obligations. At 10,000 units on PostgreSQL the time is judged
against the issue's target: a year's obligations in under 30 s.

    python -m benchmarks.obligations [--units N ...]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timezone
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from services.common.db import UnitOfWork, make_engine
from services.common.migrate import upgrade
from services.common.workdays import county_today
from services.disclosure import periods, progress, scheduling
from services.disclosure.models import CatalogueEntry, Obligation, Plan, UnitCopy

from .registry import generate_registry

PG_ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
ALL = ("agency", "town", "village", "school", "enterprise", "hospital")
GRASSROOTS = ("town", "village")
SERVICE_UNITS = ("agency", "school", "hospital")
# (frequency, sectors, how many): 40 entries in the shape of a county catalogue, village
# finances monthly and general matters quarterly (村民委员会组织法), the rest yearly or long-term
_CATALOGUE = (("monthly", ("village",), 3), ("monthly", ALL, 3), ("monthly", GRASSROOTS + SERVICE_UNITS, 2),
              ("quarterly", ALL, 6), ("quarterly", ("village",), 2), ("quarterly", SERVICE_UNITS, 2),
              ("half_yearly", ALL, 3), ("half_yearly", ("enterprise", "agency"), 1),
              ("yearly", ALL, 5), ("yearly", GRASSROOTS, 2), ("long_term", ALL, 4), ("long_term", ("village",), 1),
              ("on_event", ALL, 4), ("prior", ALL, 2))


def generate_catalogue() -> list[dict[str, Any]]:
    entries, n = [], 0
    for frequency, sectors, count in _CATALOGUE:
        for _ in range(count):
            n += 1
            entries.append({"code": f"B{n:02d}", "version": 1, "matter": "党务公开", "sub_matter": f"基准事项{n:02d}",
                            "content_elements": "要素", "basis": "中国共产党党务公开条例（试行）", "time_limit": frequency,
                            "audience": "society", "carriers": ["公开栏", "网站"], "sectors": list(sectors),
                            "frequency": frequency, "grace_days": 10 if frequency in periods.PERIODIC
                            else None, "within_days": 10 if frequency in ("long_term", "on_event") else None,
                            "display_days": 15 if frequency == "prior" else None, "valid_from": date(2000, 1, 1),
                            "valid_to": None, "changed_by": "bench", "changed_at": datetime.now(timezone.utc)})
    assert len(entries) == 40
    return entries


def unit_copies(n: int) -> list[dict[str, Any]]:
    """The generated registry as disclosure's copy of it, towns worked out from the tree."""
    units = generate_registry(n)
    by_code = {u["code"]: u for u in units}

    def town_of(code: str | None) -> str | None:
        while code is not None:
            if by_code[code]["sector"] == "town":
                return code
            code = by_code[code]["parent_code"]
        return None

    return [{"code": u["code"], "name": u["name"], "sector": u["sector"], "parent_code": u["parent_code"],
             "status": "active", "merged_into": None, "revision": 1, "town_code": town_of(u["code"])} for u in units]


def _prepare(url: str, units: list[dict[str, Any]], year: int) -> UnitOfWork:
    upgrade("disclosure", url)
    uow = UnitOfWork(sessionmaker(make_engine(url), expire_on_commit=False), "bench")
    uow.session.execute(sa.insert(UnitCopy), units)
    uow.session.execute(sa.insert(CatalogueEntry), generate_catalogue())
    uow.session.add(Plan(year=year, title=f"{year}年党务公开实施方案", goals=[], milestones=[], carriers=[], forms=[],
                         status="approved", consultation_days=7, created_by="bench",
                         created_at=datetime.now(timezone.utc), approved_at=datetime.now(timezone.utc)))
    uow.commit()
    return uow


def _generate(uow: UnitOfWork, year: int) -> tuple[float, int]:
    started = time.perf_counter()
    created = scheduling.schedule_year(uow, year)
    uow.commit()
    return time.perf_counter() - started, created


def copy_floor(uow: UnitOfWork) -> float:
    """Seconds to copy the year's obligations with one INSERT ... SELECT into an empty table with
    the same columns and indexes: what writing these rows costs the database, whoever makes them."""
    metadata = sa.MetaData()
    CatalogueEntry.__table__.to_metadata(metadata)  # what its foreign key names
    copy = Obligation.__table__.to_metadata(metadata, name="obligations_floor")
    for index in copy.indexes:
        index.name = f"{index.name}_floor"
    for constraint in copy.constraints:
        constraint.name = f"{constraint.name}_floor" if isinstance(constraint.name, str) else None
    session = uow.session
    copy.create(session.connection())
    uow.commit()
    columns = [c.name for c in Obligation.__table__.columns if c.name != "id"]
    started = time.perf_counter()
    session.execute(copy.insert().from_select(columns, sa.select(*(Obligation.__table__.c[c] for c in columns))
                                              .order_by(Obligation.id)))
    uow.commit()
    took = time.perf_counter() - started
    copy.drop(session.connection())
    uow.commit()
    return took


def generation(make_url: Callable[[str], str], units: list[dict[str, Any]], year: int) -> dict[str, Any]:
    """Time on a fresh database and the floor there, then peak memory (tracemalloc) on a second fresh one."""
    uow = _prepare(make_url("timed"), units, year)
    seconds, created = _generate(uow, year)
    load = os.getloadavg()[0]  # the last minute's, as the generation ends: the machine may be shared
    floor = copy_floor(uow)
    again_started = time.perf_counter()
    again = scheduling.schedule_year(uow, year)
    uow.commit()
    again_s = time.perf_counter() - again_started
    events = uow.session.scalar(sa.text("SELECT count(*) FROM outbox"))
    traced = _prepare(make_url("traced"), units, year)
    tracemalloc.start()
    try:
        _generate(traced, year)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        traced.close()
    return {"uow": uow, "seconds": seconds, "created": created, "again": again, "again_s": again_s,
            "events": events, "peak_mib": peak / (1024 * 1024), "floor": floor, "load": load}


def _timed(fn: Callable[[], Any], runs: int = 20) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]


def _pg_reachable() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def _line(backend: str, n: int, r: dict[str, Any]) -> str:
    return (f"obligations generation ({backend}): {r['created']} obligations for {n} units × 40 entries in "
            f"{r['seconds']:.1f} s ({r['created'] / r['seconds']:.0f}/s, {r['events']} ObligationsScheduled events), "
            f"peak {r['peak_mib']:.1f} MiB; floor (the same rows copied by one INSERT ... SELECT) {r['floor']:.1f} s, "
            f"ratio {r['seconds'] / r['floor']:.2f}; scheduling again adds {r['again']} in {r['again_s']:.1f} s")


SIZES = (1000, 10000)
TARGET_UNITS, TARGET_S = 10000, 30.0  # the target: a 10,000-unit county's year in under 30 s


def verdict(r: dict[str, Any]) -> str:
    met = "met" if r["seconds"] < TARGET_S else "NOT met"
    return (f"target (a year's obligations for {TARGET_UNITS} units on PostgreSQL in under {TARGET_S:.0f} s): "
            f"{met}, {r['seconds']:.1f} s (load average {r['load']:.1f} on {os.cpu_count()} cores as it ended)")


def report(sizes: tuple[int, ...] = SIZES) -> None:
    year = county_today().year + 1  # a whole year ahead: every period still to come
    pg = _pg_reachable()
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    base = sa.engine.make_url(PG_ADMIN_URL)
    names = {kind: f"bench_obligations_{os.getpid()}_{kind}" for kind in ("timed", "traced")}
    for n in sizes:
        units = unit_copies(n)
        with tempfile.TemporaryDirectory() as tmp:
            r = generation(lambda name: f"sqlite:///{tmp}/{name}.db", units, year)
            r["uow"].close()
            print(_line("SQLite", n, r))
        if not pg:
            print(f"obligations on PostgreSQL: skipped, {PG_ADMIN_URL} is not reachable")
            continue
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            r = generation(lambda kind: base.set(database=names[kind]).render_as_string(hide_password=False), units,
                           year)
            print(_line("PostgreSQL", n, r))
            if n == TARGET_UNITS:
                print(verdict(r))
            if n == max(sizes):
                _progress(r["uow"], year)
            r["uow"].close()
        finally:
            with admin.connect() as conn:
                for name in names.values():
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _progress(uow: UnitOfWork, year: int) -> None:
    session = uow.session
    with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE obligations"))
    total = session.scalar(sa.select(sa.func.count()).select_from(Obligation))
    some_id = session.scalar(sa.select(sa.func.max(Obligation.id)))
    median, p95 = _timed(lambda: progress.by_town_and_sector(session, {"year": year}))
    rows = len(progress.by_town_and_sector(session, {"year": year})["rows"])
    count_median, count_p95 = _timed(lambda: session.scalar(
        sa.select(sa.func.count()).select_from(Obligation).where(Obligation.year == year)))
    pk_median, _ = _timed(lambda: session.get(Obligation, some_id, populate_existing=True))
    print(f"progress query (PostgreSQL, {total} obligations, {rows} town×sector rows): median {median:.1f} ms, "
          f"p95 {p95:.1f} ms over 20 runs; baseline SELECT count(*) of the year median {count_median:.1f} ms "
          f"(p95 {count_p95:.1f} ms), ratio {median / count_median:.2f}; one obligation by id {pk_median:.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, nargs="+", default=list(SIZES))
    report(tuple(parser.parse_args().units))
