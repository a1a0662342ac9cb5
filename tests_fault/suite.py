"""The fault suite (`make fault`, `python -m tests_fault [--seed N] [--rounds N]`).

The production topology (tests_fault/topology.py) under a steady flow through both gateways
(items drafted, submitted, reviewed and approved, which publishes them; public feedback on
units), while faults are injected, one kind per phase, each in a loop with a fixed seed:

- kill: SIGKILL of a random service at a random moment, both replicas in turn, restarted at once;
- broker: RabbitMQ `rabbitmqctl stop_app` / `start_app`;
- postgres: PostgreSQL restarted with `pg_ctlcluster`;
- poison: a message no consumer can read on every gongkai.* queue;
- duplicate: every event of the run published again (each delivered twice).

After each phase, once the system is ready again (both /readyz 200, every outbox published,
every queue empty, no delivery pending), it checks each effect of the phase's items and
feedback: the processed marker of every consumer, feedback's target and supervision's fact
per item, the feedback rows, notify's deliveries, the emails at the SMTP sink (by Message-ID)
and the subscriber's webhooks (by webhook-id). It prints one table: fault, times injected,
events, lost, duplicated, resent, seconds to recover; and, at the end, the dead letters, which
must be the poisons only. Exit status 1 when anything was lost or duplicated, a phase did not
recover within two minutes, or a dead letter is not a poison. `resent` (an email or webhook
received again under its own Message-ID / webhook-id, when a sender is killed between the peer's
answer and recording it: no sender can close that window, and the id is how receivers drop the
repeat) is counted and printed, not failed.

PostgreSQL and RabbitMQ are the machine's own: they are restarted briefly and always left running.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import sqlalchemy as sa
from kombu import Connection

from gateway.auth import mint_token
from services.common.config import ROOT, load_config
from tests.processes import MANAGEMENT, PASSWORD, USER, base_env, temporary_vhost

from .flow import Flow
from .topology import SERVICES, SmtpSink, Topology, WebhookReceiver, drop_databases, fresh_databases

FAULTS = ("kill", "broker", "postgres", "poison", "duplicate")
PHASE_SECONDS = 25
RECOVER_TIMEOUT = 120
POISON = b"\xff not an event \x00"


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def q(url: str, sql: str, **params):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(sql), params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def ensure_services() -> None:
    subprocess.run(["bash", str(ROOT / "scripts/ensure-services.sh"), "all"], check=False)


class Suite:
    def __init__(self, seed: int, rounds: int, tmp: Path, amqp_uri: str, urls: dict[str, str]):
        self.random = random.Random(seed)
        self.rounds, self.tmp, self.amqp_uri, self.urls = rounds, tmp, amqp_uri, urls
        self.vhost = amqp_uri.rsplit("/", 1)[1]
        self.sink = SmtpSink(tmp / "mail")
        self.hooks = WebhookReceiver(tmp)
        env = base_env(amqp_uri, urls, self.sink.port)
        env.update(RATE_LIMITS_ENABLED="false", DATABASE_POOL_SIZE="2", NOTIFY_WEBHOOK_ALLOW="127.0.0.1",
                   WEBHOOK_ALLOW="127.0.0.1", NOTIFY_QUIET_HOURS="", NOTIFY_POLL_SECONDS="1",
                   NOTIFY_RETRY_BASE_SECONDS="1", NOTIFY_RETRY_MAX_SECONDS="5",
                   # production's retry schedule (tests shorten it): five attempts over half a minute
                   EVENT_MAX_ATTEMPTS="5", EVENT_RETRY_BASE_SECONDS="2", EVENT_RETRY_MAX_SECONDS="30")
        self.env = env
        self.topology = Topology(env, tmp)
        secret = load_config()["GATEWAY"]["JWT_SECRET"]
        self.tokens = {role: {"Authorization": "Bearer " + mint_token(secret, user, role, unit)} for role, user, unit in
                       (("operator", "op-a001", "A001"), ("reviewer", "rv-a001", "A001"),
                        ("subscriber", "county-bigdata", None), ("admin", "admin", None))}
        self.rows: list[tuple] = []
        self.poisons = 0
        self.odd: list[str] = []  # each effect seen other than once, for the report
        self.started_all: list[int] = []
        self.summary = ""

    # --- faults ---------------------------------------------------------------------------

    def inject(self, fault: str, n: int) -> None:
        if fault == "kill":
            name = SERVICES[(n + self.random.randrange(len(SERVICES))) % len(SERVICES)]
            replica = self.topology.replicas[name][n % 2]  # both replicas in turn
            replica.held = True
            replica.kill()
            time.sleep(self.random.uniform(0.5, 2))
            replica.restart()
            replica.held = False
        elif fault == "broker":
            subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True)
            try:
                time.sleep(self.random.uniform(2, 4))
            finally:
                subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True)
        elif fault == "postgres":
            version = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout.split()[0]
            try:
                subprocess.run(["pg_ctlcluster", version, "main", "restart"], check=True, capture_output=True)
            finally:
                ensure_services()
        elif fault == "poison":
            with Connection(self.amqp_uri) as conn:
                channel = conn.channel()
                for queue in self.queues():
                    channel.basic_publish(channel.prepare_message(POISON, content_type="application/json"),
                                          exchange="", routing_key=queue)
                    self.poisons += 1
        elif fault == "duplicate":
            for service in SERVICES:
                self.republish(service)

    def republish(self, service: str) -> None:
        """Every event of the service's outbox to be published again; the relay marking rows
        at the same moment may deadlock with this update, which is then tried again."""
        for attempt in range(10):
            try:
                q(self.urls[service], "UPDATE outbox SET published_at = NULL")
                return
            except sa.exc.OperationalError as exc:
                if "deadlock" not in str(exc) or attempt == 9:
                    raise
                time.sleep(0.2)

    def queues(self) -> list[str]:
        r = requests.get(f"{MANAGEMENT}/api/queues/{self.vhost}", auth=(USER, PASSWORD), timeout=10)
        return [x["name"] for x in r.json() if x["name"].startswith("gongkai.") and ".gateway." not in x["name"]]

    # --- quiescence and checks --------------------------------------------------------------

    def unquiet(self) -> str | None:
        """Why the system is not quiet yet (None once it is): not ready, an outbox row not
        published, a delivery pending, an event waiting for its retry, a message on a queue."""
        if not self.topology.ready():
            return "not ready"
        try:
            for service in SERVICES:
                if q(self.urls[service], "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0]:
                    return f"{service}'s outbox has rows to publish"
            pending = q(self.urls["notify"], "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')")
            if pending[0][0]:
                return f"notify has {pending[0][0]} deliveries pending"
            for service in SERVICES:
                retrying = q(self.urls[service], "SELECT count(*) FROM event_failures WHERE status = 'retrying'")
                if retrying[0][0]:
                    return f"{service} has {retrying[0][0]} events waiting for a retry"
            r = requests.get(f"{MANAGEMENT}/api/queues/{self.vhost}", auth=(USER, PASSWORD), timeout=10)
            busy = [f"{x['name']} ({x.get('messages')})" for x in r.json()
                    if x["name"].startswith("gongkai.") and x.get("messages", 0)]
            return f"messages on {', '.join(busy)}" if busy else None
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"

    def wait_quiet(self) -> float:
        started = time.monotonic()
        calm, why = 0, None
        while time.monotonic() - started < RECOVER_TIMEOUT:
            why = self.unquiet()
            calm = calm + 1 if why is None else 0
            if calm >= 3:  # three looks in a row, a second apart
                return time.monotonic() - started - 2
            time.sleep(1)
        say(f"  not quiet after {RECOVER_TIMEOUT} s: {why}")
        return float("nan")

    def check(self, items: list[int], feedback: list[str]) -> tuple[int, int, int]:
        """(events, lost, duplicated, resent) for the effects of these items and feedback. An
        email or webhook received again under its own Message-ID / webhook-id (a sender killed
        between the peer's answer and recording it) is `resent`: the receiver knows it for the
        same message by that id, which is what the id is for; anything else seen twice (two
        rows, two events, two ids for one effect) is `duplicated`."""
        resent = 0
        if not items:
            return 0, 0, 0, 0
        ids = ",".join(map(str, items))
        published = q(self.urls["disclosure"], "SELECT event_id, body FROM outbox WHERE type = 'ItemPublished'")
        wanted = set(items)
        events = {e for e, body in published if json.loads(body)["payload"].get("item_id") in wanted}
        received = q(self.urls["disclosure"], f"SELECT count(*) FROM items WHERE id IN ({ids}) AND status = 'published'")[0][0]
        lost = len(items) - received
        lost += max(0, len(items) - len(events))
        dup = max(0, len(events) - len(items))
        if dup:
            self.odd.append(f"{len(events)} ItemPublished events for {len(items)} items")
        for service, consumer in (("notify", "gongkai.notify.ItemPublished"),
                                  ("feedback", "gongkai.feedback.ItemPublished"),
                                  ("supervision", "gongkai.supervision.ItemPublished")):
            marked = {r[0] for r in q(self.urls[service], "SELECT event_id FROM processed_events WHERE consumer = :c",
                                      c=consumer)}
            lost += len(events - marked)
        targets = q(self.urls["feedback"], f"SELECT target_id, count(*) FROM targets WHERE kind = 'item' AND "
                                           f"target_id IN ({','.join(repr(str(i)) for i in items)}) GROUP BY target_id")
        lost += len(items) - len(targets)
        dup += sum(c - 1 for _, c in targets)
        self.odd += [f"feedback holds {c} targets for item {t}" for t, c in targets if c > 1]
        facts = q(self.urls["supervision"], f"SELECT count(*) FROM item_facts WHERE item_id IN ({ids})")[0][0]
        lost += max(0, len(items) - facts)
        dup += max(0, facts - len(items))
        if facts > len(items):
            self.odd.append(f"supervision holds {facts} facts for {len(items)} items")
        deliveries = q(self.urls["notify"], "SELECT cause_event_id, channel, message_id, status FROM deliveries "
                                            "WHERE cause_type = 'ItemPublished'")
        mine = [d for d in deliveries if d[0] in events]
        lost += len(events - {d[0] for d in mine if d[1] == "email"})
        lost += len(events - {d[0] for d in mine if d[1] == "webhook"})
        mail, hooks = self.sink.message_ids(), self.hooks.by_message
        for _, channel, message_id, status in mine:
            if channel == "email":
                seen = sum(c for m, c in mail.items() if message_id and message_id.strip("<>") in m)
            elif channel == "webhook":
                seen = hooks.get(message_id, 0)
            else:
                continue
            lost += seen == 0
            resent += max(0, seen - 1)
            if seen != 1:
                self.odd.append(f"{channel} {message_id} ({status}) received {seen} times")
        for text in feedback:
            rows = q(self.urls["feedback"], "SELECT count(*) FROM feedback WHERE content = :t", t=text)[0][0]
            lost += rows == 0
            dup += max(0, rows - 1)
            if rows > 1:
                self.odd.append(f"feedback {text!r} stored {rows} times")
        return len(events) + len(feedback), lost, dup, resent

    # --- the run --------------------------------------------------------------------------

    def setup(self) -> None:
        say("loading the sample county and the demo accounts")
        for loader in ("services.units.load_sample", "services.units.demo_accounts"):
            subprocess.run([sys.executable, "-m", loader], cwd=ROOT, env=self.env, check=True, capture_output=True)
        say("starting two replicas of every service and two gateways")
        started = time.monotonic()
        self.topology.start()
        say(f"ready after {time.monotonic() - started:.0f} s")
        api = self.topology.gateways[0]
        made = requests.post(f"{api}/api/v1/webhooks", headers=self.tokens["subscriber"], timeout=15,
                             json={"url": self.hooks.url, "event_types": ["ItemPublished"]})
        if made.status_code != 201:
            raise RuntimeError(f"could not register the subscriber's webhook: {made.status_code} {made.text}")

    def phase(self, fault: str) -> None:
        say(f"phase {fault}")
        restarts_before = len(self.topology.restarts)
        flow = Flow(self.topology.gateways, self.tokens, fault)
        flow.start()
        moments = sorted(self.random.uniform(2, PHASE_SECONDS - 3) for _ in range(self.rounds))
        started, injected = time.monotonic(), 0
        for moment in moments:
            time.sleep(max(0.0, moment - (time.monotonic() - started)))
            self.inject(fault, injected)
            injected += 1
        time.sleep(max(0.0, PHASE_SECONDS - (time.monotonic() - started)))
        flow.stopping.set()
        flow.join(120)
        recovered = self.wait_quiet()
        events, lost, dup, resent = self.check(flow.items, flow.feedback)
        if fault == "duplicate":  # every event of the run again: judge all that was published so far
            events, lost, dup, resent = self.check(self.started_all + flow.items, [])
        self.started_all += flow.items
        self.rows.append((fault, injected, events, lost, dup, resent, recovered))
        exited = self.topology.restarts[restarts_before:]
        for line in self.odd + self.topology.exits:
            say(f"  {line}")
        self.odd.clear()
        self.topology.exits.clear()
        say(f"{fault}: {injected} injected, {events} events, lost {lost}, duplicated {dup}, resent {resent}, "
            f"recovered in "
            f"{recovered:.1f} s; replicas that exited by themselves and were restarted: {', '.join(exited) or 'none'}")

    def dead_letters(self) -> tuple[int, int]:
        dead = [r for s in SERVICES for r in q(self.urls[s], "SELECT event_id, body_bytes FROM event_failures "
                                                                "WHERE status = 'dead'")]
        poisons = sum(1 for event_id, size in dead if event_id is None and size == len(POISON))
        return len(dead), poisons

    def report(self, expected: int) -> bool:
        """Prints the table and the verdict; keeps them (self.summary) to print again after the
        replicas' logs, so that a failed run ends with what failed, not with a log's tail."""
        lines = [f"\n{'fault':<10} {'injected':>8} {'events':>7} {'lost':>5} {'duplicated':>10} {'resent':>6} "
                 f"{'s to recover':>12}"]
        for fault, injected, events, lost, dup, resent, recovered in self.rows:
            lines.append(f"{fault:<10} {injected:>8} {events:>7} {lost:>5} {dup:>10} {resent:>6} {recovered:>12.1f}")
        lines.append("resent: an email or webhook received again under the same Message-ID / webhook-id, a sender "
                     "killed between the peer's answer and recording it; receivers drop it by that id")
        lines.append(f"replicas that exited by themselves (restarted as compose's restart policy does): "
                     f"{len(self.topology.restarts)} ({', '.join(sorted(set(self.topology.restarts))) or 'none'})")
        dead, poisons = self.dead_letters()
        lines.append(f"dead letters: {dead}, of which poisons {poisons} (poisons sent: {self.poisons})")
        why = self.failures(expected, dead, poisons)
        lines += [f"failed: {reason}" for reason in why]
        lines.append(f"fault suite: {'FAILED' if why else 'ok'} ({len(self.rows)} faults, "
                     f"{sum(r[1] for r in self.rows)} injections, {sum(r[2] for r in self.rows)} events checked)")
        self.summary = "\n".join(lines)
        print(self.summary, flush=True)
        return not why

    def failures(self, expected: int, dead: int, poisons: int) -> list[str]:
        """Each reason the run fails, in words; none when it passed."""
        why = [f"{fault}: {lost} lost, {dup} duplicated" for fault, _, _, lost, dup, _, _ in self.rows if lost or dup]
        why += [f"{fault}: not quiet within {RECOVER_TIMEOUT} s" for fault, *_, recovered in self.rows
                if recovered != recovered]  # NaN
        why += [f"{fault}: no event checked" for fault, _, events, *_ in self.rows if not events]
        if not dead == poisons == self.poisons:
            why.append(f"{dead} dead letters, {poisons} of them poisons, {self.poisons} poisons sent")
        if len(self.rows) != expected:
            why.append(f"{len(self.rows)} phases ran of {expected}")
        return why


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FAULT_SEED", 15)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("FAULT_ROUNDS", 3)),
                        help="injections per fault")
    parser.add_argument("--only", choices=FAULTS, action="append", help="run these faults only")
    args = parser.parse_args()
    ensure_services()
    print(f"fault suite: seed {args.seed}, {args.rounds} injections per fault")
    ok = False
    urls = fresh_databases()
    try:
        with tempfile.TemporaryDirectory() as tmp, temporary_vhost() as amqp_uri:
            suite = Suite(args.seed, args.rounds, Path(tmp), amqp_uri, urls)
            try:
                suite.setup()
                ready_at = time.monotonic()
                for fault in args.only or FAULTS:
                    suite.phase(fault)
                print(f"phases ran for {time.monotonic() - ready_at:.0f} s")
                ok = suite.report(len(args.only or FAULTS))
            finally:
                suite.topology.stop()
                if not ok:
                    print(suite.topology.logs())
                    print(suite.summary or "fault suite: FAILED before its report", flush=True)
                suite.sink.stop()
                suite.hooks.stop()
    finally:
        ensure_services()
        drop_databases(urls)
    sys.exit(0 if ok else 1)
