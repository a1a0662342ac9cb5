"""Views of people's contacts and exports are in the audit trail (who, what, when), the
public's reads are not; the audit administrator's page verifies the chain and exports the trail
as CSV, and that export is audited too. Against the console's cluster: each test counts only the
entries of its own request ids."""
import uuid

import pytest
import requests

from tests.conftest import wait_for
from tests.gateway.pages.test_console_feedback import send_feedback
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level

OFFICE, ADMIN, AUDITOR = token("office", "inspector"), token("admin", "admin"), token("auditor", "auditor")
OPERATOR = token("op-a001", "operator", "A001")


def entries_of(api, ids, count):
    def found():
        items, cursor = [], None
        while True:
            page = requests.get(f"{api}/api/v1/audit", params={"limit": 200, **({"cursor": cursor} if cursor else {})},
                                headers=AUDITOR).json()
            items += [e for e in page["items"] if e["request_id"] in ids.values()]
            cursor = page["next_cursor"]
            if not cursor:
                return items if len(items) >= count else None
    return {e["request_id"]: e for e in wait_for(found, timeout=20, message=f"{count} audit entries")}


def test_views_of_contacts_and_exports_are_audited(county):
    api = county["api"]
    _, feedback_id = send_feedback(api, f"审计测试 {uuid.uuid4().hex[:8]}")
    ids = {name: f"audit-{name}-{uuid.uuid4().hex[:8]}" for name in (
        "unit", "public-unit", "officials", "export", "feedback", "console-unit", "console-feedback", "progress",
        "console-export")}

    def get(path, name, headers=None, **params):
        answer = requests.get(f"{api}{path}", params=params, headers={**(headers or {}), "X-Request-ID": ids[name]})
        assert answer.status_code == 200, (path, answer.text[:300])
        return answer

    assert "19281948219" in get("/api/v1/units/A001", "unit", OFFICE).text
    assert "19281948219" not in get("/api/v1/units/A001", "public-unit").text  # the public's: not audited
    get("/api/v1/units/A001/officials", "officials", OPERATOR)
    get("/api/v1/units/export", "export", OFFICE, format="csv")
    assert get(f"/api/v1/feedback/{feedback_id}", "feedback", OFFICE).json()["contact"] == "13800001234"
    get("/console/units/A001", "console-unit", OFFICE)
    assert "13800001234" in get(f"/console/feedback/{feedback_id}", "console-feedback", OFFICE).text
    get("/console/progress/town.xlsx", "progress", OFFICE)
    get("/console/units/export.xlsx", "console-export", ADMIN)

    found = entries_of(api, ids, 8)
    assert ids["public-unit"] not in found
    unit = found[ids["unit"]]
    assert (unit["actor"], unit["role"], unit["action"], unit["target"], unit["result"]) == (
        "office", "inspector", "GET /api/v1/units/<code:code>", "/api/v1/units/A001", 200)
    assert unit["at"].endswith("+00:00")
    assert (found[ids["officials"]]["actor"], found[ids["officials"]]["unit"]) == ("op-a001", "A001")
    assert found[ids["export"]]["target"] == "/api/v1/units/export?format=csv"
    assert found[ids["feedback"]]["action"] == "GET /api/v1/feedback/<id:feedback_id>"
    assert found[ids["console-feedback"]]["target"] == f"/console/feedback/{feedback_id}"
    assert found[ids["progress"]]["target"] == "/console/progress/town.xlsx"
    assert found[ids["console-export"]]["actor"] == "admin"


def test_the_audit_page_verifies_and_exports(county):
    api = county["api"]
    page = requests.get(f"{api}/console/audit", headers=AUDITOR)
    assert page.status_code == 200 and "哈希链完整" in page.text and "还没有封存的归档" in page.text
    assert requests.get(f"{api}/console/audit", headers=OFFICE).status_code == 403
    assert requests.get(f"{api}/console/audit", headers=ADMIN).status_code == 403  # not the system administrator's
    assert requests.get(f"{api}/api/v1/audit/archives", headers=AUDITOR).json() == {"items": []}
    verified = requests.get(f"{api}/api/v1/audit/verify", headers=AUDITOR).json()
    assert verified["ok"] and verified["archives"] == [] and verified["where"] is None

    request_id = f"audit-export-{uuid.uuid4().hex[:8]}"
    exported = requests.get(f"{api}/console/audit/export.csv", params={"actor": "office"},
                            headers={**AUDITOR, "X-Request-ID": request_id})
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("编号,时间（北京时间）,操作人") and all(",office," in line for line in lines[1:])
    api_export = requests.get(f"{api}/api/v1/audit/export", headers=AUDITOR)
    assert api_export.status_code == 200 and len(api_export.content.decode("utf-8-sig").splitlines()) > 1
    assert requests.get(f"{api}/api/v1/audit/export", headers=OFFICE).status_code == 403
    export = entries_of(api, {"export": request_id}, 1)[request_id]
    assert export["target"] == "/console/audit/export.csv?actor=office" and export["actor"] == "auditor"
