from __future__ import annotations

from typing import Any

from nameko.dependency_providers import Config
from nameko.rpc import rpc

from services.common import base
from services.common.contract import UNIT_EVENTS, Event, names, unit_state_of
from services.common.contract.catalogue import SUPERVISION_NOTICES
from services.common.errors import DOMAIN_ERRORS
from services.common.inbox import event_subscriber
from services.common.timers import timer

from . import mailer, messages, supervision_messages, webhooks


class NotifyService(base.ServiceBase):
    """Tells the officials responsible what happened and what is due."""
    name = "notify"
    config = Config()

    @event_subscriber(*UNIT_EVENTS)
    def on_unit_changed(self, event: Event) -> None:
        messages.apply_unit_state(self.db.session, unit_state_of(event))

    @event_subscriber(names.ITEM_PUBLISHED)
    def on_item_published(self, event: Event) -> None:
        mailer.report_unreachable(self.db, messages.plan_deliveries(self.db.session, event))

    @event_subscriber(names.FEEDBACK_RECEIVED)
    def on_feedback_received(self, event: Event) -> None:
        mailer.report_unreachable(self.db, messages.plan_deliveries(self.db.session, event))

    @event_subscriber(names.OBLIGATION_DUE_SOON, names.OBLIGATION_OVERDUE)
    def on_obligation_deadline(self, event: Event) -> None:
        """Yellow three working days before the due date, red once it has passed."""
        mailer.report_unreachable(self.db, messages.plan_deliveries(self.db.session, event))

    @event_subscriber(names.FEEDBACK_DUE_SOON, names.FEEDBACK_OVERDUE, names.FEEDBACK_ESCALATED,
                      names.FEEDBACK_TRANSFERRED, names.FEEDBACK_REOPENED)
    def on_feedback_deadline(self, event: Event) -> None:
        """Yellow, red, a transfer (to the new unit) and a reopening to the answering unit's liaison;
        escalations to its secretary, then the county office."""
        county_office = (self.config.get("NOTIFY") or {}).get("COUNTY_OFFICE_EMAIL")
        mailer.report_unreachable(self.db, messages.plan_deliveries(self.db.session, event, county_office))

    @event_subscriber(*SUPERVISION_NOTICES)
    def on_supervision(self, event: Event) -> None:
        """Inspections to the units and the county office, rectifications to the unit (red to its
        secretary too), submissions, scores and reports to the office."""
        office = (self.config.get("NOTIFY") or {}).get("COUNTY_OFFICE_EMAIL") or ""
        mailer.report_unreachable(self.db, supervision_messages.plan_deliveries(self.db.session, event, office))

    @timer(interval=0.2)  # the email latency after an event is at most this
    def send_due_deliveries(self) -> None:
        mailer.send_due(self.db, self.config["SMTP"])

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_deliveries(self, unit: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        return mailer.list_deliveries(self.db.session, unit, min(int(limit), 500))

    # --- subscribers' webhooks (kept here; delivered later) ----------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def create_webhook(self, actor: dict[str, Any], url: str, event_types: list[str]) -> dict[str, Any]:
        created = webhooks.create(self.db.session, actor, url, event_types)
        self.db.commit()
        return created

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_webhooks(self, actor: dict[str, Any]) -> list[dict[str, Any]]:
        return webhooks.list_for(self.db.session, actor)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_webhook(self, actor: dict[str, Any], webhook_id: int) -> dict[str, Any]:
        return webhooks.get(self.db.session, actor, webhook_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def delete_webhook(self, actor: dict[str, Any], webhook_id: int) -> dict[str, Any]:
        deleted = webhooks.delete(self.db.session, actor, webhook_id)
        self.db.commit()
        return deleted
