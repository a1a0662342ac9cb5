"""Authorisation in one place: every route of the gateway has a row in the policy table,
and the running gateway answers 401, 403 or lets the caller through exactly as the table
says, for every route and every role. The OpenAPI document covers every route too."""
import json
import re

import pytest
import requests

from gateway import policy
from gateway.auth import ROLES
from gateway.http import ApiEndpoint
from gateway.service import GatewayService
from tests.test_end_to_end import token

SAMPLE_VALUES = {"code": "A001", "item_id": "1", "key_id": "1", "designation_id": "1", "webhook_id": "1",
                 "tracking_code": "ABCDEFGH23", "plan_id": "1", "obligation_id": "1", "year": "2026",
                 "sha256": "0" * 64, "feedback_id": "1",
                 "action": None, "relation": None, "role": None,
                 "inspection_id": "1", "unit_code": "A001", "record_id": "1", "rectification_id": "1",
                 "report_id": "1", "job_id": "1", "username": "op-a001", "commitment_id": "1", "entry_id": "1",
                 "mark_id": "1", "note_id": "1"}


# the API's rows: gateway/policy.py's, and those an area (gateway/policy_areas/) adds beside its pages
API_ROWS = set(policy.POLICY) | {row for row in policy.PAGES if row[1].startswith("/api/")}
PAGE_ROWS = set(policy.PAGES) - API_ROWS


def routes(pages=False):
    """The API's routes, or (pages=True) the web pages' (gateway/pages)."""
    found = set()
    for name in dir(GatewayService):
        for entrypoint in getattr(getattr(GatewayService, name), "nameko_entrypoints", ()):
            if (isinstance(entrypoint, ApiEndpoint) and entrypoint.url != policy.CATCH_ALL
                    and getattr(entrypoint, "in_openapi", True) != pages):
                found |= {(method, entrypoint.url) for method in entrypoint.method.split(",")}
    return found


def concrete(rule):
    """A URL for a rule: each converter replaced by a value it accepts."""
    def value(match):
        converter, name = match.group(1), match.group(2)
        if converter.startswith("any("):
            return converter[4:-1].split(",")[0]
        return SAMPLE_VALUES[name] or "submit"
    return re.sub(r"<([^:>]+):([^>]+)>", value, rule)


def test_every_route_has_a_policy_and_every_policy_a_route():
    assert routes() == API_ROWS
    assert routes(pages=True) == PAGE_ROWS


@pytest.fixture
def gateway_alone(lone_gateway):
    """Only the gateway: an allowed call then fails further on (503, 400 ...), never 401/403."""
    return lone_gateway.api


@pytest.mark.parametrize("method, rule", sorted(API_ROWS))
def test_each_role_gets_what_the_table_says(gateway_alone, method, rule):
    url = gateway_alone + concrete(rule)
    for role in (policy.ANONYMOUS, *ROLES):
        headers = {} if role == policy.ANONYMOUS else token(f"{role}-a001", role, "A001")
        status = requests.request(method, url, headers=headers, timeout=10).status_code
        allowed = role in policy.allowed_roles(method, rule)
        if allowed:
            assert status not in (401, 403), (role, method, url, status)
        else:
            assert status == (401 if role == policy.ANONYMOUS else 403), (role, method, url, status)


def test_the_openapi_document_is_valid_and_covers_every_route(gateway_alone):
    from openapi_spec_validator import validate

    from gateway import openapi

    served = requests.get(f"{gateway_alone}/api/v1/openapi.json").json()
    assert served == json.loads(json.dumps(openapi.build(GatewayService)))
    validate(served)
    documented = {(method.upper(), path) for path, ops in served["paths"].items() for method in ops}
    assert documented == {(m, openapi._path_and_parameters(rule)[0]) for m, rule in API_ROWS}
    create = served["paths"]["/api/v1/items"]["post"]
    assert create["security"] == [{"bearer": []}] and create["x-roles"] == ["operator"]
    assert "requestBody" in create and "security" not in served["paths"]["/api/v1/units"]["get"]
    assert "Gongkai API" in requests.get(f"{gateway_alone}/api/v1/docs").text
