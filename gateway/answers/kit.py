"""The building blocks of the answers' schemas: a page of a list, a list, a field always there
and one that may be null."""
from __future__ import annotations

from marshmallow import Schema, fields


def page_of(name: str, item: type[Schema], description: str = "") -> type[Schema]:
    """A cursor page of `item`: `next_cursor` is null on the last page."""
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item), required=True),
        "next_cursor": fields.String(required=True, allow_none=True, metadata={
            "description": "pass it as `cursor` for the next page; null on the last"}),
        "Meta": type("Meta", (), {"ordered": True}), "__doc__": description or f"A page of {item.__name__}."})


def list_of(name: str, item: type[Schema], description: str = "") -> type[Schema]:
    """Every `item` at once, under `items`."""
    return type(name, (Schema,), {"items": fields.List(fields.Nested(item), required=True),
                                  "__doc__": description or f"Every {item.__name__}."})


def string(**kwargs) -> fields.String:
    return fields.String(required=True, **kwargs)


def maybe(field: type[fields.Field] = fields.String, **kwargs) -> fields.Field:
    """A field that is always there and may be null."""
    return field(required=True, allow_none=True, **kwargs)
