"""Retention of the audit trail: entries younger than 180 days are never deleted; whole months
past it are sealed into one read-only file each (entries, the chain's head, SHA-256) and leave
audit_log; the chain is verified across archives and online entries, and a tampered entry or
archive is named."""
import json
import stat
import subprocess
import sys
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
import time_machine

from services.common.config import ROOT
from services.common.errors import Conflict
from services.units import audit, audit_archive

NOW = datetime(2026, 12, 7, 4, 0, tzinfo=timezone.utc)  # the cutoff at 180 days is 2026-06-10
TIMES = ["2026-04-10T02:00:00+00:00", "2026-04-30T15:59:00+00:00",  # April, county time
         "2026-04-30T16:30:00+00:00", "2026-05-20T09:00:00+00:00",  # May (the first is 1 May in Beijing)
         "2026-06-20T09:00:00+00:00", "2026-11-30T09:00:00+00:00"]  # within 180 days


def entry(n: int, at: str) -> dict:
    return {"actor": f"user{n}", "role": "admin", "unit": None, "action": "GET /api/v1/units/export",
            "target": "/api/v1/units/export?format=csv", "result": 200, "request_id": f"req-{n}", "at": at}


@pytest.fixture
def trail(uow_factory):
    uow = uow_factory("units")
    for n, at in enumerate(TIMES, 1):
        audit.append(uow.session, entry(n, at))
        uow.commit()
    return uow


def test_young_entries_are_never_deleted(trail):
    with pytest.raises(Conflict, match="未满 180 天"):
        audit_archive.purge(trail.session, 6, NOW)
    trail.rollback()
    with pytest.raises(Conflict, match="归档封存之前"):  # old enough, but not sealed yet
        audit_archive.purge(trail.session, 2, NOW)
    trail.rollback()
    assert trail.session.scalar(sa.select(sa.func.count()).select_from(sa.table("audit_log"))) == 6
    with pytest.raises(ValueError, match="至少在线保存 180 天"):
        audit_archive.settings({"UNITS": {"AUDIT_RETENTION_DAYS": 90}})


def test_months_past_the_retention_are_sealed_and_the_chain_goes_on(trail, tmp_path):
    sealed = audit_archive.archive_due(trail, tmp_path, NOW)
    assert [(s["month"], s["entries"]) for s in sealed] == [("2026-04", 2), ("2026-05", 2)]
    assert audit_archive.archive_due(trail, tmp_path, NOW) == []  # nothing more is due
    april = tmp_path / "audit-2026-04.json"
    assert not april.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    body = json.loads(april.read_text())
    assert [e["id"] for e in body["entries"]] == [1, 2] and body["prev_hash"] == audit.GENESIS
    assert (tmp_path / "audit-2026-04.json.sha256").read_text().split()[1] == "audit-2026-04.json"
    assert [e["id"] for e in audit.query(trail.session)["items"]] == [5, 6]
    audit.append(trail.session, entry(7, "2026-12-07T03:00:00+00:00"))
    trail.commit()
    result = audit_archive.verify_all(trail.session, tmp_path)
    assert result["ok"] and result["entries"] == 7 and result["online_entries"] == 3
    assert [(a["month"], a["ok"]) for a in result["archives"]] == [("2026-04", True), ("2026-05", True)]
    assert [a["head"] for a in audit_archive.archives(trail.session)] == [sealed[0]["head"], sealed[1]["head"]]


def test_a_tampered_archive_is_found(trail, tmp_path):
    audit_archive.archive_due(trail, tmp_path, NOW)
    may = tmp_path / "audit-2026-05.json"
    may.chmod(0o644)
    may.write_text(may.read_text().replace('"user4"', '"nobody"'))
    result = audit_archive.verify_all(trail.session, tmp_path)
    assert not result["ok"] and result["where"] == "归档 2026-05" and "SHA-256" in result["reason"]
    assert [a["ok"] for a in result["archives"]] == [True, False]


def test_an_archive_rewritten_with_its_checksum_is_found(trail, tmp_path):
    """Even when the .sha256 beside it is rewritten to match, the recorded one does not."""
    audit_archive.archive_due(trail, tmp_path, NOW)
    april = tmp_path / "audit-2026-04.json"
    body = json.loads(april.read_text())
    del body["entries"][0]  # the first entry removed
    april.chmod(0o644)
    audit_archive._write(tmp_path, april.name, json.dumps(body).encode())
    assert not audit_archive.verify_all(trail.session, tmp_path)["ok"]
    trail.session.execute(sa.text("UPDATE audit_archives SET sha256 = :d WHERE month = '2026-04'"),
                          {"d": (tmp_path / "audit-2026-04.json.sha256").read_text().split()[0]})
    trail.commit()
    result = audit_archive.verify_all(trail.session, tmp_path)
    assert not result["ok"] and result["where"] == "归档 2026-04" and "不相接" in result["reason"]


def test_a_tampered_online_entry_is_found(trail, tmp_path):
    audit_archive.archive_due(trail, tmp_path, NOW)
    trail.session.execute(sa.text("UPDATE audit_log SET result = 403 WHERE id = 6"))
    trail.commit()
    result = audit_archive.verify_all(trail.session, tmp_path)
    assert not result["ok"] and result["where"] == "在线记录" and result["first_bad_id"] == 6
    assert "第 6 条" in result["reason"] and all(a["ok"] for a in result["archives"])


def test_the_commands_archive_and_verify(trail, database_urls, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("UNITS_DATABASE_URL", database_urls["units"])
    monkeypatch.setenv("AUDIT_ARCHIVE_DIR", str(tmp_path))
    with time_machine.travel(NOW, tick=False):
        assert audit_archive.main(["archive"]) == 0
    assert [json.loads(line)["month"] for line in capsys.readouterr().out.splitlines()] == ["2026-04", "2026-05"]
    env = {"PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore", "PATH": "/usr/bin:/bin",
           "UNITS_DATABASE_URL": database_urls["units"], "AUDIT_ARCHIVE_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "services.units.audit_archive", "verify"]
    good = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert good.returncode == 0 and json.loads(good.stdout)["entries"] == 6, good.stderr
    trail.session.execute(sa.text("UPDATE audit_log SET actor = 'someone-else' WHERE id = 5"))
    trail.commit()
    bad = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and json.loads(bad.stdout)["first_bad_id"] == 5
