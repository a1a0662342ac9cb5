"""Events through the real RabbitMQ: outbox publishing, idempotent consumers, retries,
dead letters and replay. Each test gets its own vhost and empty databases."""
import base64
import json

import sqlalchemy as sa
from kombu import Connection, Exchange, Producer
from nameko.testing.services import entrypoint_hook

from services.common import metrics
from services.common.contract import SUBSCRIPTIONS, UNIT_EVENTS, names, new_event, queue_name, to_message
from services.common.inbox import event_subscriber
from services.common.topology import declare_topology
from services.disclosure.service import DisclosureService
from services.feedback.service import FeedbackService
from services.notify.service import NotifyService
from services.units.load_sample import SAMPLE_COUNTY
from services.units.service import UnitsService
from tests.conftest import scalar, wait_for
from tests.feedback.test_feedback_and_notify_rules import UNIT, published




SAMPLE_B64 = base64.b64encode(SAMPLE_COUNTY.read_bytes()).decode()


def publish(amqp_uri, body, routing_key, content_type="application/json"):
    """Publish as any producer might, well-formed or not."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    with Connection(amqp_uri) as conn:
        producer = Producer(conn.channel(), exchange=Exchange("gongkai.events", type="topic", durable=True))
        producer.publish(body, routing_key=routing_key, content_type=content_type, content_encoding="utf-8")


def counter(metric, *labels):
    return metric.labels(*labels)._value.get()


def test_registered_units_reach_every_consumer_through_the_outbox(container_factory, service_config, database_urls):
    containers = [container_factory(cls, service_config)
                  for cls in (UnitsService, DisclosureService, NotifyService, FeedbackService)]
    for container in containers:
        container.start()
    published_before = counter(metrics.EVENTS_PUBLISHED, "units", "UnitRegistered")
    with entrypoint_hook(containers[0], "import_registry") as import_registry:
        assert import_registry({"username": "test", "role": "admin"}, "county.csv", SAMPLE_B64, True)["registered"] == 121

    # 121 events through the relay to three consumers in this one process: about 3 s alone, many
    # times that beside a whole test run's clusters, so the waits are sized for the batch
    wait_for(lambda: scalar(database_urls["disclosure"], "SELECT count(*) FROM unit_copies") == 121,
             timeout=60, message="disclosure's copy of the registry")
    wait_for(lambda: scalar(database_urls["feedback"], "SELECT count(*) FROM targets") == 121,
             timeout=60, message="feedback's targets")
    wait_for(lambda: scalar(database_urls["notify"], "SELECT count(*) FROM contacts") == 242,
             timeout=60, message="notify's contacts (secretary and liaison of each unit)")
    wait_for(lambda: scalar(database_urls["units"], "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0,
             message="the outbox marked published")  # consumers may see events before the relay's commit
    assert counter(metrics.EVENTS_PUBLISHED, "units", "UnitRegistered") - published_before == 121


def test_an_event_delivered_twice_has_one_effect(container_factory, service_config, database_urls, mail_sink):
    container = container_factory(NotifyService, service_config)
    container.start()
    publish(service_config["AMQP_URI"], to_message(new_event("UnitRegistered", UNIT)), "units.UnitRegistered")
    wait_for(lambda: scalar(database_urls["notify"], "SELECT count(*) FROM contacts") == 2, message="contacts")

    duplicates_before = counter(metrics.EVENTS_CONSUMED, "notify", "ItemPublished", "duplicate")
    message = to_message(published())
    publish(service_config["AMQP_URI"], message, "disclosure.ItemPublished")
    publish(service_config["AMQP_URI"], message, "disclosure.ItemPublished")

    wait_for(lambda: counter(metrics.EVENTS_CONSUMED, "notify", "ItemPublished", "duplicate") > duplicates_before,
             message="the second delivery to be recognised")
    wait_for(lambda: len(mail_sink.messages()) == 1, message="the email")
    assert scalar(database_urls["notify"], "SELECT count(*) FROM deliveries") == 1
    # the two received (notify also receives its own NotificationDelivered, for subscribers' webhooks)
    assert scalar(database_urls["notify"], "SELECT count(*) FROM processed_events WHERE consumer LIKE "
                                           "'%ItemPublished' OR consumer LIKE '%UnitRegistered'") == 2
    (mail,) = mail_sink.messages()
    assert mail["To"] == "a001@example.gov.cn"


def test_malformed_messages_are_parked_with_their_reason_and_hold_nothing_up(
        container_factory, service_config, database_urls):
    container = container_factory(DisclosureService, service_config)
    container.start()
    uri = service_config["AMQP_URI"]
    good = to_message(new_event("UnitRegistered", UNIT))
    publish(uri, b"{not json", "units.UnitRegistered")
    publish(uri, b"\x80\x04K\x01.", "units.UnitRegistered", content_type="application/x-python-serialize")
    publish(uri, {**good, "version": 7, "event_id": "6f1c1b8e-2c1d-4d7e-9a52-0f2f4c1e9b11"}, "units.UnitRegistered")
    publish(uri, {**good, "payload": {"code": "A001"}, "event_id": "0b6f5e36-6d4c-4b8e-8f0e-5f2f8c0a7d21"},
            "units.UnitRegistered")
    publish(uri, good, "units.UnitRegistered")

    wait_for(lambda: scalar(database_urls["disclosure"], "SELECT count(*) FROM unit_copies") == 1,
             message="the good event behind the bad ones")
    wait_for(lambda: scalar(database_urls["disclosure"], "SELECT count(*) FROM event_failures") == 4,
             message="four dead letters")
    with entrypoint_hook(container, "list_dead_letters") as list_dead_letters:
        letters = list_dead_letters()
    reasons = " | ".join(letter["last_error"] for letter in letters)
    assert {letter["status"] for letter in letters} == {"dead"}
    assert "not JSON" in reasons or "undecodable" in reasons
    assert "x-python-serialize" in reasons
    assert "version 7 is not supported" in reasons
    assert "payload breaks the contract" in reasons


FAILING = {"on": True}


class FlakyDisclosureService(DisclosureService):
    """Disclosure whose unit copy fails while FAILING is on, as when a bug is deployed."""

    @event_subscriber(*UNIT_EVENTS)
    def on_unit_changed(self, event):
        if FAILING["on"]:
            raise RuntimeError("the unit copy cannot be written")
        super().on_unit_changed(event)


def test_a_failing_handler_is_retried_then_parked_then_replayed(container_factory, service_config, database_urls):
    FAILING["on"] = True
    container = container_factory(FlakyDisclosureService, service_config)
    container.start()
    failed_before = counter(metrics.EVENTS_FAILED, "disclosure", "UnitRegistered")
    publish(service_config["AMQP_URI"], to_message(new_event("UnitRegistered", UNIT)), "units.UnitRegistered")

    dead = "SELECT count(*) FROM event_failures WHERE status = 'dead'"
    wait_for(lambda: scalar(database_urls["disclosure"], dead) == 1, timeout=20, message="the dead letter")
    assert scalar(database_urls["disclosure"], "SELECT attempts FROM event_failures") == 3
    assert counter(metrics.EVENTS_FAILED, "disclosure", "UnitRegistered") - failed_before == 3
    assert scalar(database_urls["disclosure"], "SELECT count(*) FROM unit_copies") == 0

    FAILING["on"] = False  # the fix is deployed; the operator replays
    with entrypoint_hook(container, "replay_dead_letters") as replay:
        assert replay(None, "UnitRegistered") == 1
    wait_for(lambda: scalar(database_urls["disclosure"], "SELECT count(*) FROM unit_copies") == 1,
             message="the replayed event's effect")
    wait_for(lambda: scalar(database_urls["disclosure"], "SELECT count(*) FROM event_failures") == 0,
             message="the failure record to be cleared")


def test_an_unroutable_event_waits_in_the_outbox_until_a_queue_is_bound(
        container_factory, service_config, database_urls, rabbit_manager):
    container = container_factory(UnitsService, service_config)
    container.start()
    uri = service_config["AMQP_URI"]
    vhost = service_config["AMQP_URI"].rsplit("/", 1)[1]
    bound = {queue_name(service, names.UNIT_REGISTERED) for service, types in SUBSCRIPTIONS.items()
             if names.UNIT_REGISTERED in types}
    wait_for(lambda: bound <= {q["name"] for q in rabbit_manager.get_queues(vhost)},
             message="the topology (every subscriber's queue, before they are deleted)")
    with Connection(uri) as conn:
        channel = conn.channel()
        for queue in rabbit_manager.get_queues(vhost):
            if queue["name"].endswith(".UnitRegistered"):
                channel.queue_delete(queue["name"])

    first_unit = b"\n".join(SAMPLE_COUNTY.read_bytes().splitlines()[:2])
    with entrypoint_hook(container, "import_registry") as import_registry:
        import_registry({"username": "test", "role": "admin"}, "county.csv", base64.b64encode(first_unit).decode(), True)
    pending = "SELECT count(*) FROM outbox WHERE published_at IS NULL AND last_error LIKE 'unroutable%'"
    wait_for(lambda: scalar(database_urls["units"], pending) == 1, message="the unroutable row")

    declare_topology(uri)
    engine = sa.create_engine(database_urls["units"], poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE outbox SET next_attempt_at = NULL"))
    engine.dispose()
    wait_for(lambda: scalar(database_urls["units"], "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0,
             message="publication once a queue is bound")
    with Connection(uri) as conn:
        message = conn.SimpleQueue("gongkai.disclosure.UnitRegistered").get(timeout=5)
        assert json.loads(message.body)["payload"]["code"] == "C000"
        message.ack()
