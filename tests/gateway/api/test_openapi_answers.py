"""The contract integrators build on, on a running county. The OpenAPI document's answers against
what the routes really answer:
each role calls a representative set of routes — the public's reads, the clerk's day (an item
drafted, submitted, reviewed and approved; feedback received, accepted, answered), the office's
dashboards, the administrator's keys and webhooks, a subscriber's feed — and every answer,
successes and refusals alike, is validated against the schema the document gives for its
operation, status and content type. A route whose answer changes shape fails here until the
schema follows it. Then the security schemes, the webhooks, problem details, and
Idempotency-Key across two gateways."""
from __future__ import annotations

import json
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from jsonschema import Draft202012Validator

from tests.conftest import free_port, wait_for
from tests.processes import ServiceProcess
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

UNIT = "A001"
OPERATOR, REVIEWER = token("op-a001", "operator", UNIT), token("rv-a001", "reviewer", UNIT)
OFFICE, ADMIN, AUDITOR = token("office", "inspector"), token("admin", "admin"), token("auditor", "auditor")
MEMBER = token("member-a001", "member", UNIT)
DUMP = os.environ.get("ANSWERS_DUMP")  # a file to write every answer to, to read them


@pytest.fixture(scope="module")
def county(contract_county):
    """The session's contract cluster (tests/gateway/api/contract_fixtures.py), shared with
    the other contract module."""
    return contract_county


@pytest.fixture(scope="module")
def document(county):
    return requests.get(f"{county.api}/api/v1/openapi.json", timeout=30).json()


class Caller:
    """Calls a route by its documented path and checks the answer against the document."""

    def __init__(self, api: str, document: dict):
        self.api, self.document, self.checked = api, document, []

    def __call__(self, method: str, route: str, headers: dict | None = None, expect: int | None = None,
                 **kwargs) -> requests.Response:
        values = kwargs.pop("path", {})
        url = self.api + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), route)
        response = requests.request(method, url, headers=headers or {}, timeout=60, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (method, url, response.status_code, response.text)
        self.check(method, route, response)
        return response

    def check(self, method: str, path: str, response: requests.Response) -> None:
        operation = self.document["paths"][path][method.lower()]
        status = str(response.status_code)
        assert status in operation["responses"], (method, path, status, "status not documented")
        documented = operation["responses"][status]
        self.check_headers(method, path, status, documented, response)
        if response.status_code in (204, 304):
            return
        media_type = response.headers["Content-Type"].split(";")[0].strip()
        assert media_type in documented.get("content", {}), (method, path, status, media_type)
        schema = documented["content"][media_type].get("schema")
        assert schema, (method, path, status, "no schema")
        body = response.json()
        if DUMP:
            with open(DUMP, "a") as out:
                out.write(json.dumps({"op": f"{method} {path}", "status": status, "body": body},
                                     ensure_ascii=False) + "\n")
        validator = Draft202012Validator({**schema, "components": self.document["components"]})
        problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
        assert not problems, (method, path, status, problems[:5])
        self.checked.append((method, path, status))


    def check_headers(self, method: str, path: str, status: str, documented: dict,
                      response: requests.Response) -> None:
        """Every header the document promises is there, in the shape it says."""
        for name, ref in documented.get("headers", {}).items():
            header = self.document["components"]["headers"][ref["$ref"].rsplit("/", 1)[1]]
            value = response.headers.get(name)
            if value is None:
                assert not header.get("required"), (method, path, status, name, "missing")
                continue
            validator = Draft202012Validator(header["schema"])
            assert validator.is_valid(value), (method, path, status, name, value)
        undocumented = {"traceparent", "traceresponse", "X-Request-ID", "Idempotent-Replayed", "Location"} & {
            name for name in response.headers if name not in documented.get("headers", {})}
        assert not undocumented, (method, path, status, undocumented)


@pytest.fixture(scope="module")
def call(county, document):
    return Caller(county.api, document)


def test_every_operation_documents_its_answers(document):
    """Every JSON success and every error status has a schema; no operation is left bare."""
    bare = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                for media_type, content in response.get("content", {}).items():
                    if media_type.endswith("json") and "schema" not in content:
                        bare.append((method, path, status, media_type))
    assert not bare, bare[:10]


def test_every_answer_documents_its_trace_headers(document):
    """traceparent, traceresponse and X-Request-ID are described once (components.headers) and
    referenced from every response of every operation; Idempotent-Replayed from every success of
    a route that takes an Idempotency-Key, Location from every 202."""
    headers = document["components"]["headers"]
    assert {"traceparent", "traceresponse", "X-Request-ID", "Idempotent-Replayed", "Location"} <= set(headers)
    assert headers["traceparent"]["required"] and headers["traceresponse"]["required"]
    assert not headers["Idempotent-Replayed"]["required"]
    missing, keyed = [], 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            takes_key = any(p.get("name") == "Idempotency-Key" for p in operation["parameters"])
            keyed += takes_key
            for status, response in operation["responses"].items():
                wanted = {"traceparent", "traceresponse", "X-Request-ID"}
                wanted |= {"Idempotent-Replayed"} if takes_key and status.startswith("2") else set()
                wanted |= {"Location"} if status == "202" else set()
                refs = {name: ref.get("$ref") for name, ref in response.get("headers", {}).items()}
                if any(refs.get(name) != f"#/components/headers/{name}" for name in wanted):
                    missing.append((method, path, status, sorted(wanted - set(refs))))
    assert keyed and not missing, missing[:10]


def test_the_publics_reads(call):
    call("GET", "/healthz", expect=200)
    call("GET", "/readyz")  # 200, or 503 with the same report while a service is slow
    units = call("GET", "/api/v1/units", params={"limit": 5}, expect=200).json()
    call("GET", "/api/v1/units", params={"cursor": units["next_cursor"]}, expect=200)
    call("GET", "/api/v1/units/{code}", path={"code": UNIT}, expect=200)
    call("GET", "/api/v1/units/{code}/{relation}", path={"code": "T01", "relation": "children"}, expect=200)
    catalogue = call("GET", "/api/v1/catalogue", expect=200).json()
    call("GET", "/api/v1/catalogue/{code}", path={"code": catalogue["items"][0]["code"]}, expect=200)
    plans = call("GET", "/api/v1/plans", expect=200).json()["items"]
    call("GET", "/api/v1/plans/{plan_id}", path={"plan_id": plans[0]["id"]}, expect=200)
    call("GET", "/api/v1/items", expect=200)
    call("GET", "/api/v1/designations", expect=200)
    call("GET", "/api/v1/answers", params={"unit": UNIT}, expect=200)
    call("GET", "/api/v1/units/{code}", path={"code": "NOPE9"}, expect=404)
    call("GET", "/api/v1/units", params={"limit": 0}, expect=400)
    call("GET", "/api/v1/obligations", expect=401)
    call("POST", "/api/v1/units", headers=OPERATOR, json={}, expect=403)


def test_signing_in(call):
    signed = call("POST", "/api/v1/auth/token", json={"grant_type": "password", "username": "op-a001",
                                                      "password": "gongkai-demo-2026"}, expect=200).json()
    bearer = {"Authorization": f"Bearer {signed['access_token']}"}
    call("GET", "/api/v1/auth/me", headers=bearer, expect=200)
    call("POST", "/api/v1/auth/token", json={"grant_type": "password", "username": "op-a001",
                                             "password": "wrong"}, expect=401)
    call("POST", "/api/v1/auth/logout", json={"refresh_token": signed["refresh_token"]}, expect=204)


def test_the_clerks_day(call):
    wait_for(lambda: requests.get(f"{call.api}/api/v1/obligations", headers=OPERATOR, timeout=10).json()["items"],
             timeout=90, message="the unit's obligations for the year")
    obligations = call("GET", "/api/v1/obligations", headers=OPERATOR, expect=200).json()
    obligation = obligations["items"][0]
    call("GET", "/api/v1/obligations/{obligation_id}", headers=OPERATOR, path={"obligation_id": obligation["id"]},
         expect=200)
    item = call("POST", "/api/v1/items", headers=OPERATOR, expect=201, json={
        "unit_code": UNIT, "title": "2026年第一季度党费收缴情况", "body": "收缴党费 12,000 元。",
        "audience": "society", "carriers": ["网站"], "obligation_id": obligation["id"]}).json()
    one = {"item_id": item["id"]}
    call("PATCH", "/api/v1/items/{item_id}", headers=OPERATOR, path=one, json={"body": "收缴党费 12,400 元。"},
         expect=200)
    call("POST", "/api/v1/items/{item_id}/{action}", headers=OPERATOR, path={**one, "action": "submit"},
         expect=200)
    call("POST", "/api/v1/items/{item_id}/{action}", headers=OPERATOR, path={**one, "action": "submit"},
         expect=409)
    call("POST", "/api/v1/items/{item_id}/{action}", headers=REVIEWER, path={**one, "action": "review"},
         expect=200)
    call("POST", "/api/v1/items/{item_id}/{action}", headers=REVIEWER, path={**one, "action": "approve"},
         expect=200)
    call("GET", "/api/v1/items/{item_id}", headers=OPERATOR, path=one, expect=200)
    wait_for(lambda: requests.get(f"{call.api}/api/v1/items/{item['id']}", timeout=10).status_code == 200,
             timeout=30, message="the published item in the public's reads")
    call("GET", "/api/v1/items/{item_id}", path=one, expect=200)
    call("GET", "/api/v1/items", params={"unit": UNIT}, expect=200)
    call("GET", "/api/v1/items/{item_id}/versions", headers=OPERATOR, path=one, expect=200)
    call("GET", "/api/v1/items", headers=OPERATOR, params={"unit": UNIT}, expect=200)
    call("POST", "/api/v1/items", headers=OPERATOR, json={"title": ""}, expect=400)

    receipt = call("POST", "/api/v1/feedback", expect=201, json={
        "target_kind": "unit", "target_id": UNIT, "kind": "question", "content": "党费收缴的标准是什么？"}).json()
    call("GET", "/api/v1/feedback/{tracking_code}", path={"tracking_code": receipt["tracking_code"]}, expect=200)
    queue = call("GET", "/api/v1/feedback", headers=OPERATOR, expect=200).json()["items"]
    case = next(one for one in queue if one["tracking_code"] == receipt["tracking_code"])
    by_id = {"feedback_id": case["id"]}
    call("GET", "/api/v1/feedback/{feedback_id}", headers=OPERATOR, path=by_id, expect=200)
    call("POST", "/api/v1/feedback/{feedback_id}/{action}", headers=OPERATOR, path={**by_id, "action": "accept"},
         expect=200)
    call("POST", "/api/v1/feedback/{feedback_id}/answer", headers=OPERATOR, path=by_id,
         json={"body": "按党章规定的比例按月交纳。"}, expect=200)
    call("POST", "/api/v1/feedback/{feedback_id}/approve-answer", headers=REVIEWER, path=by_id, json={},
         expect=200)
    call("GET", "/api/v1/notifications", headers=OPERATOR, expect=200)


def test_the_offices_dashboards(call):
    for path in ("/api/v1/scores", "/api/v1/rankings"):
        call("GET", path, headers=OFFICE, params={"period": "2026-11"}, expect=200)
    wrong = []
    for path in ("/api/v1/progress", "/api/v1/reports", "/api/v1/inspections",
                 "/api/v1/rectifications", "/api/v1/calendar", "/api/v1/candidates", "/api/v1/commitments",
                 "/api/v1/checklists", "/api/v1/events", "/api/v1/deliveries"):
        try:
            call("GET", path, headers=OFFICE, expect=200)
        except AssertionError as exc:
            wrong.append(exc.args)
    assert not wrong, wrong
    call("GET", "/api/v1/audit", headers=AUDITOR, expect=200)  # the audit administrator's alone
    call("GET", "/api/v1/units/{code}/officials", headers=OFFICE, path={"code": UNIT}, expect=200)
    call("GET", "/api/v1/units/{code}", headers=OFFICE, path={"code": UNIT}, expect=200)


def test_the_offices_inspection_report_and_records(call):
    """The office's records with something in them: an inspection scored and submitted, its
    rectification, a report, a commitment and a comment; the calendar, the audit chain's
    verdict, preferences, a second factor and the document itself."""
    checklist = call("GET", "/api/v1/checklists", headers=OFFICE, params={"year": 2026}, expect=200).json()
    inspection = call("POST", "/api/v1/inspections", headers=OFFICE, expect=201, json={
        "title": "2026年12月党务公开例行检查", "kind": "routine", "window_opens": "2026-12-01",
        "window_closes": "2026-12-31", "unit_codes": [UNIT], "inspectors": [{"username": "office"}]}).json()
    unit = {"inspection_id": inspection["id"], "unit_code": UNIT}
    call("GET", "/api/v1/inspections/{inspection_id}", headers=OFFICE, path=unit, expect=200)
    scores = [{"criterion": c["code"], "score": c["max"]} for d in checklist["dimensions"] for c in d["criteria"]]
    finding = {"dimension": "content", "text": "公开栏未更新本季度党费收缴情况", "deduction": 1, "deadline_days": 10}
    call("PUT", "/api/v1/inspections/{inspection_id}/units/{unit_code}/scores", headers=OFFICE, path=unit,
         json={"scores": scores, "findings": [finding]}, expect=200)
    call("POST", "/api/v1/inspections/{inspection_id}/units/{unit_code}/submit", headers=OFFICE, path=unit,
         expect=200)
    call("GET", "/api/v1/inspections/{inspection_id}/units/{unit_code}", headers=OFFICE, path=unit, expect=200)
    found = call("GET", "/api/v1/inspections/{inspection_id}/findings", headers=OFFICE, path=unit,
                 expect=200).json()["items"]
    call("GET", "/api/v1/rectifications/{rectification_id}", headers=OPERATOR,
         path={"rectification_id": found[0]["id"]}, expect=200)
    report = call("POST", "/api/v1/reports", headers=OFFICE, json={"period": "2026-11"}, expect=201).json()
    call("PATCH", "/api/v1/reports/{report_id}", headers=OFFICE, path={"report_id": report["id"]},
         json={"title": "2026年11月党务公开工作通报"}, expect=200)
    call("GET", "/api/v1/reports", headers=OFFICE, expect=200)
    call("POST", "/api/v1/commitments", headers=OPERATOR, expect=201, json={
        "unit_code": UNIT, "year": 2026, "text": "每季度首月10日前更新公开栏", "due_on": "2026-12-31"})
    call("GET", "/api/v1/commitments", params={"unit": UNIT}, expect=200)
    call("GET", "/api/v1/comments", expect=200)
    call("GET", "/api/v1/calendar/{year}", headers=OFFICE, path={"year": 2026}, expect=200)
    call("GET", "/api/v1/calendar/{year}/passed", headers=OFFICE, path={"year": 2026}, expect=200)
    call("GET", "/api/v1/audit/verify", headers=AUDITOR, expect=200)
    call("GET", "/api/v1/accounts/{username}/second-factor", headers=token("secadmin", "secadmin"),
         path={"username": "op-a001"}, expect=200)
    call("GET", "/api/v1/notification-preferences", headers=OPERATOR, expect=200)
    call("POST", "/api/v1/notifications/read", headers=OPERATOR, json={}, expect=200)
    call("GET", "/api/v1/openapi.json", expect=200)


def test_the_administrators_keys_and_a_subscribers_feed(call):
    key = call("POST", "/api/v1/api-keys", headers=ADMIN, json={"name": "县委组织部系统"}, expect=201).json()
    call("GET", "/api/v1/api-keys", headers=ADMIN, expect=200)
    subscriber = {"X-API-Key": key["key"]}
    wait_for(lambda: requests.get(f"{call.api}/api/v1/events", headers=subscriber, timeout=10).status_code == 200,
             timeout=60, message="the key in force")
    feed = call("GET", "/api/v1/events", headers=subscriber, params={"limit": 20}, expect=200).json()
    assert feed["items"]
    hook = call("POST", "/api/v1/webhooks", headers=subscriber, expect=201,
                json={"url": "https://oa.example.cn/hooks/gongkai", "event_types": ["ItemPublished"]}).json()
    call("GET", "/api/v1/webhooks", headers=subscriber, expect=200)
    call("GET", "/api/v1/webhooks/{webhook_id}", headers=subscriber, path={"webhook_id": hook["id"]}, expect=200)
    call("DELETE", "/api/v1/webhooks/{webhook_id}", headers=subscriber, path={"webhook_id": hook["id"]}, expect=200)
    call("GET", "/api/v1/accounts", headers=ADMIN, expect=200)
    call("GET", "/api/v1/accounts/{username}", headers=ADMIN, path={"username": "op-a001"}, expect=200)
    call("GET", "/api/v1/dead-letters", headers=ADMIN, expect=200)
    call("DELETE", "/api/v1/api-keys/{key_id}", headers=ADMIN, path={"key_id": key["id"]}, expect=200)


def test_what_webhooks_receive_is_what_the_document_says(call, document):
    """Every event of the feed (what a webhook is POSTed: the same envelope) validates against the
    document's webhook of its type; the signature headers are described on each."""
    events, cursor = [], None
    for _ in range(40):  # the whole feed, page by page, until a page comes back empty
        feed = requests.get(f"{call.api}/api/v1/events", headers=OFFICE, timeout=60,
                            params={"limit": 500, **({"after": cursor} if cursor else {})}).json()
        if not feed["items"]:
            break
        events += feed["items"]
        cursor = feed["next_cursor"]
    types = set()
    for event in events:
        hook = document["webhooks"][event["type"]]["post"]
        assert {p["name"] for p in hook["parameters"]} == {"webhook-id", "webhook-timestamp", "webhook-signature"}
        schema = hook["requestBody"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": document["components"]})
        assert not list(validator.iter_errors(event)), (event["type"], [e.message for e in validator.iter_errors(event)])
        types.add(event["type"])
    assert {"UnitRegistered", "ItemPublished", "FeedbackReceived", "FeedbackAnswered"} <= types, types


def test_api_keys_and_bearer_tokens_as_the_policy_allows(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert {"apiKey": []} in document["paths"]["/api/v1/events"]["get"]["security"]
    assert {"apiKey": []} not in document["paths"]["/api/v1/items"]["post"]["security"]
    assert "security" not in document["paths"]["/api/v1/items"]["get"]  # the public reads without either
    assert document["paths"]["/api/v1/obligations"]["get"]["security"] == [{"bearer": []}]


def test_problem_details_when_asked_for(call):
    """RFC 9457 for a client that asks; the envelope for everyone else."""
    problem = {"Accept": "application/problem+json"}
    refused = call("POST", "/api/v1/items", headers={**OPERATOR, **problem}, json={"title": ""}, expect=400)
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    body = refused.json()
    assert body["status"] == 400 and body["type"] == "urn:gongkai:problem:invalid_input"
    assert body["title"] == "请求有误" and "unit_code" in body["errors"]
    assert body["instance"] == f"urn:gongkai:request:{refused.headers['X-Request-ID']}"
    missing = call("GET", "/api/v1/units/{code}", headers={"Accept": "application/problem+json, application/json"},
                   path={"code": "NOPE9"}, expect=404)
    assert missing.json()["detail"] and missing.headers["Content-Type"].startswith("application/problem+json")
    call("GET", "/api/v1/obligations", headers=problem, expect=401)
    unrouted = requests.get(f"{call.api}/api/v1/no-such-thing", headers=problem, timeout=10)
    assert unrouted.status_code == 404 and unrouted.json()["type"] == "urn:gongkai:problem:not_found"
    plain = call("GET", "/api/v1/units/{code}", headers={"Accept": "application/json"}, path={"code": "NOPE9"},
                 expect=404)
    assert plain.json()["error"]["code"] == "not_found"


@pytest.fixture(scope="module")
def second_gateway(county):
    """Another gateway replica of the same county, as a load balancer would have behind it."""
    address = f"127.0.0.1:{free_port()}"
    replica = ServiceProcess("gateway", county.cluster.env, county.cluster.log_dir, GATEWAY_ADDRESS=address)
    county.cluster.processes["gateway-2"] = replica
    replica.start()
    api = f"http://{address}"
    wait_for(lambda: requests.get(f"{api}/readyz", timeout=5).status_code == 200, timeout=90,
             message="the second gateway ready")
    return api


def _draft(title):
    return {"unit_code": UNIT, "title": title, "body": "按季度公开。", "audience": "society", "carriers": ["网站"]}


def _drafts_titled(api, title):
    items = requests.get(f"{api}/api/v1/items", headers=OPERATOR, params={"unit": UNIT, "limit": 200},
                         timeout=30).json()["items"]
    return [item for item in items if item["title"] == title]


def test_a_retry_with_the_same_key_answers_the_first_answer(call):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = call("POST", "/api/v1/items", headers={**OPERATOR, **key}, json=_draft("重试的草稿"), expect=201)
    again = call("POST", "/api/v1/items", headers={**OPERATOR, **key}, json=_draft("重试的草稿"), expect=201)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert len(_drafts_titled(call.api, "重试的草稿")) == 1
    other = call("POST", "/api/v1/items", headers={**OPERATOR, **key}, json=_draft("另一份草稿"), expect=422)
    assert "Idempotency-Key 已用于另一个不同的请求" in other.json()["error"]["message"]
    assert not _drafts_titled(call.api, "另一份草稿")
    receipt = {"target_kind": "unit", "target_id": UNIT, "kind": "opinion", "content": "公开栏字太小"}
    sent = [call("POST", "/api/v1/feedback", headers=key, json=receipt, expect=201).json() for _ in range(2)]
    assert sent[0]["tracking_code"] == sent[1]["tracking_code"]  # the public's key is its own, apart from the operator's
    call("POST", "/api/v1/items", headers={**OPERATOR, "Idempotency-Key": "k" * 201}, json=_draft("x"), expect=400)


def test_an_upload_retried_with_its_key_is_attached_once(call):
    """requests frames each try with a boundary of its own: the key still sees one upload."""
    draft = call("POST", "/api/v1/items", headers=OPERATOR, json=_draft("带附件的草稿"), expect=201).json()
    key, one = {"Idempotency-Key": str(uuid.uuid4())}, {"item_id": draft["id"]}
    sent = [call("POST", "/api/v1/items/{item_id}/attachments", headers={**OPERATOR, **key}, path=one, expect=201,
                 files={"file": ("党费收缴.txt", "收缴党费 12,000 元。".encode(), "text/plain")}) for _ in range(2)]
    assert sent[1].json() == sent[0].json() and sent[1].headers["Idempotent-Replayed"] == "true"
    item = call("GET", "/api/v1/items/{item_id}", headers=OPERATOR, path=one, expect=200).json()
    assert len(item["attachments"]) == 1
    call("POST", "/api/v1/items/{item_id}/attachments", headers={**OPERATOR, **key}, path=one, expect=422,
         files={"file": ("党费收缴.txt", "收缴党费 12,400 元。".encode(), "text/plain")})


def test_two_gateways_one_key_at_once_make_one_thing(county, second_gateway):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    title = "两个网关同时收到的草稿"

    def post(api):
        return requests.post(f"{api}/api/v1/items", headers={**OPERATOR, **key}, json=_draft(title), timeout=60)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(post, [county.api, second_gateway] * 3))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(_drafts_titled(county.api, title)) == 1
