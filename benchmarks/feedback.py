"""Feedback at scale, each figure beside a baseline measured in the same run:

- intake over HTTP (POST /api/v1/feedback, rate limits off, every body different so the
  duplicate check lets it through): requests/s and p99, against the bare nameko endpoint that
  makes one RPC to a service returning a constant (the ceiling), and beside it the one making one
  RPC to units.get_unit (benchmarks/bare_http.py), with the same client (CONNECTIONS keep-alive
  connections from one process) on the same machine;
- the deadline timer's pass over 10,000 and 100,000 open feedback rows on PostgreSQL, two replicas
  running it at the same moment: the time, and that every row was claimed (and its event
  emitted) exactly once; against a plain `UPDATE ... SET` of the same rows.

    python -m benchmarks.feedback [--rows N] [--requests N] [--intake-only | --no-http]
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from services.common.config import ROOT
from services.common.db import UnitOfWork, insert_many
from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
from services.common.workdays import add_working_days, county_today
from services.feedback import deadlines
from services.feedback.models import Feedback
from services.feedback.settings import Settings
from tests.conftest import free_port, wait_for
from tests.processes import Cluster, base_env, temporary_vhost

from .obligations import PG_ADMIN_URL, _pg_reachable
from .registry_reads import settled

CONNECTIONS = 8


# --- intake over HTTP ---------------------------------------------------------------------

def _load(host: str, port: int, method: str, path: str, bodies: list[bytes | None]) -> dict[str, float]:
    """Send every body over CONNECTIONS keep-alive connections; requests/s and p99 (ms)."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    chunks = [bodies[i::CONNECTIONS] for i in range(CONNECTIONS)]

    def worker(chunk: list[bytes | None]) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        mine, bad = [], []
        for body in chunk:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status >= 300:
                bad.append(response.status)
        connection.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{path}: {len(failures)} answers were not 2xx ({sorted(set(failures))}); "
                           "the figure would be wrong")
    latencies.sort()
    return {"rps": len(bodies) / elapsed, "p99_ms": latencies[int(0.99 * (len(latencies) - 1))],
            "median_ms": statistics.median(latencies)}


def intake(amqp_uri: str, count: int) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        urls = {s: f"sqlite:///{tmp}/{s}.db" for s in SERVICES_WITH_DATABASE}
        for service, url in urls.items():
            upgrade(service, url)
        env = base_env(amqp_uri, urls, free_port())
        env["RATE_LIMITS_ENABLED"] = "false"  # measuring throughput, not the limiter
        cluster = Cluster(env, tmp)
        bare_port = free_port()
        bare = subprocess.Popen([str(Path(sys.executable).with_name("nameko")), "run", "--config",
                                 str(ROOT / "config.yaml"), "benchmarks.bare_http"], cwd=ROOT,
                                env={**env, "GATEWAY_ADDRESS": f"127.0.0.1:{bare_port}",
                                     "METRICS_ADDRESS": f"127.0.0.1:{free_port()}"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            subprocess.run([sys.executable, "-m", "services.units.load_sample"], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            api = cluster.start_everything()
            port = int(api.rsplit(":", 1)[1])
            body = {"target_kind": "unit", "target_id": "A001", "kind": "suggestion", "contact": "13800000000"}
            wait_for(lambda: requests.post(f"{api}/api/v1/feedback", json={**body, "content": "预热"}).status_code
                     == 201, timeout=60, message="feedback's copy of the county")
            wait_for(lambda: requests.get(f"http://127.0.0.1:{bare_port}/unit").ok, timeout=30,
                     message="the bare service")
            # the sample county's events handled everywhere first: measured on a quiet system, not beside
            # five services still taking in the registry (that halved the bare figures)
            wait_for(lambda: settled(amqp_uri, urls), timeout=600, interval=1, message="the sample's events handled")
            _load("127.0.0.1", bare_port, "GET", "/one-rpc", [None] * (count // 4))  # warm both
            _load("127.0.0.1", bare_port, "GET", "/unit", [None] * (count // 4))
            bare_rpc = _load("127.0.0.1", bare_port, "GET", "/one-rpc", [None] * count)
            bare_unit = _load("127.0.0.1", bare_port, "GET", "/unit", [None] * count)
            bodies = [json.dumps({**body, "content": f"基准建议第 {n} 条：村务公开栏请按月更新"},
                                 ensure_ascii=False).encode() for n in range(count)]
            posted = _load("127.0.0.1", port, "POST", "/api/v1/feedback", bodies)
            return {"bare_rpc": bare_rpc, "bare_unit": bare_unit, "intake": posted}
        finally:
            cluster.stop_all()
            bare.terminate()
            try:
                bare.wait(10)
            except subprocess.TimeoutExpired:
                bare.kill()
                bare.wait(10)


# --- the deadline timer over 100,000 open rows on PostgreSQL --------------------------------

def _fill(url: str, rows: int) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    now = datetime.now(timezone.utc)
    today = county_today()
    due = add_working_days(today, 1)  # every row is due soon: each gets its yellow warning
    with sessionmaker(engine)() as session:
        insert_many(session, Feedback.__table__, [
            {"tracking_code": f"B{n:09d}", "target_kind": "unit", "target_id": f"U{n % 3000:04d}",
             "unit_code": f"U{n % 3000:04d}", "kind": "opinion", "source": "public", "content": f"意见 {n}",
             "public": False, "status": "accepted", "received_at": now - timedelta(days=10),
             "acknowledge_due": today, "answer_due": due, "round": 1, "reopen_count": 0, "reports": 0,
             "answer_hidden": False} for n in range(rows)])
        session.commit()
        session.execute(sa.text("ANALYZE feedback"))
        session.commit()
    engine.dispose()


def _replica(url: str, ready: Any, go: Any, results: "multiprocessing.Queue") -> None:
    """One replica's pass, timed from the moment both replicas are started and connected
    (a timer runs in a service already up: its process start is not the pass)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    uow = UnitOfWork(sessionmaker(engine, expire_on_commit=False), "bench")
    with engine.connect():
        pass
    ready.release()
    go.wait()
    started = time.perf_counter()
    counts = deadlines.check_deadlines(uow, Settings())
    results.put({"seconds": time.perf_counter() - started, "counts": counts})
    uow.close()
    engine.dispose()


def timer_pass(rows: int) -> dict[str, object] | None:
    if not _pg_reachable():
        return None
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"bench_feedback_{int(time.time())}"
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade("feedback", url)
        _fill(url, rows)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        plain = float("inf")
        for _ in range(2):  # the baseline: one plain UPDATE of the same rows; the faster of two (warm, not
            with engine.begin() as conn:  # paying the first touch's hint bits, which would flatter the pass)
                started = time.perf_counter()
                conn.execute(sa.text("UPDATE feedback SET held_reason = NULL WHERE status = 'accepted'"))
                plain = min(plain, time.perf_counter() - started)
        context = multiprocessing.get_context("spawn")
        results, ready, go = context.Queue(), context.Semaphore(0), context.Event()
        replicas = [context.Process(target=_replica, args=(url, ready, go, results)) for _ in range(2)]
        for replica in replicas:
            replica.start()
        for _ in replicas:
            ready.acquire(timeout=120)
        started = time.perf_counter()
        go.set()
        outcomes = [results.get(timeout=1800) for _ in replicas]
        wall = time.perf_counter() - started
        for replica in replicas:
            replica.join()
        with engine.connect() as conn:
            events = conn.scalar(sa.text("SELECT count(*) FROM outbox WHERE type = 'FeedbackDueSoon'"))
            distinct = conn.scalar(sa.text(
                "SELECT count(DISTINCT CAST(body AS json) -> 'payload' ->> 'feedback_id') FROM outbox "
                "WHERE type = 'FeedbackDueSoon'"))
            claimed = conn.scalar(sa.text("SELECT count(*) FROM feedback WHERE due_soon_at IS NOT NULL"))
        engine.dispose()
        return {"rows": rows, "wall_s": wall, "plain_update_s": plain, "events": events, "distinct": distinct,
                "claimed": claimed, "per_replica": [o["counts"]["FeedbackDueSoon"] for o in outcomes]}
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(amqp_uri: str | None, rows: int = 100_000, count: int = 2000, timer: bool = True) -> None:
    if amqp_uri is not None:
        r = intake(amqp_uri, count)
        bare, unit, posted = r["bare_rpc"], r["bare_unit"], r["intake"]
        print(f"feedback intake over HTTP: {posted['rps']:.0f} req/s, p99 {posted['p99_ms']:.1f} ms "
              f"(POST /api/v1/feedback, {count} different bodies, rate limits off) vs the bare endpoint with one RPC "
              f"to a constant {bare['rps']:.0f} req/s, p99 {bare['p99_ms']:.1f} ms (ratio "
              f"{posted['rps'] / bare['rps']:.2f}), with one RPC to units.get_unit {unit['rps']:.0f} req/s, p99 "
              f"{unit['p99_ms']:.1f} ms (ratio {posted['rps'] / unit['rps']:.2f}); {CONNECTIONS} keep-alive connections")
    if not timer:
        return
    for size in (rows // 10, rows):  # the sample county's scale and ten times it: the slope
        t = timer_pass(size)
        if t is None:
            print(f"feedback deadline timer on PostgreSQL: skipped, {PG_ADMIN_URL} is not reachable")
            return
        once = t["events"] == t["distinct"] == t["claimed"] == t["rows"]
        print(f"feedback deadline timer: {t['rows']:,} open rows due soon, two replicas at once on PostgreSQL: "
              f"{t['wall_s']:.2f} s (claimed {t['per_replica'][0]:,} + {t['per_replica'][1]:,}; {t['events']:,} "
              f"events for {t['distinct']:,} feedback: {'each claimed once' if once else 'NOT ONCE EACH'}) vs one "
              f"plain UPDATE of the same rows {t['plain_update_s']:.2f} s "
              f"(ratio {t['wall_s'] / t['plain_update_s']:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--no-http", action="store_true", help="only the timer pass")
    only.add_argument("--intake-only", action="store_true", help="only intake over HTTP")
    args = parser.parse_args()
    if args.no_http:
        report(None, args.rows, args.requests)
        return
    with temporary_vhost() as amqp_uri:
        report(amqp_uri, args.rows, args.requests, timer=not args.intake_only)


if __name__ == "__main__":
    main()
