"""Personal data sealed at rest (services/common/crypto.py): the ciphers, the key ids, the
refusals, the migrations that seal existing rows (read back from the raw tables), and the
re-encryption that rotates keys (services/common/rekey.py)."""
from __future__ import annotations

import base64
import json
import os
import uuid

import pytest
import sqlalchemy as sa
from alembic import command

from services.common import crypto, rekey
from services.common.migrate import alembic_config, upgrade
from services.common.records import utcnow
from tests.conftest import BACKENDS, PG_URL, copy_templates
from tests.processes import ServiceProcess, base_env

PHONE, EMAIL, CONTACT = "13912345678", "li.si@example.cn", "微信 wx-zhang-13800001111"
OLD = {"units": "0008", "feedback": "calendar_copy", "notify": "0005"}


@pytest.fixture
def keys(monkeypatch):
    """The process's sealer made from a key spec the test controls; restored afterwards."""
    def use(spec):
        monkeypatch.setenv("GONGKAI_DATA_KEYS", json.dumps(spec))
        crypto.reset()
        return crypto.sealer()
    yield use
    crypto.reset()


def _rotated(spec, cipher="SM4-GCM"):
    """`spec` with a new current key of `cipher`; the old key stays (it still opens)."""
    fresh = crypto.new_key_spec(cipher, kid="k-new")
    return {**spec, "current": "k-new", "keys": {**spec["keys"], **fresh["keys"]}}


@pytest.mark.parametrize("cipher", sorted(crypto.CIPHERS))
def test_a_value_sealed_opens_only_in_its_column_and_names_its_key(cipher):
    ring = crypto.KeyRing(crypto.new_key_spec(cipher, kid="k1"))
    ring.check()
    sealed = ring.seal(PHONE, "officials.phone")
    assert sealed.startswith("gk1:k1:") and PHONE not in sealed
    assert ring.seal(PHONE, "officials.phone") != sealed  # a fresh nonce each time
    assert ring.unseal(sealed, "officials.phone") == PHONE
    with pytest.raises(crypto.KeyUnavailable):
        ring.unseal(sealed, "contacts.phone")  # copied into another column: refused
    assert ring.blind_index(" Li.Si@Example.cn", "x") == ring.blind_index(EMAIL, "x") != ring.blind_index(EMAIL, "y")


def test_an_unknown_or_expired_key_is_a_clear_refusal():
    spec = crypto.new_key_spec(kid="k1")
    sealed = crypto.KeyRing(spec).seal(PHONE, "c")
    other = crypto.KeyRing(crypto.new_key_spec(kid="k2"))
    with pytest.raises(crypto.KeyUnavailable, match="密钥 k1 不存在") as refused:
        other.unseal(sealed, "c")
    assert refused.value.code == "key_unavailable" and refused.value.details == {"key_id": "k1"}
    expired = _rotated(spec)
    expired["keys"]["k1"]["expired"] = True
    with pytest.raises(crypto.KeyUnavailable, match="密钥 k1 已过期"):
        crypto.KeyRing(expired).unseal(sealed, "c")


def test_a_cipher_the_host_lacks_or_a_bad_key_file_stops_the_start(monkeypatch):
    ring = crypto.KeyRing(crypto.new_key_spec("SM4-GCM"))
    monkeypatch.setattr(crypto, "cipher_offered", lambda name: name != "SM4-GCM")
    with pytest.raises(crypto.CipherUnavailable, match="本机 OpenSSL 不提供 SM4-GCM.*does not offer SM4-GCM"):
        ring.check()
    short = crypto.new_key_spec("AES-256-GCM", kid="k1")
    short["keys"]["k1"]["key"] = base64.b64encode(os.urandom(16)).decode()
    with pytest.raises(crypto.CipherUnavailable, match="32 字节"):
        crypto.KeyRing(short).check()
    expired = crypto.new_key_spec(kid="k1")
    expired["keys"]["k1"]["expired"] = True
    with pytest.raises(crypto.CipherUnavailable, match="k1"):
        crypto.KeyRing(expired).check()
    with pytest.raises(crypto.CipherUnavailable):
        crypto.KeyRing({"current": "k1"})


def test_a_development_key_file_is_made_once_and_production_refuses_without_one(tmp_path, monkeypatch):
    monkeypatch.delenv("GONGKAI_DATA_KEYS")
    path = tmp_path / "var" / "data-keys.json"
    monkeypatch.setenv("GONGKAI_DATA_KEY_FILE", str(path))
    monkeypatch.setenv("GONGKAI_DATA_CIPHER", "SM4-GCM")
    try:
        crypto.reset()
        first = crypto.sealer().current
        crypto.reset()
        assert crypto.sealer().current == first
        assert json.loads(path.read_text())["keys"][first]["cipher"] == "SM4-GCM"
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        monkeypatch.setenv("GONGKAI_ENV", "production")
        monkeypatch.setenv("GONGKAI_DATA_KEY_FILE", str(tmp_path / "missing.json"))
        crypto.reset()
        with pytest.raises(crypto.CipherUnavailable, match="缺少数据密钥文件"):
            crypto.sealer()
    finally:
        crypto.reset()


# --- the migrations seal the rows already stored ------------------------------------------

@pytest.fixture(params=BACKENDS)
def old_databases(request, tmp_path):
    """Each service's database at the revision before sealing, on each backend."""
    if request.param == "sqlite":
        yield {service: f"sqlite:///{tmp_path}/{service}.db" for service in OLD}
        return
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    base = sa.engine.make_url(PG_URL)
    names = {service: f"{base.database}_seal{uuid.uuid4().hex[:8]}_{service}" for service in OLD}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield {s: base.set(database=n).render_as_string(hide_password=False) for s, n in names.items()}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _execute(url: str, *statements: tuple[str, dict]) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        for sql, params in statements:
            conn.execute(sa.text(sql), params)
    engine.dispose()


def _raw(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def _stored_before_sealing(urls: dict[str, str]) -> None:
    for service, revision in OLD.items():
        command.upgrade(alembic_config(service, urls[service]), revision)
    now = utcnow()
    _execute(urls["units"],
             ("INSERT INTO units (code, name, sector, org_type, status, demonstration, revision, updated_at) "
              "VALUES ('A1', '甲村党支部', 'village', 'branch', 'active', false, 1, :now)", {"now": now}),
             ("INSERT INTO officials (unit_code, role, name, phone, email) VALUES ('A1', 'liaison', '李四', :p, :e)",
              {"p": PHONE, "e": EMAIL}),
             ("INSERT INTO official_terms (unit_code, role, name, phone, email, started_on) "
              "VALUES ('A1', 'liaison', '李四', :p, :e, '2026-01-05')", {"p": PHONE, "e": EMAIL}),
             ("INSERT INTO outbox (event_id, type, version, routing_key, correlation_id, occurred_at, body, attempts) "
              "VALUES (:id, 'UnitRegistered', 1, 'units.UnitRegistered', 'c', :now, :body, 0)",
              {"id": str(uuid.uuid4()), "now": now, "body": json.dumps({"type": "UnitRegistered", "payload": {
                  "code": "A1", "officials": [{"role": "liaison", "name": "李四", "phone": PHONE, "email": EMAIL}]}})}))
    _execute(urls["feedback"], (
        "INSERT INTO feedback (tracking_code, target_kind, target_id, unit_code, kind, source, content, contact, public,"
        " status, received_at, acknowledge_due, answer_due, round, reopen_count, reports, answer_hidden) VALUES "
        "('T1', 'unit', 'A1', 'A1', 'opinion', 'public', '路灯坏了', :c, false, 'received', :now, '2026-01-08',"
        " '2026-01-26', 1, 0, 0, false)", {"c": CONTACT, "now": now}))
    delivery = ("INSERT INTO deliveries (cause_event_id, cause_type, unit_code, channel, recipient, subject, body,"
                " status, attempts, created_at, delivery_key, urgency) VALUES (:e, 'X', 'A1', 'sms', :r, '', '',"
                " 'delivered', 1, :now, :k, 'normal')")
    _execute(urls["notify"],
             ("INSERT INTO contacts (unit_code, role, name, email, phone) VALUES ('A1', 'liaison', '李四', :e, :p)",
              {"p": PHONE, "e": EMAIL}),
             (delivery, {"e": str(uuid.uuid4()), "r": PHONE, "now": now, "k": "ev1:sms:liaison"}),
             (delivery, {"e": str(uuid.uuid4()), "r": PHONE, "now": now, "k": f"digest:2026-12-07:sms:{PHONE}"}))


def test_the_migrations_seal_every_stored_contact_and_the_models_read_them(old_databases, keys):
    sealer = keys(crypto.new_key_spec(kid="k1"))
    _stored_before_sealing(old_databases)
    for service in OLD:
        upgrade(service, old_databases[service])
    raw = {service: _raw(url, {"units": "SELECT phone, email FROM officials UNION ALL "
                                         "SELECT phone, email FROM official_terms UNION ALL "
                                         "SELECT body, type FROM outbox",
                               "feedback": "SELECT contact, tracking_code FROM feedback",
                               "notify": "SELECT email, phone FROM contacts UNION ALL "
                                         "SELECT recipient, delivery_key FROM deliveries"}[service])
           for service, url in old_databases.items()}
    for service, rows in raw.items():
        text = repr(rows)
        assert PHONE not in text and EMAIL not in text and CONTACT not in text, (service, rows)
        assert "gk1:k1:" in text
    assert sealer.unseal(raw["units"][0][0], "officials.phone") == PHONE
    official = json.loads(raw["units"][2][0])["payload"]["officials"][0]
    assert sealer.unseal(official["phone"], "event.official.phone") == PHONE
    assert sealer.unseal(raw["feedback"][0][0], "feedback.contact") == CONTACT
    index = sealer.blind_index(PHONE, "deliveries.recipient")
    assert f"digest:2026-12-07:sms:{index}" in [row[1] for row in raw["notify"]]
    assert {r[0] for r in _raw(old_databases["notify"], "SELECT recipient_index FROM deliveries")} == {index}
    for service in OLD:  # the way back opens them again
        command.downgrade(alembic_config(service, old_databases[service]), OLD[service])
    assert _raw(old_databases["units"], "SELECT phone, email FROM officials") == [(PHONE, EMAIL)]
    assert _raw(old_databases["feedback"], "SELECT contact FROM feedback") == [(CONTACT,)]


def test_rekey_moves_every_value_to_the_current_key_and_resumes(old_databases, keys):
    spec = crypto.new_key_spec(kid="k1")
    keys(spec)
    _stored_before_sealing(old_databases)
    for service in OLD:
        upgrade(service, old_databases[service])
    rotated = _rotated(spec)
    keys(rotated)
    done = rekey.rekey_service("units", old_databases["units"], batch=1)
    assert (done.rekeyed, done.plaintext, done.batches, dict(done.found)) == (4, 0, 2, {"k1": 4})
    assert rekey.rekey_service("units", old_databases["units"]).rekeyed == 0  # already done: nothing to do
    notify = rekey.rekey_service("notify", old_databases["notify"])
    assert (notify.rekeyed, dict(notify.found)) == (4, {"k1": 4})
    stored = _raw(old_databases["units"], "SELECT phone, email FROM officials")[0]
    assert all(value.startswith("gk1:k-new:") for value in stored)
    assert crypto.sealer().unseal(stored[0], "officials.phone") == PHONE

    # the old key expires: feedback, never re-encrypted, is refused whole, nothing changed
    rotated["keys"]["k1"]["expired"] = True
    keys(rotated)
    before = _raw(old_databases["feedback"], "SELECT contact FROM feedback")
    with pytest.raises(crypto.KeyUnavailable, match="k1"):
        rekey.rekey_service("feedback", old_databases["feedback"])
    assert _raw(old_databases["feedback"], "SELECT contact FROM feedback") == before
    assert rekey.main(["feedback", "--url", old_databases["feedback"]]) == 2


def test_the_sealed_columns_are_found_from_the_models():
    assert rekey.sealed_columns("units") == {"officials": {"phone": "officials.phone", "email": "officials.email"},
                                             "official_terms": {"phone": "official_terms.phone",
                                                                "email": "official_terms.email"},
                                             "second_factors": {"secret": "second_factors.secret"}}
    assert rekey.sealed_columns("feedback") == {"feedback": {"contact": "feedback.contact"}}
    assert set(rekey.sealed_columns("notify")) == {"contacts", "deliveries"}
    assert rekey.sealed_columns("supervision") == {}


def test_a_service_refuses_to_start_on_keys_it_cannot_use(tmp_path, sqlite_templates):
    """The process exits at start, saying why in both languages, before it serves anything."""
    bad = crypto.new_key_spec(kid="k1")
    bad["keys"]["k1"]["cipher"] = "SM4-CBC"
    env = {**base_env("amqp://guest:guest@127.0.0.1:5672/", copy_templates(tmp_path, sqlite_templates), 1),
           "GONGKAI_DATA_KEYS": json.dumps(bad)}
    units = ServiceProcess("units", env, tmp_path).launch()
    try:
        assert units.proc.wait(60) != 0
    finally:
        units.stop()
    log = units.log_path.read_text()
    assert "密钥 k1 的算法 SM4-CBC 不受支持" in log and "cipher SM4-CBC is not supported" in log


def test_a_damaged_value_is_refused_not_returned():
    ring = crypto.KeyRing(crypto.new_key_spec(kid="k1"))
    sealed = ring.seal(PHONE, "c")
    for damaged in ("gk1:k1:not base64!", "gk1:k1:", sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"),
                    PHONE):
        with pytest.raises(crypto.KeyUnavailable):
            ring.unseal(damaged, "c")


def test_an_officials_contact_travels_sealed_and_notify_opens_it(keys):
    """In the outbox, on the broker, in the event feed and webhooks the contact is sealed;
    notify, which sends to it, opens it for its own (sealed) copy."""
    from services.common.contract import from_message, new_event, to_message
    from services.notify import directory
    keys(crypto.new_key_spec(kid="k1"))
    state = {"code": "A1", "revision": 1, "name": "甲村", "sector": "village", "org_type": "branch",
             "parent_code": None, "status": "active", "demonstration": False,
             "officials": [{"role": "liaison", "name": "李四", "phone": PHONE, "email": EMAIL}]}
    message = to_message(new_event("UnitRegistered", state))
    assert PHONE not in json.dumps(message) and EMAIL not in json.dumps(message)
    received = from_message(json.dumps(message))
    official = received.payload["officials"][0]
    assert official["phone"].startswith("gk1:k1:")
    assert directory._opened(official["phone"], "event.official.phone") == PHONE
    assert directory._opened(PHONE, "event.official.phone") == PHONE  # an event written before sealing
