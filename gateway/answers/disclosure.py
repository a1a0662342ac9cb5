"""What the disclosure routes answer: items, the catalogue, plans and obligations, with the
very views the disclosure service dumps (services/common/shapes/disclosure_views.py)."""
from __future__ import annotations

from marshmallow import Schema, fields

from services.common.shapes.disclosure_views import (AttachmentView, CatalogueEntryView, ItemView, ObligationView,
                                                     PlanView)

from services.common.shapes.disclosure import OBLIGATION_STATUSES

from .kit import list_of, maybe, page_of, string

ACTIONS = fields.List(fields.String(), metadata={
    "description": "what the caller may do to it now (its state table); the buttons to show"})


class Item(ItemView):
    """An item as its own unit and the county office see it: its author and its workflow trail.
    Other readers get fewer fields (no author, no trail); every field but `id` may be missing."""
    actions = ACTIONS


ItemPage = page_of("ItemPage", Item, "A page of items; what each reader sees of them (see Item).")
ItemVersions = list_of("ItemVersions", Item, "Every version of an item the caller may see, oldest first.")
CatalogueList = list_of("CatalogueList", CatalogueEntryView, "The catalogue entries in force on the date asked.")


class Attached(AttachmentView):
    """The attachment added, and the item it was added to."""
    item_id = fields.Integer(required=True)


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


StatusCounts = type("StatusCounts", (Schema,), {
    **{status: fields.Integer(required=True) for status in OBLIGATION_STATUSES},
    "total": fields.Integer(required=True),
    "on_time_rate": maybe(fields.Float, metadata={"description": "of those judged, between 0 and 1; null when none"}),
    "__doc__": "Obligations by status."})


class ProgressRow(StatusCounts):
    town_code = maybe(metadata={"description": "null for the county-level units"})
    town_name = fields.String(required=True)
    sector = fields.String(required=True)


class Progress(Schema):
    """The year's obligations by status, per town and sector, and in all."""
    year = fields.Integer(required=True)
    rows = fields.List(fields.Nested(ProgressRow), required=True)
    totals = fields.Nested(StatusCounts, required=True)


class Sealed(Schema):
    """A year's items archived (登记归档)."""
    year = fields.Integer(required=True)
    items_archived = fields.Integer(required=True)
    sealed_at = fields.DateTime(required=True)


class MarkedText(Schema):
    """A piece of text; `mark` true for a matched word (shown as <mark>, the text escaped)."""
    text = string()
    mark = fields.Boolean(required=True)


class SearchHit(Schema):
    id = fields.Integer(required=True)
    title = string()
    title_parts = fields.List(fields.Nested(MarkedText), required=True, metadata={"description": "the title, marked"})
    unit_code = string()
    published_at = fields.DateTime(required=True)
    snippet = fields.List(fields.Nested(MarkedText), required=True,
                          metadata={"description": "about 80 characters of the body or an attachment around the match"})
    party = fields.Boolean(required=True, metadata={"description": "a Party-scope item (only its chain's members find it)"})


class SearchResults(Schema):
    """A page of 20 at most, most relevant (or newest) first; next_page null on the last."""
    q = string()
    terms = fields.List(fields.String(), required=True, metadata={"description": "the words searched, as segmented"})
    page = fields.Integer(required=True)
    next_page = maybe(fields.Integer)
    items = fields.List(fields.Nested(SearchHit), required=True)


ANSWERS = {
    ("GET", "/api/v1/search"): SearchResults,
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
    ("POST", "/api/v1/obligations/events"): ObligationView,
    ("POST", "/api/v1/obligations/<id:obligation_id>/waive"): ObligationView,
    ("POST", "/api/v1/obligations/<id:obligation_id>/remind"): Reminded,
    ("GET", "/api/v1/progress"): Progress,
    ("GET", "/api/v1/items"): ItemPage,
    ("POST", "/api/v1/items"): Item,
    ("GET", "/api/v1/items/<id:item_id>"): Item,
    ("PATCH", "/api/v1/items/<id:item_id>"): Item,
    ("POST", "/api/v1/items/<id:item_id>/<any(submit,review,approve,reject,withdraw):action>"): Item,
    ("POST", "/api/v1/items/<id:item_id>/correct"): Item,
    ("GET", "/api/v1/items/<id:item_id>/versions"): ItemVersions,
    ("POST", "/api/v1/items/<id:item_id>/attachments"): Attached,
    ("DELETE", "/api/v1/items/<id:item_id>/attachments/<sha256:sha256>"): Item,
    ("POST", "/api/v1/archive/<year:year>/seal"): Sealed,
}
