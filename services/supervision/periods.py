"""Score periods (2026-07, 2026-Q3, 2026-H1, 2026) and the instant a score is "as of"."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, NamedTuple

import sqlalchemy as sa

from services.common.errors import InvalidInput
from services.common.records import utcnow
from services.common.workdays import COUNTY_TIMEZONE, county_date

PATTERN = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4])|-H([12]))?$")


class Period:
    """A month, quarter, half-year or year in the county's calendar."""

    def __init__(self, text: Any) -> None:
        match = PATTERN.match(text) if isinstance(text, str) else None
        if match is None:
            raise InvalidInput(f"期间“{text}”无法识别：请写成 2026（年）、2026-H1（半年）、2026-Q3（季度）或 2026-07（月）",
                               {"fields": {"period": ["not a period"]}})
        year, month, quarter, half = match.groups()
        self.text, self.year = text, int(year)
        if not 2000 <= self.year <= 2100:
            raise InvalidInput(f"期间“{text}”的年份须在 2000 至 2100 之间", {"fields": {"period": ["out of range"]}})
        if month:
            self.kind, first, months = "month", int(month), 1
        elif quarter:
            self.kind, first, months = "quarter", 3 * int(quarter) - 2, 3
        elif half:
            self.kind, first, months = "half", 6 * int(half) - 5, 6
        else:
            self.kind, first, months = "year", 1, 12
        self.start = date(self.year, first, 1)
        last = first + months - 1
        self.end = (date(self.year + 1, 1, 1) if last == 12 else date(self.year, last + 1, 1)) - timedelta(days=1)

    def previous(self) -> Period:
        before = self.start - timedelta(days=1)
        if self.kind == "month":
            return Period(f"{before.year}-{before.month:02d}")
        if self.kind == "quarter":
            return Period(f"{before.year}-Q{(before.month - 1) // 3 + 1}")
        if self.kind == "half":
            return Period(f"{before.year}-H{1 if before.month <= 6 else 2}")
        return Period(str(before.year))

    def ends_at(self) -> datetime:
        """The instant after the period's last day ends in the county."""
        return datetime.combine(self.end + timedelta(days=1), time(0), COUNTY_TIMEZONE)

    def __repr__(self) -> str:
        return self.text


def month_of(day: date) -> Period:
    return Period(f"{day.year}-{day.month:02d}")


def parse_as_of(raw: Any, now: datetime | None = None) -> datetime:
    """An ISO instant with its offset (2026-10-10T00:00:00+08:00), not in the future; now when absent."""
    now = now or utcnow()
    if raw in (None, ""):
        return now
    if isinstance(raw, datetime):
        moment = raw
    else:
        text = str(raw).strip()
        if re.search(r"T[\d:.]+ \d{2}:\d{2}$", text):  # "+08:00" sent unencoded in a query arrives as " 08:00"
            text = text[:-6] + "+" + text[-5:]
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"as_of“{raw}”不是有效的时刻：请写成 2026-10-10T00:00:00+08:00",
                               {"fields": {"as_of": ["not an instant"]}}) from None
    if moment.tzinfo is None:
        raise InvalidInput("as_of 须带时区，例如 2026-10-10T00:00:00+08:00", {"fields": {"as_of": ["no offset"]}})
    if moment > now:
        raise InvalidInput(f"as_of {raw} 在未来：得分只能按已经发生的事实计算，请给出不晚于现在的时刻",
                           {"fields": {"as_of": ["in the future"]}})
    return moment


def apart(periods: list[Period]) -> bool:
    """No two of the periods share a day (a ranking's two, a programme's months)."""
    ordered = sorted(periods, key=lambda p: p.start)
    return all(earlier.end < later.start for earlier, later in pairwise(ordered))


class Sorting(NamedTuple):
    """Rows sorted into periods apart from each other by a date column, in SQL."""
    index: Any  # the index of the row's period
    grouping: list[Any]  # what to GROUP BY besides, to count each period on its own
    within: Any  # the row falls in one of the periods


def sorting(day: Any, periods: list[Period]) -> Sorting:
    inside = [sa.and_(day >= p.start, day <= p.end) for p in periods]
    if len(periods) == 1:
        return Sorting(sa.literal(0, sa.Integer), [], inside[0])
    index = sa.case(*((condition, i) for i, condition in enumerate(inside[:-1])), else_=len(periods) - 1)
    return Sorting(index, [index], sa.or_(*inside))


def as_of_date(moment: datetime) -> date:
    return county_date(moment)


def parse_day(raw: Any) -> date | None:
    """A county date (2026-12-07), or None when absent."""
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput(f"日期“{raw}”无效：请写成 2026-12-07", {"fields": {"date": ["not a date"]}}) from None
