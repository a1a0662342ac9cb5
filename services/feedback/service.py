from __future__ import annotations

from typing import Any

from nameko.rpc import rpc

from services.common import base
from services.common.contract import UNIT_EVENTS, Event, unit_state_of
from services.common.errors import DOMAIN_ERRORS
from services.common.inbox import event_subscriber

from . import intake


class FeedbackService(base.ServiceBase):
    """Opinions, suggestions, complaints and questions, and their answers."""
    name = "feedback"

    @event_subscriber(*UNIT_EVENTS)
    def on_unit_changed(self, event: Event) -> None:
        intake.apply_unit(self.db.session, unit_state_of(event))

    @event_subscriber("ItemPublished")
    def on_item_published(self, event: Event) -> None:
        intake.apply_published_item(self.db.session, event.payload)

    @event_subscriber("ItemWithdrawn")
    def on_item_withdrawn(self, event: Event) -> None:
        intake.apply_withdrawn_item(self.db.session, event.payload)

    @event_subscriber("PlanConsultationOpened")
    def on_plan_consultation_opened(self, event: Event) -> None:
        intake.open_plan_consultation(self.db.session, event.payload)

    @event_subscriber("PlanApproved")
    def on_plan_approved(self, event: Event) -> None:
        intake.close_plan_consultation(self.db.session, event.payload)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def submit_feedback(self, data: dict[str, Any], member: str | None = None) -> dict[str, Any]:
        receipt = intake.receive(self.db, data, member)
        self.db.commit()
        return receipt

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def track(self, tracking_code: str) -> dict[str, Any]:
        return intake.track(self.db.session, tracking_code)
