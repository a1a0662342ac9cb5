"""Health that tells the truth: every process answers /healthz (it works) and /readyz (its broker
consumers and database answer) on its metrics port; losing the broker or the database makes it
not ready, never ends it, and it is ready again by itself once they are back. The gateway's
public /readyz asks the services at most once per couple of seconds and says no exception text."""
from __future__ import annotations

import urllib.error
import urllib.request
from types import SimpleNamespace

import eventlet
import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from gateway import readiness
from services.common import health
from tests.conftest import free_port, wait_for
from tests.peers.tcp_relay import TcpRelay

SECRET = "password=hunter2 at 10.0.0.7"


def _client(checks: health.Checks) -> Client:
    return Client(health.make_app(checks))


def test_liveness_answers_whatever_the_checks_say():
    checks = health.Checks()
    checks.add("units.database", lambda: False)
    answer = _client(checks).get("/healthz")
    assert answer.status_code == 200 and answer.json == {"status": "alive"}


def test_readiness_names_each_check_and_hides_the_reason(caplog):
    checks = health.Checks()
    checks.add("units.broker", lambda: True)

    def database():
        raise sa.exc.OperationalError("SELECT 1", {}, Exception(SECRET))

    remove = checks.add("units.database", database)
    answer = _client(checks).get("/readyz")
    assert answer.status_code == 503
    assert answer.json == {"ready": False, "checks": {"units.broker": True, "units.database": False}}
    assert "hunter2" not in answer.get_data(as_text=True)
    assert "units.database failed" in caplog.text  # the reason is in the log
    remove()
    assert _client(checks).get("/readyz").status_code == 200


def test_a_check_that_hangs_is_not_ready_within_the_timeout(monkeypatch):
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.2)
    checks = health.Checks()
    checks.add("notify.database", lambda: eventlet.sleep(5) or True)
    started = eventlet.hubs.get_hub().clock()
    assert checks.run() == {"notify.database": False}
    assert eventlet.hubs.get_hub().clock() - started < 2


def test_no_checks_is_not_ready():
    assert _client(health.Checks()).get("/readyz").status_code == 503


def test_metrics_stay_on_the_same_port():
    answer = _client(health.Checks()).get("/metrics")
    assert answer.status_code == 200 and b"# TYPE python_gc_objects_collected_total counter" in answer.data


# --- the gateway's public readiness ---------------------------------------------------------

class _Client:
    """A service's client as the gateway holds it: health() answers or raises."""

    def __init__(self, name: str, fails: bool = False, delay: float = 0.0) -> None:
        self.service_name, self.fails, self.delay, self.calls = name, fails, delay, 0

    def health(self, timeout: float | None = None) -> dict:
        self.calls += 1
        if self.delay:
            eventlet.sleep(self.delay)
        if self.fails:
            raise RuntimeError(SECRET)
        return {"status": "ok"}


def test_public_readiness_is_cached_and_says_no_exception_text():
    now = [100.0]
    proxies = {"units": _Client("units"), "feedback": _Client("feedback", fails=True)}
    cached = readiness.CachedReadiness(ttl=2.0, clock=lambda: now[0])
    for _ in range(20):  # many probes within the period: one fan-out
        report = cached.report(lambda: proxies)
    assert report == {"ready": False, "services": {"units": {"ok": True}, "feedback": {"ok": False}}}
    assert SECRET not in repr(report)
    assert [p.calls for p in proxies.values()] == [1, 1]
    now[0] += 2.0
    proxies["feedback"].fails = False
    assert cached.report(lambda: proxies)["ready"] is True
    assert [p.calls for p in proxies.values()] == [2, 2]


def test_concurrent_askers_share_one_check():
    slow = _Client("units", delay=0.1)
    cached = readiness.CachedReadiness(ttl=2.0)
    pool = eventlet.GreenPool(10)
    answers = list(pool.imap(lambda _: cached.report(lambda: {"units": slow}), range(10)))
    assert all(a["ready"] for a in answers) and slow.calls == 1


# --- a real process losing its broker, then its database ------------------------------------

def _get(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _relayed(url: str) -> tuple[TcpRelay, str]:
    parsed = sa.engine.make_url(url)
    relay = TcpRelay(parsed.host or "127.0.0.1", parsed.port or 5432)
    return relay, parsed.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)


def _lose_and_recover(relay: TcpRelay, process, what: str) -> None:
    port = process.metrics_port
    relay.cut()
    wait_for(lambda: _get(port, "/readyz") == 503, timeout=30, interval=0.2, message=f"not ready without {what}")
    eventlet.sleep(3)  # a while without it: still running, still alive, still not ready
    assert process.proc.poll() is None, process.log_tail()
    assert _get(port, "/healthz") == 200 and _get(port, "/readyz") == 503
    relay.restore()
    wait_for(lambda: _get(port, "/readyz") == 200, timeout=60, interval=0.2, message=f"ready again with {what}")
    assert process.proc.poll() is None


def _relayed_broker(amqp_uri: str) -> tuple[TcpRelay, str]:
    broker = sa.engine.make_url(amqp_uri.replace("amqp://", "postgresql://", 1))
    relay = TcpRelay(broker.host, broker.port or 5672)
    return relay, amqp_uri.replace(f"{broker.host}:{broker.port or 5672}", f"127.0.0.1:{relay.port}", 1)


def _run_through_relays(cluster, name: str, amqp_uri: str, database_url: str | None, **env: str) -> None:
    """Start `name` with its broker (and its PostgreSQL database, if any) behind relays; cut
    each in turn and see it turn not ready, stay up, and be ready again by itself."""
    amqp_relay, env["AMQP_URI"] = _relayed_broker(amqp_uri)
    relays = [amqp_relay]
    postgres = bool(database_url and database_url.startswith("postgresql"))
    if postgres:  # SQLite is a file: there is no server to lose
        db_relay, env[f"{name.upper()}_DATABASE_URL"] = _relayed(database_url)
        relays.append(db_relay)
    process = cluster.launch(name, **env)
    try:
        process.wait_serving()
        wait_for(lambda: _get(process.metrics_port, "/readyz") == 200, timeout=30, interval=0.2,
                 message=f"{name} ready")
        _lose_and_recover(amqp_relay, process, "the broker")
        if postgres:
            _lose_and_recover(db_relay, process, "the database")
    finally:
        process.kill()  # thrown away: nameko's graceful stop would take 3 to 6 s more
        for relay in relays:
            relay.close()


# disclosure and notify: the two that exited in the fault suite's PostgreSQL phase before
@pytest.mark.parametrize("name", ["disclosure", "notify"])
def test_a_service_without_its_broker_or_database_is_not_ready_and_recovers(cluster, rabbit_config,
                                                                               database_urls, name):
    _run_through_relays(cluster, name, rabbit_config["AMQP_URI"], database_urls[name])


@pytest.mark.api_level  # the gateway has no database
def test_the_gateway_without_its_broker_is_not_ready_and_recovers(cluster, rabbit_config, database_urls):
    _run_through_relays(cluster, "gateway", rabbit_config["AMQP_URI"], None,
                        GATEWAY_ADDRESS=f"127.0.0.1:{free_port()}")


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_the_gateway_answers_on_its_metrics_port(lone_gateway, path):
    # alone on its vhost, the gateway's own consumers connect: ready, though no service is
    wait_for(lambda: _get(lone_gateway.process.metrics_port, path) == 200, timeout=30, interval=0.2,
             message=f"the gateway's {path} on its metrics port")
