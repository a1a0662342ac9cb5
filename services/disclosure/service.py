from __future__ import annotations

from datetime import date
from typing import Any

from nameko.dependency_providers import Config

from services.common import base
from services.common.actor import Actor
from services.common.calendar_store import CalendarCopy
from services.common.contract import UNIT_EVENTS, Event, unit_state_of
from services.common.entrypoints import command, query
from services.common.inbox import event_subscriber
from services.common.timers import configured_timer, timer
from services.common.workdays import county_today

from . import (archive, attachments, calendar, catalogue, deadlines, learning_rpc, obligations, plans, portal,
               progress, reading, reminders, scans, search, units_copy, upkeep, workflow)


class DisclosureService(base.ServiceBase, base.PassedDeadlinesRpc, learning_rpc.LearningRpc):
    """What each organisation must disclose, by when, and the record of what it did."""
    name = "disclosure"
    config = Config()
    calendar_copy = CalendarCopy()

    @event_subscriber(*UNIT_EVENTS)
    def on_unit_changed(self, event: Event) -> None:
        """Keep the unit copy; a unit that appears, changes sector or town, merges or is
        dissolved gets its obligations for the year brought in line."""
        if units_copy.apply_unit_state(self.db.session, unit_state_of(event)):
            upkeep.reconcile_unit(self.db, unit_state_of(event)["code"], event.type)

    # --- the working-day calendar (放假安排), county data -----------------------------------

    @query
    def list_calendar_years(self) -> dict[str, Any]:
        return calendar.list_years(self.db.session)

    @query
    def get_calendar_year(self, year: int) -> dict[str, Any]:
        return calendar.get_year(self.db.session, int(year))


    @command
    def enter_calendar_year(self, actor: Actor, year: int, data: dict[str, Any]) -> dict[str, Any]:
        """A new version of the year's arrangement; recomputes the obligations it moves."""
        return calendar.enter_year(self.db, actor, int(year), calendar.arrangement_data(data))

    @command
    def enter_calendar_file(self, actor: Actor, year: int, filename: str, content_b64: str,
                            data: dict[str, Any]) -> dict[str, Any]:
        """The same, the days read from a YAML or .xlsx file; document and issued_on from the
        file or from `data`."""
        return calendar.enter_file(self.db, actor, int(year), filename, content_b64, data)

    # --- the catalogue (公开目录) ----------------------------------------------------------

    @query
    def list_catalogue(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """The entries in force on a date (today by default), by sector, frequency or text."""
        return catalogue.list_entries(self.db.session, **filters)

    @query
    def get_catalogue_entry(self, code: str) -> dict[str, Any]:
        """The entry in force with every version it had."""
        return catalogue.get_entry(self.db.session, code)

    @command
    def add_catalogue_entry(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return catalogue.add_entry(self.db, actor, data)

    @command
    def revise_catalogue_entry(self, actor: Actor, code: str, data: dict[str, Any]) -> dict[str, Any]:
        """A new version from `valid_from` on; the old version stays for the time before."""
        return catalogue.revise_entry(self.db, actor, code, data)

    @command
    def retire_catalogue_entry(self, actor: Actor, code: str, data: dict[str, Any]) -> dict[str, Any]:
        return catalogue.retire_entry(self.db, actor, code, data)

    # --- the yearly plan (实施方案) ------------------------------------------------------------

    @query
    def list_plans(self, actor: Actor | None) -> list[dict[str, Any]]:
        return plans.list_plans(self.db.session, actor)

    @query
    def get_plan(self, actor: Actor | None, plan_id: int) -> dict[str, Any]:
        return plans.get_plan(self.db.session, actor, plan_id)

    @command
    def create_plan(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return plans.create_plan(self.db, actor, data)

    @command
    def update_plan(self, actor: Actor, plan_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return plans.update_plan(self.db, actor, plan_id, changes)

    @command
    def transition_plan(self, actor: Actor, plan_id: int, action: str,
                        data: dict[str, Any] | None = None) -> dict[str, Any]:
        """consult (征求意见), approve (schedules every unit's obligations), activate, close."""
        return plans.transition(self.db, actor, plan_id, action, data or {})

    # --- obligations (公开任务) ----------------------------------------------------------------

    @query
    def list_obligations(self, actor: Actor, filters: dict[str, Any], limit: int = 50,
                         after: int | None = None) -> dict[str, Any]:
        return obligations.list_obligations(self.db.session, actor, filters, min(int(limit), 500), after)

    @query
    def get_obligation(self, actor: Actor, obligation_id: int) -> dict[str, Any]:
        return obligations.get_obligation(self.db.session, actor, obligation_id)

    @command
    def record_event(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        """The unit records an event (or a decision it will take) that a catalogue entry
        says must be disclosed: the obligation follows with its due date."""
        return obligations.record_event(self.db, actor, data)

    @command
    def waive_obligation(self, actor: Actor, obligation_id: int, reason: str) -> dict[str, Any]:
        return obligations.waive(self.db, actor, obligation_id, reason)

    @command
    def remind_obligation(self, actor: Actor, obligation_id: int, note: str | None = None) -> dict[str, Any]:
        """The county office's reminder (催办) of an open or overdue obligation: kept, and
        ObligationReminded tells the unit's liaison; once per obligation in 24 hours."""
        return reminders.remind(self.db, actor, obligation_id, note)

    @query
    def obligation_reminders(self, actor: Actor, obligation_ids: list[int]) -> dict[str, dict[str, Any]]:
        """The latest reminder (and how many) of each of these obligations that was reminded."""
        return reminders.last_reminders(self.db.session, actor, obligation_ids)

    @query
    def progress(self, filters: dict[str, Any]) -> dict[str, Any]:
        """Obligations by status per town and sector: what the county office watches."""
        return progress.by_town_and_sector(self.db.session, filters)

    @query
    def progress_by_month(self, filters: dict[str, Any]) -> dict[str, Any]:
        """The year's obligations by the month they fall due, with each month's on-time rate."""
        return progress.by_month(self.db.session, filters)

    @configured_timer("DISCLOSURE", "DEADLINE_CHECK_SECONDS", default=60, eager=True)
    def check_deadlines(self) -> None:
        """Yellow (due within 3 working days) and red (overdue) once per obligation; each
        row is claimed with a conditional update, so two replicas never send one twice."""
        deadlines.check_deadlines(self.db)

    # --- items (公开事项) ------------------------------------------------------------------------

    @command
    def create_item(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return workflow.create_item(self.db, actor, data)

    @command
    def update_item(self, actor: Actor, item_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Edit a draft."""
        return workflow.update_item(self.db, actor, item_id, changes)

    @command
    def transition_item(self, actor: Actor, item_id: int, action: str,
                        reason: str | None = None) -> dict[str, Any]:
        """submit (提出), review (审核), approve (审批, which publishes: 实施), reject, withdraw."""
        return workflow.transition(self.db, actor, item_id, action, reason)

    @command
    def correct_item(self, actor: Actor, item_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """A new draft version of a published item; it replaces the old one when published."""
        return workflow.correct(self.db, actor, item_id, changes)

    @query
    def get_item(self, actor: Actor | None, item_id: int) -> dict[str, Any]:
        return reading.get_item(self.db.session, actor, item_id)

    @query
    def unit_portal(self, actor: Actor | None, unit_code: str, year: int | None = None) -> dict[str, Any]:
        """The public portal's unit page: disclosed items by matter and period, prior disclosures, the year's record."""
        return portal.unit_page(self.db.session, actor, unit_code, year)

    @query
    def item_portal(self, actor: Actor | None, item_id: int) -> dict[str, Any]:
        """The public portal's item page: the item with the version in force, or a withdrawn item's notice."""
        return portal.item_page(self.db.session, actor, item_id)

    @query
    def search_items(self, actor: Actor | None, filters: dict[str, Any]) -> dict[str, Any]:
        """Full-text search of what the reader may see (q, town, unit, year, matter, page, sort): ranked, 20 a page."""
        return search.search(self.db.session, actor, filters)

    @command
    def record_item_scan(self, item_id: int, reader: str | None = None) -> dict[str, Any]:
        """One scan of an item's own QR code, counted for the county day: once per reader (the
        gateway's salted key of the day, never an address) and up to the day's ceiling per item."""
        return scans.record_scan(self.db.session, int(item_id), county_today(),
                                 str(reader)[:64] if reader else None, self._scan_ceiling())

    def _scan_ceiling(self) -> int:
        return int((self.config.get("DISCLOSURE") or {}).get("SCAN_CEILING_PER_ITEM_DAY", scans.DEFAULT_CEILING))

    @query
    def item_scan_counts(self, actor: Actor, since: str, until: str) -> dict[str, Any]:
        """The county office's scans per unit over a period (知晓率)."""
        return {**scans.scan_counts(self.db.session, actor, date.fromisoformat(since), date.fromisoformat(until)),
                "ceiling": self._scan_ceiling()}

    @query
    def item_versions(self, actor: Actor | None, item_id: int) -> list[dict[str, Any]]:
        return reading.versions(self.db.session, actor, item_id)

    @query
    def list_items(self, actor: Actor | None, filters: dict[str, Any], limit: int = 50,
                   after: int | None = None) -> dict[str, Any]:
        """Items the caller may see: the public sees published society items only."""
        return reading.list_items(self.db.session, actor, filters, min(int(limit), 500), after)

    @command
    def add_attachment(self, actor: Actor, item_id: int, filename: str, media_type: str,
                       content_b64: str) -> dict[str, Any]:
        return attachments.add(self.db, actor, item_id, filename, media_type, content_b64,
                               self.config["DISCLOSURE"])

    @query
    def get_attachment(self, actor: Actor | None, item_id: int, sha256: str) -> dict[str, Any]:
        """{filename, media_type, size, content_b64} if the caller may see the item."""
        return attachments.get(self.db.session, actor, item_id, sha256)

    @command
    def remove_attachment(self, actor: Actor, item_id: int, sha256: str) -> dict[str, Any]:
        return attachments.remove(self.db, actor, item_id, sha256)

    # --- the archive (登记归档) ----------------------------------------------------------------

    @query
    def export_archive(self, actor: Actor, unit_code: str, year: int) -> dict[str, Any]:
        """A zip of the unit's year: manifest, every item version with its trail, attachments."""
        return archive.export(self.db.session, actor, unit_code, int(year))

    @command
    def seal_year(self, actor: Actor, year: int) -> dict[str, Any]:
        return archive.seal(self.db, actor, int(year))

    @timer(interval=600, eager=True)
    def index_unsearched(self) -> None:
        """Disclosed items the search index lacks (published before it existed), 500 at a time."""
        search.index_missing(self.db)

    @timer(interval=3600, eager=True)
    def seal_ended_years(self) -> None:
        """After a year ends, its items are archived and stop changing."""
        archive.seal_ended_years(self.db)
