"""Backups that restore a county: every service's database, the gateway's audit spool, the sealed
monthly audit archives, a manifest and checksums in one dated folder.

    python -m services.common.backup create [--to var/backups]      (make backup)
    python -m services.common.backup restore FOLDER                 (make restore FROM=FOLDER)

A PostgreSQL database is written by pg_dump (custom format) from an exported snapshot, and its
row counts are taken in that same snapshot; a SQLite one by SQLite's online backup API, counted
in the copy. Attachments and evidence photos are rows of the disclosure and supervision
databases, so they are in those files. The audit spool is every gateway's SQLite file of audit
entries not yet appended by units (GATEWAY.AUDIT_SPOOL_PATH, else var/audit-spool/*.db). The
sealed audit archives (UNITS.AUDIT_ARCHIVE_DIR: each month's file and its .sha256 beside it) are
copied under audit-archive/ in the folder: the audit trail older than the online retention lives
only there, so a backup without them would not restore the whole trail.

manifest.json says what each file is, its size and SHA-256, each database's schema version
(Alembic), its row counts and which data keys sealed its personal data; SHA256SUMS lists every
file with its SHA-256 (`sha256sum -c SHA256SUMS` checks it too). The data key file is NOT in
the backup: keep it apart (a backup and its keys stolen together open everything).

A restore checks every checksum and that this process holds every data key the backup needs
before it changes anything, and refuses (exit status 2) otherwise. Then each database is put
back (pg_restore --clean into the named database, created if missing; SQLite's backup API
onto the configured file), the spool files are put back, the archives into the configured
UNITS.AUDIT_ARCHIVE_DIR, and each database is migrated to
the code's head. Stop the services first; start them after.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from . import crypto, sealing
from .config import ROOT, database_url, load_config
from .migrate import SERVICES_WITH_DATABASE, upgrade
from .rekey import sealed_columns

MANIFEST, SUMS = "manifest.json", "SHA256SUMS"
ARCHIVES = "audit-archive"  # the sealed audit archives' folder inside a backup
DEFAULT_FOLDER = ROOT / "var" / "backups"


class RestoreRefused(RuntimeError):
    """The folder is not a backup this process can restore; nothing was changed."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def spool_files(config: dict[str, Any]) -> list[Path]:
    configured = str((config.get("GATEWAY") or {}).get("AUDIT_SPOOL_PATH") or "").strip()
    if configured:
        path = Path(configured) if Path(configured).is_absolute() else ROOT / configured
        return [path] if path.exists() else []
    return sorted((ROOT / "var" / "audit-spool").glob("*.db"))


def archive_folder(config: dict[str, Any]) -> Path:
    """Where units seals the monthly audit archives (UNITS.AUDIT_ARCHIVE_DIR)."""
    configured = Path(str((config.get("UNITS") or {}).get("AUDIT_ARCHIVE_DIR") or "var/audit-archive"))
    return configured if configured.is_absolute() else ROOT / configured


def archive_files(config: dict[str, Any]) -> list[Path]:
    """The sealed archives and their .sha256 files (never a temporary file being written)."""
    folder = archive_folder(config)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.startswith("audit-"))


def _sqlite_path(url: str) -> Path:
    return Path(sa.engine.make_url(url).database)


def _counts(conn: sa.Connection) -> tuple[str | None, dict[str, int]]:
    tables = sorted(sa.inspect(conn).get_table_names())
    version = (conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
               if "alembic_version" in tables else None)
    return version, {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar()
                     for t in tables if t != "alembic_version"}


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump/pg_restore, with the password passed in the environment."""
    parsed = sa.engine.make_url(url)
    env = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _dump_database(service: str, url: str, folder: Path) -> dict[str, Any]:
    if url.startswith("sqlite"):
        target = folder / f"{service}.sqlite"
        if not _sqlite_path(url).is_file():
            raise FileNotFoundError(f"{service} 的数据库 {_sqlite_path(url)} 不存在 / {service}'s database is missing")
        source = sqlite3.connect(str(_sqlite_path(url)))
        copy = sqlite3.connect(str(target))
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
        counted = f"sqlite:///{target}"
        engine = sa.create_engine(counted, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            version, rows = _counts(conn)
        fmt = "sqlite"
    else:
        target = folder / f"{service}.pgdump"
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:  # one snapshot for the counts and the dump
            conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
            version, rows = _counts(conn)
            dsn, env = _libpq(url)
            subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                            f"--file={target}", dsn], env=env, check=True, capture_output=True)
        fmt, counted = "pg_dump", url
    engine.dispose()
    engine = sa.create_engine(counted, poolclass=sa.pool.NullPool)
    keys = sealing.key_ids_in(engine, sealed_columns(service))
    engine.dispose()
    return {"file": target.name, "kind": "database", "service": service, "format": fmt, "schema_version": version,
            "rows": rows, "key_ids": dict(keys)}


def create(root: Path = DEFAULT_FOLDER, config: dict[str, Any] | None = None) -> Path:
    """Write a backup of the county into a new dated folder under `root`; returns the folder."""
    config = config or load_config()
    started = time.monotonic()
    folder = root / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True)
    try:
        entries = [_dump_database(s, database_url(config, s), folder) for s in SERVICES_WITH_DATABASE]
    except BaseException:
        shutil.rmtree(folder)  # no half backup left to be mistaken for one
        raise
    for n, spool in enumerate(spool_files(config)):
        target = folder / f"audit-spool-{n}.db"
        source, copy = sqlite3.connect(str(spool)), sqlite3.connect(str(target))
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
        copy = sqlite3.connect(str(target))
        waiting = copy.execute("SELECT count(*) FROM spool").fetchone()[0]
        copy.close()
        entries.append({"file": target.name, "kind": "audit-spool", "path": str(spool), "rows": {"spool": waiting}})
    if archive_files(config):
        (folder / ARCHIVES).mkdir()
    for archive in archive_files(config):
        shutil.copyfile(archive, folder / ARCHIVES / archive.name)
        entries.append({"file": f"{ARCHIVES}/{archive.name}", "kind": "audit-archive", "name": archive.name})
    for entry in entries:
        path = folder / entry["file"]
        entry.update(bytes=path.stat().st_size, sha256=sha256(path))
    manifest = {"format": 1, "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "seconds": round(time.monotonic() - started, 3), "files": entries,
                "note": "the data key file is not in this backup; restore needs the keys listed under key_ids"}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    names = [e["file"] for e in entries] + [MANIFEST]
    (folder / SUMS).write_text("".join(f"{sha256(folder / name)}  {name}\n" for name in names), encoding="utf-8")
    return folder


def verify(folder: Path) -> dict[str, Any]:
    """The manifest of a backup whose every file matches its checksum, or RestoreRefused."""
    sums = folder / SUMS
    if not sums.is_file() or not (folder / MANIFEST).is_file():
        raise RestoreRefused(f"{folder} 不是完整的备份（缺少 {SUMS} 或 {MANIFEST}），未做任何改动 / "
                             f"{folder} is not a complete backup (no {SUMS} or {MANIFEST}); nothing was changed")
    listed = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    bad = [name for name, digest in listed.items()
           if not (folder / name).is_file() or sha256(folder / name) != digest]
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8")) if MANIFEST not in bad else {}
    bad += [e["file"] for e in manifest.get("files", []) if listed.get(e["file"]) != e.get("sha256")]
    if bad or MANIFEST not in listed:
        names = "、".join(sorted(set(bad))) or MANIFEST
        raise RestoreRefused(f"备份 {folder} 校验失败：{names} 的 SHA-256 不符或文件缺失，未做任何改动 / "
                             f"backup {folder} failed its checksums ({names}); nothing was changed")
    needed = {kid for e in manifest["files"] for kid in e.get("key_ids", {}) if kid != "(plaintext)"}
    missing = sorted(kid for kid in needed if not crypto.sealer().usable(kid))
    if missing:
        raise RestoreRefused(f"恢复需要数据密钥 {'、'.join(missing)}，本机没有或已过期，未做任何改动 / "
                             f"the data keys {', '.join(missing)} are needed and not held here; nothing was changed")
    return manifest


def _restore_database(entry: dict[str, Any], url: str, folder: Path) -> None:
    source = folder / entry["file"]
    if url.startswith("sqlite"):
        if entry["format"] != "sqlite":
            raise RestoreRefused(f"{entry['file']} 是 PostgreSQL 备份，目标是 SQLite / a pg_dump cannot go into SQLite")
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        src, dst = sqlite3.connect(str(source)), sqlite3.connect(str(path))
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        return
    if entry["format"] != "pg_dump":
        raise RestoreRefused(f"{entry['file']} 是 SQLite 备份，目标是 PostgreSQL / a SQLite copy cannot go into PostgreSQL")
    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    dsn, env = _libpq(url)
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    f"--dbname={dsn}", str(source)], env=env, check=True, capture_output=True)


def restore(folder: Path, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Bring the county back from `folder` (checked whole first); returns its manifest."""
    config = config or load_config()
    manifest = verify(folder)
    for entry in manifest["files"]:
        if entry["kind"] == "database":
            _restore_database(entry, database_url(config, entry["service"]), folder)
        elif entry["kind"] == "audit-archive":
            if Path(entry["name"]).name != entry["name"] or not entry["name"].startswith("audit-"):
                raise RestoreRefused(f"归档文件名 {entry['name']} 不合规 / an archive named {entry['name']!r}")
            target = archive_folder(config) / entry["name"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / entry["file"], target)
        else:
            target = Path(entry["path"])
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(folder / entry["file"], target)
    for entry in manifest["files"]:
        if entry["kind"] == "database":
            upgrade(entry["service"], database_url(config, entry["service"]))
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Back up a county, or restore one from a backup folder.")
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("create", help="write a dated backup folder")
    made.add_argument("--to", type=Path, default=DEFAULT_FOLDER, help="where the dated folder goes")
    back = commands.add_parser("restore", help="restore from a backup folder (services stopped)")
    back.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.command == "create":
        try:
            folder = create(args.to)
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            print(f"备份失败 / backup failed: {exc} {detail.decode(errors='replace')}".strip(), file=sys.stderr)
            return 1
        total = sum(e["bytes"] for e in json.loads((folder / MANIFEST).read_text())["files"])
        print(f"备份完成 / backup written: {folder} ({total} bytes, {time.monotonic() - started:.1f} s)")
        return 0
    try:
        manifest = restore(args.folder)
    except RestoreRefused as exc:
        print(f"拒绝恢复 / restore refused: {exc}", file=sys.stderr)
        return 2
    print(f"恢复完成 / restored from {args.folder} (backup of {manifest['created_at']}, "
          f"{time.monotonic() - started:.1f} s); start the services and check /readyz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
