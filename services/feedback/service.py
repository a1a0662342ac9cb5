from __future__ import annotations

from typing import Any

from services.common import base, calendar_store
from services.common.actor import Actor
from services.common.calendar_store import CalendarCopy
from services.common.contract import UNIT_EVENTS, Event, names, unit_state_of
from services.common.errors import DOMAIN_ERRORS
from services.common.inbox import event_subscriber
from services.common.rpc import rpc
from services.common.timers import configured_timer

from . import calendar_deadlines, deadlines, handling, intake, moderation, routing, sender, views
from .settings import SettingsProvider


class FeedbackService(base.ServiceBase):
    """Opinions, suggestions, complaints and questions: received, screened, routed, answered
    in time, rated. The rules live in plain modules; these entrypoints only delegate."""
    name = "feedback"
    settings = SettingsProvider()
    calendar_copy = CalendarCopy()

    # --- what feedback may be about, from events -----------------------------------------

    @event_subscriber(*UNIT_EVENTS)
    def on_unit_changed(self, event: Event) -> None:
        intake.apply_unit(self.db.session, unit_state_of(event))
        routing.follow_unit_change(self.db, event.type, event.payload)

    @event_subscriber(names.CALENDAR_ARRANGED)
    def on_calendar_arranged(self, event: Event) -> None:
        """Keep the county's calendar; the deadlines it moves follow."""
        if calendar_store.store(self.db.session, event.payload):
            calendar_deadlines.recompute(self.db, self.settings, event.payload)

    @event_subscriber(names.ITEM_PUBLISHED)
    def on_item_published(self, event: Event) -> None:
        intake.apply_published_item(self.db.session, event.payload)

    @event_subscriber(names.ITEM_WITHDRAWN)
    def on_item_withdrawn(self, event: Event) -> None:
        intake.apply_withdrawn_item(self.db.session, event.payload)

    @event_subscriber(names.PLAN_CONSULTATION_OPENED)
    def on_plan_consultation_opened(self, event: Event) -> None:
        intake.open_plan_consultation(self.db.session, event.payload)

    @event_subscriber(names.PLAN_APPROVED)
    def on_plan_approved(self, event: Event) -> None:
        intake.close_plan_consultation(self.db.session, event.payload)

    # --- the sender -----------------------------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def submit_feedback(self, data: dict[str, Any], member: str | None = None) -> dict[str, Any]:
        with self.db as uow:
            return intake.receive(uow, data, member, self.settings)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def track(self, tracking_code: str) -> dict[str, Any]:
        return sender.track(self.db.session, tracking_code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def rate(self, tracking_code: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.db as uow:
            return sender.rate(uow, tracking_code, data, self.settings)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def reopen(self, tracking_code: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.db as uow:
            return sender.reopen(uow, tracking_code, data, self.settings)

    # --- the answering unit and the county office -------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_feedback(self, actor: dict[str, Any], filters: dict[str, Any], limit: int = 50,
                      after: int | None = None) -> dict[str, Any]:
        return views.list_feedback(self.db.session, Actor.of(actor), filters, int(limit), after, self.settings)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_feedback(self, actor: dict[str, Any], feedback_id: int) -> dict[str, Any]:
        return views.detail(self.db.session, Actor.of(actor), int(feedback_id), self.settings)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def act(self, actor: dict[str, Any], feedback_id: int, action: str, data: dict[str, Any]) -> dict[str, Any]:
        """accept, reject, release, transfer, extend, grant-extension, answer, approve-answer, reject-answer."""
        who = Actor.of(actor)
        with self.db as uow:
            handling.act(uow, who, int(feedback_id), action, data, self.settings)
            uow.session.flush()
            return views.detail(uow.session, who, int(feedback_id), self.settings)

    # --- public answers (公开答复) ------------------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def public_answers(self, filters: dict[str, Any], limit: int = 50, after: int | None = None) -> dict[str, Any]:
        return views.public_answers(self.db.session, filters, int(limit), after)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def report_answer(self, feedback_id: int, reporter: str) -> dict[str, Any]:
        with self.db as uow:
            return moderation.report_answer(uow.session, int(feedback_id), reporter, self.settings)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def review_answer(self, actor: dict[str, Any], feedback_id: int, keep: bool) -> dict[str, Any]:
        who = Actor.of(actor)
        with self.db as uow:
            handling.office_only(who, "审核被举报的公开答复")
            feedback = moderation.review_answer(uow.session, int(feedback_id), bool(keep))
            return {"id": feedback.id, "reports": feedback.reports, "hidden": feedback.answer_hidden}

    # --- deadlines -------------------------------------------------------------------------

    @configured_timer("FEEDBACK", "DEADLINE_CHECK_SECONDS", default=60, eager=True)
    def check_deadlines(self) -> None:
        """Yellow, red and the two escalations once per answer deadline (rows claimed, so two
        replicas never send one twice); answered feedback closes when its reopening window passes."""
        deadlines.check_deadlines(self.db, self.settings)
