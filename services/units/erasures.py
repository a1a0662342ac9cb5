"""The audit trail (kept here, in units) records every erasure of personal data that no request
to the gateway made, as the system's act: officials' past contacts erased by units' own
retention timer (contact_retention.py), and feedback senders' contacts erased by feedback's
retention timer, learnt from its FeedbackContactErased event (units reads no other database).
A sender's own erasure on the tracking page is audited as that request, like every form post,
so the event with reason "sender" adds nothing here."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.common.contract import Event, names
from services.common.inbox import event_subscriber

from . import audit


def record_feedback_erasure(session: Session, event: Event) -> dict[str, Any] | None:
    """Append the retention timer's erasure of a sender's contact (the inbox commits, once per
    event); None for a sender's own, audited already."""
    payload = event.payload
    if payload["reason"] != "retention":
        return None
    erased_at = payload["erased_at"]
    return audit.append(session, {
        "actor": "system", "role": "system", "unit": payload["unit_code"], "action": "ERASE feedback contact",
        "target": f"/feedback/{payload['feedback_id']}/contact", "result": 200,
        "at": erased_at if isinstance(erased_at, str) else erased_at.isoformat(),
        "request_id": f"retention-{str(event.event_id)[:40]}", "entry_id": f"event-{event.event_id}"})


class ErasureAudit:
    """units' subscription for the audit trail; mix into the service."""

    @event_subscriber(names.FEEDBACK_CONTACT_ERASED)
    def on_feedback_contact_erased(self, event: Event) -> None:
        record_feedback_erasure(self.db.session, event)
