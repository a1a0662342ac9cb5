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

from services.common import base
from services.common.actor import Actor
from services.common.calendar_store import CalendarCopy
from services.common.contract import SUBSCRIPTIONS, Event, names
from services.common.errors import DOMAIN_ERRORS, Forbidden
from services.common.inbox import event_subscriber
from services.common.rpc import rpc
from services.common.timers import configured_timer, timer

from . import (
    backfill,
    calendar_deadlines,
    checklist,
    deadlines,
    facts,
    inspections,
    photos,
    programme,
    rankings,
    rectifications,
    report_files,
    reports,
    scores,
)
from .periods import Period, parse_as_of

log = logging.getLogger(__name__)
HISTORY_TIMEOUT_SECONDS = 5


class SupervisionService(base.ServiceBase):
    """Owns inspections, rectifications, scores and reports; learns the rest from events."""
    name = "supervision"
    config = Config()
    calendar_copy = CalendarCopy()
    units = RpcProxy("units")
    disclosure = RpcProxy("disclosure")
    feedback = RpcProxy("feedback")

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def health(self) -> dict[str, Any]:
        """Answers once the database responds and the backfill from the event history is done."""
        self.db.session.execute(text("SELECT 1"))
        backfill.require_ready(self.db)
        return {"service": self.name, "status": "ok"}

    @event_subscriber(*SUBSCRIPTIONS["supervision"])
    def on_fact(self, event: Event) -> None:
        if facts.apply(self.db.session, event) and event.type == names.CALENDAR_ARRANGED:
            calendar_deadlines.recompute(self.db, event.payload)  # the county's calendar changed

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

    def _ready(self, actor: Any = None) -> Actor | None:
        backfill.require_ready(self.db)
        return None if actor is None else Actor.of(actor)

    # --- the checklist (考核细则) ----------------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_checklist(self, year: int, version: int | None = None) -> dict[str, Any]:
        with self.db as uow:
            return checklist.get(uow, year, version)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def publish_checklist(self, actor: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        with self.db as uow:
            return checklist.publish(uow, Actor.of(actor), data)

    # --- inspections (督查) ------------------------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def plan_inspection(self, actor: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        who = self._ready(actor)
        with self.db as uow:
            return inspections.plan(uow, who, data)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_inspections(self, actor: dict[str, Any], limit: int = 50, after: int | None = None) -> dict[str, Any]:
        with self.db as uow:
            return inspections.list_inspections(uow, Actor.of(actor), min(int(limit), 200), after)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_inspection(self, actor: dict[str, Any], inspection_id: int) -> dict[str, Any]:
        with self.db as uow:
            return inspections.get(uow, Actor.of(actor), inspection_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def inspection_draw(self, inspection_id: int) -> dict[str, Any]:
        with self.db as uow:
            return inspections.rerun_draw(uow, inspection_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def save_record(self, actor: dict[str, Any], inspection_id: int, unit_code: str,
                    data: dict[str, Any]) -> dict[str, Any]:
        with self.db as uow:
            return inspections.save_draft(uow, Actor.of(actor), inspection_id, unit_code, data)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def submit_record(self, actor: dict[str, Any], inspection_id: int, unit_code: str) -> dict[str, Any]:
        with self.db as uow:
            return inspections.submit(uow, Actor.of(actor), inspection_id, unit_code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def correct_record(self, actor: dict[str, Any], inspection_id: int, unit_code: str,
                       data: dict[str, Any]) -> dict[str, Any]:
        with self.db as uow:
            return inspections.correct(uow, Actor.of(actor), inspection_id, unit_code, data)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def current_record(self, actor: dict[str, Any], inspection_id: int, unit_code: str) -> dict[str, Any] | None:
        """The unit's draft or newest submitted record (None before any), for the county office."""
        with self.db as uow:
            return inspections.current_record(uow, Actor.of(actor), inspection_id, unit_code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def unit_records(self, actor: dict[str, Any], inspection_id: int, unit_code: str) -> list[dict[str, Any]]:
        with self.db as uow:
            return inspections.unit_records(uow, Actor.of(actor), inspection_id, unit_code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def add_photo(self, actor: dict[str, Any], kind: str, owner_id: int, media_type: str,
                  content_b64: str) -> dict[str, Any]:
        limit = int((self.config.get("SUPERVISION") or {}).get("PHOTO_MAX_BYTES", photos.DEFAULT_MAX_BYTES))
        with self.db as uow:
            return photos.add(uow, Actor.of(actor), kind, owner_id, media_type, content_b64, limit)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_photo(self, actor: dict[str, Any], kind: str, owner_id: int, sha256: str) -> dict[str, Any]:
        with self.db as uow:
            return photos.get(uow, Actor.of(actor), kind, owner_id, sha256)

    # --- rectifications (限期整改) -------------------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_rectifications(self, actor: dict[str, Any], filters: dict[str, Any], limit: int = 50,
                            after: int | None = None) -> dict[str, Any]:
        with self.db as uow:
            return rectifications.list_for(uow, Actor.of(actor), filters, min(int(limit), 200), after)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_rectification(self, actor: dict[str, Any], rectification_id: int) -> dict[str, Any]:
        with self.db as uow:
            return rectifications.get(uow, Actor.of(actor), rectification_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def submit_rectification(self, actor: dict[str, Any], rectification_id: int,
                             data: dict[str, Any]) -> dict[str, Any]:
        with self.db as uow:
            return rectifications.submit(uow, Actor.of(actor), rectification_id, data)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def decide_rectification(self, actor: dict[str, Any], rectification_id: int, action: str,
                             data: dict[str, Any] | None = None) -> dict[str, Any]:
        with self.db as uow:
            return rectifications.decide(uow, Actor.of(actor), rectification_id, action, data)

    # --- scores, rankings, reports (考核、排名、通报) ---------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def scores(self, actor: dict[str, Any], period: str, as_of: str | None = None,
               filters: dict[str, Any] | None = None) -> dict[str, Any]:
        who = self._ready(actor)
        filters = filters or {}
        period_, moment = Period(period), parse_as_of(as_of)
        if not who.county:
            if filters.get("unit") not in (None, who.unit):
                raise Forbidden(f"您只能查看本单位（{who.unit}）的得分")
            filters = {**filters, "unit": who.unit}
        with self.db as uow:
            result = scores.compute(uow.session, period_, moment)
        result["units"] = [u for u in result["units"] if all(
            not filters.get(k) or u[f] == filters[k] for k, f in (("unit", "unit_code"), ("sector", "sector"),
                                                                   ("town", "town_code")))]
        return result

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def rankings(self, actor: dict[str, Any] | None, period: str, as_of: str | None = None,
                 top: int = rankings.DEFAULT_N) -> dict[str, Any]:
        """The office sees live rankings; anyone else those of a published monthly report."""
        who = self._ready(actor)
        with self.db as uow:
            if who is None or not who.county:
                return reports.published_rankings(uow, period)
            return rankings.rankings(uow.session, Period(period), parse_as_of(as_of), int(top))

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def create_report(self, actor: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        who = self._ready(actor)
        with self.db as uow:
            return reports.create(uow, who, data)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def update_report(self, actor: dict[str, Any], report_id: int, data: dict[str, Any]) -> dict[str, Any]:
        with self.db as uow:
            return reports.update(uow, Actor.of(actor), report_id, data)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def issue_report(self, actor: dict[str, Any], report_id: int, data: dict[str, Any]) -> dict[str, Any]:
        with self.db as uow:
            return reports.issue(uow, Actor.of(actor), report_id, data)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_reports(self, actor: dict[str, Any] | None) -> list[dict[str, Any]]:
        with self.db as uow:
            return reports.list_reports(uow, None if actor is None else Actor.of(actor))

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_report(self, actor: dict[str, Any] | None, report_id: int, form: str = "json") -> Any:
        """The report; form "xlsx" gives {filename, media_type, content_b64}, "html" a printable page."""
        with self.db as uow:
            report = reports.get(uow, None if actor is None else Actor.of(actor), report_id)
        if form == "xlsx":
            return report_files.workbook(report)
        return report_files.page(report) if form == "html" else report

    # --- models, commitments, comments (典型示范、公开承诺、领导点评) -------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def candidates(self, as_of: str | None = None, sector: str | None = None) -> dict[str, Any]:
        self._ready()
        with self.db as uow:
            return programme.candidates(uow, parse_as_of(as_of), sector)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def add_commitment(self, actor: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        with self.db as uow:
            return programme.add_commitment(uow, Actor.of(actor), data)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_commitments(self, unit: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
        with self.db as uow:
            return programme.list_commitments(uow, unit, year)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def add_comment(self, actor: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        with self.db as uow:
            return programme.add_comment(uow, Actor.of(actor), data)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_comments(self, unit: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
        with self.db as uow:
            return programme.list_comments(uow, unit, period)
