"""The sample county registered in a test database, for the units rules tests."""
import sqlalchemy as sa

from services.common.records import OutboxRecord
from services.units import importer, registry
from services.units.load_sample import SAMPLE_COUNTY


def sample_rows():
    rows, problems = importer.check_rows(importer.parse_upload(SAMPLE_COUNTY.name, SAMPLE_COUNTY.read_bytes()), {})
    assert not problems
    return rows


def register_sample(uow):
    registry.register_rows(uow, sample_rows())
    uow.commit()
    return uow


def emitted(uow, after_id=0):
    """(type, payload) of the events in the outbox after a given row id."""
    import json
    rows = uow.session.execute(sa.select(OutboxRecord.type, OutboxRecord.body).where(OutboxRecord.id > after_id)
                               .order_by(OutboxRecord.id)).all()
    return [(t, json.loads(body)["payload"]) for t, body in rows]


def last_outbox_id(uow):
    return uow.session.scalar(sa.select(sa.func.max(OutboxRecord.id))) or 0
