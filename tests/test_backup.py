"""Backups that restore (services/common/backup.py): a running county, with a sealed audit
archive, is backed up, destroyed and restored, and comes back with its counts, its archives
(listed in the manifest with their checksums), an intact audit chain and /readyz; a folder with
a wrong checksum, or one needing a data key this host lacks, is refused before anything
changes; on PostgreSQL pg_dump and pg_restore do the same for every database."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from datetime import datetime, timedelta, timezone

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common import backup, crypto
from services.common.config import ROOT
from services.common.migrate import SERVICES_WITH_DATABASE, upgrade
from services.units import audit, audit_archive
from tests.clusters import running_county
from tests.conftest import PG_URL, scalar, wait_for
from tests.test_end_to_end import token

CONTACT = "13900007777"
SAMPLE_PHONE, SAMPLE_EMAIL = "15518190937", "a001@example.gov.cn"  # A001's liaison in data/county_units.csv
OFFICE = token("office", "inspector")
COUNTED = {"units": "units", "feedback": "feedback", "notify": "contacts", "disclosure": "unit_copies",
           "supervision": "unit_copies"}


def _run(module_args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.common.backup", *module_args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def _counts(urls: dict[str, str]) -> dict[str, int]:
    counts = {service: scalar(urls[service], f"SELECT count(*) FROM {table}") for service, table in COUNTED.items()}
    counts["audit_log"] = scalar(urls["units"], "SELECT count(*) FROM audit_log")
    return counts


def _chain(url: str) -> dict:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with Session(engine) as session:
        result = audit.verify(session)
    engine.dispose()
    return result


def _seal_this_month(url: str, folder) -> dict:
    """Seal the month's audit entries into an archive, as the monthly job does once they are past the
    retention (its clock 400 days on)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with Session(engine) as session:
        sealed = audit_archive.seal_month(session, folder, datetime.now(timezone.utc) + timedelta(days=400))
        session.commit()
    engine.dispose()
    assert sealed is not None and (folder / sealed["file"]).is_file()
    return sealed


def _spooled(spool) -> int:
    """Audit entries still in the gateway's spool, not yet appended by units (the drain sends a
    short batch a moment later, so the first entries can reach units before the last)."""
    with closing(sqlite3.connect(str(spool))) as conn:
        return conn.execute("SELECT count(*) FROM spool").fetchone()[0]


def _whole_chain(url: str, folder) -> dict:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with Session(engine) as session:
        result = audit_archive.verify_all(session, folder)
    engine.dispose()
    return result


def test_a_running_county_is_backed_up_destroyed_and_restored(tmp_path_factory, sqlite_templates):
    tmp = tmp_path_factory.mktemp("backup")
    spool, archived = tmp / "audit-spool.db", tmp / "audit-archive"
    with running_county(tmp, sqlite_templates, env={"AUDIT_SPOOL_PATH": str(spool),
                                                    "AUDIT_ARCHIVE_DIR": str(archived)}) as county:
        api, urls = county.api, county.urls
        for n in range(3):
            body = {"target_kind": "unit", "target_id": "A001", "kind": "question", "content": f"备份测试 {n}",
                    "contact": CONTACT}
            wait_for(lambda: requests.post(f"{api}/api/v1/feedback", json=body).status_code == 201, timeout=20,
                     message="feedback accepted")
        nominated = requests.post(f"{api}/api/v1/designations", headers=OFFICE,
                                  json={"unit_code": "A001", "kind": "demonstration", "reason": "先进"})
        assert nominated.status_code == 201, nominated.text
        wait_for(lambda: _spooled(spool) == 0 and scalar(urls["units"], "SELECT count(*) FROM audit_log") > 0,
                 timeout=30, message="every audit entry drained from the gateway's spool and appended by units")
        sealed = _seal_this_month(urls["units"], archived)  # as if 180 days had passed: a sealed archive
        before = _counts(urls)
        assert before["feedback"] == 3 and _chain(urls["units"])["ok"]
        raw = b"".join(p.read_bytes() for p in tmp.glob("feedback.db*"))  # the raw files: no contact in clear
        assert CONTACT.encode() not in raw
        for service in SERVICES_WITH_DATABASE:  # an official's phone and email: in no table, outbox included
            raw = b"".join(p.read_bytes() for p in tmp.glob(f"{service}.db*"))
            assert SAMPLE_PHONE.encode() not in raw and SAMPLE_EMAIL.encode() not in raw, service
        assert scalar(urls["feedback"], "SELECT contact FROM feedback LIMIT 1").startswith("gk1:")
        assert scalar(urls["units"], "SELECT phone FROM officials WHERE phone IS NOT NULL LIMIT 1").startswith("gk1:")

        made = _run(["create", "--to", str(tmp / "backups")], county.env)
        assert made.returncode == 0, made.stderr
        folder = next((tmp / "backups").iterdir())
        manifest = json.loads((folder / "manifest.json").read_text())
        assert {e["service"] for e in manifest["files"] if e["kind"] == "database"} == set(SERVICES_WITH_DATABASE)
        assert all(len(e["sha256"]) == 64 and e["bytes"] > 0 for e in manifest["files"])
        units_entry = next(e for e in manifest["files"] if e.get("service") == "units")
        assert units_entry["schema_version"] and units_entry["rows"]["units"] == before["units"]
        assert set(units_entry["key_ids"]) == {crypto.sealer().current}
        archives = {e["name"]: e for e in manifest["files"] if e["kind"] == "audit-archive"}
        assert set(archives) == {sealed["file"], f"{sealed['file']}.sha256"}
        assert archives[sealed["file"]]["sha256"] == sealed["sha256"]  # the digest sealed in units' table
        sums = (folder / "SHA256SUMS").read_text()
        assert f"{sealed['sha256']}  audit-archive/{sealed['file']}" in sums

        county.cluster.stop_all()  # the county is lost: every database file, the spool and the archives
        for path in [*tmp.glob("*.db"), *tmp.glob("*.db-wal"), *tmp.glob("*.db-shm"), *archived.iterdir()]:
            path.unlink()

        restored = _run(["restore", str(folder)], county.env)
        assert restored.returncode == 0, restored.stderr
        assert _counts(urls) == before
        chain = _chain(urls["units"])
        assert chain["ok"] and chain["entries"] == before["audit_log"]
        assert sorted(p.name for p in archived.iterdir()) == sorted(archives)  # the archives are back
        assert backup.sha256(archived / sealed["file"]) == sealed["sha256"]
        whole = _whole_chain(urls["units"], archived)  # archives first, then the online entries
        assert whole["ok"], whole

        again = county.cluster.start_everything()  # ready again, and serving what it had
        assert requests.get(f"{again}/readyz", timeout=10).status_code == 200
        found = requests.get(f"{again}/api/v1/feedback", params={"q": "备份测试"}, headers=OFFICE).json()["items"]
        assert len(found) == 3


@pytest.fixture
def county_databases(tmp_path, request):
    """Every service's database migrated, on SQLite or (with TEST_DATABASE_URL) PostgreSQL,
    holding a unit with a sealed phone; the config naming them."""
    names = []
    if request.param == "sqlite":
        urls = {s: f"sqlite:///{tmp_path}/{s}.db" for s in SERVICES_WITH_DATABASE}
    else:
        base = sa.engine.make_url(PG_URL)
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        names = [f"{base.database}_bk{uuid.uuid4().hex[:8]}_{s}" for s in SERVICES_WITH_DATABASE]
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        urls = {s: base.set(database=n).render_as_string(hide_password=False)
                for s, n in zip(SERVICES_WITH_DATABASE, names)}
    for service, url in urls.items():
        upgrade(service, url)
    engine = sa.create_engine(urls["units"], poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO units (code, name, sector, org_type, status, demonstration, revision, "
                             "updated_at) VALUES ('A1', '甲村', 'village', 'branch', 'active', false, 1, '2026-01-05')"))
        conn.execute(sa.text("INSERT INTO officials (unit_code, role, name, phone) VALUES ('A1', 'liaison', '李四', :p)"),
                     {"p": crypto.sealer().seal(CONTACT, "officials.phone")})
    engine.dispose()
    yield {"DATABASES": urls, "GATEWAY": {"AUDIT_SPOOL_PATH": str(tmp_path / "spool.db")}}
    if names:
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL.startswith("postgresql") else [])


@pytest.mark.parametrize("county_databases", BACKENDS, indirect=True)
def test_every_database_comes_back_and_a_wrong_checksum_changes_nothing(county_databases, tmp_path):
    urls = county_databases["DATABASES"]
    folder = backup.create(tmp_path / "backups", county_databases)
    assert (folder / "SHA256SUMS").read_text().count("\n") == len(SERVICES_WITH_DATABASE) + 1

    engine = sa.create_engine(urls["units"], poolclass=sa.pool.NullPool)
    with engine.begin() as conn:  # changes after the backup: gone after the restore
        conn.execute(sa.text("DELETE FROM officials"))
        conn.execute(sa.text("UPDATE units SET name = '改过'"))
    engine.dispose()

    dump = folder / next(e["file"] for e in json.loads((folder / "manifest.json").read_text())["files"]
                         if e.get("service") == "units")
    good = dump.read_bytes()
    dump.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    with pytest.raises(backup.RestoreRefused, match="校验失败.*units"):
        backup.restore(folder, county_databases)
    assert backup.main(["restore", str(folder)]) == 2  # make restore: refused, exit status 2
    assert scalar(urls["units"], "SELECT name FROM units") == "改过"  # nothing changed

    dump.write_bytes(good)
    backup.restore(folder, county_databases)
    assert scalar(urls["units"], "SELECT name FROM units") == "甲村"
    assert crypto.sealer().unseal(scalar(urls["units"], "SELECT phone FROM officials"), "officials.phone") == CONTACT


def test_a_backup_needing_a_key_this_host_lacks_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "units.sqlite").write_bytes(b"x")
    manifest = {"files": [{"file": "units.sqlite", "kind": "database", "service": "units", "format": "sqlite",
                           "key_ids": {"k-gone": 3}, "sha256": backup.sha256(folder / "units.sqlite")}]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "SHA256SUMS").write_text("".join(f"{backup.sha256(folder / n)}  {n}\n"
                                               for n in ("units.sqlite", "manifest.json")))
    with pytest.raises(backup.RestoreRefused, match="恢复需要数据密钥 k-gone"):
        backup.verify(folder)
    (folder / "SHA256SUMS").unlink()
    with pytest.raises(backup.RestoreRefused, match="不是完整的备份"):
        backup.verify(folder)
