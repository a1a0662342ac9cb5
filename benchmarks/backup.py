"""Backup and restore of a full-size county (`python -m benchmarks.backup [--postgresql URL]`):
the sample county plus a 3,065-unit registry import (the sample's codes among them: 3,065 units), every service's copy
of it arrived, then `make backup`, the county destroyed (its databases and audit spool gone),
`make restore`, and the services started again until /readyz answers 200. Prints each step's
seconds and sizes; restore plus start-to-ready is the recovery time (RTO) for this size.

On SQLite by default (files in a temporary folder); with --postgresql a base URL (as
TEST_DATABASE_URL) each service gets a database of its own there, dropped afterwards."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa

from gateway.auth import mint_token
from services.common.config import ROOT, load_config
from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
from services.units.importer import export_csv
from tests.clusters import COPIES
from tests.conftest import free_port, scalar, wait_for
from tests.processes import Cluster, base_env, temporary_vhost

from .registry import generate_registry

IMPORT_UNITS = 3065  # with the sample county (its codes among them): a 3,065-unit county


def _databases(tmp: Path, postgresql: str | None) -> tuple[dict[str, str], list[str]]:
    if not postgresql:
        return {s: f"sqlite:///{tmp}/{s}.db" for s in SERVICES_WITH_DATABASE}, []
    base = sa.engine.make_url(postgresql)
    names = [f"{base.database}_bench{uuid.uuid4().hex[:6]}_{s}" for s in SERVICES_WITH_DATABASE]
    admin = sa.create_engine(postgresql, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return {s: base.set(database=n).render_as_string(hide_password=False)
            for s, n in zip(SERVICES_WITH_DATABASE, names)}, names


def _drop(postgresql: str, names: list[str]) -> None:
    admin = sa.create_engine(postgresql, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "services.common.backup", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr)
    return time.monotonic() - started


def run(postgresql: str | None = None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp, temporary_vhost() as amqp_uri:
        tmp = Path(tmp)
        urls, names = _databases(tmp, postgresql)
        try:
            for service, url in urls.items():
                upgrade(service, url)
            env = {**base_env(amqp_uri, urls, free_port()), "RATE_LIMITS_ENABLED": "false",
                   "IMPORT_ROWS_PER_SECOND": "500", "IMPORT_MAX_BACKLOG": "5000",
                   "AUDIT_SPOOL_PATH": str(tmp / "audit-spool.db")}
            cluster = Cluster(env, tmp)
            try:
                for loader in ("services.units.load_sample", "services.units.demo_accounts"):
                    subprocess.run([sys.executable, "-m", loader], cwd=ROOT, env=env, check=True, capture_output=True)
                api = cluster.start_everything()
                admin = {"Authorization": "Bearer " + mint_token(load_config()["GATEWAY"]["JWT_SECRET"], "admin",
                                                                   "admin", None)}
                started = requests.post(f"{api}/api/v1/units/import", params={"apply": "true"},
                                        data=export_csv(generate_registry(IMPORT_UNITS)),
                                        headers={**admin, "Content-Type": "text/csv"})
                started.raise_for_status()
                units = lambda: scalar(urls["units"], "SELECT count(*) FROM units")  # noqa: E731
                job = api + started.headers["Location"]
                wait_for(lambda: requests.get(job, headers=admin).json()["status"] not in ("queued", "running"),
                         timeout=900, interval=2, message="the import job")
                total = units()
                for service, sql in COPIES.items():
                    wait_for(lambda url=urls[service], sql=sql: scalar(url, sql) == total, timeout=900, interval=2,
                             message=f"{service}'s copy")
                backup_seconds = _timed(["create", "--to", str(tmp / "backups")], env)
                folder = next((tmp / "backups").iterdir())
                manifest = json.loads((folder / "manifest.json").read_text())
                cluster.stop_all()
                if postgresql:
                    _drop(postgresql, names)
                else:
                    for path in tmp.glob("*.db*"):
                        path.unlink()
                restore_seconds = _timed(["restore", str(folder)], env)
                begun = time.monotonic()
                api = cluster.start_everything()
                ready_seconds = time.monotonic() - begun
                assert units() == total
                return {"backend": "postgresql" if postgresql else "sqlite", "units": total,
                        "backup_seconds": backup_seconds, "backup_bytes": sum(e["bytes"] for e in manifest["files"]),
                        "files": {e["file"]: e["bytes"] for e in manifest["files"]},
                        "restore_seconds": restore_seconds, "start_to_ready_seconds": ready_seconds,
                        "rto_seconds": restore_seconds + ready_seconds}
            finally:
                cluster.stop_all()
        finally:
            if names:
                _drop(postgresql, names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgresql", help="a PostgreSQL base URL (default: SQLite)")
    result = run(parser.parse_args().postgresql)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
