"""Every path and query parameter of the API, bounded and validated once, here, before any
worker runs — and described to the OpenAPI document from the same declarations.

Path parameters use the URL converters below (`<id:item_id>`, `<code:code>`, `<year:year>`,
`<sha256:sha256>`, `<tracking:code>`): a value out of bounds does not match the route, so it
answers the 404 envelope and never reaches a service or a database.

Query parameters are a marshmallow schema per route, built from the bounded fields below and
given as `@api(..., query=SomeQuery)`. The endpoint loads `request.args` through it (a refusal
is a 400 naming each field) and the route reads the result from `request.params`.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.routing import BaseConverter, IntegerConverter
from werkzeug.routing import ValidationError as NoMatch

from services.common import i18n

from .errors import bad_request

MAX_ID = 2**31 - 1  # the largest key a 32-bit INTEGER column holds, on SQLite and PostgreSQL alike
FIRST_YEAR, LAST_YEAR = 2000, 2100
CODE_PATTERN = r"[A-Za-z0-9_-]{1,32}"
USERNAME_PATTERN = r"[a-z0-9][a-z0-9._-]{2,63}"
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


# --- path parameters ---------------------------------------------------------------------

class IdConverter(IntegerConverter):
    """A row id: a whole number from 1 to 2,147,483,647."""
    openapi = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

    def __init__(self, map: Any) -> None:
        super().__init__(map, min=1, max=MAX_ID)


class YearConverter(IntegerConverter):
    """A year of the programme, 2000 to 2100."""
    openapi = {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}

    def __init__(self, map: Any) -> None:
        super().__init__(map, fixed_digits=4, min=FIRST_YEAR, max=LAST_YEAR)


class CodeConverter(BaseConverter):
    """A unit's or a catalogue entry's code: letters, digits, - and _, at most 32."""
    regex = CODE_PATTERN
    openapi = {"type": "string", "pattern": f"^{CODE_PATTERN}$", "maxLength": 32}


class Sha256Converter(BaseConverter):
    """A file's SHA-256, in lower-case hex."""
    regex = r"[0-9a-f]{64}"
    openapi = {"type": "string", "pattern": "^[0-9a-f]{64}$"}


class TrackingConverter(BaseConverter):
    """A feedback tracking code: letters and digits, with at least one letter (so it never
    reads as an integer id), at most 32."""
    regex = r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*"
    openapi = {"type": "string", "pattern": "^[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*$", "maxLength": 32}

    def to_python(self, value: str) -> str:
        if len(value) > 32:
            raise NoMatch()
        return value


class UsernameConverter(BaseConverter):
    """An account's username: 3 to 64 lower-case letters, digits, '.', '-' and '_'."""
    regex = USERNAME_PATTERN
    openapi = {"type": "string", "pattern": f"^{USERNAME_PATTERN}$", "maxLength": 64}


CONVERTERS: dict[str, type[BaseConverter]] = {
    "id": IdConverter, "year": YearConverter, "code": CodeConverter, "sha256": Sha256Converter,
    "tracking": TrackingConverter, "username": UsernameConverter}


def openapi_schema(converter: str) -> dict[str, Any]:
    """The JSON Schema of a path parameter, by its converter's name (`any(...)` an enum)."""
    if converter.startswith("any("):
        return {"type": "string", "enum": converter[4:-1].split(",")}
    known = CONVERTERS.get(converter)
    return dict(known.openapi) if known is not None else {"type": "string"}


# --- query parameters --------------------------------------------------------------------

class Query(Schema):
    """Base of every route's query: unknown parameters are ignored (a cache-buster, say),
    an empty one counts as not given."""
    class Meta:
        unknown = EXCLUDE


class DayOrAll(fields.Field):
    """A date (YYYY-MM-DD), or `all` for the whole history."""
    default_error_messages = {"invalid": f"应为 {FIRST_YEAR}–{LAST_YEAR} 年间的日期（如 2026-05-01）或 all"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if value == "all":
            return value
        try:
            if isinstance(value, str) and len(value) == 10:
                day = date.fromisoformat(value)
                if FIRST_YEAR <= day.year <= LAST_YEAR:
                    return day.isoformat()
        except ValueError:
            pass
        raise self.make_error("invalid")


class BoundedDate(fields.Date):
    """A date (YYYY-MM-DD) in a year the working-day calendar handles, 2000 to 2100."""
    default_error_messages = {"invalid": f"应为 {FIRST_YEAR}–{LAST_YEAR} 年间的日期（如 2026-05-01）"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise self.make_error("invalid")
        return day


def Limit() -> fields.Integer:
    return fields.Integer(load_default=PAGE_SIZE, validate=validate.Range(1, MAX_PAGE_SIZE),
                          metadata={"description": f"page size (default {PAGE_SIZE})"})


def Cursor(description: str = "the next_cursor of the previous page") -> fields.String:
    return fields.String(validate=validate.Length(1, 1000), metadata={"description": description})


def Text(longest: int = 100, description: str = "text to look for") -> fields.String:
    return fields.String(validate=validate.Length(1, longest), metadata={"description": description})


def UnitCode(description: str = "a unit's code") -> fields.String:
    return fields.String(validate=validate.Regexp(f"^{CODE_PATTERN}$", error="不是有效的代码（字母、数字、-、_，最多 32 位）"),
                         metadata={"description": description})


def Year(description: str = "a year, like 2026") -> fields.Integer:
    return fields.Integer(validate=validate.Range(FIRST_YEAR, LAST_YEAR), metadata={"description": description})


def Day(description: str = "a date, YYYY-MM-DD") -> fields.Date:
    return BoundedDate(metadata={"description": description})


YEAR_PREFIX = r"^(20\d\d|2100)-"  # a date, month or instant of a year the calendar handles
MONTH_PATTERN = r"^(20\d\d|2100)-(0[1-9]|1[0-2])$"


def Month(description: str = "a month, like 2026-07") -> fields.String:
    """A month (YYYY-MM) of a year from 2000 to 2100."""
    return fields.String(validate=validate.Regexp(MONTH_PATTERN, error=f"应为 {FIRST_YEAR}–{LAST_YEAR} 年间的月份，如 2026-07"),
                         metadata={"description": description})


def OneOf(*choices: str, description: str = "") -> fields.String:
    return fields.String(validate=validate.OneOf(choices), metadata={"description": description} if description else {})


def Flag(description: str) -> fields.Boolean:
    return fields.Boolean(load_default=False, truthy={"1", "true", "yes"}, falsy={"0", "false", "no"},
                          metadata={"description": description})


class Paged(Query):
    limit = Limit()
    cursor = Cursor()


PAGING = ("limit", "cursor")


def load_query(schema: Schema, args: Any) -> dict[str, Any]:
    """The route's query, loaded; a 400 in the envelope names every parameter that is wrong."""
    given = {name: args.get(name) for name in args if args.get(name) != ""}
    try:
        return schema.load(given)
    except ValidationError as exc:
        found = i18n.translate_problems(exc.messages)  # marshmallow's English in Chinese
        raise bad_request("查询参数有误：" + "；".join(f"{name}：{'，'.join(map(str, problems))}"
                                                     for name, problems in found.items()),
                          {"query": exc.messages}) from None


def filters(params: dict[str, Any], *leave_out: str) -> dict[str, Any]:
    """The parameters a service filters by: everything but paging (and `leave_out`), with
    dates as ISO strings for the RPC."""
    return {name: value.isoformat() if isinstance(value, date) else value
            for name, value in params.items() if name not in PAGING and name not in leave_out}
