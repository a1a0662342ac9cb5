"""The event contract: one envelope and one marshmallow schema per event type.

Other county systems subscribe to these events, so this module is a public API. Every
event travels on one durable topic exchange, ``gongkai.events``, with the routing key
``<producer>.<Type>`` (for example ``disclosure.ItemPublished``); a subscriber binds
``*.ItemPublished`` for one type or ``disclosure.#`` for one producer. docs/asyncapi.yaml
is generated from this module (``python -m services.common.asyncapi``) and a test fails
when the two drift apart.

Payload schemas are strict when an event is produced (a producer that breaks its own
contract fails loudly) and tolerant when consumed (unknown fields are ignored), so a
producer may add optional fields without a new version.
"""
from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

EVENTS_EXCHANGE = "gongkai.events"

SECTORS = ("agency", "town", "village", "school", "enterprise", "hospital", "other")
ORG_TYPES = ("committee", "general_branch", "branch")  # 党委 / 党总支 / 党支部
OFFICIAL_ROLES = ("secretary", "liaison", "reviewer")  # 书记 / 联络员 / 审核人
AUDIENCES = ("society", "party", "unit", "specific")  # 社会 / 党内 / 本单位 / 特定对象
FEEDBACK_KINDS = ("opinion", "suggestion", "complaint", "question")
FEEDBACK_TARGETS = ("item", "unit", "plan")
CHANNELS = ("email", "sms", "webhook")


class ContractError(ValueError):
    """A message that does not honour the contract: malformed, or of an unknown type or version."""


class Payload(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


# --- payloads -------------------------------------------------------------------------

class Official(Payload):
    class Meta(Payload.Meta):
        unknown = EXCLUDE  # nested: marshmallow does not pass the consumer's EXCLUDE down

    role = fields.String(required=True, validate=validate.OneOf(OFFICIAL_ROLES))
    name = fields.String(required=True)
    phone = fields.String(allow_none=True, load_default=None)
    email = fields.String(allow_none=True, load_default=None)


class UnitState(Payload):
    """The full state of a unit as other services copy it. Every unit event carries it, with
    `revision` rising at each change, so a consumer keeps the newest state whatever order
    the events of different types arrive in."""
    code = fields.String(required=True, metadata={"description": "stable unique unit code"})
    revision = fields.Integer(required=True, metadata={"description": "rises by one at every change of the unit"})
    name = fields.String(required=True)
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))
    org_type = fields.String(required=True, validate=validate.OneOf(ORG_TYPES))
    parent_code = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=validate.OneOf(("active", "merged", "dissolved")))
    merged_into = fields.String(allow_none=True, load_default=None,
                                metadata={"description": "the unit that took over a merged unit"})
    demonstration = fields.Boolean(required=True, metadata={"description": "a demonstration site (示范点)"})
    officials = fields.List(fields.Nested(Official), required=True,
                            metadata={"description": "the officials in office now"})


class UnitChange(Payload):
    unit = fields.Nested(UnitState, required=True, metadata={"description": "the unit after the change"})
    changed_by = fields.String(required=True)


class UnitMoved(UnitChange):
    from_parent_code = fields.String(allow_none=True, required=True)
    to_parent_code = fields.String(required=True)


class UnitMerged(UnitChange):
    """The unit was merged into another, which takes over its history and open work;
    its children moved under the surviving unit (each with its own UnitMoved)."""
    into_code = fields.String(required=True)
    children_moved = fields.List(fields.String(), required=True)
    merged_on = fields.Date(required=True)


class UnitDissolved(UnitChange):
    """The unit was dissolved: its history is kept, no new obligations arise."""
    reason = fields.String(required=True)
    dissolved_on = fields.Date(required=True)


class OfficialAssigned(UnitChange):
    role = fields.String(required=True, validate=validate.OneOf(OFFICIAL_ROLES))
    name = fields.String(required=True)
    phone = fields.String(allow_none=True, load_default=None)
    email = fields.String(allow_none=True, load_default=None)
    started_on = fields.Date(required=True)


class OfficialRemoved(UnitChange):
    role = fields.String(required=True, validate=validate.OneOf(OFFICIAL_ROLES))
    name = fields.String(required=True)
    ended_on = fields.Date(required=True)


class DesignationChange(UnitChange):
    designation_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("demonstration", "model")),
                         metadata={"description": "demonstration site 示范点 or model 典型"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, metadata={"description": "the last day of the term"})


class DemonstrationDesignated(DesignationChange):
    pass


class DemonstrationExpired(DesignationChange):
    pass


class DemonstrationRevoked(DesignationChange):
    reason = fields.String(required=True)


class ItemRef(Payload):
    item_id = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    title = fields.String(required=True)
    version = fields.Integer(required=True)
    audience = fields.String(required=True, validate=validate.OneOf(AUDIENCES))


class ItemSubmitted(ItemRef):
    submitted_by = fields.String(required=True)
    submitted_at = fields.AwareDateTime(required=True)


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


class ObligationNotice(Payload):
    obligation_id = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    entry_code = fields.String(required=True)
    matter = fields.String(required=True, metadata={"description": "the catalogue matter, as readers know it"})
    period = fields.String(required=True)
    due_on = fields.Date(required=True, metadata={"description": "on the working-day calendar"})


class ObligationDueSoon(ObligationNotice):
    """Yellow: due within 3 working days and not yet fulfilled. Sent once."""


class ObligationOverdue(ObligationNotice):
    """Red: past its due date and not fulfilled. Sent once."""


class FeedbackReceived(Payload):
    """Feedback arrived; the submitter's contact is never part of the event."""
    feedback_id = fields.Integer(required=True)
    tracking_code = fields.String(required=True)
    target_kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_TARGETS))
    target_id = fields.String(required=True)
    unit_code = fields.String(required=True, metadata={"description": "the unit that must answer"})
    kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_KINDS))
    source = fields.String(required=True, validate=validate.OneOf(("public", "member")))
    summary = fields.String(required=True)
    received_at = fields.AwareDateTime(required=True)
    acknowledge_due = fields.Date(required=True, metadata={"description": "working-day deadline to acknowledge"})
    answer_due = fields.Date(required=True, metadata={"description": "working-day deadline to answer"})


class InspectionDue(Payload):
    """An inspection (督促检查) is due to take place."""
    inspection_id = fields.Integer(required=True)
    title = fields.String(required=True)
    scheduled_for = fields.Date(required=True)
    unit_codes = fields.List(fields.String(), required=True)
    inspector = fields.String(required=True)
    dimensions = fields.List(fields.String(), required=True,
                             metadata={"description": "the five scored dimensions"})


class Notification(Payload):
    delivery_id = fields.Integer(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    recipient = fields.String(required=True, metadata={"description": "address, masked"})
    cause_event_id = fields.UUID(required=True)
    cause_type = fields.String(required=True)


class NotificationDelivered(Notification):
    delivered_at = fields.AwareDateTime(required=True)


class NotificationFailed(Notification):
    reason = fields.String(required=True)
    attempts = fields.Integer(required=True)


# --- the catalogue ---------------------------------------------------------------------

@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    producer: str
    schema: type[Payload]
    summary: str

    @property
    def routing_key(self) -> str:
        return f"{self.producer}.{self.name}"

    @property
    def payload_schema(self) -> Payload:
        """One schema instance per type, reused: building marshmallow schemas is costly."""
        return _schema_instance(self.schema)


@functools.cache
def _schema_instance(schema: type[Schema]) -> Schema:
    return schema()


CATALOGUE: dict[str, EventType] = {e.name: e for e in (
    EventType("UnitRegistered", 1, "units", UnitState, "A Party organisation joined the registry."),
    EventType("UnitUpdated", 1, "units", UnitState, "A unit's details changed; the full new state."),
    EventType("UnitMoved", 1, "units", UnitMoved, "A unit moved to another parent in the tree."),
    EventType("UnitMerged", 1, "units", UnitMerged, "A unit was merged into another."),
    EventType("UnitDissolved", 1, "units", UnitDissolved, "A unit was dissolved."),
    EventType("OfficialAssigned", 1, "units", OfficialAssigned, "Someone took up a role (书记, 联络员, 审核人) in a unit."),
    EventType("OfficialRemoved", 1, "units", OfficialRemoved, "Someone left a role in a unit."),
    EventType("DemonstrationDesignated", 1, "units", DemonstrationDesignated,
              "A unit was designated a demonstration site (示范点) or model (典型) for a term."),
    EventType("DemonstrationExpired", 1, "units", DemonstrationExpired, "A designation's term ended."),
    EventType("DemonstrationRevoked", 1, "units", DemonstrationRevoked, "A designation was revoked, with the reason."),
    EventType("ItemSubmitted", 1, "disclosure", ItemSubmitted, "An item was submitted for review (提出)."),
    EventType("ItemRejected", 1, "disclosure", ItemRejected, "An item was returned to draft with a reason."),
    EventType("ItemApproved", 1, "disclosure", ItemApproved, "An item was approved (审批)."),
    EventType("ItemPublished", 1, "disclosure", ItemPublished, "An item was published to its audience (实施)."),
    EventType("ItemCorrected", 1, "disclosure", ItemCorrected,
              "A corrected version of an item was published; the old one is kept, superseded."),
    EventType("ItemWithdrawn", 1, "disclosure", ItemWithdrawn, "A published item was withdrawn, with a reason."),
    EventType("PlanConsultationOpened", 1, "disclosure", PlanConsultationOpened,
              "The year's plan is open for comments (方案征求意见)."),
    EventType("PlanApproved", 1, "disclosure", PlanApproved, "The year's implementation plan (实施方案) was approved."),
    EventType("ObligationsScheduled", 1, "disclosure", ObligationsScheduled,
              "A unit's obligations (公开任务) were scheduled, with due dates on the working-day calendar."),
    EventType("ObligationDueSoon", 1, "disclosure", ObligationDueSoon,
              "An obligation falls due within 3 working days (yellow)."),
    EventType("ObligationOverdue", 1, "disclosure", ObligationOverdue, "An obligation is overdue (red)."),
    EventType("InspectionDue", 1, "disclosure", InspectionDue, "An inspection falls due."),
    EventType("FeedbackReceived", 1, "feedback", FeedbackReceived, "Feedback arrived and awaits an answer."),
    EventType("NotificationDelivered", 1, "notify", NotificationDelivered, "A notification reached its channel."),
    EventType("NotificationFailed", 1, "notify", NotificationFailed, "A notification could not be delivered."),
)}

# Which service consumes which events. The outbox relay declares these queues before it
# publishes, so an event is never dropped for want of a queue, and subscribing to a
# type that is not listed here fails at start-up.
UNIT_EVENTS = ("UnitRegistered", "UnitUpdated", "UnitMoved", "UnitMerged", "UnitDissolved",
               "OfficialAssigned", "OfficialRemoved")
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "disclosure": UNIT_EVENTS,
    "feedback": UNIT_EVENTS + ("ItemPublished", "ItemWithdrawn", "PlanConsultationOpened", "PlanApproved"),
    "notify": UNIT_EVENTS + ("ItemPublished", "FeedbackReceived", "ObligationDueSoon", "ObligationOverdue"),
}


def unit_state_of(event: "Event") -> dict[str, Any]:
    """The unit state an event of UNIT_EVENTS carries."""
    return event.payload if event.type in ("UnitRegistered", "UnitUpdated") else event.payload["unit"]


def queue_name(service: str, event_type: str) -> str:
    return f"gongkai.{service}.{event_type}"


def subscribed_types() -> set[str]:
    return {t for types in SUBSCRIPTIONS.values() for t in types}


class Envelope(Schema):
    class Meta:
        unknown = EXCLUDE
        ordered = True

    event_id = fields.UUID(required=True)
    type = fields.String(required=True)
    version = fields.Integer(required=True, strict=True)
    occurred_at = fields.AwareDateTime(required=True, format="iso")
    producer = fields.String(required=True)
    correlation_id = fields.String(required=True)
    payload = fields.Dict(required=True)


@dataclass(frozen=True)
class Event:
    """An event as producers make it and consumers receive it."""
    type: str
    payload: dict[str, Any]
    correlation_id: str
    version: int = 1
    producer: str = ""
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def routing_key(self) -> str:
        return f"{self.producer}.{self.type}"


def _spec(type_name: str, version: int) -> EventType:
    spec = CATALOGUE.get(type_name)
    if spec is None:
        raise ContractError(f"unknown event type {type_name!r}")
    if spec.version != version:
        raise ContractError(f"{type_name} version {version} is not supported (known: {spec.version})")
    return spec


def new_event(type_name: str, payload: dict[str, Any], correlation_id: str | None = None) -> Event:
    """Make an event, validating its payload strictly against the contract."""
    spec = CATALOGUE.get(type_name)
    if spec is None:
        raise ContractError(f"unknown event type {type_name!r}")
    schema = spec.payload_schema
    try:
        loaded = schema.load(schema.dump(payload))
    except ValidationError as exc:
        raise ContractError(f"{type_name} payload breaks the contract: {exc.messages}") from exc
    return Event(type=type_name, version=spec.version, producer=spec.producer,
                 payload=loaded, correlation_id=correlation_id or str(uuid.uuid4()))


def to_message(event: Event) -> dict[str, Any]:
    """The JSON body of an event, as it goes on the wire and into the outbox."""
    spec = _spec(event.type, event.version)
    return _schema_instance(Envelope).dump({
        "event_id": event.event_id, "type": event.type, "version": event.version,
        "occurred_at": event.occurred_at, "producer": event.producer,
        "correlation_id": event.correlation_id, "payload": spec.payload_schema.dump(event.payload),
    })


def from_message(body: Any) -> Event:
    """Parse and validate a received message; anything off the contract is a ContractError."""
    if isinstance(body, (bytes, str)):
        import json
        try:
            body = json.loads(body)
        except ValueError as exc:
            raise ContractError(f"message is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ContractError("message is not a JSON object")
    try:
        envelope = _schema_instance(Envelope).load(body)
    except ValidationError as exc:
        raise ContractError(f"bad envelope: {exc.messages}") from exc
    spec = _spec(envelope["type"], envelope["version"])
    try:
        payload = spec.payload_schema.load(envelope["payload"], unknown=EXCLUDE)
    except ValidationError as exc:
        raise ContractError(f"{spec.name} payload breaks the contract: {exc.messages}") from exc
    return Event(type=spec.name, version=spec.version, producer=envelope["producer"],
                 payload=payload, correlation_id=envelope["correlation_id"],
                 event_id=envelope["event_id"], occurred_at=envelope["occurred_at"])


def json_default(value: Any) -> Any:
    """For json.dumps of payloads that hold dates and UUIDs."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
