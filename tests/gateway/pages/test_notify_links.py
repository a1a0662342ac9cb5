"""Every link in every notification opens the console page where its recipient acts.

Without a broker: each page named in services/common/console_links.py is one of the console's
own routes; every rule's templates, rendered for every channel with a sample payload, carry the
link; and the policy table lets each recipient the rule names open it.

On a running county (tests/console_fixtures.py): one record of each kind is made, and each
rule's link is followed as each of its recipients — every one answers 200; signed out it goes
through /login and back; an official of another unit gets a Chinese 403 that says whose it is."""
from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from urllib.parse import quote, urlsplit

import pytest
import requests

from gateway import policy
from services.common import console_links
from services.common.contract import json_default
from services.notify import rules, templates
from tests.gateway.pages.console_fixtures import new_obligation
from tests.common.test_asyncapi import SAMPLES
from tests.gateway.pages.test_console_feedback import send_feedback
from tests.gateway.pages.test_console_office import OFFICE, record_by_api
from tests.test_end_to_end import token
from tests.gateway.api.test_gateway_policy import routes

# the account role that reads what each recipient is sent (services/notify/directory.py)
ROLE_OF = {"liaison": "operator", "secretary": "reviewer", "reviewer": "reviewer", "town_secretary": "reviewer",
           "county_office": "inspector", "author": "operator", "answering_unit": "operator", "admin": "admin",
           "secadmin": "secadmin", "inspectors": "inspector"}
RULES = rules.parse(rules.DEFAULT_PATH.read_text(encoding="utf-8"))


def wire(payload):
    """The payload as notify has it: through JSON."""
    return json.loads(json.dumps(payload, default=json_default))


def console_rule_of(path: str) -> str:
    """The console GET route a path (without its query) is, or a failure naming the path."""
    for method, rule in routes(pages=True):
        pattern = re.sub(r"<any\(([^)]*)\):[^>]+>", lambda m: "(" + m.group(1).replace(",", "|").replace("'", "") + ")",
                         rule)
        if method == "GET" and re.fullmatch(re.sub(r"<[^>]+>", "[^/]+", pattern), urlsplit(path).path):
            return rule
    raise AssertionError(f"{path} is no console page")


def test_every_named_page_is_one_of_the_consoles_routes():
    sample = {"item_id": 1, "feedback_id": 2, "obligation_id": 3, "inspection_id": 4, "rectification_id": 5,
              "report_id": 6, "period": "2026-07", "webhook_id": 7}
    for name in console_links.PAGES:
        path = console_links.path_for(name, sample)
        assert path.startswith("/console") and console_rule_of(path)
    assert console_links.path_for("scores", {"period": "2026-Q3"}) == "/console/scores?year=2026"


@pytest.mark.parametrize("event_type", sorted(RULES))
def test_every_rules_messages_carry_a_link_its_recipients_may_open(event_type):
    rule, payload = RULES[event_type], wire(SAMPLES[event_type])
    link = "https://gk.example" + rule.link_for(payload)
    allowed = policy.PAGES[("GET", console_rule_of(rule.link_for(payload)))]
    for tell in rule.tell:
        if tell.audience == rules.SENDER:  # the sender's link is the portal's tracking page, open to all
            tracking = "https://gk.example" + console_links.tracking_path("ABCDEFGH23")
            assert policy.PAGES[("GET", "/track/<tracking:tracking_code>")] == policy.PUBLIC
            for channel in tell.channels:
                subject, body = templates.render(event_type, channel, payload, tracking, "示例单位", tell.audience)
                assert tracking in body and "/console" not in body, (event_type, channel, body)
            continue
        for channel in tell.channels:
            subject, body = templates.render(event_type, channel, payload, link, "示例单位")
            assert link in body, (event_type, channel, body)
        for recipient in tell.to:
            assert ROLE_OF[recipient] in allowed, (event_type, recipient, sorted(allowed))


# --- on a running county -----------------------------------------------------------------------

def unit_token(role: str, unit: str) -> dict:
    return token(f"{'op' if role == 'operator' else 'rv'}-{unit.lower()}", role, unit)


def ok(response, status=201):
    assert response.status_code == status, (response.status_code, response.text[:500])
    return response.json()


# the month of the report a notification links to: a month gone by, written down (a link does not
# depend on the month; no other test drafts this one's report)
PERIOD = "2025-08"


def records(api: str, unit: str) -> dict:
    """One record of each kind a notification can be about, all of `unit`'s, as payload fields."""
    operator = unit_token("operator", unit)
    item = ok(requests.post(f"{api}/api/v1/items", headers=operator, json={
        "unit_code": unit, "title": f"链接检查 {uuid.uuid4().hex[:6]}", "body": "正文", "audience": "society",
        "carriers": ["公开栏"]}))
    ok(requests.post(f"{api}/api/v1/items/{item['id']}/submit", headers=operator), 200)  # a draft awaiting review
    _, feedback_id = send_feedback(api, f"链接检查的意见 {uuid.uuid4().hex[:8]}", unit=unit)
    obligation = new_obligation(api, unit, "链接检查")
    finding = f"链接检查发现的问题 {uuid.uuid4().hex[:6]}"
    inspection_id = record_by_api(api, unit, finding)
    rectification = next(r for r in ok(requests.get(f"{api}/api/v1/rectifications", headers=OFFICE,
                                                    params={"inspection": inspection_id}), 200)["items"])
    report = monthly_report(api, PERIOD)
    hook = ok(requests.post(f"{api}/api/v1/webhooks", headers=token("admin", "admin"),
                            json={"url": "https://archive.example/hook", "event_types": ["ItemPublished"]}))
    return {"item_id": item["id"], "feedback_id": feedback_id, "obligation_id": obligation["id"],
            "inspection_id": inspection_id, "rectification_id": rectification["id"], "report_id": report["id"],
            "period": PERIOD, "webhook_id": hook["id"]}


def monthly_report(api: str, period: str) -> dict:
    """The month's report: drafted now, or the one another test on this county drafted (one a month)."""
    drafted = requests.post(f"{api}/api/v1/reports", headers=OFFICE, json={"kind": "monthly", "period": period})
    if drafted.status_code == 409:
        reports = ok(requests.get(f"{api}/api/v1/reports", headers=OFFICE), 200)
        return next(r for r in (reports["items"] if isinstance(reports, dict) else reports)
                    if r["kind"] == "monthly" and r["period"] == period)
    return ok(drafted)


def reader(recipient: str, unit: str) -> dict:
    role = ROLE_OF[recipient]
    if role in ("inspector", "admin"):
        return token("office", "inspector") if role == "inspector" else token("admin", "admin")
    return unit_token(role, unit)


@pytest.mark.api_level
def test_every_link_answers_200_to_each_recipient_on_a_running_county(county):
    api, unit = county["api"], "A001"
    made = records(api, unit)
    answers: Counter = Counter()
    for event_type, rule in sorted(RULES.items()):
        path = rule.link_for({**wire(SAMPLES[event_type]), **made})
        for recipient in {r for tell in rule.tell for r in tell.to} - {rules.SENDER}:  # the sender's: tests/feedback
            got = requests.get(api + path, headers=reader(recipient, unit), allow_redirects=False)
            answers[(ROLE_OF[recipient], got.status_code)] += 1
            assert got.status_code == 200, (event_type, recipient, path, got.status_code, got.text[:800])
            assert "<title>" in got.text and "Traceback" not in got.text
        if not any(tell.audience != rules.SENDER for tell in rule.tell):
            continue  # no official is sent this event's console link
        signed_out = requests.get(api + path, allow_redirects=False)
        assert signed_out.status_code == 303, (path, signed_out.status_code)
        assert signed_out.headers["Location"] == f"/login?next={quote(path, safe='/')}"
    print("links followed, by reader role and answer:", dict(sorted(answers.items())))
    assert set(code for _, code in answers) == {200}

    # another unit's official: a Chinese 403 that says whose the record is, never a 404
    stranger = unit_token("operator", "T03V002")
    for name in ("obligation", "rectification", "feedback"):
        refused = requests.get(api + console_links.path_for(name, made), headers=stranger)
        assert refused.status_code == 403, (name, refused.status_code, refused.text[:500])
        assert unit in refused.text, (name, refused.text[:1500])
