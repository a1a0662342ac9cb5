"""Public reads from the gateway's read model: answered without an RPC, with an ETag (304
when unchanged), only what the public may see, a change made through the gateway seen at
once, and a withdrawn item gone from public reads within 5 s of the withdrawal's event
(in every case within GATEWAY.READ_MODEL_TTL_SECONDS)."""
import time

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from gateway.readmodel import CATALOGUE, ITEMS, UNITS, ReadModel, conditional
from services.common.contract import names
from tests.clusters import running_county
from tests.conftest import wait_for
from tests.test_end_to_end import token

OPERATOR, REVIEWER = token("op-a001", "operator", "A001"), token("rv-a001", "reviewer", "A001")
WITHDRAWAL_BOUND_SECONDS = 5.0


# --- the model alone ------------------------------------------------------------------------

class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_answers_are_kept_until_an_event_of_their_area_or_their_age_drops_them():
    clock, fetched = Clock(), []
    model = ReadModel(ttl=30, clock=clock)

    def fetch(value):
        return lambda: fetched.append(value) or {"v": value}

    assert model.read(ITEMS, "k", fetch(1)).value == {"v": 1}
    assert model.read(ITEMS, "k", fetch(2)).value == {"v": 1} and fetched == [1]
    model.read(UNITS, "k", fetch(3))
    model.on_event(names.ITEM_WITHDRAWN)  # drops items, not units
    assert model.read(ITEMS, "k", fetch(4)).value == {"v": 4}
    assert model.read(UNITS, "k", fetch(5)).value == {"v": 3}
    model.on_event(names.UNIT_MERGED)  # a unit event drops both: items name their unit
    assert model.read(ITEMS, "k", fetch(6)).value == {"v": 6} and model.read(UNITS, "k", fetch(7)).value == {"v": 7}
    model.on_event(names.FEEDBACK_RECEIVED)  # nothing of ours
    clock.now = 29.9
    assert model.read(CATALOGUE, "c", fetch(8)).value == {"v": 8}
    assert model.read(ITEMS, "k", fetch(9)).value == {"v": 6}
    clock.now = 30.0  # the bound on age: an event that never came cannot keep an answer longer
    assert model.read(ITEMS, "k", fetch(10)).value == {"v": 10}


def test_an_answer_fetched_while_an_event_arrived_is_not_kept():
    model = ReadModel(ttl=30)

    def racing():
        model.on_event(names.ITEM_WITHDRAWN)  # arrives while the RPC is on its way
        return {"stale": True}

    assert model.read(ITEMS, "k", racing).value == {"stale": True}  # answered once, as fetched
    assert model.read(ITEMS, "k", lambda: {"stale": False}).value == {"stale": False}


def test_a_conditional_get_is_answered_304_when_the_etag_matches():
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    first = conditional(Request(EnvironBuilder().get_environ()), b'{"a": 1}', public=True)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache"
    again = conditional(Request(EnvironBuilder(headers={"If-None-Match": f'W/{etag}, "x"'}).get_environ()),
                        b'{"a": 1}')
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    changed = conditional(Request(EnvironBuilder(headers={"If-None-Match": etag}).get_environ()), b'{"a": 2}')
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


# --- through the gateway, against the processes -----------------------------------------------

@pytest.fixture(scope="module")
def county(tmp_path_factory, sqlite_templates):
    with running_county(tmp_path_factory.mktemp("readmodel"), sqlite_templates,
                        env={"RATE_LIMITS_ENABLED": "false"}) as running:
        yield running


def public_ids(api, **query):
    response = requests.get(f"{api}/api/v1/items", params=query)
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["items"]]


def test_public_reads_come_with_an_etag_and_a_304_when_unchanged(county):
    api = county.api
    for path in ("/api/v1/items", "/api/v1/units", "/api/v1/units/A001", "/api/v1/catalogue"):
        first = requests.get(api + path)
        assert first.status_code == 200 and first.headers["ETag"], (path, first.text)
        again = requests.get(api + path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.content == b"", path
    seen = requests.get(f"{api}/api/v1/units/A001").json()
    assert all("phone" not in o and "email" not in o for o in seen.get("officials", []))
    own = requests.get(f"{api}/api/v1/units/A001", headers=OPERATOR)  # the unit's own officials: by RPC
    assert own.status_code == 200 and own.headers["ETag"] != requests.get(f"{api}/api/v1/units/A001").headers["ETag"]


def test_a_withdrawn_item_leaves_public_reads_within_the_bound(county):
    api = county.api
    assert public_ids(api, unit="A001") == []
    draft = {"unit_code": "A001", "title": "党员发展情况公示", "body": "……", "audience": "society", "carriers": ["网站"]}
    item_id = requests.post(f"{api}/api/v1/items", json=draft, headers=OPERATOR).json()["id"]
    assert item_id not in public_ids(api, unit="A001")  # a draft is not public, nor kept as if it were
    for headers, action in ((OPERATOR, "submit"), (REVIEWER, "review"), (REVIEWER, "approve")):
        moved = requests.post(f"{api}/api/v1/items/{item_id}/{action}", headers=headers)
        assert moved.status_code == 200, moved.text
    assert item_id in public_ids(api, unit="A001")  # changed through this gateway: seen at once
    assert requests.get(f"{api}/api/v1/items/{item_id}").status_code == 200

    # withdrawn past the gateway (another replica, a service's own rule): only the event tells it
    with ClusterRpcProxy({"AMQP_URI": county.amqp_uri}, timeout=15) as rpc:
        rpc.disclosure.transition_item({"username": "rv-a001", "role": "reviewer", "unit": "A001"}, item_id,
                                       "withdraw", "信息有误，撤回")
    withdrawn = time.monotonic()
    wait_for(lambda: item_id not in public_ids(api, unit="A001")
             and requests.get(f"{api}/api/v1/items/{item_id}").status_code == 404,
             timeout=WITHDRAWAL_BOUND_SECONDS, interval=0.05, message="the withdrawn item to leave public reads")
    print(f"withdrawn item gone from public reads after {time.monotonic() - withdrawn:.2f} s")


def test_public_reads_need_no_rpc(county):
    """With disclosure and units stopped, the public still reads what the model holds."""
    api = county.api
    paths = ("/api/v1/items?unit=A001", "/api/v1/units", "/api/v1/units/A001", "/api/v1/catalogue")
    before = {path: requests.get(api + path).json() for path in paths}
    for name in ("disclosure", "units"):
        county.cluster.processes[name].kill()
    for path in paths:
        response = requests.get(api + path, timeout=5)
        assert response.status_code == 200 and response.json() == before[path], path
    assert requests.get(f"{api}/api/v1/items", headers=OPERATOR, timeout=15).status_code == 503  # signed in: RPC
