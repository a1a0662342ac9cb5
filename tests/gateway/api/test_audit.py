"""The audit trail: a hash chain that verifies, names the first edited or orphaned entry,
fails the verify command when broken, and records state-changing API requests (only
those) with who, what and the status the caller got."""
import subprocess
import sys
import uuid

import pytest
import requests
import sqlalchemy as sa

from services.common.config import ROOT
from services.units import audit
from tests.conftest import wait_for
from tests.test_end_to_end import token

SAMPLE = (ROOT / "data" / "county_units.csv").read_bytes()
ADMIN, OFFICE, OPERATOR = token("admin", "admin"), token("office", "inspector"), token("op-a001", "operator", "A001")
AUDITOR = token("auditor", "auditor")  # the audit administrator reads and verifies the trail, nobody else


def entry(n: int, **changes):
    return {"actor": f"user{n}", "role": "admin", "unit": None, "action": "POST /api/v1/units",
            "target": f"/api/v1/units/{n}", "result": 201, "request_id": f"req-{n}", **changes}


@pytest.fixture
def chain(uow_factory):
    uow = uow_factory("units")
    for n in range(1, 6):
        audit.append(uow.session, entry(n, actor="张三" if n == 3 else f"user{n}"))
        uow.commit()
    return uow


def test_appended_entries_chain_and_verify(chain):
    page = audit.query(chain.session, limit=3)
    assert [e["id"] for e in page["items"]] == [1, 2, 3] and page["next"] == 3
    assert page["items"][0]["prev_hash"] == "0" * 64
    assert page["items"][1]["prev_hash"] == page["items"][0]["hash"]
    rest = audit.query(chain.session, after_id=page["next"])
    assert [e["id"] for e in rest["items"]] == [4, 5] and rest["next"] is None
    assert [e["id"] for e in audit.query(chain.session, actor="张三")["items"]] == [3]
    assert len(audit.query(chain.session, action="POST")["items"]) == 5
    assert audit.query(chain.session, action="PATCH")["items"] == []
    assert audit.verify(chain.session) == {"ok": True, "entries": 5, "first_bad_id": None, "reason": None,
                                           "last_hash": rest["items"][-1]["hash"]}


def test_an_edited_entry_is_named(chain):
    chain.session.execute(sa.text("UPDATE audit_log SET result = 200 WHERE id = 3"))
    chain.commit()
    result = audit.verify(chain.session)
    assert not result["ok"] and result["first_bad_id"] == 3 and "edited" in result["reason"]


def test_a_deleted_middle_entry_is_named(chain):
    chain.session.execute(sa.text("DELETE FROM audit_log WHERE id = 2"))
    chain.commit()
    result = audit.verify(chain.session)
    assert not result["ok"] and result["first_bad_id"] == 3 and "removed" in result["reason"]


def test_the_verify_command_exits_1_on_a_broken_chain(chain, database_urls):
    env = {"PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore", "PATH": "/usr/bin:/bin",
           "UNITS_DATABASE_URL": database_urls["units"]}
    command = [sys.executable, "-m", "services.units.audit_archive", "verify"]
    good = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stderr
    assert '"ok": true' in good.stdout
    chain.session.execute(sa.text("UPDATE audit_log SET actor = 'someone-else' WHERE id = 4"))
    chain.commit()
    bad = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1, bad.stderr
    assert '"first_bad_id": 4' in bad.stdout


# --- through the gateway ----------------------------------------------------------------

@pytest.mark.api_level
def test_state_changing_requests_are_audited(cluster):
    api = cluster.start_everything()
    ids = {name: f"audit-{name}-{uuid.uuid4().hex[:8]}" for name in ("import", "patch", "nominate", "get",
                                                                        "refused")}
    dry = requests.post(f"{api}/api/v1/units/import", params={"apply": "false"}, data=SAMPLE,
                        headers={**ADMIN, "Content-Type": "text/csv", "X-Request-ID": ids["import"]})
    bad = requests.patch(f"{api}/api/v1/units/A001", json={"no_such_field": 1},
                         headers={**ADMIN, "X-Request-ID": ids["patch"]})
    nominated = requests.post(f"{api}/api/v1/designations", json={"unit_code": "A001", "kind": "demonstration",
                                                                  "reason": "先进"},
                              headers={**OFFICE, "X-Request-ID": ids["nominate"]})
    assert requests.get(f"{api}/api/v1/units", headers={"X-Request-ID": ids["get"]}).status_code == 200
    assert dry.status_code == 202 and 400 <= bad.status_code < 500
    refused = requests.post(f"{api}/api/v1/units", json={}, headers={**OPERATOR, "X-Request-ID": ids["refused"]})
    assert refused.status_code == 403  # by the policy table, before any route ran

    def listed():
        items = requests.get(f"{api}/api/v1/audit", headers=AUDITOR).json()["items"]
        return items if len(items) >= 4 else None

    by_request = {e["request_id"]: e for e in wait_for(listed, timeout=15, message="four audit entries")}
    assert set(by_request) == {ids["import"], ids["patch"], ids["nominate"], ids["refused"]}  # not the GET
    assert (by_request[ids["refused"]]["role"], by_request[ids["refused"]]["result"]) == ("operator", 403)
    imported = by_request[ids["import"]]
    assert (imported["actor"], imported["role"], imported["result"]) == ("admin", "admin", 202)
    assert (imported["action"], imported["target"]) == ("POST /api/v1/units/import", "/api/v1/units/import")
    patched = by_request[ids["patch"]]
    assert patched["action"] == "PATCH /api/v1/units/<code:code>" and patched["target"] == "/api/v1/units/A001"
    assert patched["result"] == bad.status_code
    nomination = by_request[ids["nominate"]]
    assert (nomination["actor"], nomination["role"]) == ("office", "inspector")
    assert nomination["result"] == nominated.status_code and nomination["at"].endswith("+00:00")

    first = requests.get(f"{api}/api/v1/audit", params={"limit": 2, "actor": "admin"}, headers=AUDITOR).json()
    assert len(first["items"]) == 2 and first["next_cursor"] is None
    one = requests.get(f"{api}/api/v1/audit", params={"limit": 1}, headers=AUDITOR).json()
    after = requests.get(f"{api}/api/v1/audit", params={"limit": 5, "cursor": one["next_cursor"]},
                         headers=AUDITOR).json()
    assert [e["id"] for e in after["items"]] == [2, 3, 4]

    verified = requests.get(f"{api}/api/v1/audit/verify", headers=AUDITOR)
    assert verified.status_code == 200 and verified.json()["ok"] and verified.json()["entries"] == 4
    for other in (OPERATOR, OFFICE, ADMIN, token("sec", "secadmin")):  # nobody else reads it, the admin included
        assert requests.get(f"{api}/api/v1/audit", headers=other).status_code == 403
        assert requests.get(f"{api}/api/v1/audit/verify", headers=other).status_code == 403
