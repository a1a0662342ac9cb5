"""What the disclosure routes answer: items, the catalogue, plans and obligations, with the
very views the disclosure service dumps (services/common/shapes/disclosure_views.py)."""
from __future__ import annotations

from marshmallow import Schema, fields

from services.common.shapes.disclosure_views import (AttachmentView, CatalogueEntryView, ItemView, ObligationView,
                                                     PlanView)

from .kit import Record, list_of, maybe, page_of

ACTIONS = fields.List(fields.String(), metadata={
    "description": "what the caller may do to it now (its state table); the buttons to show"})


class Item(ItemView):
    """An item as its own unit and the county office see it: its author and its workflow trail.
    Other readers get fewer fields (no author, no trail); every field but `id` may be missing."""
    actions = ACTIONS


ItemPage = page_of("ItemPage", Item, "A page of items; what each reader sees of them (see Item).")
ItemVersions = list_of("ItemVersions", Item, "Every version of an item the caller may see, oldest first.")
CatalogueList = list_of("CatalogueList", CatalogueEntryView, "The catalogue entries in force on the date asked.")


class CatalogueHistory(Schema):
    """An entry in force today (null when none is) and every version it had."""
    current = maybe(fields.Nested, nested=CatalogueEntryView)
    versions = fields.List(fields.Nested(CatalogueEntryView), required=True)
    actions = fields.List(fields.String(), required=True, metadata={
        "description": "what the county office may do with the matter now: revise, retire (none once retired)"})


PlanList = list_of("PlanList", PlanView)
ObligationPage = page_of("ObligationPage", ObligationView)


class ReminderView(Schema):
    id = fields.Integer(required=True)
    obligation_id = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    reminded_by = fields.String(required=True)
    reminded_at = fields.DateTime(required=True)
    status = fields.String(required=True)
    note = maybe()
    reminder_no = fields.Integer(required=True, metadata={"description": "the how-many-th reminder of it"})


class Reminded(Schema):
    """The county office's reminder (催办) and the obligation it was about."""
    reminder = fields.Nested(ReminderView, required=True)
    obligation = fields.Nested(ObligationView, required=True)


ANSWERS = {
    ("GET", "/api/v1/catalogue"): CatalogueList,
    ("GET", "/api/v1/catalogue/<code:code>"): CatalogueHistory,
    ("POST", "/api/v1/catalogue"): CatalogueEntryView,
    ("PUT", "/api/v1/catalogue/<code:code>"): CatalogueEntryView,
    ("POST", "/api/v1/catalogue/<code:code>/retire"): CatalogueEntryView,
    ("GET", "/api/v1/plans"): PlanList,
    ("GET", "/api/v1/plans/<id:plan_id>"): PlanView,
    ("POST", "/api/v1/plans"): PlanView,
    ("PATCH", "/api/v1/plans/<id:plan_id>"): PlanView,
    ("POST", "/api/v1/plans/<id:plan_id>/<any(consult,approve,activate,close):action>"): PlanView,
    ("GET", "/api/v1/obligations"): ObligationPage,
    ("GET", "/api/v1/obligations/<id:obligation_id>"): ObligationView,
    ("POST", "/api/v1/obligations/events"): Record,
    ("POST", "/api/v1/obligations/<id:obligation_id>/waive"): ObligationView,
    ("POST", "/api/v1/obligations/<id:obligation_id>/remind"): Reminded,
    ("GET", "/api/v1/progress"): Record,
    ("GET", "/api/v1/items"): ItemPage,
    ("POST", "/api/v1/items"): Item,
    ("GET", "/api/v1/items/<id:item_id>"): Item,
    ("PATCH", "/api/v1/items/<id:item_id>"): Item,
    ("POST", "/api/v1/items/<id:item_id>/<any(submit,review,approve,reject,withdraw):action>"): Item,
    ("POST", "/api/v1/items/<id:item_id>/correct"): Item,
    ("GET", "/api/v1/items/<id:item_id>/versions"): ItemVersions,
    ("POST", "/api/v1/items/<id:item_id>/attachments"): AttachmentView,
    ("DELETE", "/api/v1/items/<id:item_id>/attachments/<sha256:sha256>"): Record,
    ("POST", "/api/v1/archive/<year:year>/seal"): Record,
}
