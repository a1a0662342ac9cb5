"""Two processes migrating one fresh PostgreSQL database at the same moment (two replicas
starting together) both succeed, and each migration runs once: the advisory lock makes the
second wait and then find the schema at head."""
import os
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from services.common.config import ROOT

BASE = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not BASE, reason="needs PostgreSQL (TEST_DATABASE_URL)")

MIGRATE = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stdout); "
           "from services.common.migrate import upgrade; upgrade('units', sys.argv[1])")


@pytest.fixture
def fresh_database():
    name = f"gk_race_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(make_url(BASE).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield make_url(BASE).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_two_replicas_migrating_at_once_both_succeed_and_each_migration_runs_once(fresh_database):
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "ignore"}
    started = [subprocess.Popen([sys.executable, "-c", MIGRATE, fresh_database], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=300)[0] for process in started]
    assert [process.returncode for process in started] == [0, 0], outputs
    ran = [line for output in outputs for line in output.splitlines() if "Running upgrade" in line]
    revisions = list((ROOT / "services" / "units" / "migrations" / "versions").glob("*.py"))
    assert len(ran) == len(revisions), ran  # each once, by one process or the other
    engine = sa.create_engine(fresh_database)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert connection.execute(sa.text("SELECT count(*) FROM audit_archives")).scalar() == 0
    engine.dispose()
