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

import logging
import time
from datetime import datetime, timedelta
from typing import Any, Callable

import eventlet
import sqlalchemy as sa
from eventlet import tpool
from sqlalchemy.orm import Session

from services.common import i18n
from services.common.db import UnitOfWork
from services.common.errors import Conflict, DomainError, InvalidInput, NotFound
from services.common.records import utcnow

from . import importer, registry
from .backpressure import wait_for_consumers
from .models import ImportJob, Unit

log = logging.getLogger(__name__)

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


def claim_next(uow: UnitOfWork, stale_seconds: float = STALE_SECONDS) -> int | None:
    """Claim the oldest queued job, or a running one whose worker stopped beating; commits
    the claim so no other runner takes it. None when there is nothing to do."""
    now = utcnow()
    cutoff = now - timedelta(seconds=stale_seconds)
    waiting = sa.or_(ImportJob.status == "queued",
                     sa.and_(ImportJob.status == "running", ImportJob.heartbeat_at < cutoff))
    for job_id in uow.session.scalars(sa.select(ImportJob.id).where(waiting).order_by(ImportJob.id).limit(5)):
        claimed = uow.session.execute(
            sa.update(ImportJob).where(ImportJob.id == job_id, waiting)
            .values(status="running", attempts=ImportJob.attempts + 1, heartbeat_at=now,
                    started_at=sa.func.coalesce(ImportJob.started_at, now))
            .execution_options(synchronize_session=False))
        if claimed.rowcount == 1:
            uow.commit()
            return job_id
    uow.rollback()
    return None


def run(uow: UnitOfWork, job_id: int, batch_rows: int = BATCH_ROWS, pause: float = PAUSE_SECONDS,
        sleep: Callable[[float], Any] = eventlet.sleep, rows_per_second: float = ROWS_PER_SECOND,
        backlog: Callable[[], int] = lambda: 0, max_backlog: int = MAX_BACKLOG) -> dict[str, Any]:
    """Run a claimed job to its end, committing as it goes; returns its final view."""
    job = uow.session.get(ImportJob, job_id)
    if job.attempts > MAX_ATTEMPTS:
        return _finish(uow, job, "fail", error=("interrupted", (
            f"导入任务已启动 {job.attempts - 1} 次都未能完成（服务在处理中途停止），已停止重试。"
            f"已处理 {job.rows_done} 行；请检查服务日志后重新上传文件（已登记的行会被识别为无变化）。")))
    try:
        rows, report = _checked(uow.session, job)
    except DomainError as exc:
        return _finish(uow, job, "fail", error=(exc.code, exc.message))
    job.rows_total = report["rows"]
    if report["problems"]:
        job.report = report
        if job.kind == "dry_run":
            job.rows_done = job.rows_total
            return _finish(uow, job, "succeed")
        return _finish(uow, job, "fail", error=("unprocessable", (
            f"文件中有 {len(report['problems'])} 处问题，未登记任何组织：请按报告逐行改正后重新上传。")))
    if job.kind == "dry_run":
        update_officials = report.pop("_officials")
        job.report = {**report, **registry.planned_counts(uow.session, rows, update_officials)}
        job.rows_done = job.rows_total
        return _finish(uow, job, "succeed")
    return _apply(uow, job, rows, report, batch_rows, pause, sleep, rows_per_second, backlog, max_backlog)


def _checked(session: Session, job: ImportJob) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Read and check the whole file (in a native thread, so the service keeps serving while
    a large file is parsed); the report as the dry run shows it."""
    existing = dict(session.execute(sa.select(Unit.code, Unit.parent_code)).all())
    session.commit()  # hand the connection back while the file is read
    parsed = tpool.execute(importer.parse_upload, job.filename, job.content)
    rows, problems = tpool.execute(importer.check_rows, parsed, existing)
    present = set().union(*(row.keys() for row in parsed.rows))
    update_officials = OFFICIAL_COLUMNS <= present
    notes = list(parsed.notes)
    if not update_officials:
        notes.append("文件中没有完整的负责人各列（" + "、".join(sorted(OFFICIAL_COLUMNS))
                     + "）：已在册的组织保留原有的书记和联络员。")
    report = {"filename": job.filename, "encoding": parsed.encoding, "notes": notes, "rows": len(parsed.rows),
              "problems": [p.as_dict() for p in problems], "applied": False,
              "registered": 0, "updated": 0, "unchanged": 0, "_officials": update_officials}
    return registry.parents_first(rows) if rows else rows, report


def _apply(uow: UnitOfWork, job: ImportJob, rows: list[dict[str, Any]], report: dict[str, Any], batch_rows: int,
           pause: float, sleep: Callable[[float], Any], rows_per_second: float, backlog: Callable[[], int],
           max_backlog: int) -> dict[str, Any]:
    """Batches of at most `batch_rows` rows that also end once they have taken BATCH_SECONDS
    (the rules run on the service's one hub, so a batch delays every worker of the process
    while it runs), each followed by a pause at least as long as the batch took: the job
    never has more than half of the process, whatever the machine's speed or load."""
    update_officials = report.pop("_officials")
    counts = {k: (job.report or {}).get(k, 0) for k in ("registered", "updated", "unchanged")}
    start = first = job.rows_done
    run_began = time.monotonic()
    while start < len(rows):
        wait_for_consumers(backlog, max_backlog, sleep)
        began = time.monotonic()
        end = start
        try:
            while end < len(rows) and end - start < batch_rows and time.monotonic() - began < BATCH_SECONDS:
                step = rows[end:min(end + STEP_ROWS, start + batch_rows)]
                done = registry.register_rows(uow, step, job.actor, update_officials)
                counts = {k: counts[k] + done[k] for k in counts}
                end += len(step)
        except DomainError as exc:
            uow.rollback()
            job = uow.session.get(ImportJob, job.id)
            return _finish(uow, job, "fail", error=(exc.code, (
                f"第 {end + 1} 行起未能登记（{exc.message}）；此前的 {start} 行已登记。"
                "请改正后重新上传：已登记的行会被识别为无变化。")))
        job.rows_done = end
        job.heartbeat_at = utcnow()
        job.report = {**report, **counts}
        uow.commit()
        start = end
        # let reads, the relay and audit appends run; and keep to the pace the consumers of the
        # events (disclosure's obligations for each new unit, notify's contacts ...) can follow,
        # so their backlog does not take the process from the reads either
        behind = (end - first) / rows_per_second - (time.monotonic() - run_began)
        sleep(max(pause, time.monotonic() - began, behind))
    job.report = {**report, **counts, "applied": True}
    job.rows_done = len(rows)
    return _finish(uow, job, "succeed")


def _finish(uow: UnitOfWork, job: ImportJob, action: str, error: tuple[str, str] | None = None) -> dict[str, Any]:
    job.status = next_status(job.status, action)
    job.finished_at = utcnow()
    if not (job.kind == "dry_run" and action == "succeed" and not (job.report or {}).get("problems")):
        job.content = None  # a file is not kept once its job has ended, but a clean dry run's (apply_checked)
    if job.report is not None:
        job.report = {k: v for k, v in job.report.items() if not k.startswith("_")}
    if error is not None:
        job.error = {"code": error[0], "message": error[1]}
    uow.commit()
    log.info("import job %s (%s) %s after %s of %s rows", job.id, job.kind, job.status, job.rows_done,
             job.rows_total)
    return view(job)


def run_pending(uow: UnitOfWork, stale_seconds: float = STALE_SECONDS, batch_rows: int = BATCH_ROWS,
                pause: float = PAUSE_SECONDS, rows_per_second: float = ROWS_PER_SECOND,
                backlog: Callable[[], int] = lambda: 0, max_backlog: int = MAX_BACKLOG) -> int:
    """Run every job waiting (the runner's timer calls this); returns how many ran."""
    ran = 0
    while (job_id := claim_next(uow, stale_seconds)) is not None:
        try:
            run(uow, job_id, batch_rows, pause, rows_per_second=rows_per_second, backlog=backlog,
                max_backlog=max_backlog)
        except Exception:
            uow.rollback()
            log.exception("import job %s stopped; it is resumed once its heartbeat is stale", job_id)
            raise
        ran += 1
    return ran
