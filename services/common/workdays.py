"""The Chinese working-day calendar for deadlines, year by year from the first source that has it:

1. `entered`: the State Council's arrangement (放假安排) as the county office entered it — the
   county's data, kept by each service in its own copy (services/common/calendar_store.py) and
   installed here; it wins over everything else;
2. `published`: `chinesecalendar`, for the years it knows;
3. `statutory`: for a year nobody has entered yet, the statutory holidays of 《全国年节及纪念日
   放假办法》 (as amended in 2024) from the lunar calendar, by the `holidays` package, with no
   adjusted working days (调休). A deadline computed from such a year is provisional.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays as holiday_rules
from prometheus_client import Counter

log = logging.getLogger(__name__)
COUNTY_TIMEZONE = ZoneInfo("Asia/Shanghai")
FIRST_YEAR, LAST_YEAR = 2000, 2100

ENTERED, PUBLISHED, STATUTORY = "entered", "published", "statutory"

CALENDAR_FALLBACKS = Counter(
    "gongkai_calendar_fallback_total",
    "Working-day look-ups for a year nobody has entered and chinesecalendar does not know "
    "(statutory holidays used; the deadline is provisional).",
    ["year"])


@dataclass(frozen=True)
class Arrangement:
    """A year's arrangement as the county office entered it (one version of it)."""
    year: int
    version: int
    holidays: frozenset[date]
    workdays: frozenset[date]


_entered: dict[int, Arrangement] = {}
_lock = threading.Lock()
_warned_years: set[int] = set()
_generation = [0]


def generation() -> int:
    """Rises whenever the calendar changes: part of the key of any remembered deadline."""
    return _generation[0]


def install(arrangement: Arrangement) -> bool:
    """Use this arrangement for its year from now on, unless a newer version is installed
    already (events and reloads may arrive in any order). True when it changed the calendar."""
    with _lock:
        current = _entered.get(arrangement.year)
        if current is not None and current.version >= arrangement.version:
            return False
        _entered[arrangement.year] = arrangement
        _generation[0] += 1
        return True


def forget_entered() -> None:
    """Drop every entered arrangement (tests; a process that reloads from scratch)."""
    with _lock:
        _entered.clear()
        _generation[0] += 1


def installed_versions() -> dict[int, int]:
    """The version of every entered year in use, as {year: version}."""
    return {year: arrangement.version for year, arrangement in list(_entered.items())}


def entered(year: int) -> Arrangement | None:
    return _entered.get(year)


@lru_cache(maxsize=None)
def _published_years() -> frozenset[int]:
    return frozenset(day.year for day in chinese_calendar.holidays) | frozenset(
        day.year for day in chinese_calendar.workdays)


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> frozenset[date]:
    """The statutory public holidays of a year (元旦 1, 春节 4 from 除夕, 清明 1, 劳动节 2, 端午 1,
    中秋 1, 国庆 3 days), from the lunar calendar; no adjusted working days."""
    return frozenset(holiday_rules.country_holidays("CN", years=year, observed=False))


def year_source(year: int) -> str:
    """Where the calendar of a year comes from: entered, published or statutory."""
    if year in _entered:
        return ENTERED
    if year in _published_years():
        return PUBLISHED
    return STATUTORY


def is_provisional(*days: date) -> bool:
    """Whether a deadline running over these days (e.g. its start and its due date) rests on a
    year nobody has entered: it may move when the arrangement arrives."""
    if not days:
        return False
    first, last = min(days), max(days)
    return any(year_source(year) == STATUTORY for year in range(first.year, last.year + 1))


def is_working_day(day: date) -> bool:
    arrangement = _entered.get(day.year)
    if arrangement is not None:
        if day in arrangement.holidays:
            return False
        if day in arrangement.workdays:
            return True
        return day.weekday() < 5
    if day.year in _published_years():
        return chinese_calendar.is_workday(day)
    CALENDAR_FALLBACKS.labels(str(day.year)).inc()
    if day.year not in _warned_years:
        _warned_years.add(day.year)
        log.warning("nobody has entered the holiday arrangement of %d; using its statutory holidays "
                    "(deadlines provisional)", day.year)
    return day.weekday() < 5 and day not in statutory_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    while days:
        current += timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current


def working_days_after(start: date, days: int) -> date:
    """add_working_days, remembered: a county's schedule and every feedback received ask the
    same few hundred questions thousands of times. Remembered per calendar generation: an
    arrangement entered changes it."""
    return _working_days_after(start, days, generation())


@lru_cache(maxsize=8192)
def _working_days_after(start: date, days: int, generation: int) -> date:
    return add_working_days(start, days)


def county_today() -> date:
    """Today in the county: due dates are Beijing-time dates, whatever the server's zone."""
    return datetime.now(COUNTY_TIMEZONE).date()


def county_date(moment: datetime) -> date:
    """The county's date at a (UTC) instant: a publication at 01:00 Beijing time is that day's."""
    return moment.astimezone(COUNTY_TIMEZONE).date()


def next_year_missing(today: date | None = None) -> bool:
    """From 1 November on, whether next year's arrangement is still unknown (neither entered nor
    published): the office should enter it before deadlines run into it."""
    today = today or county_today()
    return today.month >= 11 and year_source(today.year + 1) == STATUTORY
