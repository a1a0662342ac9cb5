"""Events per second through the outbox relay (commit → publish a batch, wait for its
confirms together → mark published), against raw kombu publishing the same messages with
a confirm awaited per message. The relay aims at twice the per-message baseline."""
from __future__ import annotations

import json
import tempfile
import time

from kombu import Connection, Producer
from sqlalchemy.orm import sessionmaker

from services.common.config import load_config
from services.common.contract import new_event, to_message
from services.common.db import UnitOfWork, make_engine
from services.common.outbox import OutboxRelay
from services.common.records import Base
from services.common.topology import declare_topology, events_exchange

UNIT = {"code": "B001", "revision": 1, "name": "基准测试支部", "sector": "village", "org_type": "branch", "parent_code": None,
        "status": "active", "demonstration": False,
        "officials": [{"role": "liaison", "name": "测试", "phone": "13800000000", "email": "b@example.gov.cn"}]}


def fill_outbox(sessions: sessionmaker, count: int) -> None:
    uow = UnitOfWork(sessions, "bench")
    for i in range(count):
        uow.emit("UnitUpdated", {**UNIT, "code": f"B{i:05d}"})
    uow.commit()
    uow.close()


def relay_rate(amqp_uri: str, count: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        Base.metadata.create_all(engine)
        sessions = sessionmaker(engine, expire_on_commit=False)
        fill_outbox(sessions, count)
        config = {**load_config(), "AMQP_URI": amqp_uri}
        relay = OutboxRelay("units", sessions, config)
        declare_topology(amqp_uri)
        started = time.perf_counter()
        done = 0
        while done < count:
            done += relay.relay_batch()
        elapsed = time.perf_counter() - started
        engine.dispose()
    return count / elapsed


def raw_kombu_rate(amqp_uri: str, count: int) -> float:
    bodies = [json.dumps(to_message(new_event("UnitUpdated", {**UNIT, "code": f"B{i:05d}"})),
                         ensure_ascii=False).encode() for i in range(count)]
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel(), exchange=events_exchange)
        declare_topology(amqp_uri)
        started = time.perf_counter()
        for body in bodies:
            producer.publish(body, routing_key="units.UnitUpdated", content_type="application/json",
                             content_encoding="utf-8", delivery_mode=2, mandatory=True)
        return count / (time.perf_counter() - started)


def run(amqp_uri: str, count: int) -> dict[str, float]:
    raw = raw_kombu_rate(amqp_uri, count)
    relay = relay_rate(amqp_uri, count)
    return {"events": count, "relay_per_s": relay, "raw_kombu_confirms_per_s": raw, "ratio": relay / raw}
