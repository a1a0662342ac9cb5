"""Registry imports as jobs: an upload is stored as a job and answered at once; a worker
then checks it (dry_run) or applies it (apply) while the directory keeps answering.

Why batches, and what "whole or nothing" means here: the whole file is read and checked
before anything is written, so a file with any problem changes nothing (the job fails
with the report). A clean file is then applied in batches of parents-first rows, each in
its own short transaction that also records the job's progress, with a pause between
them: the database's single writer (SQLite) or the rows it locks (PostgreSQL) are held
for one batch, never for the file, and reads and the outbox relay get the connection in
between. Registering is idempotent (a row that matches the registry changes nothing and
emits nothing), and progress is committed with the rows it counts, so a job interrupted
by a restart resumes exactly where it stopped. During an apply the directory shows the
units applied so far, each whole, never a child without its parent.

A job whose worker died (its heartbeat is older than IMPORT_JOB_STALE_SECONDS) is claimed
again by the next runner and resumed; after MAX_ATTEMPTS runs it is marked failed with the
reason, never left running.

A clean dry run keeps its file for KEEP_CHECKED_SECONDS, so the person who read its report can
apply that same file (apply_checked: once per dry run, checked again as the registry then is)
without uploading it again; any other job drops its file when it ends.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common import i18n
from services.common.db import UnitOfWork
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.records import utcnow

from . import importer
from .models import ImportJob


KINDS = ("dry_run", "apply")
STATUSES = ("queued", "running", "succeeded", "failed")
TRANSITIONS = {
    ("queued", "start"): "running",
    ("running", "start"): "running",   # resumed after its worker died
    ("running", "succeed"): "succeeded",
    ("running", "fail"): "failed",
}
BATCH_ROWS = 50
BATCH_SECONDS = 0.1  # a batch commits once it has taken this long, however few rows it holds
STEP_ROWS = 5
PAUSE_SECONDS = 0.05
MAX_BACKLOG = 100  # events waiting in a consumer's queue before the job waits for it (backpressure.py)
ROWS_PER_SECOND = 20.0  # 3,000 units in two and a half minutes: their events are handled as they come
STALE_SECONDS = 60
MAX_ATTEMPTS = 3
KEEP_CHECKED_SECONDS = 24 * 3600  # a clean dry run's file, kept to be applied as checked
OFFICIAL_COLUMNS = frozenset({"secretary", "secretary_phone", "liaison", "liaison_phone", "liaison_email"})


def next_status(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidInput(f"导入任务现在的状态是“{i18n.term('import_job_status', status)}”，"
                           f"不能{i18n.term('import_job_action', action)}") from None


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _applicable(job: ImportJob, now: datetime | None = None) -> bool:
    """A clean dry run whose file is still kept and was not applied yet."""
    return (job.kind == "dry_run" and job.status == "succeeded" and job.content is not None
            and not (job.report or {}).get("problems") and not (job.report or {}).get("apply_job")
            and job.finished_at is not None
            and job.finished_at > (now or utcnow()) - timedelta(seconds=KEEP_CHECKED_SECONDS))


def view(job: ImportJob) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "status": job.status, "filename": job.filename,
            "rows_done": job.rows_done, "rows_total": job.rows_total, "attempts": job.attempts,
            "created_at": _iso(job.created_at), "started_at": _iso(job.started_at),
            "finished_at": _iso(job.finished_at), "report": job.report, "error": job.error,
            "actor": job.actor, "can_apply": _applicable(job)}


def summary(job: ImportJob) -> dict[str, Any]:
    """A job as a list shows it: without its report's rows."""
    report = job.report or {}
    return {"id": job.id, "kind": job.kind, "status": job.status, "filename": job.filename, "actor": job.actor,
            "rows_done": job.rows_done, "rows_total": job.rows_total, "created_at": _iso(job.created_at),
            "finished_at": _iso(job.finished_at), "problems": len(report.get("problems") or ()),
            "apply_job": report.get("apply_job"), "can_apply": _applicable(job)}


def recent(session: Session, limit: int = 10) -> list[dict[str, Any]]:
    """The newest jobs first."""
    jobs = session.scalars(sa.select(ImportJob).order_by(ImportJob.id.desc()).limit(max(1, min(int(limit), 100))))
    return [summary(job) for job in jobs]


def forget_old_files(uow: UnitOfWork, now: datetime | None = None) -> None:
    """Drop the files of clean dry runs kept longer than KEEP_CHECKED_SECONDS."""
    cutoff = (now or utcnow()) - timedelta(seconds=KEEP_CHECKED_SECONDS)
    uow.session.execute(sa.update(ImportJob).where(
        ImportJob.kind == "dry_run", ImportJob.content.is_not(None), ImportJob.finished_at < cutoff)
        .values(content=None).execution_options(synchronize_session=False))


def apply_checked(uow: UnitOfWork, actor: str, dry_run_id: int, request_id: str | None = None) -> dict[str, Any]:
    """An apply job for the very file a clean dry run checked, once per dry run; the apply
    checks it again against the registry as it is by then, so nothing the dry run did not
    see can slip in."""
    session = uow.session
    dry = session.get(ImportJob, int(dry_run_id), with_for_update=True)
    if dry is None:
        raise NotFound(f"没有编号为 {dry_run_id} 的导入任务：请核对任务编号（上传时返回的 id）。")
    report = dry.report or {}
    if dry.kind != "dry_run":
        raise Conflict(f"任务 {dry.id} 本身就是正式导入，不是试导入：不能再次确认。")
    if dry.status in ("queued", "running"):
        raise Conflict("试导入还没有检查完：请等报告出来、核对无误后再确认导入。")
    if report.get("apply_job"):
        raise Conflict(f"这份文件已经确认导入过（导入任务 {report['apply_job']}），不会重复导入。")
    if dry.status == "failed" or report.get("problems"):
        raise Conflict("试导入发现了问题或未能读取文件，不能导入：请按报告改正文件后重新上传。")
    if not _applicable(dry):
        raise Conflict("试导入的文件只保留 24 小时，现已不再保留：请重新上传文件并试导入。")
    job = ImportJob(kind="apply", status="queued", actor=str(actor)[:100], filename=dry.filename,
                    content=dry.content, rows_done=0, attempts=0,
                    request_id=(request_id or None) and str(request_id)[:64], created_at=utcnow())
    session.add(job)
    session.flush()
    dry.content = None
    dry.report = {**report, "apply_job": job.id}
    return view(job)


def submit(uow: UnitOfWork, actor: str, filename: str, content: bytes, apply: bool,
           request_id: str | None = None) -> dict[str, Any]:
    """Store an upload as a queued job; the runner picks it up within a second."""
    if len(content) > importer.MAX_UPLOAD_BYTES:
        raise InvalidInput(f"文件有 {len(content) / 1024 / 1024:.1f} MB，超过 "
                           f"{importer.MAX_UPLOAD_BYTES // (1024 * 1024)} MB 的上限：请确认这是组织名册文件。")
    forget_old_files(uow)
    job = ImportJob(kind="apply" if apply else "dry_run", status="queued", actor=str(actor)[:100],
                    filename=(filename or "registry.csv")[:255], content=content, rows_done=0, attempts=0,
                    request_id=(request_id or None) and str(request_id)[:64], created_at=utcnow())
    uow.session.add(job)
    uow.session.flush()
    return view(job)


def get(session: Session, job_id: int) -> dict[str, Any]:
    job = session.get(ImportJob, int(job_id))
    if job is None:
        raise NotFound(f"没有编号为 {job_id} 的导入任务：请核对任务编号（上传时返回的 id）。")
    return view(job)
