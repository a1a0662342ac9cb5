"""The gateway's Idempotency-Key records (services/units/idempotency.py), without a broker: one
claim per (caller, key) whoever asks, the first answer kept, another request refused, keys
forgotten after 24 hours, a failed request's key freed."""
from datetime import datetime, timedelta, timezone

import pytest

from services.common.errors import Unprocessable
from services.units import idempotency

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def session(uow_factory):
    uow = uow_factory("units")
    yield uow.session
    uow.rollback()


def test_one_claim_per_key_then_the_first_answer(session):
    assert idempotency.claim(session, "operator:op-a001", "k-1", "f" * 64, NOW) == {"state": "claimed"}
    assert idempotency.claim(session, "operator:op-a001", "k-1", "f" * 64, NOW) == {"state": "pending"}
    assert idempotency.claim(session, "operator:op-a002", "k-1", "e" * 64, NOW) == {"state": "claimed"}  # its own
    idempotency.complete(session, "operator:op-a001", "k-1", "f" * 64, 201, '{"id": 7}')
    assert idempotency.claim(session, "operator:op-a001", "k-1", "f" * 64, NOW + timedelta(hours=23)) == {
        "state": "done", "status": 201, "body": '{"id": 7}'}


def test_the_same_key_with_another_request_is_refused_in_chinese(session):
    idempotency.claim(session, "anonymous", "k-2", "a" * 64, NOW)
    with pytest.raises(Unprocessable, match="Idempotency-Key 已用于另一个不同的请求") as refused:
        idempotency.claim(session, "anonymous", "k-2", "b" * 64, NOW)
    assert refused.value.status == 422


def test_a_freed_key_runs_again_and_a_key_is_kept_24_hours(session):
    idempotency.claim(session, "admin:admin", "k-3", "c" * 64, NOW)
    idempotency.release(session, "admin:admin", "k-3", "c" * 64)
    assert idempotency.claim(session, "admin:admin", "k-3", "c" * 64, NOW)["state"] == "claimed"
    idempotency.complete(session, "admin:admin", "k-3", "c" * 64, 201, "{}")
    later = NOW + timedelta(hours=24, seconds=1)
    assert idempotency.claim(session, "admin:admin", "k-3", "d" * 64, later) == {"state": "claimed"}  # expired
    assert idempotency.purge(session, later + timedelta(hours=24, seconds=1)) == 1
