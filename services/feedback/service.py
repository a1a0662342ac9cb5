from __future__ import annotations

from typing import Any

from services.common import base, calendar_store
from services.common.actor import Actor
from services.common.calendar_store import CalendarCopy
from services.common.contract import UNIT_EVENTS, Event, names, unit_state_of
from services.common.entrypoints import command, query
from services.common.inbox import event_subscriber
from services.common.timers import configured_timer

from . import calendar_deadlines, deadlines, handling, intake, moderation, privacy, routing, sender, views
from .settings import SettingsProvider


class FeedbackService(base.ServiceBase, base.PassedDeadlinesRpc):
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
        self.follow_arrangement(event.payload)

    @command
    def follow_calendar(self, arranged: dict[str, Any]) -> list[dict[str, Any]]:
        """The same, asked by the gateway as the office enters the year: the deadlines that
        version left for the office, at once (whichever of this and the event comes first)."""
        return self.follow_arrangement(arranged)

    def follow_arrangement(self, arranged: dict[str, Any]) -> list[dict[str, Any]]:
        return calendar_store.follow(self.db.session, arranged,
                                     lambda: calendar_deadlines.recompute(self.db, self.settings, arranged))

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

    @command
    def submit_feedback(self, data: dict[str, Any], member: str | None = None) -> dict[str, Any]:
        return intake.receive(self.db, data, member, self.settings)

    @query
    def track(self, tracking_code: str) -> dict[str, Any]:
        return sender.track(self.db.session, tracking_code)

    @command
    def rate(self, tracking_code: str, data: dict[str, Any]) -> dict[str, Any]:
        return sender.rate(self.db, tracking_code, data, self.settings)

    @command
    def reopen(self, tracking_code: str, data: dict[str, Any]) -> dict[str, Any]:
        return sender.reopen(self.db, tracking_code, data, self.settings)

    @query
    def sender_contact(self, feedback_id: int) -> dict[str, Any] | None:
        """notify's only way to the sender: the tracking code and the contact's mobile and email."""
        return privacy.sender_contact(self.db.session, feedback_id)

    @command
    def erase_contact(self, tracking_code: str, data: dict[str, Any]) -> dict[str, Any]:
        """The sender erases their contact now, with the tracking code and PIN."""
        return privacy.erase_by_sender(self.db, tracking_code, data, self.settings)

    @query
    def contact_notice(self) -> dict[str, Any]:
        """What the form tells the sender about the contact: its uses and how long it is kept."""
        return privacy.notice(self.settings)

    # --- the answering unit and the county office -------------------------------------------

    @query
    def list_feedback(self, actor: Actor, filters: dict[str, Any], limit: int = 50,
                      after: int | None = None) -> dict[str, Any]:
        return views.list_feedback(self.db.session, actor, filters, int(limit), after, self.settings)

    @query
    def get_feedback(self, actor: Actor, feedback_id: int) -> dict[str, Any]:
        return views.detail(self.db.session, actor, int(feedback_id), self.settings)

    @command
    def act(self, actor: Actor, feedback_id: int, action: str, data: dict[str, Any]) -> dict[str, Any]:
        """accept, reject, release, transfer, extend, grant-extension, answer, approve-answer, reject-answer."""
        handling.act(self.db, actor, int(feedback_id), action, data, self.settings)
        self.db.session.flush()
        return views.detail(self.db.session, actor, int(feedback_id), self.settings)

    # --- public answers (公开答复) ------------------------------------------------------------

    @query
    def public_answers(self, filters: dict[str, Any], limit: int = 50, after: int | None = None) -> dict[str, Any]:
        return views.public_answers(self.db.session, filters, int(limit), after)

    @command
    def report_answer(self, feedback_id: int, reporter: str) -> dict[str, Any]:
        return moderation.report_answer(self.db.session, int(feedback_id), reporter, self.settings)

    @command
    def review_answer(self, actor: Actor, feedback_id: int, keep: bool) -> dict[str, Any]:
        return moderation.review_reported(self.db.session, actor, int(feedback_id), bool(keep))

    # --- deadlines -------------------------------------------------------------------------

    @configured_timer("FEEDBACK", "DEADLINE_CHECK_SECONDS", default=60, eager=True)
    def check_deadlines(self) -> None:
        """Yellow, red and the two escalations once per answer deadline (rows claimed, so two
        replicas never send one twice); answered feedback closes when its reopening window passes."""
        deadlines.check_deadlines(self.db, self.settings)

    @configured_timer("FEEDBACK", "RETENTION_CHECK_SECONDS", default=3600, eager=True)
    def erase_expired_contacts(self) -> None:
        """Senders' contacts whose retention after the case ended has passed are erased, once each."""
        privacy.erase_expired(self.db, self.settings)
