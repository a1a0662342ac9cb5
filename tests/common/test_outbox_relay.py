"""The outbox relay on the real RabbitMQ: a batch published at once with its confirms awaited
together, nothing marked published before its confirm, and the subscription queues declared
as classic or quorum queues by config, the same way by the relay and by the consumers."""
import pytest
import sqlalchemy as sa
from kombu import Connection
from sqlalchemy.orm import sessionmaker

from services.common.contract import CATALOGUE, SUBSCRIPTIONS, names, queue_name
from services.common.database import Database
from services.common.db import UnitOfWork, make_engine
from services.common.inbox import event_subscriber
from services.common.outbox import ConfirmingPublisher, ConfirmTimeout, OutboxRelay
from services.common.records import Base, OutboxRecord
from services.common.topology import declare_topology, queue_type
from tests.conftest import wait_for
from tests.processes import temporary_vhost

UNIT = {"code": "R001", "revision": 1, "name": "测试支部", "sector": "village", "org_type": "branch",
        "parent_code": None, "status": "active", "demonstration": False, "officials": []}
QUEUE = queue_name("disclosure", names.UNIT_UPDATED)


@pytest.fixture(scope="module")
def vhost():
    with temporary_vhost() as uri:
        yield uri


@pytest.fixture
def outbox(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/outbox.db")
    Base.metadata.create_all(engine)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def emit(sessions, count, event_type=names.UNIT_UPDATED):
    uow = UnitOfWork(sessions, "test")
    for i in range(count):
        uow.emit(event_type, {**UNIT, "code": f"R{i:04d}"})
    uow.commit()
    uow.close()


def pending(sessions):
    with sessions() as session:
        return session.scalar(sa.select(sa.func.count()).where(OutboxRecord.published_at.is_(None)))


def purge(uri, queue):
    with Connection(uri) as conn:
        return conn.channel().queue_purge(queue) or 0


def test_a_batch_is_confirmed_together_and_each_row_marked_once(vhost, outbox):
    declare_topology(vhost)
    purge(vhost, QUEUE)
    emit(outbox, 450)
    relay = OutboxRelay("units", outbox, {"AMQP_URI": vhost})
    assert relay.relay_batch() == 200 and pending(outbox) == 250
    while relay.relay_batch():
        pass
    relay.publisher.close()
    assert pending(outbox) == 0
    assert purge(vhost, QUEUE) == 450  # every event once in a subscriber's queue


def test_nothing_is_marked_published_before_its_confirm(vhost, outbox):
    """Confirms that stop coming (the broker or the connection failing mid-batch) leave every
    row of the batch pending, to be published again."""
    declare_topology(vhost)
    emit(outbox, 50)
    relay = OutboxRelay("units", outbox, {"AMQP_URI": vhost})
    relay.publisher = ConfirmingPublisher(vhost, timeout=0.5)
    relay.publisher._on_ack = lambda tag, multiple: None  # the broker's acks never reach us
    with pytest.raises(ConfirmTimeout):
        relay.relay_batch()
    assert pending(outbox) == 50
    relay.publisher = ConfirmingPublisher(vhost)
    assert relay.relay_batch() == 50 and pending(outbox) == 0
    relay.publisher.close()


def test_an_unroutable_event_in_a_batch_stays_pending_and_the_rest_are_marked(vhost, outbox):
    declare_topology(vhost)
    with Connection(vhost) as conn:
        channel = conn.channel()
        for service, types in SUBSCRIPTIONS.items():
            if names.UNIT_REGISTERED in types:
                channel.queue_delete(queue_name(service, names.UNIT_REGISTERED))
    emit(outbox, 3, names.UNIT_UPDATED)
    emit(outbox, 2, names.UNIT_REGISTERED)
    relay = OutboxRelay("units", outbox, {"AMQP_URI": vhost})
    assert relay.relay_batch() == 5
    relay.publisher.close()
    with outbox() as session:
        left = session.scalars(sa.select(OutboxRecord).where(OutboxRecord.published_at.is_(None))).all()
    assert [r.type for r in left] == [names.UNIT_REGISTERED] * 2
    assert all(r.last_error.startswith("unroutable") and r.next_attempt_at for r in left)


def test_queue_type_is_a_config_switch():
    assert queue_type({}) == "classic"
    assert queue_type({"EVENTS": {"QUEUE_TYPE": "Quorum"}}) == "quorum"
    with pytest.raises(ValueError):
        queue_type({"EVENTS": {"QUEUE_TYPE": "stream"}})


class QuorumConsumer:
    name = "disclosure"
    db = Database()
    seen: list = []

    @event_subscriber(names.UNIT_UPDATED)
    def on_unit_updated(self, event):
        QuorumConsumer.seen.append(event.payload["code"])


def test_quorum_queues_declared_alike_by_relay_and_consumers(container_factory, rabbit_config, rabbit_manager,
                                                             database_urls, tmp_path):
    QuorumConsumer.seen = []  # this run's deliveries only: the list outlived each database's run
    vhost_name = rabbit_config["AMQP_URI"].rsplit("/", 1)[1]
    config = {**rabbit_config, "DATABASES": {"disclosure": database_urls["disclosure"]},
              "EVENTS": {"QUEUE_TYPE": "quorum", "RELAY_ENABLED": False}}
    container = container_factory(QuorumConsumer, config)
    container.start()  # the consumer declares its queue first
    engine = make_engine(f"sqlite:///{tmp_path}/units.db")
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    emit(sessions, 3)
    relay = OutboxRelay("units", sessions, config)
    declare_topology(relay.amqp_uri, relay.queue_type)  # the relay declares them all again: no conflict
    while relay.relay_batch():
        pass
    relay.publisher.close()
    engine.dispose()
    wait_for(lambda: set(QuorumConsumer.seen) == {"R0000", "R0001", "R0002"},  # at least once each
             message="delivery by quorum queue")
    queues = {q["name"]: q for q in rabbit_manager.get_queues(vhost_name)}
    ours = [q for name, q in queues.items() if name.startswith("gongkai.")]
    assert ours and all(q["type"] == "quorum" for q in ours), {q["name"]: q["type"] for q in ours}



def test_a_relay_declares_the_queues_of_the_events_its_service_produces(rabbit_manager):
    """Each relay declares its own events' queues before it publishes (so nothing waits for a
    consumer to start), and no other service's: five relays each declaring all the queues
    were most of a start's broker work."""
    with temporary_vhost() as uri:
        declare_topology(uri, producer="units")
        declared = {q["name"] for q in rabbit_manager.get_queues(uri.rsplit("/", 1)[1])}
    produced = {queue_name(service, t) for service, types in SUBSCRIPTIONS.items() for t in types
                if CATALOGUE[t].producer == "units"}
    assert queue_name("disclosure", names.UNIT_REGISTERED) in declared
    assert queue_name("notify", names.ITEM_PUBLISHED) not in declared  # disclosure's relay declares it
    assert declared == produced
