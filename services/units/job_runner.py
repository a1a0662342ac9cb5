"""Running import jobs: claiming the next one (or one whose worker stopped beating), checking
its file and applying it in batches that commit as they go, paced so the events it emits are
handled as they come (backpressure.py), and finishing it. The jobs, their states and views
are jobs.py."""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any, Callable

import eventlet
import sqlalchemy as sa
from eventlet import tpool
from sqlalchemy.orm import Session

from services.common.db import UnitOfWork
from services.common.errors import DomainError
from services.common.records import utcnow

from . import importer, registry
from .backpressure import wait_for_consumers
from .jobs import (BATCH_ROWS, BATCH_SECONDS, MAX_ATTEMPTS, MAX_BACKLOG, OFFICIAL_COLUMNS, PAUSE_SECONDS, ROWS_PER_SECOND,
                   STALE_SECONDS, STEP_ROWS, next_status, view)
from .models import ImportJob, Unit

log = logging.getLogger(__name__)


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
