"""The supervision service as the gateway calls it: checklists, inspections and their records
and photos, rectifications, scores and rankings, reports, model candidates, commitments and comments."""
from __future__ import annotations

from typing import Any

from .base import Actor, ServiceClient


class SupervisionClient(ServiceClient):
    service_name = "supervision"

    def add_comment(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("add_comment", actor, data)

    def add_commitment(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("add_commitment", actor, wire(data))

    def get_commitment(self, actor: Actor | None, commitment_id: int) -> dict[str, Any]:
        return self._call("get_commitment", actor, commitment_id)

    def commitment_progress(self, actor: Actor, commitment_id: int, index: int,
                            data: dict[str, Any]) -> dict[str, Any]:
        return self._call("commitment_progress", actor, commitment_id, index, wire(data))

    def add_register_entry(self, actor: Actor, register: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("add_register_entry", actor, register, wire(data))

    def add_photo(self, actor: Actor, kind: str, owner_id: int, media_type: str, content_b64: str) -> dict[str, Any]:
        return self._call("add_photo", actor, kind, owner_id, media_type, content_b64)

    def calendar_passed(self, year: int) -> list[dict[str, Any]]:
        return self._call("calendar_passed", year)

    def decide_calendar_passed(self, actor: Actor, year: int, kind: str, record_id: int, note: str) -> dict[str, Any]:
        return self._call("decide_calendar_passed", actor, year, kind, record_id, note)

    def follow_calendar(self, arranged: dict[str, Any]) -> list[dict[str, Any]]:
        return self._call("follow_calendar", arranged)

    def candidates(self, as_of: str | None = None, sector: str | None = None) -> dict[str, Any]:
        return self._call("candidates", as_of, sector)

    def nominable(self, unit_code: str) -> dict[str, Any] | None:
        """The unit's entry on the model candidates' list now (its evidence), or None when it is not on it."""
        return self._call("nominable", unit_code)

    def models_to_review(self, as_of: str | None = None) -> dict[str, Any]:
        return self._call("models_to_review", as_of)

    def correct_record(self, actor: Actor, inspection_id: int, unit_code: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("correct_record", actor, inspection_id, unit_code, wire(data))

    def create_report(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("create_report", actor, data)

    def current_record(self, actor: Actor, inspection_id: int, unit_code: str) -> dict[str, Any] | None:
        return self._call("current_record", actor, inspection_id, unit_code)

    def decide_rectification(self, actor: Actor, rectification_id: int, action: str, data: dict[str,
                             Any] | None = None) -> dict[str, Any]:
        return self._call("decide_rectification", actor, rectification_id, action, data)

    def draw_registers(self, actor: Actor, day: str | None = None, ended: bool = False) -> dict[str, Any]:
        return self._call("draw_registers", actor, wire(day), ended)

    def end_register_entry(self, actor: Actor, register: str, entry_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("end_register_entry", actor, register, entry_id, wire(data))

    def get_checklist(self, year: int, version: int | None = None) -> dict[str, Any]:
        return self._call("get_checklist", year, version)

    def get_inspection(self, actor: Actor, inspection_id: int) -> dict[str, Any]:
        return self._call("get_inspection", actor, inspection_id)

    def get_photo(self, actor: Actor, kind: str, owner_id: int, sha256: str) -> dict[str, Any]:
        return self._call("get_photo", actor, kind, owner_id, sha256)

    def get_rectification(self, actor: Actor, rectification_id: int) -> dict[str, Any]:
        return self._call("get_rectification", actor, rectification_id)

    def get_report(self, actor: Actor | None, report_id: int, form: str = 'json') -> Any:
        return self._call("get_report", actor, report_id, form)

    def inspection_draw(self, inspection_id: int) -> dict[str, Any]:
        return self._call("inspection_draw", inspection_id)

    def issue_report(self, actor: Actor, report_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("issue_report", actor, report_id, data)

    def list_comments(self, unit: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
        return self._call("list_comments", unit, period)

    def list_commitments(self, unit: str | None = None, year: int | None = None,
                         actor: Actor | None = None) -> list[dict[str, Any]]:
        return self._call("list_commitments", unit, year, actor)

    def list_inspections(self, actor: Actor, limit: int = 50, after: int | None = None) -> dict[str, Any]:
        return self._call("list_inspections", actor, limit, after)

    def list_rectifications(self, actor: Actor, filters: dict[str, Any], limit: int = 50,
                            after: int | None = None) -> dict[str, Any]:
        return self._call("list_rectifications", actor, filters, limit, after)

    def list_reports(self, actor: Actor | None) -> list[dict[str, Any]]:
        return self._call("list_reports", actor)

    def plan_inspection(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("plan_inspection", actor, wire(data))

    def public_record(self, period: str, as_of: str | None = None) -> dict[str, Any]:
        return self._call("public_record", period, as_of)

    def publish_checklist(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("publish_checklist", actor, wire(data))

    def report_commitment_progress(self, actor: Actor, commitment_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("report_commitment_progress", actor, commitment_id, wire(data))

    def rankings(self, actor: Actor | None, period: str, as_of: str | None = None,
                 top: int = 10) -> dict[str, Any]:
        return self._call("rankings", actor, period, as_of, top)

    def save_record(self, actor: Actor, inspection_id: int, unit_code: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("save_record", actor, inspection_id, unit_code, wire(data))

    def scores(self, actor: Actor, period: str, as_of: str | None = None, filters: dict[str,
               Any] | None = None) -> dict[str, Any]:
        return self._call("scores", actor, period, as_of, filters)

    def submit_record(self, actor: Actor, inspection_id: int, unit_code: str) -> dict[str, Any]:
        return self._call("submit_record", actor, inspection_id, unit_code)

    def schedule_draw(self, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("schedule_draw", actor, wire(data))

    def submit_rectification(self, actor: Actor, rectification_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("submit_rectification", actor, rectification_id, data)

    def unit_records(self, actor: Actor, inspection_id: int, unit_code: str) -> list[dict[str, Any]]:
        return self._call("unit_records", actor, inspection_id, unit_code)

    def update_report(self, actor: Actor, report_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("update_report", actor, report_id, data)


def wire(data: Any) -> Any:
    """Dates as ISO strings for the RPC (its JSON carries no dates): the API's bodies load dates."""
    if isinstance(data, dict):
        return {k: wire(v) for k, v in data.items()}
    if isinstance(data, list):
        return [wire(v) for v in data]
    return data.isoformat() if hasattr(data, "isoformat") else data
