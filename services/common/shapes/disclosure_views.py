"""What disclosure answers with: the views of items, catalogue entries, plans and obligations.
The service dumps them; the gateway's OpenAPI document describes its answers with them (one
schema, both sides). The shapes it is sent are in services/common/shapes/disclosure.py."""
from __future__ import annotations

from marshmallow import Schema, fields

from services.common.workdays import county_today, is_provisional


class Transition(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    role = fields.String()
    reason = fields.String(allow_none=True)
    at = fields.AwareDateTime()


class AttachmentView(Schema):
    """An attachment as listed with its item; its content is fetched by sha256."""
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class PublicItemView(Schema):
    """What a reader outside the unit sees of an item: no author, no trail. A version
    that was corrected stays readable and names the version that replaced it."""
    id = fields.Integer()
    unit_code = fields.String()
    title = fields.String()
    body = fields.String()
    audience = fields.String()
    carriers = fields.List(fields.String())
    status = fields.String()
    version = fields.Integer()
    previous_id = fields.Integer(allow_none=True)
    superseded_by_id = fields.Integer(allow_none=True)
    published_at = fields.AwareDateTime(allow_none=True)
    display_until = fields.Date(allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentView))


class ItemView(PublicItemView):
    """An item as its own unit and the county office see it, with its workflow trail."""
    author = fields.String()
    obligation_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    archived_from = fields.String(allow_none=True)
    trail = fields.List(fields.Nested(Transition))


# --- the catalogue (公开目录) and the yearly plan (实施方案) ------------------------------------

class CatalogueEntryView(Schema):
    id = fields.Integer()
    code = fields.String()
    version = fields.Integer()
    matter = fields.String()
    sub_matter = fields.String()
    content_elements = fields.String()
    basis = fields.String()
    time_limit = fields.String()
    audience = fields.String()
    carriers = fields.List(fields.String())
    sectors = fields.List(fields.String())
    frequency = fields.String()
    grace_days = fields.Integer(allow_none=True)
    within_days = fields.Integer(allow_none=True)
    display_days = fields.Integer(allow_none=True)
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    changed_by = fields.String()
    changed_at = fields.AwareDateTime()
    change_note = fields.String(allow_none=True)
    retired_by = fields.String(allow_none=True)
    retired_at = fields.AwareDateTime(allow_none=True)
    retired_reason = fields.String(allow_none=True)


class MilestoneView(Schema):
    title = fields.String()
    due_on = fields.String()  # kept as an ISO date in the plan's JSON column


class PlanView(Schema):
    id = fields.Integer()
    year = fields.Integer()
    title = fields.String()
    goals = fields.List(fields.String())
    milestones = fields.List(fields.Nested(MilestoneView))
    carriers = fields.List(fields.String())
    forms = fields.List(fields.String())
    status = fields.String()
    consultation_days = fields.Integer()
    consultation_opens_on = fields.Date(allow_none=True)
    consultation_closes_on = fields.Date(allow_none=True,
                                         metadata={"description": "the last day comments are taken"})
    consultation_open = fields.Method("_consultation_open", metadata={"type": "boolean"})  # comments taken today
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    approved_at = fields.AwareDateTime(allow_none=True)
    trail = fields.List(fields.Nested(Transition))
    actions = fields.List(fields.String(), metadata={
        "description": "what the reader may do now: edit, consult, approve, activate, close (the county office's)"})

    def _consultation_open(self, plan) -> bool:
        return (plan.status == "consultation" and plan.consultation_opens_on is not None
                and plan.consultation_opens_on <= county_today() <= plan.consultation_closes_on)


# --- obligations (公开任务) and progress ----------------------------------------------------------

class ObligationView(Schema):
    """An obligation with the catalogue matter it comes from, as units and the office see it."""
    id = fields.Integer()
    unit_code = fields.String()
    entry_id = fields.Integer()
    entry_code = fields.String()
    matter = fields.String()
    sub_matter = fields.String()
    frequency = fields.String()
    year = fields.Integer()
    period = fields.String()
    due_on = fields.Date()
    due_provisional = fields.Function(lambda o: is_provisional(o["due_on"]), metadata={
        "type": "boolean", "description": "the due date rests on a year nobody has entered yet (暂定): it may move"})
    status = fields.String()
    sector = fields.String()
    town_code = fields.String(allow_none=True)
    event_on = fields.Date(allow_none=True)
    event_note = fields.String(allow_none=True)
    item_id = fields.Integer(allow_none=True)
    fulfilled_at = fields.AwareDateTime(allow_none=True)
    waived_by = fields.String(allow_none=True)
    waived_reason = fields.String(allow_none=True)
    warned_at = fields.AwareDateTime(allow_none=True)
    overdue_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
