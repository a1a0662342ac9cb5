"""Disclosure's wire shapes: what the gateway and the disclosure service both validate —
new and changed items, catalogue entries, the yearly plan, recorded events, list filters —
and the vocabularies they draw on."""
from __future__ import annotations

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from services.common.contract import AUDIENCES, SECTORS

CARRIERS = ("公开栏", "网站", "微信公众号", "会议", "文件", "简报", "短信", "党员大会", "村民代表会议")
# long_term 长期 · monthly/quarterly/half_yearly/yearly 定期 · on_event 随时 (within N working
# days of an event the unit records) · prior 预公开 (shown before a decision is taken)
FREQUENCIES = ("long_term", "monthly", "quarterly", "half_yearly", "yearly", "on_event", "prior")
PERIODIC = ("monthly", "quarterly", "half_yearly", "yearly")
OBLIGATION_STATUSES = ("open", "fulfilled", "overdue", "fulfilled_late", "waived")
ITEM_STATUSES = ("draft", "submitted", "reviewed", "approved", "published", "corrected", "withdrawn",
                 "archived")

# attachments: what may be uploaded, and how large by default (DISCLOSURE.ATTACHMENT_MAX_BYTES)
PDF, PNG, JPEG, TEXT = "application/pdf", "image/png", "image/jpeg", "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ATTACHMENT_TYPES = (PDF, PNG, JPEG, DOCX, XLSX, TEXT)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

# the full-text search (disclosure's search_items, the portal's /search and GET /api/v1/search)
SEARCH_LONGEST_QUERY = 50  # characters; a longer query is refused with SEARCH_TOO_LONG
SEARCH_PAGE_SIZE = 20
SEARCH_MAX_PAGE = 50
SEARCH_SORTS = ("relevance", "newest")
SEARCH_TOO_LONG = f"搜索词最多 {SEARCH_LONGEST_QUERY} 个字，请只输入几个关键词，如“党费”“低保”。"


class SearchFilters(Schema):
    """What a search asks for: the words, town, unit, year of publication, catalogue matter (its
    code), page and order."""
    class Meta:
        unknown = RAISE

    q = fields.String(load_default="")
    town = fields.String(allow_none=True, validate=validate.Length(max=32))
    unit = fields.String(allow_none=True, validate=validate.Length(max=32))
    year = fields.Integer(allow_none=True, validate=validate.Range(1949, 9999))
    matter = fields.String(allow_none=True, validate=validate.Length(max=32))
    page = fields.Integer(load_default=1, validate=validate.Range(1, SEARCH_MAX_PAGE))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SEARCH_SORTS))


class NewItem(Schema):
    class Meta:
        unknown = RAISE

    unit_code = fields.String(required=True, validate=validate.Length(1, 32))
    title = fields.String(required=True, validate=validate.Length(1, 300))
    body = fields.String(required=True, validate=validate.Length(1, 100_000))
    audience = fields.String(required=True, validate=validate.OneOf(AUDIENCES))
    carriers = fields.List(fields.String(validate=validate.OneOf(CARRIERS)), required=True,
                           validate=validate.Length(min=1))
    obligation_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 2**31 - 1))


class ItemChanges(Schema):
    """What an operator may change in a draft, or in a published item by a correction."""
    class Meta:
        unknown = RAISE

    title = fields.String(validate=validate.Length(1, 300))
    body = fields.String(validate=validate.Length(1, 100_000))
    audience = fields.String(validate=validate.OneOf(AUDIENCES))
    carriers = fields.List(fields.String(validate=validate.OneOf(CARRIERS)), validate=validate.Length(min=1))


class ItemFilters(Schema):
    """What a list of items may be narrowed by; `year` is the year of publication."""
    class Meta:
        unknown = RAISE

    unit = fields.String(allow_none=True)
    q = fields.String(allow_none=True, validate=validate.Length(max=300))
    status = fields.String(allow_none=True, validate=validate.OneOf(ITEM_STATUSES))
    year = fields.Integer(allow_none=True, validate=validate.Range(1949, 9999))
    audience = fields.String(allow_none=True, validate=validate.OneOf(AUDIENCES))


# The rule column each frequency needs: working days of grace after the period (定期), working
# days after the event or the plan (随时, 长期), calendar days shown before the decision (预公开).
RULE_FIELDS = {**{frequency: "grace_days" for frequency in PERIODIC},
               "long_term": "within_days", "on_event": "within_days", "prior": "display_days"}
RULE_LIMITS = {"grace_days": (1, 60), "within_days": (1, 120), "display_days": (7, 90)}
# 预公开: at least 7 days inside the Party (or the unit, or those concerned), 15 to society
PRIOR_MIN_DAYS = {"society": 15, "party": 7, "unit": 7, "specific": 7}


def _distinct(values: list) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("each value may appear once")


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("may not be blank")


def _text(longest: int, **kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(1, longest), _not_blank], **kwargs)


class CatalogueColumns(Schema):
    """A catalogue matter in the columns of the national catalogue standard."""
    matter = _text(100, required=True)  # 一级事项
    sub_matter = _text(200, required=True)  # 二级事项
    content_elements = _text(4000, required=True)  # 公开内容（要素）
    basis = _text(2000, required=True)  # 公开依据
    time_limit = _text(500, required=True)  # 公开时限, as worded for readers
    audience = fields.String(required=True, validate=validate.OneOf(AUDIENCES))
    carriers = fields.List(fields.String(validate=validate.OneOf(CARRIERS)), required=True,
                           validate=[validate.Length(min=1), _distinct])
    sectors = fields.List(fields.String(validate=validate.OneOf(SECTORS)), required=True,
                          validate=[validate.Length(min=1), _distinct])
    frequency = fields.String(required=True, validate=validate.OneOf(FREQUENCIES))
    grace_days = fields.Integer(strict=True, allow_none=True, load_default=None)
    within_days = fields.Integer(strict=True, allow_none=True, load_default=None)
    display_days = fields.Integer(strict=True, allow_none=True, load_default=None)


CATALOGUE_COLUMNS = tuple(CatalogueColumns().fields)


class NewCatalogueEntry(CatalogueColumns):
    """A new matter; its rule column must fit its frequency (the one validation every entry,
    the default catalogue's included, goes through)."""
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=[
        validate.Length(2, 32),
        validate.Regexp(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$",
                        error="a code is capital letters and digits joined by hyphens, e.g. DW-01")])
    valid_from = fields.Date(load_default=None)  # today when not given
    change_note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=1000))

    @validates_schema
    def rule_fits_frequency(self, data: dict, **kwargs) -> None:
        frequency, audience = data["frequency"], data["audience"]
        needed = RULE_FIELDS[frequency]
        errors = {rule: [f"applies to {', '.join(f for f, r in RULE_FIELDS.items() if r == rule)} "
                         f"entries only, not {frequency}"]
                  for rule in RULE_LIMITS if rule != needed and data.get(rule) is not None}
        low, high = RULE_LIMITS[needed]
        if needed == "display_days":
            low = PRIOR_MIN_DAYS[audience]
        value = data.get(needed)
        if value is None:
            errors[needed] = [f"a {frequency} entry needs {needed} ({low}..{high})"]
        elif not low <= value <= high:
            why = f" for a {audience} audience" if needed == "display_days" else ""
            errors[needed] = [f"must be {low}..{high}{why}; {value} given"]
        if errors:
            raise ValidationError(errors)


class CatalogueRevision(CatalogueColumns):
    """The columns that change (any of them), from when (today by default), and why."""
    class Meta:
        unknown = RAISE

    valid_from = fields.Date(load_default=None)
    change_note = _text(1000, required=True)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("partial", CATALOGUE_COLUMNS)
        super().__init__(**kwargs)


class CatalogueRetirement(Schema):
    class Meta:
        unknown = RAISE

    reason = _text(1000, required=True)
    valid_to = fields.Date(load_default=None)  # the last day in force; today when not given


class PlanMilestone(Schema):
    class Meta:
        unknown = RAISE

    title = _text(200, required=True)
    due_on = fields.Date(required=True)


class NewPlan(Schema):
    class Meta:
        unknown = RAISE

    year = fields.Integer(strict=True, required=True, validate=validate.Range(2000, 2100))
    title = _text(200, required=True)
    goals = fields.List(_text(1000), required=True, validate=validate.Length(min=1))
    milestones = fields.List(fields.Nested(PlanMilestone), load_default=list)
    carriers = fields.List(fields.String(validate=validate.OneOf(CARRIERS)), required=True,
                           validate=[validate.Length(min=1), _distinct])
    forms = fields.List(_text(100), required=True, validate=[validate.Length(min=1), _distinct])  # 公开形式
    # days the draft stays open for comments (征求意见); the opening day is not counted
    consultation_days = fields.Integer(strict=True, load_default=15, validate=validate.Range(1, 60))

    @validates_schema
    def milestones_fall_in_the_year(self, data: dict, **kwargs) -> None:
        for index, milestone in enumerate(data.get("milestones") or (), 1):
            # a PATCH loads partially, nested milestones too: a milestone still needs both fields
            if "due_on" not in milestone:
                raise ValidationError(f"第 {index} 个里程碑缺少日期（due_on）", "milestones")
            if "title" not in milestone:
                raise ValidationError(f"第 {index} 个里程碑缺少标题（title）", "milestones")
        if data.get("year") is None:
            return
        outside = [f"milestone «{m['title']}» is due {m['due_on']}, outside the plan's year {data['year']}"
                   for m in data.get("milestones") or () if m["due_on"].year != data["year"]]
        if outside:
            raise ValidationError({"milestones": outside})


class PlanChanges(NewPlan):
    """Any of a draft plan's fields."""
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)


class PlanAction(Schema):
    class Meta:
        unknown = RAISE

    consultation_days = fields.Integer(strict=True, allow_none=True, load_default=None,
                                       validate=validate.Range(1, 60))  # consult: overrides the plan's
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=1000))


class ObligationFilters(Schema):
    """Filters of the obligation list; `subtree` is a unit code: that unit and all below it."""
    class Meta:
        unknown = RAISE

    unit = fields.String(validate=validate.Length(1, 32))
    subtree = fields.String(validate=validate.Length(1, 32))
    town = fields.String(validate=validate.Length(1, 32))
    status = fields.String(validate=validate.OneOf(OBLIGATION_STATUSES))
    period = fields.String(validate=validate.Length(1, 32))
    sector = fields.String(validate=validate.OneOf(SECTORS))
    year = fields.Integer(validate=validate.Range(2000, 2100))
    entry = fields.String(validate=validate.Length(1, 32))
    due_month = fields.String(validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="a month is 2026-07"),
                              metadata={"description": "due in this month (YYYY-MM)"})


class Reminder(Schema):
    """The county office's reminder (催办) of an open or overdue obligation: notify mails the
    unit's liaison (联络员), with the note if there is one."""
    class Meta:
        unknown = RAISE

    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                         metadata={"description": "a few words to the unit, shown in the reminder"})


class NewEvent(Schema):
    """An event (随时公开) or a decision to be disclosed beforehand (预公开) that a unit records;
    for a prior disclosure `event_on` is the day the decision will be taken."""
    class Meta:
        unknown = RAISE

    unit_code = fields.String(required=True, validate=validate.Length(1, 32))
    entry_code = fields.String(required=True, validate=validate.Length(1, 32))
    event_on = fields.Date(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ProgressQuery(Schema):
    class Meta:
        unknown = RAISE

    year = fields.Integer(validate=validate.Range(2000, 2100))
    town = fields.String(validate=validate.Length(1, 32))
    sector = fields.String(validate=validate.OneOf(SECTORS))
