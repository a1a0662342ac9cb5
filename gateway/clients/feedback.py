"""The feedback service as the gateway calls it: the public's feedback and its tracking, the
units' handling of it (actions), answers made public and their rating."""
from __future__ import annotations

from typing import Any

from .base import Actor, ServiceClient


class FeedbackClient(ServiceClient):
    service_name = "feedback"

    def act(self, actor: Actor, feedback_id: int, action: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("act", actor, feedback_id, action, data)

    def calendar_passed(self, year: int) -> list[dict[str, Any]]:
        return self._call("calendar_passed", year)

    def contact_notice(self) -> dict[str, Any]:
        return self._call("contact_notice")

    def decide_calendar_passed(self, actor: Actor, year: int, kind: str, record_id: int, note: str) -> dict[str, Any]:
        return self._call("decide_calendar_passed", actor, year, kind, record_id, note)

    def follow_calendar(self, arranged: dict[str, Any]) -> list[dict[str, Any]]:
        return self._call("follow_calendar", arranged)

    def erase_contact(self, tracking_code: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("erase_contact", tracking_code, data)

    def get_feedback(self, actor: Actor, feedback_id: int) -> dict[str, Any]:
        return self._call("get_feedback", actor, feedback_id)

    def list_feedback(self, actor: Actor, filters: dict[str, Any], limit: int = 50,
                      after: int | None = None) -> dict[str, Any]:
        return self._call("list_feedback", actor, filters, limit, after)

    def public_answers(self, filters: dict[str, Any], limit: int = 50, after: int | None = None) -> dict[str, Any]:
        return self._call("public_answers", filters, limit, after)

    def rate(self, tracking_code: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("rate", tracking_code, data)

    def reopen(self, tracking_code: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._call("reopen", tracking_code, data)

    def report_answer(self, feedback_id: int, reporter: str) -> dict[str, Any]:
        return self._call("report_answer", feedback_id, reporter)

    def review_answer(self, actor: Actor, feedback_id: int, keep: bool) -> dict[str, Any]:
        return self._call("review_answer", actor, feedback_id, keep)

    def submit_feedback(self, data: dict[str, Any], member: str | None = None) -> dict[str, Any]:
        return self._call("submit_feedback", data, member)

    def track(self, tracking_code: str) -> dict[str, Any]:
        return self._call("track", tracking_code)
