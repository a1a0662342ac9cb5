from __future__ import annotations

from typing import Any

from nameko.rpc import rpc

from services.common import base
from services.common.contract import UNIT_EVENTS, Event, unit_state_of
from services.common.errors import DOMAIN_ERRORS, InvalidInput
from services.common.inbox import event_subscriber

from . import units_copy, workflow


class DisclosureService(base.ServiceBase):
    """What each organisation must disclose, and the record of what it did."""
    name = "disclosure"

    @event_subscriber(*UNIT_EVENTS)
    def on_unit_changed(self, event: Event) -> None:
        units_copy.apply_unit_state(self.db.session, unit_state_of(event))

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def create_item(self, actor: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        item = workflow.create_item(self.db, actor, data)
        self.db.commit()
        return item

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def transition_item(self, actor: dict[str, Any], item_id: int, action: str,
                        reason: str | None = None) -> dict[str, Any]:
        """submit (提出), review (审核), approve (审批, which publishes), or reject."""
        steps = {"submit": workflow.submit, "review": workflow.review, "approve": workflow.approve}
        if action == "reject":
            item = workflow.reject(self.db, actor, item_id, reason or "")
        elif action in steps:
            item = steps[action](self.db, actor, item_id)
        else:
            raise InvalidInput(f"unknown action {action!r}; use submit, review, approve or reject")
        self.db.commit()
        return item

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_item(self, actor: dict[str, Any] | None, item_id: int) -> dict[str, Any]:
        return workflow.get_item(self.db.session, actor, item_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_published_items(self, unit: str | None = None, q: str | None = None, limit: int = 50,
                             after: int | None = None) -> dict[str, Any]:
        return workflow.list_published(self.db.session, unit=unit, q=q, limit=limit, after=after)
