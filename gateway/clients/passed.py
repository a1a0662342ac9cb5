"""The deadlines a year's calendar versions left for the county office because they had passed,
gathered from the three services that keep them (obligations, feedback, rectifications): one
list, earliest deadline first, for GET /api/v1/calendar/{year}/passed and the calendar page."""
from __future__ import annotations

from typing import Any

from .disclosure import DisclosureClient
from .feedback import FeedbackClient
from .supervision import SupervisionClient


def calendar_passed(disclosure: DisclosureClient, feedback: FeedbackClient, supervision: SupervisionClient,
                    year: int) -> list[dict[str, Any]]:
    rows = [*disclosure.calendar_passed(year), *feedback.calendar_passed(year), *supervision.calendar_passed(year)]
    return sorted(rows, key=lambda row: (row["from_due_on"], row["kind"], row["id"]))
