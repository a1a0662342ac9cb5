"""Retention of the audit trail (GB/T 22239-2019 8.1.4.3; 网络安全法 第二十一条: six months).

Entries stay online, in audit_log, at least RETENTION_DAYS (180; UNITS.AUDIT_RETENTION_DAYS may
make it longer, never shorter). Nothing deletes a younger entry: `purge` refuses (Conflict) and
it is the only code that deletes any. Once a whole month (county time) is older than that, the
daily timer (or `make audit-archive`) seals it: one file per month under UNITS.AUDIT_ARCHIVE_DIR,
`audit-YYYY-MM.json`, holding the entries with their hashes, the chain's hash before the first
(`prev_hash`) and after the last (`head`), read-only, with `audit-YYYY-MM.json.sha256` beside it
(`sha256sum -c` reads it); the file's SHA-256 and head are kept in audit_archives too. Only then
are the month's entries removed from audit_log. The online chain goes on from the last head.

`verify_all` walks the whole chain: every archive in order (its file present, its SHA-256 the one
recorded and the one beside it, its entries' links and hashes, its head), then the online entries
from the last head; it names where the chain breaks first.

    python -m services.units.audit_archive archive   # seal every month past the retention
    python -m services.units.audit_archive verify    # exits 1 when the chain is broken
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.config import ROOT, load_config
from services.common.db import standalone_unit_of_work
from services.common.errors import Conflict
from services.common.records import utcnow
from services.common.workdays import COUNTY_TIMEZONE

from . import audit
from .models import AuditArchive, AuditEntry

RETENTION_DAYS = 180
FORMAT = "gongkai-audit-archive/1"


def settings(config: dict[str, Any]) -> tuple[Path, int]:
    """The archive folder and the retention in days; a retention under 180 days is refused."""
    units = config.get("UNITS") or {}
    folder = Path(str(units.get("AUDIT_ARCHIVE_DIR") or "var/audit-archive"))
    days = int(units.get("AUDIT_RETENTION_DAYS") or RETENTION_DAYS)
    if days < RETENTION_DAYS:
        raise ValueError(f"审计记录至少在线保存 {RETENTION_DAYS} 天，AUDIT_RETENTION_DAYS={days} 过短 / "
                         f"audit entries stay online at least {RETENTION_DAYS} days; AUDIT_RETENTION_DAYS={days} is too short")
    return (folder if folder.is_absolute() else ROOT / folder), days


def _month_end(month_start: datetime) -> datetime:
    return (month_start + timedelta(days=32)).replace(day=1)


def _month_of(at: datetime) -> datetime:
    return at.astimezone(COUNTY_TIMEZONE).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def purge(session: Session, through_id: int, now: datetime, retention_days: int = RETENTION_DAYS) -> int:
    """Remove online entries up to `through_id`, all archived already and all older than the
    retention; otherwise nothing is removed and Conflict says why."""
    cutoff = now - timedelta(days=max(retention_days, RETENTION_DAYS))
    young = session.scalar(sa.select(sa.func.count()).where(AuditEntry.id <= through_id, AuditEntry.at > cutoff))
    if young:
        raise Conflict(f"有 {young} 条审计记录未满 {max(retention_days, RETENTION_DAYS)} 天，不得删除")
    archived = session.scalar(sa.select(sa.func.max(AuditArchive.last_id))) or 0
    if through_id > archived:
        raise Conflict("审计记录归档封存之前不得删除")
    return session.execute(sa.delete(AuditEntry).where(AuditEntry.id <= through_id)).rowcount


def _next_month(session: Session, now: datetime, retention_days: int) -> tuple[str, datetime] | None:
    """The month to seal next, and its end, when all of it is past the retention."""
    oldest = session.scalar(sa.select(AuditEntry.at).order_by(AuditEntry.id).limit(1))
    if oldest is None:
        return None
    start = _month_of(oldest)
    last = session.scalar(sa.select(AuditArchive.month).order_by(AuditArchive.last_id.desc()).limit(1))
    if last is not None:  # an entry that arrived late for a sealed month goes into the next one
        after = _month_end(datetime.strptime(last, "%Y-%m").replace(tzinfo=COUNTY_TIMEZONE))
        start = max(start, after)
    end = _month_end(start)
    if end > now - timedelta(days=retention_days):
        return None
    return start.strftime("%Y-%m"), end.astimezone(timezone.utc)  # SQLite compares the text


def _write(folder: Path, name: str, body: bytes) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(body).hexdigest()
    for target, content in ((folder / name, body), (folder / f"{name}.sha256", f"{digest}  {name}\n".encode())):
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.unlink(missing_ok=True)
        with open(temporary, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o444)
        os.replace(temporary, target)
    return digest


def seal_month(session: Session, folder: Path, now: datetime, retention_days: int = RETENTION_DAYS) -> dict | None:
    """Seal the oldest month past the retention, if there is one (the caller commits)."""
    audit.lock(session)
    found = _next_month(session, now, retention_days)
    if found is None:
        return None
    month, end = found
    first_young = session.scalar(sa.select(sa.func.min(AuditEntry.id)).where(AuditEntry.at >= end))
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id)
    rows = session.scalars(stmt.where(AuditEntry.id < first_young) if first_young else stmt).all()
    entries = [audit.as_dict(row) for row in rows]
    prev_hash, head = entries[0]["prev_hash"], entries[-1]["hash"]
    name = f"audit-{month}.json"
    body = json.dumps({"format": FORMAT, "month": month, "prev_hash": prev_hash, "head": head,
                       "count": len(entries), "entries": entries}, ensure_ascii=False, indent=0).encode("utf-8")
    digest = _write(folder, name, body)
    session.add(AuditArchive(month=month, filename=name, first_id=entries[0]["id"], last_id=entries[-1]["id"],
                             entries=len(entries), prev_hash=prev_hash, head=head, sha256=digest, sealed_at=now))
    session.flush()
    purge(session, entries[-1]["id"], now, retention_days)
    return {"month": month, "file": name, "entries": len(entries), "head": head, "sha256": digest}


def archive_due(uow: Any, folder: Path, now: datetime, retention_days: int = RETENTION_DAYS) -> list[dict]:
    """Seal every month past the retention, one transaction each."""
    sealed = []
    while (done := seal_month(uow.session, folder, now, retention_days)) is not None:
        uow.commit()
        sealed.append(done)
    uow.commit()
    return sealed


def archives(session: Session) -> list[dict[str, Any]]:
    return [{"month": a.month, "file": a.filename, "first_id": a.first_id, "last_id": a.last_id,
             "entries": a.entries, "head": a.head, "sha256": a.sha256, "sealed_at": a.sealed_at.isoformat()}
            for a in session.scalars(sa.select(AuditArchive).order_by(AuditArchive.last_id))]


def _check_archive(folder: Path, row: AuditArchive, expected_prev: str) -> str | None:
    """Why this archive breaks the chain, or None."""
    path = folder / row.filename
    if not path.is_file():
        return f"归档文件 {row.filename} 不存在"
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    beside = folder / f"{row.filename}.sha256"
    if digest != row.sha256 or not beside.is_file() or beside.read_text().split()[:1] != [digest]:
        return f"归档文件 {row.filename} 的 SHA-256 与封存时不符（文件被改动）"
    sealed = json.loads(body)
    entries = sealed.get("entries") or []
    if sealed.get("prev_hash") != expected_prev or not entries or entries[0]["prev_hash"] != expected_prev:
        return f"归档 {row.month} 与前一段链不相接（有记录被删除或替换）"
    for entry in entries:
        fields = {name: entry[name] for name in audit.FIELDS}
        if entry["prev_hash"] != expected_prev or audit.entry_hash(entry["prev_hash"], fields) != entry["hash"]:
            return f"归档 {row.month} 中第 {entry['id']} 条记录被改动或删除"
        expected_prev = entry["hash"]
    if expected_prev != row.head or sealed.get("head") != row.head or len(entries) != row.entries:
        return f"归档 {row.month} 的链头与封存时不符"
    return None


def verify_all(session: Session, folder: Path) -> dict[str, Any]:
    """The whole chain, archives first; `where` and `reason` (in Chinese) name the first break."""
    expected_prev, total, checked = audit.GENESIS, 0, []
    for row in session.scalars(sa.select(AuditArchive).order_by(AuditArchive.last_id)):
        reason = _check_archive(folder, row, expected_prev)
        checked.append({"month": row.month, "file": row.filename, "entries": row.entries, "ok": reason is None,
                        "reason": reason})
        if reason is not None:
            return {"ok": False, "entries": total, "archives": checked, "where": f"归档 {row.month}",
                    "first_bad_id": None, "reason": reason}
        expected_prev, total = row.head, total + row.entries
    online = audit.verify(session)
    result = {**online, "entries": total + online["entries"], "online_entries": online["entries"],
              "archives": checked, "where": None if online["ok"] else "在线记录"}
    if not online["ok"]:
        result["reason"] = f"在线记录第 {online['first_bad_id']} 条：" + (
            "与前一条不相接（有记录被删除或改动）" if "prev_hash" in online["reason"] else "内容被改动")
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv not in (["archive"], ["verify"]):
        print("usage: python -m services.units.audit_archive archive|verify", file=sys.stderr)
        return 2
    config = load_config()
    folder, days = settings(config)
    uow = standalone_unit_of_work("units", config)
    try:
        if argv == ["archive"]:
            for sealed in archive_due(uow, folder, utcnow(), days):
                print(json.dumps(sealed, ensure_ascii=False))
            return 0
        result = verify_all(uow.session, folder)
    finally:
        uow.close()
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
