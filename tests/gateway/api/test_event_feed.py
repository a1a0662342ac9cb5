"""The event feed and webhooks: the outbox history a subscriber pages through (never
skipping a row that is published late), and the subscriptions' CRUD rules."""
from datetime import date, datetime, timezone

import pytest
import requests
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.base import event_history
from services.common.errors import Conflict, Gone, InvalidInput, NotFound
from services.common.records import OutboxRecord
from services.notify import webhooks
from tests.clusters import running_county
from tests.conftest import wait_for
from tests.test_end_to_end import token
from tests.gateway.api.test_units_api import ADMIN, SAMPLE, imported

DUE_SOON = {"unit_code": "A001", "entry_code": "DW-01", "matter": "组织建设", "period": "2024-Q2",
            "due_on": date(2024, 5, 6)}


def _publish(uow, *ids):
    uow.session.execute(sa.update(OutboxRecord).where(OutboxRecord.id.in_(ids))
                        .values(published_at=datetime.now(timezone.utc)))
    uow.commit()


def test_history_is_published_rows_in_id_order_up_to_the_first_unpublished(uow_factory):
    uow = uow_factory("disclosure")
    for n in range(1, 6):
        uow.emit("ObligationDueSoon", {**DUE_SOON, "obligation_id": n})
    uow.emit("ItemSubmitted", {"item_id": 1, "unit_code": "A001", "title": "t", "version": 1, "audience": "society",
                               "submitted_by": "op", "submitted_at": datetime.now(timezone.utc)})
    uow.commit()
    assert event_history(uow.session) == []  # nothing published yet
    _publish(uow, 1, 2, 4, 5, 6)  # 3 is still pending: 4 and later wait behind it
    history = event_history(uow.session)
    assert [r["id"] for r in history] == [1, 2]
    assert history[0]["event"]["type"] == "ObligationDueSoon" and history[0]["event"]["payload"]["obligation_id"] == 1
    assert event_history(uow.session, after_id=2) == []
    _publish(uow, 3)
    assert [r["id"] for r in event_history(uow.session, after_id=2)] == [3, 4, 5, 6]
    assert [r["id"] for r in event_history(uow.session, after_id=2, limit=2)] == [3, 4]
    assert [r["id"] for r in event_history(uow.session, types=["ItemSubmitted"])] == [6]
    assert [r["id"] for r in event_history(uow.session, types=["ObligationDueSoon"], after_id=4)] == [5]


def test_webhook_rules(uow_factory):
    session = uow_factory("notify").session
    sub, other, admin = (Actor(n, r) for n, r in
                         (("archive", "subscriber"), ("press", "subscriber"), ("root", "admin")))
    made = webhooks.create(session, sub, "https://archive.example/hook", ["ItemPublished", "ItemPublished"])
    assert made["event_types"] == ["ItemPublished"] and len(made["secret"]) >= 40 and made["active"]
    for url in ("ftp://x.example/", "https:///nohost", "https://x.example/" + "a" * 2000, "not a url"):
        with pytest.raises(InvalidInput):
            webhooks.create(session, sub, url, ["ItemPublished"])
    with pytest.raises(InvalidInput, match="未知的事件类型"):
        webhooks.create(session, sub, "https://a.example/", ["NoSuchEvent"])
    with pytest.raises(InvalidInput):
        webhooks.create(session, sub, "https://a.example/", [])
    with pytest.raises(NotFound):
        webhooks.get(session, other, made["id"])
    assert webhooks.list_for(session, other) == [] and len(webhooks.list_for(session, admin)) == 1
    assert "secret" not in webhooks.get(session, admin, made["id"])
    for _ in range(19):
        webhooks.create(session, sub, "http://archive.example/hook", ["UnitRegistered"])
    with pytest.raises(Conflict):
        webhooks.create(session, sub, "http://archive.example/hook", ["UnitRegistered"])
    webhooks.delete(session, sub, made["id"])
    with pytest.raises(Gone, match="已于 .* 由 archive 删除"):  # to its owner: when and by whom
        webhooks.delete(session, sub, made["id"])
    with pytest.raises(NotFound):  # to anyone else: nothing to know
        webhooks.get(session, other, made["id"])


@pytest.fixture(scope="module")
def api(tmp_path_factory, sqlite_templates):
    """One cluster, the registry empty at its start, for both tests (each with keys of its own)."""
    with running_county(tmp_path_factory.mktemp("event-feed"), sqlite_templates, loaders=()) as running:
        yield running.api


def _api_key(api, name):
    created = requests.post(f"{api}/api/v1/api-keys", json={"name": name}, headers=ADMIN)
    assert created.status_code == 201, created.text
    return {"X-API-Key": created.json()["key"]}


def _drain(api, headers, cursor, types, limit=50):
    """Every event the feed has now, page by page, and the cursor to poll with next."""
    events = []
    while True:
        got = requests.get(f"{api}/api/v1/events", params={"after": cursor, "type": types, "limit": limit},
                           headers=headers)
        assert got.status_code == 200, got.text
        events += got.json()["items"]
        cursor = got.json()["next_cursor"]
        assert cursor
        if len(got.json()["items"]) < limit:
            return events, cursor


@pytest.mark.api_level
def test_a_subscriber_backfills_then_follows_the_feed(api):
    assert imported(api, SAMPLE, apply=True)["status"] == "succeeded"
    key = _api_key(api, "county-archive")
    seen, cursor = [], ""

    def all_registered():
        nonlocal cursor
        events, cursor = _drain(api, key, cursor, "UnitRegistered,UnitMoved")
        seen.extend(events)
        return len(seen) >= 121

    wait_for(all_registered, timeout=30, message="121 UnitRegistered in the feed")
    assert len(seen) == 121 and {e["type"] for e in seen} == {"UnitRegistered"}
    assert len({e["payload"]["code"] for e in seen}) == 121 and len({e["event_id"] for e in seen}) == 121
    assert _drain(api, key, cursor, "UnitRegistered,UnitMoved")[0] == []  # nothing new

    new = requests.post(f"{api}/api/v1/units", headers=ADMIN, json={
        "code": "A999", "name": "中共测试支部委员会", "sector": "agency", "org_type": "branch", "parent_code": "C000"})
    assert new.status_code == 201, new.text
    fresh = wait_for(lambda: _drain(api, key, cursor, "UnitRegistered,UnitMoved")[0], message="the new event")
    assert [(e["type"], e["payload"]["code"]) for e in fresh] == [("UnitRegistered", "A999")]

    unknown = requests.get(f"{api}/api/v1/events", params={"type": "UnitRegistered,Nope"}, headers=key)
    assert unknown.status_code == 400 and "UnitRegistered" in unknown.json()["error"]["details"]["known"]
    assert requests.get(f"{api}/api/v1/events", params={"after": "garbage"}, headers=key).status_code == 400
    assert requests.get(f"{api}/api/v1/events").status_code == 401


@pytest.mark.api_level
def test_webhooks_through_the_gateway(api):
    archive, press = _api_key(api, "hooks-archive"), _api_key(api, "hooks-press")
    url = f"{api}/api/v1/webhooks"
    made = requests.post(url, json={"url": "https://archive.example/hook", "event_types": ["ItemPublished"]},
                         headers=archive)
    assert made.status_code == 201, made.text
    hook = made.json()
    assert hook["owner"] == "hooks-archive" and hook["secret"]
    bad_url = requests.post(url, json={"url": "javascript:alert(1)", "event_types": ["ItemPublished"]},
                            headers=archive)
    assert bad_url.status_code == 400 and bad_url.json()["error"]["code"] == "invalid_input"
    unknown = requests.post(url, json={"url": "https://a.example/", "event_types": ["Nope"]}, headers=archive)
    assert unknown.status_code == 400 and "ItemPublished" in unknown.json()["error"]["message"]

    mine = requests.get(f"{url}/{hook['id']}", headers=archive)
    assert mine.status_code == 200 and "secret" not in mine.json()
    assert requests.get(url, headers=press).json()["items"] == []
    assert requests.get(f"{url}/{hook['id']}", headers=press).status_code == 404
    assert requests.delete(f"{url}/{hook['id']}", headers=press).status_code == 404
    assert [h["id"] for h in requests.get(url, headers=ADMIN).json()["items"]] == [hook["id"]]
    assert requests.get(url).status_code == 401
    assert requests.get(url, headers=token("op", "operator", "A001")).status_code == 403
    assert requests.delete(f"{url}/{hook['id']}", headers=archive).status_code == 200
    assert requests.get(f"{url}/{hook['id']}", headers=archive).status_code == 410  # its owner learns it went
    assert requests.get(f"{url}/{hook['id']}", headers=press).status_code == 404
