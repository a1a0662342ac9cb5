"""Dead letters keep every message whole, each in its own row, on a real queue: messages
without an event_id (or with one that is not a UUID), bodies that are not JSON, not UTF-8,
hold a NUL, are nested too deep or are large, and a malformed message that reuses another's
event_id. Each is listed with its exact bytes and put back on its queue byte for byte."""
import base64
import hashlib
import json
import uuid

import sqlalchemy as sa
from alembic import command
from amqp import Message
from kombu import Connection
from nameko.testing.services import entrypoint_hook

from services.common import records
from services.common.contract import EVENTS_EXCHANGE, names, new_event, to_message
from services.common.dead_letters import Received
from services.common.inbox import Inbox
from services.common.migrate import alembic_config, upgrade
from services.disclosure.service import DisclosureService
from tests.conftest import scalar, wait_for
from tests.feedback.test_feedback_and_notify_rules import UNIT

ROUTING_KEY = f"units.{names.UNIT_REGISTERED}"
QUEUE = f"gongkai.disclosure.{names.UNIT_REGISTERED}"
REUSED_ID = "0b6f5e36-6d4c-4b8e-8f0e-5f2f8c0a7d21"


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


# (bytes, content type) as any producer might publish them; none can be processed.
POISON = [
    (_json({"type": "UnitRegistered", "payload": {"code": "A001"}}), "application/json"),
    (_json({"type": "UnitRegistered", "payload": {"code": "A002"}}), "application/json"),
    (_json({"type": "UnitRegistered", "payload": {"code": "A002"}}), "application/json"),  # again, a 2nd message
    (_json({"event_id": None, "type": "UnitRegistered"}), "application/json"),
    (_json({"event_id": 12345, "type": "UnitRegistered"}), "application/json"),
    (_json({"event_id": {"nested": "x" * 200}}), "application/json"),  # str() of it overflows the column
    (_json({"event_id": "not-a-uuid", "note": "与上一条不同"}), "application/json"),
    (_json([1, 2, 3]), "application/json"),
    (_json("只是一个字符串"), "application/json"),
    (b"{not json", "application/json"),
    (b'{"event_id": "' + REUSED_ID.encode() + b'", "note": "\xff\xfe not utf-8"}', "application/json"),
    (b'{"type": "UnitRegistered", "note": "a raw NUL \x00 byte"}', "application/json"),
    (b"\x80\x04K\x01.", "application/x-python-serialize"),
    (b"plain words, no content type", None),
    (b"[" * 100_000, "application/json"),  # deeper than any JSON parser recurses
    (_json({"type": "UnitRegistered", "pad": "数据" * 300_000}), "application/json"),  # 1.8 MB
]


def publish_raw(uri: str, body: bytes, content_type: str | None, routing_key: str = ROUTING_KEY) -> None:
    """Publish bytes untouched (kombu would serialise a body sent without a content type)."""
    properties = {"delivery_mode": 2}
    if content_type:
        properties["content_type"] = content_type
    with Connection(uri) as conn:
        conn.default_channel.basic_publish(Message(body, **properties), exchange=EVENTS_EXCHANGE,
                                           routing_key=routing_key)


def stored_bytes(letter: dict) -> bytes:
    if letter["body_encoding"] == "base64":
        return base64.b64decode(letter["body"])
    return letter["body"].encode("utf-8")


def dead_letters(container) -> list[dict]:
    with entrypoint_hook(container, "list_dead_letters") as list_dead_letters:
        return list_dead_letters(None, 500)


def test_every_poison_message_is_kept_whole_listed_apart_and_replayed_byte_for_byte(
        container_factory, service_config, database_urls):
    container = container_factory(DisclosureService, service_config)
    container.start()
    uri = service_config["AMQP_URI"]
    good = to_message(new_event(names.UNIT_REGISTERED, UNIT))
    malformed_a = _json({**good, "event_id": REUSED_ID, "payload": {"code": "A001"}})
    malformed_b = _json({**good, "event_id": REUSED_ID, "payload": {"code": "B002"}})
    for body, content_type in POISON:
        publish_raw(uri, body, content_type)
    for body in (malformed_a, malformed_b, malformed_a):  # the first one twice: the same message again
        publish_raw(uri, body, "application/json")
    publish_raw(uri, _json(good), "application/json")

    expected = [body for body, _ in POISON] + [malformed_a, malformed_b]
    wait_for(lambda: scalar(database_urls["disclosure"], "SELECT count(*) FROM unit_copies") == 1,
             message="the good event behind the poison")
    wait_for(lambda: len(dead_letters(container)) == len(expected), timeout=60,
             message=f"{len(expected)} dead letters")

    letters = dead_letters(container)
    assert sorted(stored_bytes(letter) for letter in letters) == sorted(expected)  # none lost, none merged
    assert len({letter["id"] for letter in letters}) == len(expected)
    for letter in letters:
        data = stored_bytes(letter)
        assert letter["body_sha256"] == hashlib.sha256(data).hexdigest()
        assert letter["body_bytes"] == len(data)
        assert letter["queue"] == QUEUE and letter["status"] == "dead"
        assert letter["event_type"] == names.UNIT_REGISTERED
        assert letter["event_id"] == (REUSED_ID if data in (malformed_a, malformed_b) else None)
    by_body = {stored_bytes(letter): letter for letter in letters}
    assert by_body[malformed_a]["attempts"] == 2 and by_body[malformed_b]["attempts"] == 1
    assert by_body[b"\x80\x04K\x01."]["body_encoding"] == "base64"
    assert by_body[b'{"type": "UnitRegistered", "note": "a raw NUL \x00 byte"}']["body_encoding"] == "base64"
    assert by_body[b"plain words, no content type"]["content_type"] is None
    assert by_body[b"\x80\x04K\x01."]["content_type"] == "application/x-python-serialize"

    # Replayed, each goes back on its queue as the same bytes and is parked again as such.
    replayed = [letter["id"] for letter in letters if letter["event_id"] is None]
    assert len(replayed) == len(POISON)
    with entrypoint_hook(container, "replay_dead_letters") as replay:
        assert replay(replayed, None) == len(replayed)
    first = {letter["id"] for letter in letters}

    def parked_again() -> list[dict]:
        return [d for d in dead_letters(container) if d["id"] not in first]

    wait_for(lambda: len(parked_again()) == len(POISON), timeout=60, message="the replayed poison parked again")
    again = parked_again()
    assert sorted(stored_bytes(d) for d in again) == sorted(body for body, _ in POISON)
    assert {(stored_bytes(d), d["content_type"]) for d in again} == {(b, c) for b, c in POISON}
    assert scalar(database_urls["disclosure"],
                  "SELECT count(*) FROM event_failures WHERE status = 'replayed'") == len(POISON)


def test_received_bodies_round_trip_through_their_columns():
    for body, content_type in POISON:
        received = Received(body, content_type)
        row = records.EventFailure(**received.columns())
        assert Received.stored(row) == received
        again = Received.stored(row)
        assert again.publish_options["content_encoding"] == ("utf-8" if received.text is not None else "binary")
    assert Received(_json({"event_id": REUSED_ID.upper()})).event_id() == REUSED_ID
    assert Received(_json({"event_id": str(uuid.UUID(REUSED_ID).int)})).event_id() is None


def test_the_migration_adds_body_columns_to_an_existing_failures_table(tmp_path):
    """A database made before dead letters kept their bodies' encoding gets the columns,
    and the failures it holds read back as the UTF-8 JSON they were."""
    url = f"sqlite:///{tmp_path}/disclosure.db"
    upgrade("disclosure", url, "0003")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:  # the table as it was before revision 0004
        for name in ("body_encoding", "body_bytes", "body_sha256", "content_type"):
            conn.execute(sa.text(f"ALTER TABLE event_failures DROP COLUMN {name}"))
        conn.execute(sa.text(
            "INSERT INTO event_failures (queue, event_id, event_type, body, status, attempts, last_error, "
            "first_failed_at, updated_at) VALUES (:q, NULL, 'UnitRegistered', '{\"a\": 1}', 'dead', 1, 'x', "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"), {"q": QUEUE})
    command.upgrade(alembic_config("disclosure", url), "head")
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT body, body_encoding, content_type FROM event_failures")).one()
    engine.dispose()
    assert tuple(row) == ('{"a": 1}', "utf-8", None)
    legacy = records.EventFailure(body=row[0], body_encoding=row[1], content_type=None, body_sha256=None)
    assert Received.stored(legacy) == Received(b'{"a": 1}', "application/json")


def test_a_failure_is_resolved_when_its_event_was_processed_another_way(uow_factory):
    """A unit's event failed on a replica racing the backfill that applied the same event (a
    unique key taken meanwhile); when its retry finds the event processed, the failure is
    forgotten instead of being re-queued every RETRY_MAX_SECONDS for ever."""
    uow = uow_factory("supervision")
    inbox = Inbox("supervision", uow._sessions, {"AMQP_URI": "memory://", "EVENTS": {}})
    queue = "gongkai.supervision.UnitRegistered"
    received = Received(_json({"event_id": "e-1", "type": names.UNIT_REGISTERED, "payload": {"code": "V01"}}))
    row = inbox.record_failure(queue, received, "UniqueViolation", event_id="e-1", event_type=names.UNIT_REGISTERED)
    assert row.status == "retrying"

    def failures():
        return uow.session.execute(sa.text("SELECT count(*) FROM event_failures")).scalar()

    inbox.forget_failures("e-1", queue, Received(b'{"another": "body"}'))  # another body: still kept
    assert failures() == 1
    uow.session.rollback()
    inbox.forget_failures("e-1", queue, received)
    assert failures() == 0
