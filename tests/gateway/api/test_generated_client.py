"""A client generated from the OpenAPI document with an off-the-shelf generator
(openapi-python-client, pinned in the test extras), as another county system would make one,
and the clerk's day run through it against a running county: the public sends a question; the
operator signs in, lists units, drafts an item, submits it, reads the feedback queue, accepts the
question and answers it; the reviewer approves the answer and the sender reads it by the tracking
code. Every answer is parsed into the generated models, so a schema that does not say what the
route returns breaks the day here."""
from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from services.common.config import ROOT
from tests.conftest import wait_for

pytestmark = pytest.mark.api_level

PACKAGE = "gongkai_county_client"
PASSWORD = "gongkai-demo-2026"  # services/units/demo_accounts.py


@pytest.fixture(scope="module")
def county(contract_county):
    """The session's contract cluster (tests/gateway/api/contract_fixtures.py), shared with
    the other contract module."""
    return contract_county


@pytest.fixture(scope="module")
def generated(county, tmp_path_factory):
    """The client package generated into a temporary directory from the served document."""
    workdir = tmp_path_factory.mktemp("client")
    document = workdir / "openapi.json"
    document.write_text(json.dumps(requests.get(f"{county.api}/api/v1/openapi.json", timeout=30).json()))
    generator = shutil.which("openapi-python-client") or str(Path(sys.executable).with_name("openapi-python-client"))
    made = subprocess.run([generator, "generate", "--path", str(document), "--meta", "none",
                           "--output-path", str(workdir / PACKAGE)], cwd=workdir, capture_output=True, text=True,
                          timeout=600)
    assert (workdir / PACKAGE / "client.py").exists(), made.stdout + made.stderr
    sys.path.insert(0, str(workdir))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(workdir))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _signed_in(gen, api, username):
    models, client = gen("models"), gen("client")
    answer = gen("api.auth.issue_token").sync(client=client.Client(base_url=api), body=models.TokenRequest(
        grant_type=models.TokenRequestGrantType("password"), username=username, password=PASSWORD))
    assert isinstance(answer, models.TokenAnswer), answer
    assert answer.account.username == username
    return client.AuthenticatedClient(base_url=api, token=answer.access_token, raise_on_unexpected_status=True)


def test_the_clerks_day_through_a_generated_client(county, generated):
    gen, api = generated, county.api
    models, client = gen("models"), gen("client")
    public = client.Client(base_url=api, raise_on_unexpected_status=True)
    receipt = gen("api.feedback.submit_feedback").sync(client=public, idempotency_key=str(uuid.uuid4()),
                                                       body=models.NewFeedback(
        target_kind=models.NewFeedbackTargetKind("unit"), target_id="A001", kind=models.NewFeedbackKind("question"),
        content="村务公开栏什么时候更新？"))
    assert isinstance(receipt, models.Receipt) and receipt.secret

    clerk = _signed_in(gen, api, "op-a001")
    units = gen("api.units.list_units").sync(client=clerk, limit=10)
    assert isinstance(units, models.UnitPage) and len(units.items) == 10 and units.next_cursor
    assert gen("api.auth.whoami").sync(client=clerk).unit == "A001"

    wait_for(lambda: gen("api.obligations.list_obligations").sync(client=clerk).items, timeout=90,
             message="the unit's obligations for the year")
    obligation = gen("api.obligations.list_obligations").sync(client=clerk).items[0]
    draft = gen("api.items.create_item").sync(client=clerk, idempotency_key=str(uuid.uuid4()), body=models.NewItem(
        unit_code="A001", title=f"{obligation.period} {obligation.sub_matter}", body="按期公开，详见公开栏。",
        audience=models.NewItemAudience("society"), carriers=[models.NewItemCarriersItem("网站")],
        obligation_id=obligation.id))
    assert isinstance(draft, models.Item) and draft.status == "draft" and "submit" in draft.actions
    submitted = gen("api.items.transition_item").sync(draft.id, models.TransitionItemAction("submit"), client=clerk,
                                                       body=models.ItemAction())
    assert submitted.status == "submitted"

    queue = gen("api.feedback.list_feedback").sync(client=clerk)
    case = next(one for one in queue.items if one.tracking_code == receipt.tracking_code)
    accepted = gen("api.feedback.accept_feedback").sync(case.id, models.AcceptFeedbackAction("accept"), client=clerk)
    assert accepted.status == "accepted" and accepted.contact is None
    drafted = gen("api.feedback.answer_feedback").sync(case.id, client=clerk,
                                                       body=models.AnswerDraft(body="每月5日前更新。"))
    assert drafted.status == "reviewing" and drafted.answers[0].body == "每月5日前更新。"

    reviewer = _signed_in(gen, api, "rv-a001")
    approved = gen("api.feedback.approve_answer").sync(case.id, client=reviewer, body=models.AnswerReview())
    assert approved.status == "answered"
    tracked = gen("api.feedback.track_feedback").sync(receipt.tracking_code, client=public)
    assert tracked.status == "answered" and tracked.answers[0].body == "每月5日前更新。"


def test_a_refusal_parses_as_the_error_envelope(county, generated):
    gen = generated
    models = gen("models")
    clerk = _signed_in(gen, county.api, "op-a001")
    refused = gen("api.units.create_unit").sync_detailed(client=clerk, body=models.NewUnit(
        code="X1", name="x", sector="agency", org_type="branch", parent_code="C000"))
    assert refused.status_code == 403 and isinstance(refused.parsed, models.ErrorEnvelope)
    assert refused.parsed.error.code == "forbidden"
