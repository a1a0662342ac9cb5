"""One W3C trace id followed through separately started processes: an HTTP request to the
gateway with a `traceparent` registers a unit; units (over RPC) keeps the trace with the
event in its outbox and sends it as the message's header; notify, handling that event, logs a
JSON line naming the same trace id (GONGKAI_LOG_FORMAT=json, as compose and k8s run). And
notify's own events about a delivery (NotificationDelivered) go on in the trace of the event
they tell: feedback sent with a traceparent is emailed to the unit, and the delivered event
leaves notify's outbox with that trace id in its traceparent header."""
import json
import subprocess
import sys

import requests

from services.common.config import ROOT
from tests.clusters import SAMPLE
from tests.conftest import scalar, wait_for
from tests.test_end_to_end import token

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
ADMIN = token("admin", "admin")
NEWEST = "SELECT traceparent FROM outbox WHERE type = 'UnitRegistered' ORDER BY id DESC LIMIT 1"
FEEDBACK_TRACE = "0af7651916cd43dd8448eb211c80319c"
DELIVERED = "SELECT traceparent FROM outbox WHERE type = 'NotificationDelivered' AND traceparent LIKE '{}%'"


def json_lines(process):
    lines = []
    for line in process.log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_one_trace_id_from_an_http_request_to_the_log_of_a_service_handling_its_event(cluster, database_urls):
    cluster.env["GONGKAI_LOG_FORMAT"] = "json"
    subprocess.run([sys.executable, "-m", SAMPLE], cwd=ROOT, env=cluster.env, capture_output=True, check=True)
    api = cluster.start_everything()
    unit = {"code": "TR01", "name": "追踪镇党委", "sector": "town", "org_type": "committee", "parent_code": "C000"}
    created = requests.post(f"{api}/api/v1/units", json=unit,
                            headers={**ADMIN, "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01",
                                     "X-Request-ID": "req-trace-1"})
    assert created.status_code == 201, created.text
    kept = scalar(database_urls["units"], NEWEST)
    assert kept.startswith(f"00-{TRACE_ID}-") and not kept.startswith(f"00-{TRACE_ID}-00f067aa0ba902b7")

    def handled_by(name):
        return [line for line in json_lines(cluster.processes[name])
                if line.get("trace_id") == TRACE_ID and "handled UnitRegistered" in line["message"]]
    wait_for(lambda: handled_by("notify") and handled_by("disclosure"), timeout=30,
             message="notify and disclosure to log the event with its trace id")
    (line, *_) = handled_by("notify")
    assert line["request_id"] == "req-trace-1" and line["logger"] == "services.common.metrics"
    # a request without a traceparent starts a trace of its own
    requests.post(f"{api}/api/v1/units", json={**unit, "code": "TR02", "name": "另一镇党委"}, headers=ADMIN)
    other = scalar(database_urls["units"], NEWEST)
    assert other and TRACE_ID not in other

    # notify's outcome events carry the trace of the event that caused them
    def send_feedback():
        response = requests.post(f"{api}/api/v1/feedback", json={
            "target_kind": "unit", "target_id": "A001", "kind": "question", "content": "党费收缴的标准是什么？"},
            headers={"traceparent": f"00-{FEEDBACK_TRACE}-b7ad6b7169203331-01"})
        return response if response.status_code == 201 else None

    wait_for(send_feedback, timeout=30, message="feedback to know the unit")
    delivered = wait_for(lambda: scalar(database_urls["notify"], DELIVERED.format(f"00-{FEEDBACK_TRACE}-")),
                         timeout=60, message="notify's NotificationDelivered in the feedback's trace")
    told = scalar(database_urls["notify"], "SELECT traceparent FROM deliveries WHERE traceparent LIKE "
                                           f"'00-{FEEDBACK_TRACE}-%' ORDER BY id LIMIT 1")
    assert told and delivered != told  # a span of its own in the same trace
    assert not scalar(database_urls["notify"], "SELECT count(*) FROM outbox WHERE type = 'NotificationDelivered' "
                                               "AND traceparent IS NULL AND body LIKE '%FeedbackReceived%'")
