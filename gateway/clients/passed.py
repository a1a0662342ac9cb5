"""The deadlines a year's calendar versions left for the county office because they had passed,
gathered from the three services that keep them (obligations, feedback, rectifications): one
list, earliest deadline first, for GET /api/v1/calendar/{year}/passed and the calendar page;
and the office's decision on one, sent to the service that owns its kind."""
from __future__ import annotations

from typing import Any

from services.common.errors import NotFound

from .base import Actor
from .disclosure import DisclosureClient
from .feedback import FeedbackClient
from .supervision import SupervisionClient

OWNERS = {"obligation": "disclosure", "feedback_ack": "feedback", "feedback_answer": "feedback",
          "rectification": "supervision"}


def calendar_passed(disclosure: DisclosureClient, feedback: FeedbackClient, supervision: SupervisionClient,
                    year: int) -> list[dict[str, Any]]:
    rows = [*disclosure.calendar_passed(year), *feedback.calendar_passed(year), *supervision.calendar_passed(year)]
    return sorted(rows, key=lambda row: (row["from_due_on"], row["kind"], row["id"]))


def decide(clients: dict[str, Any], actor: Actor, year: int, kind: str, record_id: int, note: str) -> dict[str, Any]:
    """`clients` by service name (disclosure, feedback, supervision)."""
    if kind not in OWNERS:
        raise NotFound(f"没有“{kind}”这类期限")
    return clients[OWNERS[kind]].decide_calendar_passed(actor, year, kind, record_id, note)
