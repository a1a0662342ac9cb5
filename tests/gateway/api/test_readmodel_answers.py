"""The public answers (公开答复) and the plan from the gateway's read model: each area dropped by
its own events only; GET /api/v1/answers answering what feedback's public_answers gives (the
same page, compared with the service's own answer), with an ETag and a 304; an answer approved
past the gateway (another replica, by RPC) seen within 5 s of its FeedbackAnswered; an answer
hidden by readers' reports taken through this gateway gone at once from the JSON and from the
unit's cached page; the plan page kept with its ETag."""
import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from gateway.http import page
from gateway.readmodel import ANSWERS, ITEMS, PLANS, UNITS, ReadModel
from services.common.contract import names
from tests.clusters import SAMPLE, running_county
from tests.conftest import wait_for
from tests.test_end_to_end import token

UNIT = "T02V001"
OFFICE = token("office", "inspector")
OPERATOR, REVIEWER = token(f"op-{UNIT}", "operator", UNIT), token(f"rv-{UNIT}", "reviewer", UNIT)
EVENT_BOUND_SECONDS = 5.0
QUESTION = "建议村务公开栏增加夜间照明"


# --- the model alone ------------------------------------------------------------------------

def test_feedback_and_plan_events_drop_their_own_areas_only():
    model = ReadModel(ttl=30)
    for area in (ANSWERS, PLANS, ITEMS, UNITS):
        model.read(area, "k", lambda: {"v": 1})
    model.on_event(names.FEEDBACK_RECEIVED)  # a new question is not public until it is answered
    assert model.read(ANSWERS, "k", lambda: {"v": 2}).value == {"v": 1}
    model.on_event(names.FEEDBACK_ANSWERED)
    assert model.read(ANSWERS, "k", lambda: {"v": 2}).value == {"v": 2}
    assert model.read(PLANS, "k", lambda: {"v": 2}).value == {"v": 1}
    model.on_event(names.PLAN_APPROVED)
    assert model.read(PLANS, "k", lambda: {"v": 3}).value == {"v": 3}
    assert model.read(ANSWERS, "k", lambda: {"v": 3}).value == {"v": 2}
    for kept in (ITEMS, UNITS):
        assert model.read(kept, "k", lambda: {"v": 9}).value == {"v": 1}
    generation = model.generations[ANSWERS]
    for event in (names.FEEDBACK_REOPENED, names.FEEDBACK_CLOSED, names.FEEDBACK_TRANSFERRED,
                  names.FEEDBACK_CONTACT_ERASED):
        model.on_event(event)
    assert model.generations[ANSWERS] == generation + 4  # a cached page keyed by it is left behind too


# --- through the gateway, against the processes -----------------------------------------------

@pytest.fixture(scope="module")
def county(tmp_path_factory, sqlite_templates):
    with running_county(tmp_path_factory.mktemp("readmodel-answers"), sqlite_templates,
                        loaders=(SAMPLE, "services.disclosure.load_sample"),  # the year's plan, approved
                        env={"RATE_LIMITS_ENABLED": "false"}) as running:
        yield running


def answers(api):
    response = requests.get(f"{api}/api/v1/answers", params={"unit": UNIT, "limit": 20})
    assert response.status_code == 200, response.text
    return response


def act(api, feedback_id, action, headers, body=None):
    response = requests.post(f"{api}/api/v1/feedback/{feedback_id}/{action}", headers=headers, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_public_answers_from_the_read_model(county):
    api = county.api
    assert answers(api).json()["items"] == []  # now kept by the gateway
    sent = requests.post(f"{api}/api/v1/feedback", json={"target_kind": "unit", "target_id": UNIT,
                                                          "kind": "suggestion", "content": QUESTION, "public": True})
    assert sent.status_code == 201, sent.text
    code = sent.json()["tracking_code"]
    listed = requests.get(f"{api}/api/v1/feedback", headers=OFFICE, params={"limit": 200}).json()["items"]
    feedback_id = next(f["id"] for f in listed if f["tracking_code"] == code)
    act(api, feedback_id, "accept", OPERATOR)
    act(api, feedback_id, "answer", OPERATOR, {"body": "已安装两盏太阳能路灯。"})
    assert answers(api).json()["items"] == []  # a drafted answer is not public
    page_before = requests.get(f"{api}/units/{UNIT}")
    assert page_before.status_code == 200 and QUESTION not in page_before.text

    # approved past this gateway: only FeedbackAnswered tells it
    with ClusterRpcProxy({"AMQP_URI": county.amqp_uri}, timeout=15) as rpc:
        rpc.feedback.act({"username": f"rv-{UNIT}", "role": "reviewer", "unit": UNIT}, feedback_id,
                         "approve-answer", {})
        wait_for(lambda: [a["id"] for a in answers(api).json()["items"]] == [feedback_id],
                 timeout=EVENT_BOUND_SECONDS, interval=0.05, message="the approved answer in the public answers")
        assert answers(api).json() == page(rpc.feedback.public_answers({"unit": UNIT}, 20, None))
    assert QUESTION in requests.get(f"{api}/units/{UNIT}").text  # the unit's cached page was left behind too

    first = answers(api)
    again = requests.get(f"{api}/api/v1/answers", params={"unit": UNIT, "limit": 20},
                         headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == first.headers["ETag"]

    # reported by three readers through this gateway: hidden, and gone from what it serves at once
    for n in range(3):
        reported = requests.post(f"{api}/api/v1/answers/{feedback_id}/report",
                                 headers=token(f"reader-{n}", "member", UNIT))
        assert reported.status_code == 200, reported.text
    assert answers(api).json()["items"] == []
    assert QUESTION not in requests.get(f"{api}/units/{UNIT}").text


def test_the_plan_page_is_kept_with_its_etag(county):
    api = county.api
    plans = requests.get(f"{api}/api/v1/plans").json()["items"]
    shown = [p for p in plans if not p.get("consultation_open")]
    assert shown, plans
    path = f"/plans/{shown[0]['id']}"
    first = requests.get(api + path)
    assert first.status_code == 200 and first.headers["ETag"], first.text
    again = requests.get(api + path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert requests.get(api + path).text == first.text
