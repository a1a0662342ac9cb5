"""Events of the disclosure programme (services/disclosure): items, the plan, obligations."""
from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from . import names
from .base import AUDIENCES, SECTORS, EventType, Payload, Provisional

class ItemRef(Payload):
    item_id = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    title = fields.String(required=True)
    version = fields.Integer(required=True)
    audience = fields.String(required=True, validate=validate.OneOf(AUDIENCES))


class ItemSubmitted(ItemRef):
    submitted_by = fields.String(required=True)
    submitted_at = fields.AwareDateTime(required=True)


class ItemReviewed(ItemRef):
    """审核 done: the item waits for 审批 (approval), which publishes it."""
    reviewed_by = fields.String(required=True)
    reviewed_at = fields.AwareDateTime(required=True)


class ItemApproved(ItemRef):
    approved_by = fields.String(required=True)
    approved_at = fields.AwareDateTime(required=True)


class ItemRejected(ItemRef):
    """Returned to draft by the reviewer, with the reason."""
    rejected_by = fields.String(required=True)
    rejected_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)


class ItemPublished(ItemRef):
    """A disclosure became visible to its audience (实施)."""
    summary = fields.String(required=True, metadata={"description": "first 200 characters of the body"})
    carriers = fields.List(fields.String(), required=True,
                           metadata={"description": "公开栏, 网站, 微信公众号, 会议, 文件, 简报, 短信 ..."})
    obligation_id = fields.Integer(allow_none=True, required=True,
                                   metadata={"description": "the obligation this item fulfils, if any"})
    published_by = fields.String(required=True)
    published_at = fields.AwareDateTime(required=True)


class ItemCorrected(ItemRef):
    """A corrected version of a published item was published; the version it corrects
    stays readable, marked superseded."""
    previous_item_id = fields.Integer(required=True)
    previous_version = fields.Integer(required=True)
    corrected_by = fields.String(required=True)
    corrected_at = fields.AwareDateTime(required=True)


class ItemWithdrawn(ItemRef):
    """A published item was taken down, with the reason."""
    withdrawn_by = fields.String(required=True)
    withdrawn_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)


class ExampleRef(ItemRef):
    """A 范例 mark of the county office: a published item shown to operators drafting the same
    catalogue matter in the same sector (and, for a society item, on the portal's models page)."""
    mark_id = fields.Integer(required=True)
    entry_code = fields.String(required=True, metadata={"description": "the catalogue matter (事项)"})
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))


class ExampleMarked(ExampleRef):
    marked_by = fields.String(required=True)
    marked_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, metadata={"description": "why it is a good example"})


class ExampleUnmarked(ExampleRef):
    """The mark ended: unmarked by the office with a reason, or its item was withdrawn (a
    correction keeps the mark: it moves to the new version, see ItemCorrected)."""
    ended_by = fields.String(required=True)
    ended_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)


class Milestone(Payload):
    class Meta(Payload.Meta):
        unknown = EXCLUDE

    title = fields.String(required=True)
    due_on = fields.Date(required=True)


class PlanConsultationOpened(Payload):
    """The year's plan is open for comments from the public and members (方案征求意见)
    until `closes_on`; feedback on it names target_kind "plan" and the plan id."""
    plan_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True, metadata={"description": "the last day comments are taken"})


class PlanApproved(Payload):
    """The county approved the year's plan; every unit's obligations follow from it."""
    plan_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    approved_by = fields.String(required=True)
    approved_at = fields.AwareDateTime(required=True)
    milestones = fields.List(fields.Nested(Milestone), required=True)


class ObligationsScheduled(Payload):
    """New obligations for one unit: for a plan's year, a newly registered or changed unit,
    a catalogue change, or an event the unit recorded. The obligations themselves are at
    GET /api/v1/obligations?unit=<unit_code>&year=<year>."""
    unit_code = fields.String(required=True)
    year = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(
        ("plan_approved", "unit_registered", "unit_changed", "catalogue_changed", "event_recorded")))
    count = fields.Integer(required=True, metadata={"description": "how many obligations were added"})
    first_due_on = fields.Date(required=True, metadata={"description": "the earliest due date among them"})
    last_due_on = fields.Date(required=True, metadata={"description": "the latest due date among them"})
    provisional = Provisional()


class ObligationNotice(Payload):
    obligation_id = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    entry_code = fields.String(required=True)
    matter = fields.String(required=True, metadata={"description": "the catalogue matter, as readers know it"})
    period = fields.String(required=True)
    due_on = fields.Date(required=True, metadata={"description": "on the working-day calendar"})
    provisional = Provisional()


class ObligationDueSoon(ObligationNotice):
    """Yellow: due within 3 working days and not yet fulfilled. Sent once."""


class ObligationOverdue(ObligationNotice):
    """Red: past its due date and not fulfilled. Sent once."""


class ObligationFulfilled(ObligationNotice):
    """A published item fulfilled the obligation: on time (published, county date, on or
    before due_on while still open) or late. One per obligation, so a consumer can count per
    unit and period how many fell due and how many were met on time."""
    year = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    fulfilled_at = fields.AwareDateTime(required=True)
    on_time = fields.Boolean(required=True)


class ObligationWaived(ObligationNotice):
    """The obligation no longer counts: waived by the county office with a reason, or by
    "system" when the unit was merged or dissolved, changed sector, or the catalogue changed."""
    year = fields.Integer(required=True)
    waived_by = fields.String(required=True)
    reason = fields.String(required=True)


class ObligationReminded(ObligationNotice):
    """The county office sent the unit a reminder (催办) for an obligation still open or
    overdue; notify tells the unit's liaison (联络员). At most one per obligation in
    REMIND_AGAIN_HOURS (services/disclosure/reminders.py)."""
    year = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("open", "overdue")),
                           metadata={"description": "the obligation's status when reminded"})
    reminded_by = fields.String(required=True)
    reminded_at = fields.AwareDateTime(required=True)
    note = fields.String(required=True, allow_none=True, metadata={"description": "the office's words to the unit"})
    reminder_no = fields.Integer(required=True, metadata={"description": "1 for the first reminder of this "
                                                                         "obligation, 2 for the second, ..."})


EVENTS = (
    EventType(names.ITEM_SUBMITTED, 1, "disclosure", ItemSubmitted, "An item was submitted for review (提出)."),
    EventType(names.ITEM_REJECTED, 1, "disclosure", ItemRejected, "An item was returned to draft with a reason."),
    EventType(names.ITEM_REVIEWED, 1, "disclosure", ItemReviewed,
              "An item was reviewed (审核) and waits for approval (审批)."),
    EventType(names.ITEM_APPROVED, 1, "disclosure", ItemApproved, "An item was approved (审批)."),
    EventType(names.ITEM_PUBLISHED, 1, "disclosure", ItemPublished, "An item was published to its audience (实施)."),
    EventType(names.ITEM_CORRECTED, 1, "disclosure", ItemCorrected,
              "A corrected version of an item was published; the old one is kept, superseded."),
    EventType(names.ITEM_WITHDRAWN, 1, "disclosure", ItemWithdrawn, "A published item was withdrawn, with a reason."),
    EventType(names.EXAMPLE_MARKED, 1, "disclosure", ExampleMarked,
              "The county office marked a published item as an example (范例) of a matter for a sector."),
    EventType(names.EXAMPLE_UNMARKED, 1, "disclosure", ExampleUnmarked,
              "An example mark ended: unmarked with a reason, or its item was withdrawn."),
    EventType(names.PLAN_CONSULTATION_OPENED, 1, "disclosure", PlanConsultationOpened,
              "The year's plan is open for comments (方案征求意见)."),
    EventType(names.PLAN_APPROVED, 1, "disclosure", PlanApproved, "The year's implementation plan (实施方案) was approved."),
    EventType(names.OBLIGATIONS_SCHEDULED, 1, "disclosure", ObligationsScheduled,
              "A unit's obligations (公开任务) were scheduled, with due dates on the working-day calendar."),
    EventType(names.OBLIGATION_DUE_SOON, 1, "disclosure", ObligationDueSoon,
              "An obligation falls due within 3 working days (yellow)."),
    EventType(names.OBLIGATION_OVERDUE, 1, "disclosure", ObligationOverdue, "An obligation is overdue (red)."),
    EventType(names.OBLIGATION_FULFILLED, 1, "disclosure", ObligationFulfilled,
              "An obligation was fulfilled by a published item, on time or late."),
    EventType(names.OBLIGATION_WAIVED, 1, "disclosure", ObligationWaived, "An obligation was waived, with the reason."),
    EventType(names.OBLIGATION_REMINDED, 1, "disclosure", ObligationReminded,
              "The county office sent a unit a reminder (催办) for an open or overdue obligation."),
)
