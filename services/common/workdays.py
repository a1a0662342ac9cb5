"""The Chinese working-day calendar for deadlines: public holidays and adjusted working
days (调休) from `chinesecalendar` for the years the State Council has published; a later
year falls back to Monday–Friday plus data/workday_overrides.yaml, and says so."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import yaml
from prometheus_client import Counter

from .config import ROOT

log = logging.getLogger(__name__)
OVERRIDES_FILE = ROOT / "data" / "workday_overrides.yaml"
COUNTY_TIMEZONE = ZoneInfo("Asia/Shanghai")

CALENDAR_FALLBACKS = Counter(
    "gongkai_calendar_fallback_total",
    "Working-day look-ups for a year the holiday calendar does not know (weekdays plus overrides used).",
    ["year"])


@lru_cache(maxsize=1)
def _overrides() -> tuple[frozenset[date], frozenset[date]]:
    if not OVERRIDES_FILE.exists():
        return frozenset(), frozenset()
    data = yaml.safe_load(OVERRIDES_FILE.read_text(encoding="utf-8")) or {}
    return (frozenset(data.get("holidays") or ()), frozenset(data.get("workdays") or ()))


_warned_years: set[int] = set()


def is_working_day(day: date) -> bool:
    holidays, workdays = _overrides()
    if day in holidays:
        return False
    if day in workdays:
        return True
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        CALENDAR_FALLBACKS.labels(str(day.year)).inc()
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("the holiday calendar does not know %d; using weekdays plus %s",
                        day.year, OVERRIDES_FILE.name)
        return day.weekday() < 5


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


def county_today() -> date:
    """Today in the county: due dates are Beijing-time dates, whatever the server's zone."""
    return datetime.now(COUNTY_TIMEZONE).date()


def county_date(moment: datetime) -> date:
    """The county's date at a (UTC) instant: a publication at 01:00 Beijing time is that day's."""
    return moment.astimezone(COUNTY_TIMEZONE).date()
