"""The disclosure service as the gateway calls it: the catalogue, plans, obligations and reminders,
items with their workflow, attachments and versions, progress, the portal's views and the archive.

Most calls take the caller (`actor`; None for the public), whose audience rule disclosure applies."""
from __future__ import annotations

from typing import Any

from .base import Actor, ServiceClient


class DisclosureClient(ServiceClient):
    service_name = "disclosure"

    def add_attachment(self, actor: Actor, item_id: int, filename: str, media_type: str, content_b64: str) -> dict[str,
                       Any]:
        return self._call("add_attachment", actor, item_id, filename, media_type, content_b64)

    def add_catalogue_entry(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("add_catalogue_entry", actor, data)

    def correct_item(self, actor: Actor, item_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return self._call("correct_item", actor, item_id, changes)

    def create_item(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("create_item", actor, data)

    def create_plan(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("create_plan", actor, data)

    def export_archive(self, actor: Actor, unit_code: str, year: int) -> dict[str, Any]:
        return self._call("export_archive", actor, unit_code, year)

    def get_attachment(self, actor: Actor | None, item_id: int, sha256: str) -> dict[str, Any]:
        return self._call("get_attachment", actor, item_id, sha256)

    def get_catalogue_entry(self, code: str) -> dict[str, Any]:
        return self._call("get_catalogue_entry", code)

    def get_item(self, actor: Actor | None, item_id: int) -> dict[str, Any]:
        return self._call("get_item", actor, item_id)

    def get_obligation(self, actor: Actor, obligation_id: int) -> dict[str, Any]:
        return self._call("get_obligation", actor, obligation_id)

    def get_plan(self, actor: Actor | None, plan_id: int) -> dict[str, Any]:
        return self._call("get_plan", actor, plan_id)

    def item_portal(self, actor: Actor | None, item_id: int) -> dict[str, Any]:
        return self._call("item_portal", actor, item_id)

    def item_scan_counts(self, actor: Actor, since: str, until: str) -> dict[str, Any]:
        return self._call("item_scan_counts", actor, since, until)

    def item_versions(self, actor: Actor | None, item_id: int) -> list[dict[str, Any]]:
        return self._call("item_versions", actor, item_id)

    def list_catalogue(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return self._call("list_catalogue", filters)

    def list_items(self, actor: Actor | None, filters: dict[str, Any], limit: int = 50,
                   after: int | None = None) -> dict[str, Any]:
        return self._call("list_items", actor, filters, limit, after)

    def list_obligations(self, actor: Actor, filters: dict[str, Any], limit: int = 50,
                         after: int | None = None) -> dict[str, Any]:
        return self._call("list_obligations", actor, filters, limit, after)

    def list_plans(self, actor: Actor | None) -> list[dict[str, Any]]:
        return self._call("list_plans", actor)

    def obligation_reminders(self, actor: Actor, obligation_ids: list[int]) -> dict[str, dict[str, Any]]:
        return self._call("obligation_reminders", actor, obligation_ids)

    def progress(self, filters: dict[str, Any]) -> dict[str, Any]:
        return self._call("progress", filters)

    def progress_by_month(self, filters: dict[str, Any]) -> dict[str, Any]:
        return self._call("progress_by_month", filters)

    def record_event(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("record_event", actor, data)

    def record_item_scan(self, item_id: int, reader: str | None = None) -> dict[str, Any]:
        return self._call("record_item_scan", item_id, reader)

    def remind_obligation(self, actor: Actor, obligation_id: int, note: str | None = None) -> dict[str, Any]:
        return self._call("remind_obligation", actor, obligation_id, note)

    def remove_attachment(self, actor: Actor, item_id: int, sha256: str) -> dict[str, Any]:
        return self._call("remove_attachment", actor, item_id, sha256)

    def retire_catalogue_entry(self, actor: Actor, code: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("retire_catalogue_entry", actor, code, data)

    def revise_catalogue_entry(self, actor: Actor, code: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("revise_catalogue_entry", actor, code, data)

    def search_items(self, actor: Actor | None, filters: dict[str, Any]) -> dict[str, Any]:
        return self._call("search_items", actor, filters)

    def seal_year(self, actor: Actor, year: int) -> dict[str, Any]:
        return self._call("seal_year", actor, year)

    def transition_item(self, actor: Actor, item_id: int, action: str, reason: str | None = None) -> dict[str, Any]:
        return self._call("transition_item", actor, item_id, action, reason)

    def transition_plan(self, actor: Actor, plan_id: int, action: str, data: dict[str, Any] | None = None) -> dict[str,
                        Any]:
        return self._call("transition_plan", actor, plan_id, action, data)

    def unit_portal(self, actor: Actor | None, unit_code: str, year: int | None = None) -> dict[str, Any]:
        return self._call("unit_portal", actor, unit_code, year)

    def update_item(self, actor: Actor, item_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return self._call("update_item", actor, item_id, changes)

    def update_plan(self, actor: Actor, plan_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return self._call("update_plan", actor, plan_id, changes)

    def waive_obligation(self, actor: Actor, obligation_id: int, reason: str) -> dict[str, Any]:
        return self._call("waive_obligation", actor, obligation_id, reason)

    # --- units learning from each other: 范例 marks and guidance notes (分类指导) ---------------------

    def create_guidance(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("create_guidance", actor, data)

    def editor_aids(self, actor: Actor, obligation_id: int) -> dict[str, Any]:
        return self._call("editor_aids", actor, obligation_id)

    def get_guidance(self, actor: Actor, note_id: int) -> dict[str, Any]:
        return self._call("get_guidance", actor, note_id)

    def list_examples(self, actor: Actor, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return self._call("list_examples", actor, filters)

    def list_guidance(self, actor: Actor, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return self._call("list_guidance", actor, filters)

    def mark_example(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("mark_example", actor, data)

    def public_examples(self) -> list[dict[str, Any]]:
        return self._call("public_examples")

    def retire_guidance(self, actor: Actor, note_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("retire_guidance", actor, note_id, data)

    def revise_guidance(self, actor: Actor, note_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("revise_guidance", actor, note_id, data)

    def unmark_example(self, actor: Actor, mark_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("unmark_example", actor, mark_id, data)

    # --- the working-day calendar ----------------------------------------------------------------

    def list_calendar_years(self) -> dict[str, Any]:
        return self._call("list_calendar_years")

    def get_calendar_year(self, year: int) -> dict[str, Any]:
        return self._call("get_calendar_year", year)

    def calendar_passed(self, year: int) -> list[dict[str, Any]]:
        return self._call("calendar_passed", year)

    def decide_calendar_passed(self, actor: Actor, year: int, kind: str, record_id: int, note: str) -> dict[str, Any]:
        return self._call("decide_calendar_passed", actor, year, kind, record_id, note)

    def enter_calendar_year(self, actor: Actor, year: int, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("enter_calendar_year", actor, year, data)

    def enter_calendar_file(self, actor: Actor, year: int, filename: str, content_b64: str,
                            data: dict[str, Any]) -> dict[str, Any]:
        return self._call("enter_calendar_file", actor, year, filename, content_b64, data)
