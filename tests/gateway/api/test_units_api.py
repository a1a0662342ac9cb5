"""The registry through the gateway, against separately started processes: the import's
dry run and apply, tree changes, officials and designations, and the copies that
disclosure, feedback and notify keep following every one of them. One cluster serves the
module, the registry empty at its start: the refused uploads run first (nothing may appear),
then the registry is imported and changed, then sign-in on the sample county's accounts."""
import csv
import io
import subprocess
import sys

import pytest
import requests

from services.common import crypto
from services.common.config import ROOT
from services.units.demo_accounts import DEMO_PASSWORD
from tests.clusters import DEMO_ACCOUNTS, SAMPLE as LOAD_SAMPLE, running_county
from tests.conftest import scalar, wait_for
from tests.test_end_to_end import token

SAMPLE = (ROOT / "data" / "county_units.csv").read_bytes()
ADMIN, OFFICE = token("admin", "admin"), token("office", "inspector")


pytestmark = pytest.mark.api_level


@pytest.fixture(scope="module")
def county(tmp_path_factory, sqlite_templates):
    with running_county(tmp_path_factory.mktemp("units-api"), sqlite_templates, loaders=()) as running:
        yield running


@pytest.fixture
def api(county):
    return county.api


def upload(api, content, apply, content_type="text/csv", headers=ADMIN):
    return requests.post(f"{api}/api/v1/units/import", params={"apply": str(apply).lower()}, data=content,
                         headers={**headers, "Content-Type": content_type})


def imported(api, content, apply, content_type="text/csv"):
    """The import job the upload became, once it has ended."""
    accepted = upload(api, content, apply, content_type)
    assert accepted.status_code == 202, accepted.text
    location = f"{api}{accepted.headers['Location']}"
    return wait_for(lambda: (lambda job: job if job["status"] in ("succeeded", "failed") else None)(
        requests.get(location, headers=ADMIN).json()), timeout=60, interval=0.1, message="the import job")


def edited_sample(**changes_by_code):
    rows = list(csv.DictReader(io.StringIO(SAMPLE.decode("utf-8-sig"))))
    for row in rows:
        row.update(changes_by_code.get(row["code"], {}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_bad_uploads_and_unauthorised_changes(api):
    bad = imported(api, edited_sample(A001={"sector": "军队"}, A002={"liaison_phone": "123"}), apply=True)
    assert bad["status"] == "failed" and bad["error"]["code"] == "unprocessable"
    problems = bad["report"]["problems"]
    assert {(p["row"], p["column"]) for p in problems} >= {(3, "sector"), (4, "liaison_phone")}
    assert requests.get(f"{api}/api/v1/units").json()["items"] == []  # nothing half-applied
    empty = upload(api, b"", apply=False)  # refused at the door: there is no file to make a job of
    assert empty.status_code == 400 and empty.json()["error"]["message"], empty.text
    for content, content_type in ((b"\x00\x01\x02binary", "application/octet-stream"),
                                  (b"foo,bar\n1,2\n", "text/csv")):
        job = imported(api, content, apply=False, content_type=content_type)
        assert job["status"] == "failed" and job["error"]["code"] == "invalid_input" and job["error"]["message"], job
    assert upload(api, SAMPLE, apply=True, headers=OFFICE).status_code == 403
    assert upload(api, SAMPLE, apply=True, headers={}).status_code == 401
    assert requests.get(f"{api}/api/v1/units/A001/officials", headers=token("op", "operator", "A002")
                        ).status_code == 403
    assert requests.post(f"{api}/api/v1/units", json={"code": "X1"}, headers=ADMIN).status_code == 400


def test_the_registry_and_the_copies_that_follow_it(api, county):
    disclosure, notify, feedback = county.urls["disclosure"], county.urls["notify"], county.urls["feedback"]
    dry = imported(api, SAMPLE, apply=False)
    assert dry["status"] == "succeeded" and dry["report"]["registered"] == 121 and not dry["report"]["applied"]
    assert requests.get(f"{api}/api/v1/units").json()["items"] == []  # a dry run changes nothing
    applied = imported(api, SAMPLE, apply=True)["report"]
    assert applied["applied"] and applied["registered"] == 121
    wait_for(lambda: scalar(disclosure, "SELECT count(*) FROM unit_copies") == 121, timeout=30,
             message="disclosure's copy")
    assert imported(api, SAMPLE, apply=True)["report"]["unchanged"] == 121  # re-import: nothing changes

    renamed = imported(api, edited_sample(A001={"name": "中共县委办公室机关第一支部委员会"}), apply=True)["report"]
    assert renamed["updated"] == 1
    wait_for(lambda: scalar(disclosure, "SELECT name FROM unit_copies WHERE code = 'A001'").endswith("第一支部委员会"),
             message="UnitUpdated applied")

    village = requests.get(f"{api}/api/v1/units/T01/children").json()["items"][0]["code"]
    moved = requests.post(f"{api}/api/v1/units/{village}/move", json={"parent_code": "T02"}, headers=ADMIN)
    assert moved.status_code == 200, moved.text
    wait_for(lambda: scalar(disclosure, f"SELECT parent_code FROM unit_copies WHERE code = '{village}'") == "T02",
             message="UnitMoved applied")
    cycle = requests.post(f"{api}/api/v1/units/T02/move", json={"parent_code": village}, headers=ADMIN)
    assert cycle.status_code == 409 and "成为自己的下级" in cycle.json()["error"]["message"]

    appointed = requests.put(f"{api}/api/v1/units/A001/officials/liaison",
                             json={"name": "王新", "phone": "13911112222", "email": "wangxin@example.gov.cn"},
                             headers=ADMIN)
    assert appointed.status_code == 200, appointed.text
    def notify_copy():  # sealed at rest: what the table holds is not the address
        stored = scalar(notify, "SELECT email FROM contacts WHERE unit_code = 'A001' AND role = 'liaison'")
        return stored and "wangxin" not in stored and crypto.sealer().unseal(stored, "contacts.email")
    wait_for(lambda: notify_copy() == "wangxin@example.gov.cn", message="notify's contact for the new liaison")
    history = requests.get(f"{api}/api/v1/units/A001/officials", params={"on": "all"}, headers=ADMIN).json()
    assert [t["name"] for t in history["items"] if t["role"] == "liaison"] == ["杨超", "王新"]

    merged = requests.post(f"{api}/api/v1/units/T01/merge", json={"into_code": "T02"}, headers=ADMIN)
    assert merged.status_code == 200 and merged.json()["status"] == "merged"
    wait_for(lambda: scalar(disclosure, "SELECT status FROM unit_copies WHERE code = 'T01'") == "merged",
             message="UnitMerged applied")
    wait_for(lambda: scalar(feedback, "SELECT active FROM targets WHERE kind = 'unit' AND target_id = 'T01'")
             in (False, 0), message="feedback stops taking feedback for the merged unit")
    wait_for(lambda: scalar(disclosure, "SELECT count(*) FROM unit_copies WHERE parent_code = 'T01'") == 0,
             message="the children moved in the copy")

    nominated = requests.post(f"{api}/api/v1/designations", headers=OFFICE,
                              json={"unit_code": "A003", "kind": "model", "reason": "党务公开工作成效突出"})
    assert nominated.status_code == 201, nominated.text
    designated = requests.post(f"{api}/api/v1/designations/{nominated.json()['id']}/designate", headers=OFFICE)
    assert designated.json()["status"] == "designated"
    assert any(d["unit_code"] == "A003" for d in
               requests.get(f"{api}/api/v1/designations", params={"status": "designated"}).json()["items"])

    created = requests.post(f"{api}/api/v1/units", headers=ADMIN, json={
        "code": "T02V099", "name": "中共新村支部委员会", "sector": "村居", "org_type": "branch",
        "parent_code": "T02", "liaison": "李四", "liaison_email": "li@example.gov.cn"})
    assert created.status_code == 201, created.text
    assert created.json()["sector"] == "village" and created.json()["sector_label"] == "村居"
    assert requests.post(f"{api}/api/v1/units", headers=ADMIN, json={
        "code": "T02V099", "name": "重复", "sector": "village", "org_type": "branch", "parent_code": "T02"}
    ).status_code == 409
    renamed = requests.patch(f"{api}/api/v1/units/T02V099", json={"name": "中共新村总支部委员会",
                                                                   "org_type": "general_branch"}, headers=ADMIN)
    assert renamed.status_code == 200 and renamed.json()["org_type_label"] == "党总支"
    wait_for(lambda: scalar(disclosure, "SELECT name FROM unit_copies WHERE code = 'T02V099'") == "中共新村总支部委员会",
             message="the new unit's copy")
    assert requests.get(f"{api}/api/v1/units/T02V099").json().get("officials") is None  # contacts are not public
    assert requests.get(f"{api}/api/v1/units/T02V099", headers=ADMIN).json()["officials"][0]["name"] == "李四"

    exported = requests.get(f"{api}/api/v1/units/export", params={"format": "xlsx"}, headers=OFFICE)
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    assert imported(api, exported.content, apply=False,
                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    )["report"]["updated"] == 0


def test_signing_in_refreshing_and_api_keys(api, county):
    for loader in (LOAD_SAMPLE, DEMO_ACCOUNTS):
        subprocess.run([sys.executable, "-m", loader], cwd=ROOT, env=county.env, check=True, capture_output=True)

    wrong = requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "password", "username": "rv-a001",
                                                             "password": "guess"})
    assert wrong.status_code == 401 and wrong.json()["error"]["message"] == "用户名或密码不对，请核对后重试。"
    signed_in = requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "password", "username": "rv-a001",
                                                                 "password": DEMO_PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    tokens = signed_in.json()
    assert DEMO_PASSWORD not in signed_in.text and "hash" not in signed_in.text and tokens["expires_in"] == 900
    me = requests.get(f"{api}/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json() == {"username": "rv-a001", "role": "reviewer", "unit": "A001"}

    refreshed = requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "refresh_token",
                                                                 "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json()["refresh_token"] != tokens["refresh_token"]
    reused = requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "refresh_token",
                                                              "refresh_token": tokens["refresh_token"]})
    assert reused.status_code == 401 and "已被用过" in reused.json()["error"]["message"]

    key = requests.post(f"{api}/api/v1/api-keys", json={"name": "county-archive"}, headers=ADMIN)
    assert key.status_code == 201 and key.json()["key"].startswith("gk_")
    listed = requests.get(f"{api}/api/v1/api-keys", headers=ADMIN).json()["items"]
    assert [k["name"] for k in listed] == ["county-archive"] and "key" not in listed[0]
    assert requests.get(f"{api}/api/v1/api-keys", headers=OFFICE).status_code == 403
    as_subscriber = requests.get(f"{api}/api/v1/auth/me", headers={"X-API-Key": key.json()["key"]})
    assert as_subscriber.json() == {"username": "county-archive", "role": "subscriber", "unit": None}
    requests.delete(f"{api}/api/v1/api-keys/{key.json()['id']}", headers=ADMIN).raise_for_status()
    assert requests.get(f"{api}/api/v1/auth/me", headers={"X-API-Key": key.json()["key"]}).status_code == 401
