"""Timestamps (services/common/records.py UTCDateTime) compare as instants on both databases,
whatever offset a value is given with: an "as of" the end of a county day (23:59:59+08:00) is
before a fact that arrived at 00:28 the next morning in Beijing (16:28 UTC)."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.common.records import UTCDateTime
from tests.conftest import BACKENDS, PG_URL

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(params=BACKENDS)
def engine(request):
    engine = sa.create_engine("sqlite://" if request.param == "sqlite" else PG_URL, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


def test_an_instant_with_an_offset_compares_as_the_same_instant_in_utc(engine):
    facts = sa.Table("utc_datetime_facts", sa.MetaData(), sa.Column("at", UTCDateTime), prefixes=["TEMPORARY"])
    with engine.begin() as conn:
        facts.create(conn)
        conn.execute(facts.insert().values(at=datetime(2026, 12, 7, 16, 28, tzinfo=timezone.utc)))
        conn.execute(facts.insert().values(at=datetime(2026, 12, 8, 0, 10, tzinfo=BEIJING)))  # 16:10 UTC
        end_of_the_7th = datetime(2026, 12, 7, 23, 59, 59, tzinfo=BEIJING)
        assert conn.execute(sa.select(sa.func.count()).where(facts.c.at <= end_of_the_7th)).scalar() == 0
        stored = sorted(conn.execute(sa.select(facts.c.at)).scalars())
    assert stored == [datetime(2026, 12, 7, 16, 10, tzinfo=timezone.utc), datetime(2026, 12, 7, 16, 28, tzinfo=timezone.utc)]
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        with engine.begin() as conn:
            facts.create(conn)
            conn.execute(facts.insert().values(at=datetime(2026, 12, 7, 16, 28)))
