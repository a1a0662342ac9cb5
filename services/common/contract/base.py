"""What every event shares: the envelope, the payload base, the description of a type."""
from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields

from .. import crypto

EVENTS_EXCHANGE = "gongkai.events"

SECTORS = ("agency", "town", "village", "school", "enterprise", "hospital", "other")
ORG_TYPES = ("committee", "general_branch", "branch")  # 党委 / 党总支 / 党支部
OFFICIAL_ROLES = ("secretary", "liaison", "reviewer")  # 书记 / 联络员 / 审核人
AUDIENCES = ("society", "party", "unit", "specific")  # 社会 / 党内 / 本单位 / 特定对象
FEEDBACK_KINDS = ("opinion", "suggestion", "complaint", "question")
FEEDBACK_TARGETS = ("item", "unit", "plan")
CHANNELS = ("email", "sms", "wecom", "dingtalk", "inbox", "webhook")  # wecom 企业微信, dingtalk 钉钉 group robots


def Provisional() -> fields.Boolean:
    """The optional flag of a payload that carries a deadline: true when the deadline rests on a
    year whose holiday arrangement nobody has entered yet (statutory holidays only, 暂定); it may
    move when the arrangement arrives. Absent in older messages: read as false."""
    return fields.Boolean(load_default=False, metadata={
        "description": "the deadline rests on a year nobody has entered yet (暂定): it may move"})


class ContractError(ValueError):
    """A message that does not honour the contract: malformed, or of an unknown type or version."""


class Personal(fields.String):
    """A person's contact (an official's phone or email): sealed when an event is written
    (services/common/crypto.py, bound to `context`), so the outbox, the broker, consumers' dead
    letters, the event feed and webhooks carry it sealed. Loading leaves it sealed; the one
    consumer that needs it (notify) opens it with `crypto.sealer().unseal(value, context)`."""

    def __init__(self, context: str, **kwargs: Any):
        description = "sealed (AES-256-GCM or SM4-GCM, `gk1:<key id>:...`); opened only inside the county's system"
        super().__init__(allow_none=True, load_default=None, metadata={"description": description}, **kwargs)
        self.context = context

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None or str(value).startswith(crypto.PREFIX + ":"):
            return value
        return crypto.sealer().seal(str(value), self.context)


class Payload(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


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
