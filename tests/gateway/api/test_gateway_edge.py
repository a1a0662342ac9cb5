"""The gateway's edge: rate limits per client and route class, CORS from config, security
headers, and the request id in every log line. Only the gateway runs, with small limits."""
import concurrent.futures
import logging
from types import SimpleNamespace

import eventlet
import pytest
import requests

from gateway import policy
from gateway.cors import Cors
from gateway.ratelimit import Rate, RateLimiter, limiter_from_config, route_class
from services.common import logs, tracing
from services.common.metrics import WorkerMetrics
from tests.test_end_to_end import token

ALLOWED = "https://portal.county.example.gov.cn"


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    from tests.conftest import free_port, wait_for
    from tests.processes import ServiceProcess, base_env, temporary_vhost

    with temporary_vhost() as amqp_uri:
        address = f"127.0.0.1:{free_port()}"
        process = ServiceProcess("gateway", base_env(amqp_uri, {}, 1025), tmp_path_factory.mktemp("logs"),
                                 GATEWAY_ADDRESS=address, RPC_TIMEOUT_SECONDS="1", RATE_LIMIT_FEEDBACK="3/minute",
                                 RATE_LIMIT_READ="8/minute", RATE_LIMIT_WRITE="6/minute", TRUST_PROXY="true",
                                 CORS_ORIGINS=f"{ALLOWED},http://localhost:5173", HSTS="true").start()
        api = f"http://{address}"
        wait_for(lambda: requests.get(f"{api}/healthz", timeout=2).status_code == 200, message="the gateway")
        yield SimpleNamespace(api=api, process=process)
        process.kill()  # thrown away with its vhost: no graceful stop to wait out


def as_client(address, **headers):
    """Headers making the (trusted) proxy say the call comes from `address`."""
    return {"X-Forwarded-For": f"203.0.113.99, {address}", **headers}


def test_feedback_is_limited_per_client_with_retry_after(edge):
    url = f"{edge.api}/api/v1/feedback"
    statuses = [requests.post(url, json={}, headers=as_client("198.51.100.1")).status_code for _ in range(3)]
    assert 429 not in statuses
    refused = requests.post(url, json={}, headers=as_client("198.51.100.1"))
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert refused.json()["request_id"] == refused.headers["X-Request-ID"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 20  # a token every 20 s
    assert requests.post(url, json={}, headers=as_client("198.51.100.2")).status_code != 429  # someone else
    member = token("member-7", "member")  # a signed-in caller counts as themselves, wherever from
    assert requests.post(url, json={}, headers=as_client("198.51.100.1", **member)).status_code != 429
    assert "gongkai_rate_limited_total{route_class=\"feedback\"}" in edge.process.metrics()


def test_sign_ins_are_limited_per_address_and_username_so_an_office_behind_one_nat_is_not(edge):
    """200 people of a township office behind one NAT sign in within the minute: none is limited
    (each name has its own bucket; the address's ceiling is 600 a minute). One name guessed at
    from there is limited after 10, and only that name from that address. (No units service
    runs here: a grant without a password is refused before any call, after the rate limit.)"""
    url = f"{edge.api}/api/v1/auth/token"
    office = as_client("198.51.100.200")
    statuses = [requests.post(url, json={"grant_type": "password", "username": f"op-{n:03d}"}, headers=office)
                .status_code for n in range(200)]
    assert 429 not in statuses and set(statuses) == {401}
    guessed = [requests.post(url, json={"grant_type": "password", "username": "rv-a001"}, headers=office)
               .status_code for _ in range(11)]
    assert guessed[:10] == [401] * 10 and guessed[10] == 429
    assert requests.post(url, json={"grant_type": "password", "username": "rv-a002"},
                         headers=office).status_code == 401  # another name from the office: still in
    assert requests.post(url, json={"grant_type": "password", "username": "rv-a001"},
                         headers=as_client("203.0.113.7")).status_code == 401  # the name from elsewhere


def test_reads_and_writes_are_limited_separately_and_health_never(edge):
    client = as_client("198.51.100.3")
    reads = [requests.get(f"{edge.api}/api/v1/nowhere", headers=client).status_code for _ in range(9)]
    assert reads[:8] == [404] * 8 and reads[8] == 429
    assert requests.post(f"{edge.api}/api/v1/nowhere", headers=client).status_code == 404  # writes: own bucket
    assert all(requests.get(f"{edge.api}/healthz", headers=client).status_code == 200 for _ in range(12))
    assert requests.get(f"{edge.api}/readyz", headers=client).status_code != 429


def test_cors_preflight_allowed_and_refused(edge):
    preflight = {"Origin": ALLOWED, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}
    for path in ("/api/v1/items", "/api/v1/items/1/approve", "/anything/at/all"):
        ok = requests.options(f"{edge.api}{path}", headers=preflight)  # no token needed
        assert ok.status_code == 204, (path, ok.text)
        assert ok.headers["Access-Control-Allow-Origin"] == ALLOWED
        assert ok.headers["Access-Control-Allow-Methods"] == "GET, POST, PUT, PATCH, DELETE"
        assert ok.headers["Access-Control-Allow-Headers"] == ("Authorization, Content-Type, X-Request-ID, X-API-Key, "
                                                              "Idempotency-Key, traceparent")
        assert ok.headers["Access-Control-Max-Age"] == "600" and "Origin" in ok.headers["Vary"]
    refused = requests.options(f"{edge.api}/api/v1/items", headers={**preflight, "Origin": "https://evil.example"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_cors_headers_on_a_normal_response(edge):
    response = requests.get(f"{edge.api}/api/v1/docs", headers=as_client("198.51.100.4", Origin=ALLOWED))
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Expose-Headers"] == (
        "X-Request-ID, traceparent, traceresponse, Retry-After, Idempotent-Replayed, Location")
    assert "Origin" in response.headers["Vary"]
    other = requests.get(f"{edge.api}/api/v1/docs", headers=as_client("198.51.100.4", Origin="https://evil.example"))
    assert "Access-Control-Allow-Origin" not in other.headers


def test_every_answer_carries_the_trace_it_belongs_to(edge):
    """The gateway's own span of the caller's trace, as traceparent and as traceresponse (W3C Trace
    Context Level 2 draft): on a success, a refusal, an unrouted path and a preflight; a caller
    that sent none (or an invalid one) learns the trace the gateway started."""
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    client = as_client("198.51.100.7", traceparent=caller)
    answers = [requests.get(f"{edge.api}/api/v1/openapi.json", headers=client),
               requests.post(f"{edge.api}/api/v1/units", headers=client, json={}),
               requests.get(f"{edge.api}/api/v1/nowhere", headers=client),
               requests.options(f"{edge.api}/api/v1/items", headers={**client, "Origin": ALLOWED,
                                                                     "Access-Control-Request-Method": "POST"})]
    assert [a.status_code for a in answers] == [200, 401, 404, 204]
    for answer in answers:
        echoed = answer.headers["traceparent"]
        assert tracing.parse(echoed)[0] == "4bf92f3577b34da6a3ce929d0e0e4736" and echoed != caller
        assert answer.headers["traceresponse"] == echoed
    assert len({a.headers["traceparent"] for a in answers}) == 4  # a span per request
    for sent in ({}, {"traceparent": "00-not-a-trace-01"}):
        started = requests.get(f"{edge.api}/healthz", headers=as_client("198.51.100.7", **sent)).headers
        assert tracing.parse(started["traceparent"]) and "4bf92f35" not in started["traceparent"]
    script = requests.get(f"{edge.api}/healthz", headers=as_client("198.51.100.7", Origin=ALLOWED)).headers
    exposed = [h.strip() for h in script["Access-Control-Expose-Headers"].split(",")]
    assert {"traceparent", "traceresponse"} <= set(exposed)


def test_security_headers_on_json_and_on_the_docs_page(edge):
    client = as_client("198.51.100.5")
    for response in (requests.get(f"{edge.api}/api/v1/openapi.json", headers=client),
                     requests.get(f"{edge.api}/api/v1/nowhere", headers=client),
                     requests.get(f"{edge.api}/api/v1/docs", headers=client)):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer" and headers["Cache-Control"] == "no-store"
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        if response.url.endswith("/docs"):
            assert headers["Content-Security-Policy"] == (
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                "frame-ancestors 'none'")
        else:
            assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_log_lines_carry_the_request_id(edge):
    def call(request_id):
        return requests.get(f"{edge.api}/api/v1/units", headers=as_client("198.51.100.6", **{
            "X-Request-ID": request_id})).status_code

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        assert list(pool.map(call, ["edge-log-a", "edge-log-b"])) == [503, 503]
    lines = edge.process.log_path.read_text().splitlines()
    assert any("[edge-log-a]" in line and "/api/v1/units answered 503" in line for line in lines), lines[-20:]
    assert any("[edge-log-b]" in line and "/api/v1/units answered 503" in line for line in lines)
    assert any("[-]" in line for line in lines)  # outside any request


# --- without processes -----------------------------------------------------------------------


def test_without_configured_origins_there_are_no_cors_headers():
    from werkzeug.wrappers import Response

    response = Cors("", hsts=False).decorate(Response("{}", mimetype="application/json"), ALLOWED, "/api/v1/items")
    assert not [h for h in response.headers.keys() if h.startswith("Access-Control") or h == "Vary"]
    assert "Strict-Transport-Security" not in response.headers
    assert policy.allowed_roles("OPTIONS", policy.CATCH_ALL) == policy.PUBLIC


def test_the_bucket_refills_and_stays_bounded():
    now = [0.0]
    limiter = RateLimiter({"feedback": Rate.parse("2/minute")}, max_keys=3, clock=lambda: now[0])
    assert limiter.check("a", "feedback") is None and limiter.check("a", "feedback") is None
    assert limiter.check("a", "feedback") == pytest.approx(30)
    now[0] = 30
    assert limiter.check("a", "feedback") is None
    for client in "bcde":
        limiter.check(client, "feedback")
    assert len(limiter._buckets) == 3 and ("a", "feedback") not in limiter._buckets
    assert limiter_from_config({"RATE_LIMITS": {"read": "1/minute"}, "RATE_LIMITS_ENABLED": False}).limits == {}
    assert limiter_from_config({"RATE_LIMITS": {"read": "1/minute"}}).limits == {"read": Rate(1, 60.0)}
    assert Rate.parse("3/10s") == Rate(3, 10.0) and Rate.parse("600/minute") == Rate(600, 60.0)
    assert [route_class(m, p) for m, p in [("POST", "/api/v1/auth/token"), ("POST", "/api/v1/feedback"),
                                           ("DELETE", "/api/v1/api-keys/1"), ("GET", "/api/v1/items"),
                                           ("GET", "/readyz")]] == ["login", "feedback", "write", "read", None]


def test_concurrent_workers_log_their_own_correlation_ids():
    """Each eventlet greenthread keeps its own id between the worker hooks."""
    metrics = WorkerMetrics()
    metrics.service, metrics._started, metrics._log_context = "test", {}, {}
    seen = {}

    def worker(correlation_id, call_id):
        ctx = type("WorkerContext", (), {})()  # hashable, like nameko's
        ctx.data, ctx.call_id = ({"correlation_id": correlation_id} if correlation_id else {}), call_id
        metrics.worker_setup(ctx)
        eventlet.sleep(0.01)  # let the other worker run in between
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
        logs.CorrelationFilter().filter(record)
        seen[call_id] = record.correlation_id
        metrics.worker_teardown(ctx)

    threads = [eventlet.spawn(worker, "req-one", "call-1"), eventlet.spawn(worker, None, "call-2")]
    for thread in threads:
        thread.wait()
    assert seen == {"call-1": "req-one", "call-2": "call-2"}
    assert logs.CORRELATION_ID.get() == "-"
