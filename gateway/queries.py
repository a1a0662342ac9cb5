"""The query of every list and lookup route, built from the bounded fields of
gateway/params.py: the one declaration that validates a request and describes it in the
OpenAPI document."""
from __future__ import annotations

from marshmallow import fields, validate

from services.common.contract import AUDIENCES, SECTORS
from services.common.shapes.disclosure import (FREQUENCIES, ITEM_STATUSES, OBLIGATION_STATUSES, SEARCH_LONGEST_QUERY,
                                               SEARCH_MAX_PAGE, SEARCH_SORTS, SEARCH_TOO_LONG)

from .params import (
    Cursor, Day, DayOrAll, Flag, Month, OneOf, Paged, Query, Text, UnitCode, Year)

UNIT_STATUSES = ("active", "merged", "dissolved")
DESIGNATION_STATUSES = ("nominated", "designated", "expired", "revoked")
SERVICES = ("units", "disclosure", "feedback", "notify", "supervision")


# --- the registry --------------------------------------------------------------------------

class UnitList(Paged):
    sector = OneOf(*SECTORS)
    parent = UnitCode("the units directly under this one")
    town = UnitCode("the units in this town's subtree")
    status = OneOf(*UNIT_STATUSES)
    q = Text(description="part of a unit's name or code")


class ImportQuery(Query):
    apply = Flag("register the file; without it, a dry run")
    filename = Text(200, "the file's name, when the body is the file")


class ExportQuery(Query):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class OfficialsQuery(Query):
    on = DayOrAll(metadata={"description": "a date (YYYY-MM-DD) in the past, or 'all' for the whole history"})


class DesignationList(Paged):
    unit = UnitCode()
    status = OneOf(*DESIGNATION_STATUSES)


# --- the disclosure programme ---------------------------------------------------------------

class CatalogueList(Query):
    sector = OneOf(*SECTORS)
    frequency = OneOf(*FREQUENCIES)
    q = Text()
    on = Day("the entries in force on this date (today by default)")


class ObligationList(Paged):
    unit = UnitCode()
    subtree = UnitCode("this unit and every unit below it")
    town = UnitCode()
    status = OneOf(*OBLIGATION_STATUSES)
    period = Text(32, "a period, like 2026-Q3 or 2026-05")
    sector = OneOf(*SECTORS)
    year = Year()
    entry = UnitCode("a catalogue entry's code")
    due_month = Month("due in this month, like 2026-07")


class ProgressQuery(Query):
    year = Year()
    town = UnitCode()
    sector = OneOf(*SECTORS)


class ItemList(Paged):
    unit = UnitCode()
    q = Text(description="words of the title")
    status = OneOf(*ITEM_STATUSES)
    year = Year("the year of publication")
    audience = OneOf(*AUDIENCES)


class AttachmentQuery(Query):
    filename = Text(200, "the file's name, when the body is the file")


# --- operations and subscribers --------------------------------------------------------------

class DeadLetterList(Paged):
    service = OneOf(*SERVICES)
    type = Text(64, "an event type")


class AuditList(Paged):
    actor = Text(64, "a username")
    action = Text(200, "a method and route rule, or its beginning (e.g. POST /api/v1/units)")


class AuditExport(Query):
    actor = Text(64, "a username")
    action = Text(200, "a method and route rule, or its beginning (e.g. GET /api/v1/units/export)")


class EventFeed(Query):
    after = Cursor("the next_cursor of the previous answer")
    type = Text(2000, "comma-separated event types")
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500),
                           metadata={"description": "page size (default 100)"})



# --- notify ---------------------------------------------------------------------------------

NOTIFY_CHANNELS = ("email", "sms", "wecom", "dingtalk", "webhook")
DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed", "dead", "held", "bundled")


class NotificationList(Paged):
    unread = Flag("only the messages not yet read")


class DeliveryList(Paged):
    unit = UnitCode()
    channel = OneOf(*NOTIFY_CHANNELS)
    status = OneOf(*DELIVERY_STATUSES)
    event = Text(64, "an event type, like ObligationOverdue")


class WebhookAttemptList(Paged):
    pass


# --- the full-text search (portal /search and GET /api/v1/search) ---------------------------

SEARCH_PAGE_ERROR = f"页码应为 1–{SEARCH_MAX_PAGE} 的整数"


class SearchQuery(Query):
    q = fields.String(validate=validate.Length(0, 2000, error=SEARCH_TOO_LONG),
                      metadata={"description": f"the words to find (at most {SEARCH_LONGEST_QUERY} characters)"})
    town = UnitCode("only the units of this town (镇街)")
    unit = UnitCode("only this unit's items")
    year = Year("only items published in this year")
    matter = UnitCode("only items disclosing this catalogue matter (事项), by its code, e.g. DW-08 "
                      "(an unknown code is refused)")
    page = fields.Integer(load_default=1, strict=False, error_messages={"invalid": SEARCH_PAGE_ERROR},
                          validate=validate.Range(1, SEARCH_MAX_PAGE, error=SEARCH_PAGE_ERROR),
                          metadata={"description": "which page of 20, from 1"})
    sort = fields.String(validate=validate.OneOf(SEARCH_SORTS, error="排序应为 relevance 或 newest"),
                         metadata={"description": "relevance (the default) or newest"})


def search_request(params: dict) -> tuple[str, dict]:
    """(the query with its spaces tidied, the filters given) from a validated SearchQuery."""
    q = " ".join((params.get("q") or "").split())
    named = ("town", "unit", "year", "matter", "sort")
    return q, {name: params[name] for name in named if params.get(name) is not None}
