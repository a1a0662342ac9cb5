"""Every path and query parameter is bounded and validated at the gateway, before any
service is asked: the requests the fuzzer found answering 500 now answer the envelope's 404
or 400, from a gateway running with no service behind it at all."""

import pytest
import requests
from marshmallow import Schema
from werkzeug.routing import Map, Rule

from gateway import params, queries
from gateway.errors import ApiError
from tests.test_end_to_end import token

ADMIN, OPERATOR = token("admin", "admin"), token("op-a001", "operator", "A001")

# found by schemathesis against the running system, each a 500 before
OUT_OF_BOUNDS_PATHS = [
    ("GET", "/api/v1/archive/H01/545522944"),
    ("GET", "/api/v1/obligations/189489379451358085120"),
    ("GET", "/api/v1/webhooks/88455079513716340817920"),
    ("DELETE", "/api/v1/api-keys/37347188324929912832"),
    ("GET", "/api/v1/archive/CG-01/1"),
    ("GET", "/api/v1/items/244190890633011789824"),
    ("GET", "/api/v1/plans/640564181943391971442688"),
    ("GET", "/api/v1/items/2147483648"),
    ("PATCH", "/api/v1/items/2147483648"),
    ("GET", "/api/v1/items/0"),
    ("GET", "/api/v1/units/" + "X" * 33),
    ("GET", "/api/v1/items/1/attachments/not-a-digest"),
]
BAD_QUERIES = [
    ("/api/v1/units/T01V003/officials", {"on": "ï"}, "on"),
    ("/api/v1/units/T01V003/officials", {"on": "2026-13-01"}, "on"),
    ("/api/v1/units", {"limit": "201"}, "limit"),
    ("/api/v1/units", {"limit": "1e3"}, "limit"),
    ("/api/v1/units", {"sector": "farm"}, "sector"),
    ("/api/v1/items", {"year": "99999999999999999999"}, "year"),
    ("/api/v1/items", {"q": "长" * 101}, "q"),
    ("/api/v1/obligations", {"unit": "A001'; --"}, "unit"),
    ("/api/v1/events", {"limit": "501"}, "limit"),
    ("/api/v1/catalogue", {"on": "yesterday"}, "on"),
    # years the working-day calendar does not handle (2000–2100 only), each a 500 before
    ("/api/v1/obligations", {"due_month": "0000-01"}, "due_month"),
    ("/api/v1/obligations", {"due_month": "9999-12"}, "due_month"),
    ("/api/v1/obligations", {"due_month": "1999-12"}, "due_month"),
    ("/api/v1/catalogue", {"on": "0001-01-01"}, "on"),
    ("/api/v1/catalogue", {"on": "2101-01-01"}, "on"),
    ("/api/v1/units/T01V003/officials", {"on": "9999-12-31"}, "on"),
    ("/api/v1/scores", {"period": "2026-07", "as_of": "0001-01-01T00:00:00+14:00"}, "as_of"),
]





@pytest.mark.parametrize("method,path", OUT_OF_BOUNDS_PATHS)
@pytest.mark.parametrize("headers", [ADMIN, OPERATOR], ids=["admin", "operator"])
def test_a_path_parameter_out_of_bounds_is_a_404_in_the_envelope(lone_gateway, method, path, headers):
    answer = requests.request(method, lone_gateway.api + path, headers=headers, json={"title": "x"}, timeout=5)
    assert answer.status_code == 404, answer.text
    assert answer.json()["error"]["code"] == "not_found" and answer.json()["request_id"]


@pytest.mark.parametrize("path,query,field", BAD_QUERIES)
def test_a_query_parameter_out_of_bounds_is_a_400_naming_it(lone_gateway, path, query, field):
    answer = requests.get(lone_gateway.api + path, params=query, headers=ADMIN, timeout=5)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input" and field in error["details"]["query"]
    assert field in error["message"] and "查询参数有误" in error["message"]


def test_the_policy_comes_before_the_query(lone_gateway):
    """An anonymous caller is told to sign in, not how to spell a parameter."""
    answer = requests.get(lone_gateway.api + "/api/v1/obligations", params={"limit": "0"}, timeout=5)
    assert answer.status_code == 401


# --- the declarations themselves, without a server --------------------------------------------

def test_the_converters_match_only_what_the_database_can_hold():
    url_map = Map([Rule("/i/<id:n>"), Rule("/y/<year:n>"), Rule("/c/<code:n>"), Rule("/t/<tracking:n>")],
                  converters=params.CONVERTERS)
    adapter = url_map.bind("gongkai")

    def matches(path):
        try:
            return adapter.match(path)[1]["n"]
        except Exception:
            return None

    assert matches("/i/1") == 1 and matches(f"/i/{params.MAX_ID}") == params.MAX_ID
    assert matches("/i/0") is None and matches(f"/i/{params.MAX_ID + 1}") is None and matches("/i/-1") is None
    assert matches("/y/2026") == 2026 and matches("/y/1") is None and matches("/y/1999") is None
    assert matches("/c/T01V003") == "T01V003" and matches("/c/" + "A" * 33) is None
    assert matches("/t/GK7Q2M9X") == "GK7Q2M9X" and matches("/t/12345") is None  # a letter, always


def test_every_query_field_of_every_route_is_bounded():
    """A string without a length or a pattern, or a number without a range, would let the
    generator (or anyone) send what the services were never written for."""
    unbounded = []
    for name in dir(queries):
        schema = getattr(queries, name)
        if not (isinstance(schema, type) and issubclass(schema, Schema)) or schema in (params.Query, params.Paged):
            continue
        for field_name, field in schema().fields.items():
            if field.__class__.__name__ in ("String", "Integer") and not field.validators:
                unbounded.append(f"{name}.{field_name}")
    assert unbounded == []


def test_load_query_ignores_empty_and_unknown_parameters_and_defaults_the_page():
    loaded = params.load_query(queries.ItemList(), {"unit": "", "cache": "1", "year": "2026"})
    assert loaded == {"year": 2026, "limit": params.PAGE_SIZE}
    with pytest.raises(ApiError) as refused:
        params.load_query(queries.ItemList(), {"limit": "0", "audience": "everyone"})
    assert set(refused.value.details["query"]) == {"limit", "audience"}
