"""The catalogue of event types and who consumes which."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import calendar, disclosure, feedback, names, notify, supervision, units
from .base import EventType

if TYPE_CHECKING:
    from .base import Event

CATALOGUE: dict[str, EventType] = {e.name: e for section in (units, disclosure, feedback, supervision, notify, calendar)
                                  for e in section.EVENTS}

# Which service consumes which events. The outbox relay declares these queues before it
# publishes, so an event is never dropped for want of a queue, and subscribing to a
# type that is not listed here fails at start-up.
UNIT_EVENTS = (names.UNIT_REGISTERED, names.UNIT_UPDATED, names.UNIT_MOVED, names.UNIT_MERGED, names.UNIT_DISSOLVED,
               names.OFFICIAL_ASSIGNED, names.OFFICIAL_REMOVED)
# what notify tells the inspectors (the county office) and the units about supervision
SUPERVISION_NOTICES = (names.INSPECTION_DUE, names.INSPECTION_OVERDUE, names.RECTIFICATION_OPENED,
                       names.RECTIFICATION_SUBMITTED, names.RECTIFICATION_RETURNED, names.RECTIFICATION_DUE_SOON,
                       names.RECTIFICATION_OVERDUE, names.SCORES_COMPUTED, names.REPORT_ISSUED)
# every service that computes deadlines keeps its own copy of the county's calendar
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "disclosure": UNIT_EVENTS,
    # the audit trail records the feedback retention timer's erasures of senders' contacts
    "units": (names.FEEDBACK_CONTACT_ERASED,),
    "feedback": UNIT_EVENTS + (names.CALENDAR_ARRANGED, names.ITEM_PUBLISHED, names.ITEM_WITHDRAWN,
                               names.PLAN_CONSULTATION_OPENED, names.PLAN_APPROVED),
    # notify tells people what its rules file names and delivers any type to subscribers' webhooks
    "notify": tuple(CATALOGUE),
    # the county office's supervision learns the tree, obligations, items and feedback from events
    "supervision": UNIT_EVENTS + (names.CALENDAR_ARRANGED, names.DEMONSTRATION_DESIGNATED,
                                  names.DEMONSTRATION_EXPIRED, names.DEMONSTRATION_REVOKED, names.DESIGNATION_KEPT,
                                  names.ITEM_PUBLISHED,
                                  names.OBLIGATION_FULFILLED, names.OBLIGATION_WAIVED, names.OBLIGATION_OVERDUE,
                                  names.FEEDBACK_RECEIVED, names.FEEDBACK_ANSWERED, names.FEEDBACK_RATED,
                                  names.FEEDBACK_OVERDUE),
}


def unit_state_of(event: "Event") -> dict[str, Any]:
    """The unit state an event of UNIT_EVENTS carries."""
    return event.payload if event.type in (names.UNIT_REGISTERED, names.UNIT_UPDATED) else event.payload["unit"]


def queue_name(service: str, event_type: str) -> str:
    return f"gongkai.{service}.{event_type}"


def subscribed_types() -> set[str]:
    return {t for types in SUBSCRIPTIONS.values() for t in types}
