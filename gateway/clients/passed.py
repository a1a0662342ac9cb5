"""The deadlines a year's calendar versions left for the county office because they had passed,
gathered from the three services that keep them (obligations, feedback, rectifications): one
list, earliest deadline first, for GET /api/v1/calendar/{year}/passed and the calendar page;
the same for a version as the office enters it, in the answer at once; and the office's
decision on one, sent to the service that owns its kind."""
from __future__ import annotations

from typing import Any

from services.common.errors import NotFound

from ..errors import ApiError
from .base import Actor
from .disclosure import DisclosureClient
from .feedback import FeedbackClient
from .supervision import SupervisionClient

OWNERS = {"obligation": "disclosure", "feedback_ack": "feedback", "feedback_answer": "feedback",
          "rectification": "supervision"}


def calendar_passed(disclosure: DisclosureClient, feedback: FeedbackClient, supervision: SupervisionClient,
                    year: int) -> list[dict[str, Any]]:
    return _earliest_first([*disclosure.calendar_passed(year), *feedback.calendar_passed(year),
                            *supervision.calendar_passed(year)])


def _earliest_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: (row["from_due_on"], row["kind"], row["id"]))


def followed(entered: dict[str, Any], feedback: FeedbackClient, supervision: SupervisionClient) -> dict[str, Any]:
    """Disclosure's answer to entering a year, with feedback's and supervision's deadlines that
    the version left for the office joined to its own (`passed`), asked of each in the same
    request: each keeps the version and moves its deadlines now if the CalendarArranged event
    has not done it yet. A service not answering is named in `pending`: the event will still
    reach it, and GET /api/v1/calendar/{year}/passed lists its deadlines then."""
    arranged = entered.pop("arranged")
    rows, pending = list(entered["passed"]), []
    for name, client in (("feedback", feedback), ("supervision", supervision)):
        try:
            rows.extend(client.follow_calendar(arranged))
        except ApiError as exc:
            if exc.status != 503:
                raise
            pending.append(name)
    return {**entered, "passed": _earliest_first(rows), "pending": pending}


def decide(clients: dict[str, Any], actor: Actor, year: int, kind: str, record_id: int, note: str) -> dict[str, Any]:
    """`clients` by service name (disclosure, feedback, supervision)."""
    if kind not in OWNERS:
        raise NotFound(f"没有“{kind}”这类期限")
    return clients[OWNERS[kind]].decide_calendar_passed(actor, year, kind, record_id, note)
