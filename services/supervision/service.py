"""The county office's supervision (督促检查、考核排名、典型示范): inspections, rectifications,
scores, rankings, reports, candidates, commitments and comments. Entrypoints only: the
rules are in the modules beside this one."""
from __future__ import annotations

import logging
from typing import Any

import eventlet
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy
from sqlalchemy import text

from services.common import base, calendar_store
from services.common.actor import Actor
from services.common.calendar_store import CalendarCopy
from services.common.contract import SUBSCRIPTIONS, Event, names
from services.common.entrypoints import command, query
from services.common.inbox import event_subscriber
from services.common.timers import configured_timer, timer

from . import (
    backfill,
    calendar_deadlines,
    checklist,
    deadlines,
    draw_schedule,
    facts,
    inspection_records,
    inspections,
    photos,
    programme,
    programme_rpc,
    public_record,
    rankings,
    rectifications,
    registers,
    report_files,
    reports,
    scores,
)
from .periods import Period, parse_as_of, parse_day

log = logging.getLogger(__name__)
HISTORY_TIMEOUT_SECONDS = 5


class SupervisionService(base.ServiceBase, base.PassedDeadlinesRpc, programme_rpc.ProgrammeRpc):
    """Owns inspections, rectifications, scores and reports; learns the rest from events."""
    name = "supervision"
    config = Config()
    calendar_copy = CalendarCopy()
    units = RpcProxy("units")
    disclosure = RpcProxy("disclosure")
    feedback = RpcProxy("feedback")

    @query
    def health(self) -> dict[str, Any]:
        """Answers once the database responds and the backfill from the event history is done."""
        self.db.session.execute(text("SELECT 1"))
        backfill.require_ready(self.db)
        return {"service": self.name, "status": "ok"}

    @event_subscriber(*SUBSCRIPTIONS["supervision"])
    def on_fact(self, event: Event) -> None:
        if event.type == names.CALENDAR_ARRANGED:
            calendar_store.serialise(self.db.session, event.payload["year"])  # the gateway's call may keep it too
        if facts.apply(self.db.session, event) and event.type == names.CALENDAR_ARRANGED:
            calendar_deadlines.recompute(self.db, event.payload)  # the county's calendar changed

    @command
    def follow_calendar(self, arranged: dict[str, Any]) -> list[dict[str, Any]]:
        """A year's arrangement as the office enters it, asked by the gateway: kept and the
        rectification deadlines moved, once (whichever of this and the event comes first);
        the deadlines that version left for the office."""
        return calendar_store.follow(self.db.session, arranged, lambda: calendar_deadlines.recompute(self.db, arranged))


    @timer(interval=1, eager=True)
    def take_history(self) -> None:
        """Until done: fill an empty database from the producers' published events."""
        if not backfill.ready(self.db):
            backfill.run(self.db, self._history)
        self.db.rollback()

    def _history(self, producer: str, after: int, types: list[str], limit: int) -> list[dict[str, Any]]:
        """A page of the producer's history; a producer slow to answer (still starting, say) is
        a TimeoutError, an Exception the backfill retries at the next tick. eventlet's Timeout is
        not an Exception: escaping the timer's worker, it ended the timer, and the backfill with it."""
        reply = getattr(self, producer).event_history.call_async(after, types, limit)
        try:
            with eventlet.Timeout(HISTORY_TIMEOUT_SECONDS):
                return reply.result()
        except eventlet.Timeout:
            raise TimeoutError(f"{producer} did not answer within {HISTORY_TIMEOUT_SECONDS} s") from None

    @configured_timer("SUPERVISION", "DEADLINE_CHECK_SECONDS", default=60, eager=True)
    def check_deadlines(self) -> None:
        """InspectionDue / InspectionOverdue, RectificationDueSoon / RectificationOverdue, once each."""
        if backfill.ready(self.db):
            deadlines.check(self.db)
            rectifications.check_deadlines(self.db)

    @configured_timer("SUPERVISION", "SCORES_CHECK_SECONDS", default=3600, eager=True)
    def score_ended_month(self) -> None:
        """The scores of the month that ended (ScoresComputed), once."""
        if backfill.ready(self.db):
            programme.score_ended_month(self.db)

    # --- the checklist (考核细则) ----------------------------------------------------------

    @command
    def get_checklist(self, year: int, version: int | None = None) -> dict[str, Any]:
        return checklist.get(self.db, year, version)

    @command
    def publish_checklist(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return checklist.publish(self.db, actor, data)

    # --- inspections (督查) ------------------------------------------------------------------

    @command
    def plan_inspection(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        backfill.require_ready(self.db)
        return inspections.plan(self.db, actor, data)

    @command
    def list_inspections(self, actor: Actor, limit: int = 50, after: int | None = None) -> dict[str, Any]:
        return inspections.list_inspections(self.db, actor, min(int(limit), 200), after)

    @command
    def get_inspection(self, actor: Actor, inspection_id: int) -> dict[str, Any]:
        return inspections.get(self.db, actor, inspection_id)

    @command
    def inspection_draw(self, inspection_id: int) -> dict[str, Any]:
        return draw_schedule.public_draw(self.db, inspection_id)

    # --- the draw's standing registers and draws at a stated time (双随机) -------------------------

    @command
    def draw_registers(self, actor: Actor, day: str | None = None, ended: bool = False) -> dict[str, Any]:
        return registers.view(self.db, actor, parse_day(day), bool(ended))

    @command
    def add_register_entry(self, actor: Actor, register: str, data: dict[str, Any]) -> dict[str, Any]:
        return registers.add(self.db, actor, register, data)

    @command
    def end_register_entry(self, actor: Actor, register: str, entry_id: int,
                           data: dict[str, Any]) -> dict[str, Any]:
        return registers.end(self.db, actor, register, entry_id, data)

    @command
    def schedule_draw(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        backfill.require_ready(self.db)
        return draw_schedule.plan(self.db, actor, data)

    @configured_timer("SUPERVISION", "DRAW_CHECK_SECONDS", default=30, eager=True)
    def run_due_draws(self) -> None:
        """The draws planned for a stated time, once that time has come (each once)."""
        if backfill.ready(self.db):
            draw_schedule.run_due(self.db)

    @command
    def save_record(self, actor: Actor, inspection_id: int, unit_code: str,
                    data: dict[str, Any]) -> dict[str, Any]:
        return inspection_records.save_draft(self.db, actor, inspection_id, unit_code, data)

    @command
    def submit_record(self, actor: Actor, inspection_id: int, unit_code: str) -> dict[str, Any]:
        return inspection_records.submit(self.db, actor, inspection_id, unit_code)

    @command
    def correct_record(self, actor: Actor, inspection_id: int, unit_code: str,
                       data: dict[str, Any]) -> dict[str, Any]:
        return inspection_records.correct(self.db, actor, inspection_id, unit_code, data)

    @command
    def current_record(self, actor: Actor, inspection_id: int, unit_code: str) -> dict[str, Any] | None:
        """The unit's draft or newest submitted record (None before any), for the county office."""
        return inspection_records.current_record(self.db, actor, inspection_id, unit_code)

    @command
    def unit_records(self, actor: Actor, inspection_id: int, unit_code: str) -> list[dict[str, Any]]:
        return inspection_records.unit_records(self.db, actor, inspection_id, unit_code)

    @command
    def add_photo(self, actor: Actor, kind: str, owner_id: int, media_type: str,
                  content_b64: str) -> dict[str, Any]:
        limit = int((self.config.get("SUPERVISION") or {}).get("PHOTO_MAX_BYTES", photos.DEFAULT_MAX_BYTES))
        return photos.add(self.db, actor, kind, owner_id, media_type, content_b64, limit)

    @command
    def get_photo(self, actor: Actor, kind: str, owner_id: int, sha256: str) -> dict[str, Any]:
        return photos.get(self.db, actor, kind, owner_id, sha256)

    # --- rectifications (限期整改) -------------------------------------------------------------

    @command
    def list_rectifications(self, actor: Actor, filters: dict[str, Any], limit: int = 50,
                            after: int | None = None) -> dict[str, Any]:
        return rectifications.list_for(self.db, actor, filters, min(int(limit), 200), after)

    @command
    def get_rectification(self, actor: Actor, rectification_id: int) -> dict[str, Any]:
        return rectifications.get(self.db, actor, rectification_id)

    @command
    def submit_rectification(self, actor: Actor, rectification_id: int,
                             data: dict[str, Any]) -> dict[str, Any]:
        return rectifications.submit(self.db, actor, rectification_id, data)

    @command
    def decide_rectification(self, actor: Actor, rectification_id: int, action: str,
                             data: dict[str, Any] | None = None) -> dict[str, Any]:
        return rectifications.decide(self.db, actor, rectification_id, action, data)

    # --- scores, rankings, reports (考核、排名、通报) ---------------------------------------------

    @query
    def scores(self, actor: Actor, period: str, as_of: str | None = None,
               filters: dict[str, Any] | None = None) -> dict[str, Any]:
        backfill.require_ready(self.db)
        return scores.visible_scores(self.db.session, actor, Period(period), parse_as_of(as_of), filters or {})

    @query
    def public_record(self, period: str, as_of: str | None = None) -> dict[str, Any]:
        """公开榜: every unit's published-on-time, late and missing obligations and its feedback, for anyone."""
        backfill.require_ready(self.db)
        return public_record.compute(self.db.session, Period(period), parse_as_of(as_of))

    @command
    def rankings(self, actor: Actor | None, period: str, as_of: str | None = None,
                 top: int = rankings.DEFAULT_N) -> dict[str, Any]:
        """The office sees live rankings; anyone else those of a published monthly report."""
        backfill.require_ready(self.db)
        return reports.visible_rankings(self.db, actor, period, parse_as_of(as_of), int(top))

    @command
    def create_report(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        backfill.require_ready(self.db)
        return reports.create(self.db, actor, data)

    @command
    def update_report(self, actor: Actor, report_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return reports.update(self.db, actor, report_id, data)

    @command
    def issue_report(self, actor: Actor, report_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return reports.issue(self.db, actor, report_id, data)

    @command
    def list_reports(self, actor: Actor | None) -> list[dict[str, Any]]:
        return reports.list_reports(self.db, actor)

    @command
    def get_report(self, actor: Actor | None, report_id: int, form: str = "json") -> Any:
        """The report; form "xlsx" gives {filename, media_type, content_b64}, "html" a printable page."""
        report = reports.get(self.db, actor, report_id)
        if form == "xlsx":
            return report_files.workbook(report)
        return report_files.page(report) if form == "html" else report
